"""The one place for configuration: every setting, its environment variable and its default.

The ontology, the canned queries and the shared vocabularies are package resources
(``kg/resources/``; in a source checkout these are links to the top-level folders), so an
installed ``kg`` finds them wherever it runs. The data and build folders default to ``data/`` and
``build/`` of the source checkout, or of the current directory when kg is installed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES = PACKAGE_DIR / "resources"
ONTOLOGY_DIR = RESOURCES / "ontology"
QUERIES_DIR = RESOURCES / "queries"
VOCABULARIES_DIR = RESOURCES / "vocabularies"
LEXICONS_DIR = RESOURCES / "lexicons"
# The source checkout, when kg runs from one (tests and benches use its data/); else None.
_CHECKOUT = PACKAGE_DIR.parents[1]
PROJECT_ROOT = _CHECKOUT if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "src" / "kg").is_dir() else None


def _workspace() -> Path:
    return PROJECT_ROOT or Path.cwd()


def _default_data_dir() -> Path:
    return Path(os.environ.get("KG_DATA", _workspace() / "data"))


def _default_build_dir() -> Path:
    return _workspace() / "build"


def _default_node_modules() -> Path:
    return _workspace() / "node_modules"


@dataclass(frozen=True)
class Settings:
    """Runtime settings. Each field can be set by the environment variable ``KG_<NAME>``."""

    data_dir: Path = field(default_factory=_default_data_dir)
    build_dir: Path = field(default_factory=_default_build_dir)
    ontology_dir: Path = ONTOLOGY_DIR
    queries_dir: Path = QUERIES_DIR
    # The explorer's front-end packages (npm install): cytoscape, YASGUI, Chart.js.
    node_modules_dir: Path = field(default_factory=_default_node_modules)
    # "embedded" opens the build's Oxigraph store; an http(s) URL forwards to that SPARQL server.
    store: str = "embedded"
    host: str = "127.0.0.1"
    port: int = 8000
    # Seconds of engine time a single query may take before it is stopped.
    query_timeout: float = 30.0
    # At most this many queries run at once against the embedded store, each in its own process.
    query_workers: int = 8
    # Private memory (MB) one query's worker may use before it is stopped with a 507; 0: no limit.
    # 8 workers x 1 GB is a third of the 24 GB reference machine, which leaves the server, the page
    # cache of the store and a build room; one process running every canned query at 1,000
    # reports peaks at 160 MB (BENCHMARKS.md §9). Only the embedded store has workers; an external store's own
    # settings bound its memory.
    query_memory_mb: int = 1024
    # A hard cap on the rows (or triples) of one /sparql answer: a larger result is refused with a
    # message saying how to page through it. 0, the default, answers every result whole (streamed).
    max_rows: int = 0
    max_body_bytes: int = 1_000_000
    cache_entries: int = 512
    # Optional protection for deployments: requests need "Authorization: Bearer <key>" or
    # "X-API-Key: <key>" (basic auth with any user name and the key as password also works).
    api_key: str = ""
    # Credentials `kg publish` answers a Graph Store's challenge with (digest or basic, as the
    # server asks); empty: no credentials.
    publish_user: str = ""
    publish_password: str = ""
    threads: int = 16

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then ``KG_*`` environment variables, then explicit overrides (CLI flags)."""
        values: dict[str, object] = {}
        defaults = cls()
        for f in fields(cls):
            raw = os.environ.get(f"KG_{f.name.upper()}")
            if raw is None:
                continue
            kind = type(getattr(defaults, f.name))
            try:
                values[f.name] = Path(raw) if f.name.endswith("_dir") else kind(raw)
            except ValueError:
                raise SettingError(f"KG_{f.name.upper()}={raw!r} is not a valid {kind.__name__}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        for f in fields(cls):
            if f.name.endswith("_dir") and f.name in values:
                values[f.name] = Path(str(values[f.name]))
        return replace(defaults, **values)  # type: ignore[arg-type]

    @property
    def is_remote_store(self) -> bool:
        return self.store.startswith(("http://", "https://"))


class SettingError(ValueError):
    """A setting from the environment that cannot be read; the message names the variable."""
