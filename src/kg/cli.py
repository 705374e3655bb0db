"""The ``kg`` command line: build, validate, export, query, serve (and the growth commands)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from kg.config import SettingError, Settings


def progress_printer() -> Callable[[str], None]:
    started = time.monotonic()

    def show(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    return show


class CommandFailed(Exception):
    """A problem with the command's arguments or files: printed as it is, exit status 1."""


def write_output(data: bytes, output: str | None) -> None:
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from kg.builddir import write_atomic

    try:
        write_atomic(Path(output), data)
    except OSError as error:
        raise CommandFailed(f"cannot write {output}: {error.strerror or error}; choose another -o") from None
    print(f"wrote {len(data):,} bytes to {output}", file=sys.stderr)


def read_text(path: str, what: str) -> str:
    """A UTF-8 text file named on the command line (or standard input for '-')."""
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandFailed(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise CommandFailed(f"{what} {path} is a folder; name a file") from None
    except UnicodeDecodeError as error:
        raise CommandFailed(f"{what} {path} is not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    except OSError as error:
        raise CommandFailed(f"cannot read {what} {path}: {error.strerror or error}") from None


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from kg.build import ValidationFailed, build
    from kg.builddir import BuildError
    from kg.curated import CurationFailed, unreviewed_suggestions

    suggested = unreviewed_suggestions(settings.data_dir)
    if suggested and args.strict:
        shown = "\n".join(str(s) for s in suggested)
        print(f"build refused (--strict): {len(suggested)} suggested label(s) not yet reviewed", file=sys.stderr)
        print(shown, file=sys.stderr)
        return 1
    try:
        result = build(settings.data_dir, settings.ontology_dir, settings.build_dir, progress_printer())
    except CurationFailed as failed:
        print(f"build refused: {len(failed.errors)} problem(s) in the curated data\n{failed}", file=sys.stderr)
        return 1
    except ValidationFailed as failed:
        print(f"build refused: the graph does not conform to ontology/shapes.ttl\n{failed}", file=sys.stderr)
        return 1
    except BuildError as problem:
        print(f"build refused: {problem}", file=sys.stderr)
        return 1
    except OSError as error:
        raise CommandFailed(
            f"build refused: cannot write {error.filename or settings.build_dir}: {error.strerror or error}; "
            "choose another --out"
        ) from None
    manifest = result.manifest
    for warning in manifest.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    if suggested:
        print(f"note: {len(suggested)} suggested label(s) not yet reviewed (kg validate lists them; "
              "kg build --strict refuses them)", file=sys.stderr)  # fmt: skip
    ids = [r["id"] for r in manifest["reports"]]
    shown = ", ".join(ids[:5]) + (f", … ({len(ids) - 5} more)" if len(ids) > 5 else "")
    print(
        f"built {settings.build_dir} -> {result.path.name} (version {result.version}): "
        f"{manifest['triples']:,} distinct triples, stated as {manifest['quads']:,} quads in "
        f"{len(manifest['graphs'])} named graphs; {len(ids)} report(s): {shown}"
    )
    return 0


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from kg.build import compile_and_validate
    from kg.curated import CurationFailed, unreviewed_suggestions

    try:
        result = compile_and_validate(settings.data_dir, settings.ontology_dir, progress_printer()).validation
    except CurationFailed as failed:
        print(f"{len(failed.errors)} problem(s) in the curated data:\n{failed}")
        return 1
    if args.format == "turtle":
        sys.stdout.write(result.as_turtle())
    else:
        print(result.text())
    suggested = unreviewed_suggestions(settings.data_dir)
    if suggested:
        shown = "\n".join(str(s) for s in suggested)
        print(f"{len(suggested)} suggested label(s) not yet reviewed:\n{shown}", file=sys.stderr)
    return 0 if result.conforms and not (suggested and args.strict) else 1


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from kg.builddir import BuildError, held_build
    from kg.export import export

    try:
        with held_build(settings.build_dir) as build:
            data = export(build, args.format, settings.queries_dir)
    except BuildError as problem:
        print(f"export failed: {problem}", file=sys.stderr)
        return 1
    write_output(data, args.output)
    return 0


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from kg.builddir import BuildError
    from kg.errors import QueryRefused
    from kg.sparql.formats import JSON, TURTLE
    from kg.sparql.guard import inspect
    from kg.store.base import QueryRequest
    from kg.store.embedded import EmbeddedStore
    from kg.tables import render_results

    text = read_text(args.file, "the query file")
    try:
        info = inspect(text)
        store = EmbeddedStore(settings)
    except (BuildError, QueryRefused) as problem:
        print(f"query failed: {problem}", file=sys.stderr)
        return 1
    try:
        result = store.execute(QueryRequest(text, TURTLE if info.is_graph else JSON))
    except QueryRefused as refused:
        print(f"query failed ({refused.status}): {refused}", file=sys.stderr)
        return 1
    finally:
        store.close()
    if info.is_graph:
        sys.stdout.buffer.write(result.body)
    else:
        sys.stdout.write(render_results(result, args.format))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from kg.serve import serve

    return serve(settings)


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    from kg.builddir import BuildError, held_build
    from kg.publish import PublishError, publish_build

    if not args.to.startswith(("http://", "https://")):
        raise CommandFailed(f"--to {args.to!r} is not an http(s) URL; e.g. http://127.0.0.1:7878/store")
    try:
        with held_build(settings.build_dir) as build:
            count = publish_build(
                build, args.to, progress_printer(), user=settings.publish_user, password=settings.publish_password
            )
    except (BuildError, PublishError) as problem:
        print(f"publish failed: {problem}", file=sys.stderr)
        return 1
    print(f"published {count} graphs to {args.to}")
    return 0


def cmd_synth(args: argparse.Namespace, settings: Settings) -> int:
    from kg.authoring.synth import synth

    if args.reports < 1:
        raise CommandFailed(f"--reports {args.reports}: give a number of reports of at least 1")
    try:
        synth(args.reports, args.out, seed=args.seed, progress=progress_printer())
    except OSError as error:
        raise CommandFailed(f"cannot write {error.filename or args.out}: {error.strerror or error}") from None
    print(f"wrote {args.reports} synthetic reports to {args.out}; build them with: kg build --data {args.out}")
    return 0


def cmd_draft(args: argparse.Namespace, settings: Settings) -> int:
    from kg.authoring.draft import draft_report

    read_text(args.report, "the report text")  # a clear error for a missing or non-UTF-8 file
    text = draft_report(Path(args.report), settings.data_dir, report_id=args.id, suggest=not args.no_suggest)
    write_output(text.encode("utf-8"), args.output)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kg", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="compile, validate and publish the graph atomically")
    build.add_argument("--data", type=Path, help="curated data directory (default data/)")
    build.add_argument("--out", type=Path, help="build directory (default build/)")
    build.add_argument("--strict", action="store_true", help="refuse labels still marked as suggestions")

    validate = commands.add_parser("validate", help="compile and print the SHACL validation report")
    validate.add_argument("--data", type=Path, help="curated data directory (default data/)")
    validate.add_argument("--format", choices=["text", "turtle"], default="text")
    validate.add_argument("--strict", action="store_true", help="fail on labels still marked as suggestions")

    export = commands.add_parser("export", help="write the whole graph or the facts table")
    export.add_argument("--build", type=Path, help="build directory (default build/)")
    from kg.export import FORMATS

    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("-o", "--output", help="output file (default: standard output; '-' too)")

    query = commands.add_parser("query", help="run a SPARQL query file (or - for stdin) on a build")
    query.add_argument("file")
    query.add_argument("--build", type=Path, help="build directory (default build/)")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")

    serve = commands.add_parser("serve", help="serve the SPARQL endpoint and the explorer")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument("--build", type=Path, help="build directory (default build/)")
    serve.add_argument("--store", help="'embedded' (default) or the URL of an external SPARQL server")
    serve.add_argument("--timeout", type=float, help="seconds before a query is stopped (default 30)")

    publish = commands.add_parser("publish", help="replace each named graph on an external store (Graph Store PUT)")
    publish.add_argument("--build", type=Path, help="build directory (default build/)")
    publish.add_argument(
        "--to",
        required=True,
        help="Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store (Virtuoso: …:8890/sparql-graph-crud-auth)",
    )
    publish.add_argument("--user", help="user name for the server's digest or basic challenge (KG_PUBLISH_USER)")
    publish.add_argument("--password", help="password for that user (better: KG_PUBLISH_PASSWORD)")

    synth = commands.add_parser("synth", help="write N synthetic reports' curated data (scale tests only)")
    synth.add_argument("--reports", type=int, required=True)
    synth.add_argument("--out", type=Path, required=True)
    synth.add_argument("--seed", type=int, default=2022)

    draft = commands.add_parser("draft", help="draft the curated data file of a new report from its text")
    draft.add_argument("report", help="the report text (UTF-8)")
    draft.add_argument("-o", "--output", help="output YAML file (default: standard output)")
    draft.add_argument("--id", help="report id (default: the text file's name)")
    draft.add_argument("--data", type=Path, help="curated data to match known entities against (default data/)")
    draft.add_argument("--no-suggest", action="store_true", help="leave English labels as TODO instead of suggesting")

    args = parser.parse_args(argv)
    try:
        return run(args)
    except (CommandFailed, SettingError) as problem:
        print(f"kg {args.command}: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"kg {args.command}: interrupted", file=sys.stderr)
        return 130


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env(
        data_dir=getattr(args, "data", None),
        build_dir=(getattr(args, "out", None) if args.command == "build" else None) or getattr(args, "build", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        store=getattr(args, "store", None),
        query_timeout=getattr(args, "timeout", None),
        publish_user=getattr(args, "user", None),
        publish_password=getattr(args, "password", None),
    )
    handler = {
        "build": cmd_build,
        "validate": cmd_validate,
        "export": cmd_export,
        "query": cmd_query,
        "serve": cmd_serve,
        "draft": cmd_draft,
        "publish": cmd_publish,
        "synth": cmd_synth,
    }[args.command]
    return handler(args, settings)


if __name__ == "__main__":
    sys.exit(main())
