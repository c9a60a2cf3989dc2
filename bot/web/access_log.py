"""The access log without secrets: sign-in links and downloads are logged without what opens them.

A sign-in link's `?t=` token, a download's query and a chat file's random key would let whoever
reads the log in; the log keeps the path only ("/quan-ly/dang-nhap", "/api/chat/file/…"), in the
request line and in the Referer header alike.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiohttp import web
from aiohttp.web_log import AccessLogger
from multidict import CIMultiDict

SECRET_QUERY = ("/quan-ly/dang-nhap", "/quan-ly/xuat/tep")  # routes whose query opens something
SECRET_PATH = ("/api/chat/file/",)  # routes whose last segment is a key


def redact(path_qs: str) -> str:
    """A path with its query as the log may show it."""
    path, _, query = path_qs.partition("?")
    for prefix in SECRET_PATH:
        if path.startswith(prefix):
            return prefix + "…"
    if query and path.rstrip("/") in SECRET_QUERY:
        return path + "?…"
    return path_qs


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    shown = redact(parts.path + (f"?{parts.query}" if parts.query else ""))
    path, _, query = shown.partition("?")
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


class _Shown:
    """A request as the access log sees it: the same, less the secrets in its URL and Referer."""

    def __init__(self, request: web.BaseRequest) -> None:
        self._request = request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)

    @property
    def path_qs(self) -> str:
        return redact(self._request.path_qs)

    @property
    def headers(self) -> CIMultiDict[str]:
        headers = CIMultiDict(self._request.headers)
        if "Referer" in headers:
            headers["Referer"] = _redact_url(headers["Referer"])
        return headers


class SafeAccessLogger(AccessLogger):
    """aiohttp's access log (same format) with sign-in and download secrets left out."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        super().log(_Shown(request), response, time)  # type: ignore[arg-type]


def runner(web_app: web.Application) -> web.AppRunner:
    """The runner `htxbot run` serves the app with (its access log without secrets)."""
    return web.AppRunner(web_app, access_log_class=SafeAccessLogger)
