"""Gzip for the web: a middleware that compresses text answers (pages, JSON, CSS, JS, SVG) when the
browser accepts it. Streams (server-sent events, files being downloaded) are left alone."""

from __future__ import annotations

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler

MIN_BYTES = 512  # smaller answers gain nothing
_TEXT = ("text/html", "text/css", "text/plain", "application/json", "application/javascript", "text/javascript",
         "image/svg+xml")


@web.middleware
async def compress(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Compress a whole text answer with gzip when the request accepts it."""
    response = await handler(request)
    if (type(response) is web.Response and isinstance(response.body, bytes) and len(response.body) >= MIN_BYTES
            and response.content_type in _TEXT and hdrs.CONTENT_ENCODING not in response.headers
            and "gzip" in request.headers.get(hdrs.ACCEPT_ENCODING, "").lower()):
        response.enable_compression(web.ContentCoding.gzip)
        response.headers[hdrs.VARY] = "Accept-Encoding"
    return response
