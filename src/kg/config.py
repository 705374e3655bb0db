"""The one place for configuration: every setting, its environment variable and its default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _default_data_dir() -> Path:
    return Path(os.environ.get("KG_DATA", PROJECT_ROOT / "data"))


@dataclass(frozen=True)
class Settings:
    """Runtime settings. Each field can be set by the environment variable ``KG_<NAME>``."""

    data_dir: Path = field(default_factory=_default_data_dir)
    build_dir: Path = PROJECT_ROOT / "build"
    ontology_dir: Path = PROJECT_ROOT / "ontology"
    queries_dir: Path = PROJECT_ROOT / "queries"
    # "embedded" opens the build's Oxigraph store; an http(s) URL forwards to that SPARQL server.
    store: str = "embedded"
    host: str = "127.0.0.1"
    port: int = 8000
    # Seconds a single query may run before its worker is killed.
    query_timeout: float = 30.0
    # At most this many queries run at once against the embedded store, each in its own process.
    query_workers: int = 8
    max_rows: int = 10_000
    max_body_bytes: int = 1_000_000
    cache_entries: int = 512
    # Optional protection for deployments: requests need "Authorization: Bearer <key>" or
    # "X-API-Key: <key>" (basic auth with any user name and the key as password also works).
    api_key: str = ""
    base_iri: str = "https://w3id.org/cnkg/"
    # Credentials `kg publish` answers a Graph Store's challenge with (digest or basic, as the
    # server asks); empty: no credentials.
    publish_user: str = ""
    publish_password: str = ""
    threads: int = 16

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then ``KG_*`` environment variables, then explicit overrides (CLI flags)."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"KG_{f.name.upper()}")
            if raw is None:
                continue
            kind = type(getattr(cls(), f.name))
            values[f.name] = Path(raw) if kind is Path or f.name.endswith("_dir") else kind(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for name in ("data_dir", "build_dir", "ontology_dir", "queries_dir"):
            if name in values:
                values[name] = Path(str(values[name]))
        return replace(cls(), **values)  # type: ignore[arg-type]

    @property
    def is_remote_store(self) -> bool:
        return self.store.startswith(("http://", "https://"))
