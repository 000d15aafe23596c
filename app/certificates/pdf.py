"""HTML to PDF with WeasyPrint, reading nothing but `data:` URLs and the app's own static files.

Imported only when a PDF is drawn: WeasyPrint needs Pango (a system library) as soon as it loads.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

# The address the page's relative links resolve against: a reserved name (RFC 2606) that is never
# looked up; the fetcher answers its static paths from disk and refuses the rest.
BASE = "http://boiduong.invalid/"


def html_to_pdf(html: str, static_prefix: str) -> bytes:
    """The PDF of `html`, whose static files are linked under `static_prefix` ("/static/")."""
    return HTML(string=html, base_url=BASE, url_fetcher=OwnFilesOnly(static_prefix)).write_pdf()


class OwnFilesOnly(URLFetcher):
    """A WeasyPrint fetcher that reads `data:` URLs and the app's static files, and refuses every
    other URL (WeasyPrint then leaves the resource out)."""

    def __init__(self, static_prefix: str) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self._static_folder = current_app.static_folder
        self._static_path = static_prefix

    def fetch(self, url, headers=None):
        path = self._static_file(url)
        if path is None:
            return super().fetch(url, headers)  # data: only; anything else raises ValueError
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def _static_file(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != BASE or not parts.path.startswith(self._static_path):
            return None
        found = safe_join(self._static_folder, parts.path[len(self._static_path) :])
        return Path(found) if found and Path(found).is_file() else None
