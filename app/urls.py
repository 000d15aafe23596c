"""Addresses for templates, built once per process for each endpoint and arguments.

A page builds twenty to forty addresses (the menu, static files, the lesson outline); building one
walks Werkzeug's rules each time. Inside a request an address without `_external`, `_scheme`,
`_anchor` or `_method` depends only on the endpoint, its arguments and the application's mount
point (SCRIPT_NAME), so it is kept in a bounded cache keyed by exactly those. The app registers no
URL defaults callbacks (`url_defaults`), which could otherwise change an address per request; a
test holds that. Any other call goes to Flask's `url_for` unchanged.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask
from flask.globals import _cv_request

CACHED_ADDRESSES = 8192


def memoized_url_for(app: Flask):
    """A drop-in `url_for` for the app's templates."""

    @lru_cache(maxsize=CACHED_ADDRESSES)
    def _build(script_root: str, blueprint: str | None, endpoint: str, items: tuple) -> str:
        return app.url_for(endpoint, **dict(items))

    def url_for(endpoint: str, **values) -> str:
        request_context = _cv_request.get(None)
        if request_context is None or any(key[:1] == "_" for key in values):
            return app.url_for(endpoint, **values)
        request = request_context.request
        blueprint = request.blueprint if endpoint[:1] == "." else None
        try:
            return _build(request.script_root, blueprint, endpoint, tuple(sorted(values.items())))
        except TypeError:  # an unhashable argument (a list of values): built as Flask does
            return app.url_for(endpoint, **values)

    url_for.cache_info = _build.cache_info
    return url_for
