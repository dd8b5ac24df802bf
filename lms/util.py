from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from urllib.parse import urlsplit

from flask import Response, current_app, request, url_for

from lms.clock import utcnow
from lms.profiles import get_profile


def safe_next(target: str | None, default: str = "main.index") -> str:
    """A redirect target on this site only (no scheme, no host, no protocol-relative URL)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for(default)


def client_ip() -> str:
    return request.remote_addr or "-"


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL on the public address (LMS_BASE_URL), with or without a request: e-mails, PDFs and QR
    codes must point at the site people reach, not at whatever host served the request.

    Built on the URL map directly: pushing a request context per URL cost half a millisecond, and
    credentials and employer checks build several per certificate."""
    base = urlsplit(current_app.config["LMS_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme or "http")
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def local_today() -> date:
    """Today in the country profile's time zone (the date on which "valid until" and statuses turn)."""
    return get_profile().local(utcnow()).date()


class UnreadableFile(ValueError):
    """An upload that is not a text CSV file (binary data, UTF-16, a field over the csv module's limit)."""


def read_csv(data: bytes) -> list[list[str]]:
    """The non-blank rows of an uploaded CSV: UTF-8 (with or without BOM), else Windows-1251; separated by
    commas, semicolons or tabs, whichever the first line has most of. Raises UnreadableFile, never a
    decoding error (Windows-1251 leaves byte 0x98 undefined, so binary data fails there)."""
    if b"\x00" in data:  # an old .xls, a PDF, an image, or UTF-16 text
        raise UnreadableFile("binary data")
    try:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1251")
        first = text.split("\n", 1)[0]
        delimiter = max((";", ",", "\t"), key=first.count)
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in row)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UnreadableFile(str(exc)) from exc


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> object:
    # Text that a spreadsheet would run as a formula (names and reasons come from users) is kept as text.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_response(filename: str, header: Iterable[object], rows: Iterable[Iterable[object]]) -> Response:
    """A CSV download: UTF-8 with a BOM (so Excel reads Cyrillic), as an attachment named ``filename``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
