"""The build directory: a validated dataset written as a version directory, swapped in atomically.

``build/`` is a symbolic link to a complete version directory beside it
(``.build.versions/<stamp>/``). A new version is written in full — dataset, bulk-loaded
Oxigraph store, manifest last — and only then is the link swapped with one ``rename``. A build
that fails or is killed leaves the previous ``build/`` exactly as it was.

A build's *version* names its content (a digest of ``dataset.nq``, which is written in a
canonical order), so two builds of the same data have the same version, and caches and ETags
keyed by it survive a rebuild that changed nothing. A process that reads a version directory
holds a shared lock on it (:func:`hold`); ``prune`` removes only directories nobody holds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph

from kg import __version__

MANIFEST = "manifest.json"
DATASET = "dataset.nq"
STORE = "store"
MANIFEST_FORMAT = 1
KEEP_VERSIONS = 2


class BuildError(Exception):
    """A build directory that is missing, half-written or corrupt; the message says what to do."""


@dataclass(frozen=True)
class Build:
    """An opened, verified build directory (resolved to its version, so rebuilds do not move it)."""

    path: Path
    manifest: dict[str, Any]

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def dataset_path(self) -> Path:
        return self.path / DATASET

    @property
    def store_path(self) -> Path:
        return self.path / STORE

    @property
    def version(self) -> str:
        return str(self.manifest["version"])


def versions_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.versions"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A file to write in parts, which readers see only when complete (the old content until then;
    nothing, if writing fails)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so readers see the old content or the new, never a mixture."""
    with atomic_file(path) as handle:
        handle.write(data)


def new_version(out: Path) -> Path:
    if out.exists() and not out.is_symlink():
        raise BuildError(f"{out} is a directory that kg did not create; move it away or choose another --out")
    stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"
    path = versions_dir(out) / stamp
    path.mkdir(parents=True)
    return path


def union_triples(nquads: Path) -> Iterator[pyoxigraph.Quad]:
    """Every quad of the dataset moved to the default graph."""
    default = pyoxigraph.DefaultGraph()
    for quad in pyoxigraph.parse(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS):
        yield pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, default)


def fill_store(store: pyoxigraph.Store, nquads: Path) -> pyoxigraph.Store:
    """Load the dataset's named graphs, and their union as the default graph.

    The union is materialised: Oxigraph's on-the-fly union (use_default_graph_as_union) is a
    bag, so a triple stated in ten reports (an indicator's label) would come back ten times and
    multiply every join and COUNT. A store's default graph is a set: loading the triples there
    removes the duplicates.
    """
    store.bulk_load(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS)
    store.bulk_extend(union_triples(nquads))
    return store


def memory_store(nquads: Path) -> pyoxigraph.Store:
    """An in-memory copy of a build's dataset, shaped like the published store."""
    return fill_store(pyoxigraph.Store(), nquads)


@dataclass(frozen=True)
class Counts:
    """What a store holds, each thing counted once."""

    quads: int  # statements in named graphs (one per report, vocabulary or the ontology)
    triples: int  # distinct triples of the default graph, their union


def count_store(store: pyoxigraph.Store) -> Counts:
    total = len(store)
    triples = sum(1 for _ in store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))
    return Counts(quads=total - triples, triples=triples)


def load_store(version: Path, nquads: Path) -> Counts:
    """Bulk-load the dataset into the build's on-disk Oxigraph store; return what it holds."""
    store = fill_store(pyoxigraph.Store(str(version / STORE)), nquads)
    store.optimize()
    counts = count_store(store)
    store.flush()
    del store
    return counts


def finish(out: Path, version: Path, manifest: dict[str, Any]) -> Build:
    """Write the manifest last, then swap the ``out`` link to the new version in one rename."""
    manifest = {"format": MANIFEST_FORMAT, "kg_version": __version__, **manifest}
    write_atomic(version / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    _fsync_dir(version)
    link = out.parent / f".{out.name}.link-{os.getpid()}"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(os.path.relpath(version, out.parent))
    os.replace(link, out)
    _fsync_dir(out.parent)
    prune(out)
    return Build(version, manifest)


def content_version(dataset_digest: str) -> str:
    return dataset_digest[:16]


def hold(version: Path) -> int:
    """Take a shared lock on a version directory, so that no ``prune`` removes it while it is read;
    returns the descriptor to give to :func:`release`. Locks end with their process, too."""
    fd = os.open(version, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def release(fd: int) -> None:
    os.close(fd)


def prune(out: Path) -> None:
    """Remove old and abandoned versions, keeping the current one, the one before it, and every
    version a running process holds (:func:`hold`)."""
    current = out.resolve()
    versions = sorted(p for p in versions_dir(out).iterdir() if p.is_dir())
    complete = [p for p in versions if (p / MANIFEST).is_file()]
    keep = {current, *complete[-KEEP_VERSIONS:]}
    for path in versions:
        if path.resolve() not in keep and (path in complete or _abandoned(path)):
            _remove_unless_held(path)


def _remove_unless_held(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Removed under the exclusive lock: a reader waiting for its shared lock then finds the
        # directory gone and looks at build/ again.
        shutil.rmtree(path, ignore_errors=True)
    except BlockingIOError:
        pass  # a server or a command still reads it; a later prune removes it
    finally:
        os.close(fd)


def _abandoned(path: Path) -> bool:
    """A half-written version whose writer process is gone."""
    try:
        pid = int(path.name.split("-")[1])
    except (IndexError, ValueError):
        return True
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@contextlib.contextmanager
def held_build(out: Path) -> Iterator[Build]:
    """The current build, opened and held (:func:`hold`) for as long as the block reads it."""
    build = open_build(out)
    fd = hold(build.path)
    try:
        if not build.manifest_path.is_file():
            raise BuildError(f"{build.path} was removed by a newer build; run the command again")
        yield build
    finally:
        release(fd)


def open_build(out: Path, verify_hash: bool = True) -> Build:
    """Open and verify a build; refuse a missing, half-written or corrupt one with a clear message."""
    if not out.exists():
        raise BuildError(f"no build at {out}: run 'kg build' (or 'make run') first")
    path = out.resolve()
    manifest_path = path / MANIFEST
    if not path.is_dir():
        raise BuildError(f"{out} is a file, not a build folder; pass the folder 'kg build' wrote (default build/)")
    if not manifest_path.is_file() and not out.is_symlink():
        raise BuildError(
            f"{out} is not a kg build (it has no {MANIFEST}); pass the folder 'kg build' wrote (default build/)"
        )
    if not manifest_path.is_file():
        raise BuildError(f"{out} has no {MANIFEST}: it is half-written; run 'kg build' again")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BuildError(f"{manifest_path} is corrupt ({exc}); run 'kg build' again") from None
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BuildError(f"{out} was written by another version of kg; run 'kg build' again")
    dataset = path / DATASET
    if not dataset.is_file() or not (path / STORE).is_dir():
        raise BuildError(f"{out} is incomplete (missing {DATASET} or {STORE}/); run 'kg build' again")
    if verify_hash and sha256(dataset) != manifest.get("files", {}).get(DATASET):
        raise BuildError(f"{dataset} does not match its manifest (corrupt or edited); run 'kg build' again")
    return Build(path, manifest)
