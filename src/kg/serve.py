"""Serving: the Flask app under waitress (a production WSGI server), never the development server.

SIGTERM and SIGINT stop the server cleanly: it stops accepting, gives queries in flight
``GRACE_SECONDS``, ends every query worker and exits with status 0.
"""

from __future__ import annotations

import errno
import logging
import signal
import sys
import threading
from types import FrameType

from kg.config import Settings

GRACE_SECONDS = 2.0


def serve(settings: Settings) -> int:
    import waitress

    from kg.builddir import BuildError
    from kg.errors import QueryRefused
    from kg.web.app import create_app, store_of

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = create_app(settings)
    except (BuildError, QueryRefused) as problem:
        print(f"cannot serve: {problem}", file=sys.stderr)
        return 1
    store = store_of(app)
    try:
        try:
            server = waitress.create_server(
                app,
                host=settings.host,
                port=settings.port,
                threads=settings.threads,
                ident="kg",
                clear_untrusted_proxy_headers=True,
                channel_timeout=max(60, int(settings.query_timeout) + 30),
            )
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                reason = "the port is already in use (another kg serve?); choose another with --port"
            else:
                reason = f"{error.strerror or error}; check --host and --port"
            print(f"cannot serve on {settings.host}:{settings.port}: {reason}", file=sys.stderr)
            return 1
        where = settings.store if settings.is_remote_store else f"{settings.build_dir} (following its rebuilds)"
        print(
            f"serving {where} on http://{settings.host}:{settings.port}/  (SPARQL at /sparql, explorer at /)",
            file=sys.stderr,
            flush=True,
        )

        def stop(signum: int, frame: FrameType | None) -> None:
            print(f"stopping on {signal.Signals(signum).name}", file=sys.stderr, flush=True)
            # Queries in flight get GRACE_SECONDS; then their workers are ended, so that waitress,
            # which waits for its threads, is not held by a long query.
            ending = threading.Timer(GRACE_SECONDS, store.close)
            ending.daemon = True
            ending.start()
            raise SystemExit(0)  # waitress's loop ends on it and lets the threads finish their requests

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        server.run()
    finally:
        store.close()
    return 0
