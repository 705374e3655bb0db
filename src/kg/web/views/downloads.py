"""``/download/<format>`` and ``/context.jsonld``: the files ``kg build`` wrote into the build.

Served from disk with ``send_file(conditional=True)``: Content-Length, an ETag (the file's
SHA-256 from the manifest), Last-Modified, and Range requests for resuming a large download.
``/download/csv?bom=1`` prefixes the byte-order mark spreadsheet programs need for Chinese text.
"""

from __future__ import annotations

from flask import Blueprint, Response, request, send_file

from kg import csvout
from kg.builddir import Build
from kg.errors import QueryRefused
from kg.export import DOWNLOADS, FORMATS, download_path, export
from kg.web.context import get_settings, get_store

blueprint = Blueprint("downloads", __name__)


def current_build() -> Build:
    build = get_store().local_build()
    if build is None:
        raise QueryRefused(404, "downloads are served by the embedded store only; use 'kg export' on the build")
    return build


def _send(build: Build, name: str) -> Response:
    download = DOWNLOADS[name]
    path = download_path(build, name)
    if path is None:  # a build written before builds wrote their downloads
        response = Response(export(build, name, get_settings().queries_dir), mimetype=download.media_type)
    else:
        response = send_file(
            path,
            mimetype=download.media_type,
            conditional=True,
            etag=build.manifest["downloads"][name]["sha256"],
            max_age=0,
        )
    response.headers["Content-Type"] = f"{download.media_type}; charset=utf-8"
    return response


@blueprint.get("/download/<fmt>")
def download(fmt: str) -> Response:
    if fmt not in FORMATS:
        raise QueryRefused(
            404, f"unknown download format {fmt!r}; available: {', '.join(FORMATS)} (listed at /catalog)"
        )
    build = current_build()
    if fmt == "csv" and request.args.get("bom") in ("1", "true", "yes"):
        body = csvout.BOM.encode("utf-8") + export(build, fmt, get_settings().queries_dir)
        response = Response(body, mimetype=csvout.MEDIA_TYPE)
    else:
        response = _send(build, fmt)
    extension = DOWNLOADS[fmt].file.rpartition(".")[2]
    response.headers["Content-Disposition"] = f'attachment; filename="cnkg-{build.version}.{extension}"'
    return response


@blueprint.get("/context.jsonld")
def context() -> Response:
    """The JSON-LD context of /download/jsonld, at a stable URL."""
    response = _send(current_build(), "context")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
