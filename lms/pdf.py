"""PDF rendering through WeasyPrint behind one function, with a URL fetcher that only allows the
platform's own static files and ``data:`` URIs. A failed fetch stops the rendering: never a PDF with a
silently missing image."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher

STATIC = Path(__file__).resolve().parent / "static"


class PdfError(RuntimeError):
    """The PDF could not be rendered."""


class RestrictedFetcher(URLFetcher):
    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, fail_on_errors=True)

    def fetch(self, url: str, headers: dict | None = None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_relative_to(STATIC) and path.is_file():
                return super().fetch(url, headers)
        raise PdfError(f"resource not allowed in a PDF: {url[:80]}")


def render_pdf(html: str) -> bytes:
    """Render ``html`` (relative URLs resolve inside lms/static/) to PDF bytes."""
    try:
        return HTML(string=html, base_url=STATIC.as_uri() + "/", url_fetcher=RestrictedFetcher()).write_pdf()
    except PdfError:
        raise
    except FatalURLFetchingError as exc:  # a BaseException: our fetcher refused a resource
        raise PdfError(str(exc.__cause__ or exc)) from exc
    except Exception as exc:
        raise PdfError(str(exc)) from exc
