"""Stores behind one interface (:class:`~kg.store.base.Store`), chosen by settings."""

from __future__ import annotations

from kg.config import Settings
from kg.store.base import Store


def open_store(settings: Settings) -> Store:
    """The embedded Oxigraph store of ``settings.build_dir`` (following its rebuilds), or a remote
    SPARQL server when ``settings.store`` is a URL."""
    if settings.is_remote_store:
        from kg.store.remote import RemoteStore

        return RemoteStore(settings.store, settings)
    from kg.store.embedded import EmbeddedStore

    return EmbeddedStore(settings)
