"""The one CSV writer: every CSV we serve or export (downloads, ``/api/...?format=csv``, ``/sparql``
CSV, ``kg query --format csv``) is written here, so all of them agree.

RFC 4180: UTF-8, CRLF line ends, fields quoted only when they must be. An optional byte-order
mark (spreadsheet programs need it to read Chinese text as UTF-8; ``?bom=1`` on the web). Numbers
in one form (:func:`number`): integers without ".0", decimals in positional notation, never an
exponent — ``16``, ``6055000000``, ``0.35``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

BOM = "\ufeff"
MEDIA_TYPE = "text/csv; charset=utf-8"


def number(value: float | int | Decimal | str) -> str:
    """A number as text: ``16.0`` -> ``16``, ``6.055e9`` -> ``6055000000``, ``0.350`` -> ``0.35``."""
    try:
        exact = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not exact.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    if exact == exact.to_integral_value():
        return str(exact.quantize(Decimal(1)))
    return format(exact.normalize(), "f")


def cell(value: Any) -> str:
    """A field: nothing for None, true/false, numbers by :func:`number`, anything else as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return number(value)
    return str(value)


def lines(header: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = False) -> Iterator[bytes]:
    """The CSV as encoded lines, for streaming; the header first (after the BOM, if asked for)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield ((BOM if bom else "") + buffer.getvalue()).encode("utf-8")
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([cell(v) for v in row])
        yield buffer.getvalue().encode("utf-8")


def write(header: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = False) -> bytes:
    return b"".join(lines(header, rows, bom))


def write_dicts(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], bom: bool = False) -> bytes:
    """Rows as mappings (missing keys are empty fields; keys outside ``columns`` are left out)."""
    return write(columns, ([row.get(c) for c in columns] for row in rows), bom)
