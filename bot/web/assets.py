"""The web's static files (bot/web/static/: the chat page's CSS and JS, the dashboard's CSS, the icon),
served from memory with a version in their URLs.

A URL carries `?v=<hash of the file>`: with the current hash the answer may be kept for a year
(`immutable`), so a browser asks once per release; without it, or with an old hash, the browser
must check again (an ETag makes that cheap). Gzip comes from the compress middleware.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).resolve().parent / "static"
YEAR = 365 * 24 * 3600
_TYPES = {".js": "application/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


@dataclass(frozen=True, slots=True)
class Asset:
    """One static file: its bytes, type and version (a short hash of its contents)."""

    body: bytes
    content_type: str
    version: str


class Assets:
    """The static files, read once; `url(name)` is the versioned URL a page links to."""

    def __init__(self, folder: Path = STATIC_DIR, prefix: str = "/static") -> None:
        self.prefix = prefix
        self._files: dict[str, Asset] = {}
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                body = path.read_bytes()
                kind = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                self._files[path.name] = Asset(body, kind, hashlib.sha256(body).hexdigest()[:10])

    def url(self, name: str) -> str:
        """The URL of a file with its current version."""
        return f"{self.prefix}/{name}?v={self._files[name].version}"

    def version_of(self, name: str) -> str:
        """A file's current version (the `v` of its URL)."""
        return self._files[name].version

    def routes(self) -> list[web.RouteDef]:
        return [web.get(f"{self.prefix}/{{name}}", self.serve), web.get("/favicon.ico", self.favicon)]

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """GET a file: kept a year when asked for by its current version, else checked again each time."""
        return self.answer(request, request.match_info["name"])

    async def favicon(self, request: web.Request) -> web.StreamResponse:
        """GET /favicon.ico: the icon (an SVG) for browsers that ask before reading the page."""
        return self.answer(request, "favicon.svg", lasting=True)

    def answer(self, request: web.Request, name: str, *, lasting: bool = False) -> web.StreamResponse:
        """A file's answer with its cache headers (304 when the browser's copy is current)."""
        asset = self._files.get(name)
        if asset is None:
            raise web.HTTPNotFound()
        etag = f'"{asset.version}"'
        if lasting or request.query.get("v") == asset.version:
            cache = f"public, max-age={YEAR if not lasting else 7 * 24 * 3600}, immutable"
        else:
            cache = "no-cache"
        headers = {"Cache-Control": cache, "ETag": etag, "X-Content-Type-Options": "nosniff"}
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        charset = "utf-8" if asset.content_type.startswith(("text/", "application/javascript", "image/svg")) else None
        return web.Response(body=asset.body, content_type=asset.content_type, charset=charset, headers=headers)


@functools.cache
def shared() -> Assets:
    """The static files of this process (read once)."""
    return Assets()
