"""Serving: the Flask app under waitress (a production WSGI server), never the development server."""

from __future__ import annotations

import logging
import sys

from kg.config import Settings


def serve(settings: Settings) -> int:
    import waitress

    from kg.publish import BuildError
    from kg.store.base import QueryRefused
    from kg.web import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = create_app(settings)
    except (BuildError, QueryRefused) as problem:
        print(f"cannot serve: {problem}", file=sys.stderr)
        return 1
    where = settings.store if settings.is_remote_store else str(settings.build_dir)
    print(
        f"serving {where} on http://{settings.host}:{settings.port}/  (SPARQL at /sparql, explorer at /)",
        file=sys.stderr,
        flush=True,
    )
    try:
        waitress.serve(
            app,
            host=settings.host,
            port=settings.port,
            threads=settings.threads,
            ident="kg",
            clear_untrusted_proxy_headers=True,
            channel_timeout=max(60, int(settings.query_timeout) + 30),
        )
    finally:
        app.extensions["kg.store"].close()
    return 0
