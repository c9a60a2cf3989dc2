"""The Bot API's wire format as the fake speaks it: reading JSON/form/multipart calls, error answers."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

_JSON_FIELDS = {"reply_markup", "entities", "caption_entities", "allowed_updates", "commands",
                "offset", "limit", "timeout", "message_id", "show_alert", "cache_time",
                "drop_pending_updates", "disable_notification", "link_preview_options", "scope"}
_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message")
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64


class ApiError(Exception):
    """An error answer: HTTP status = error_code, with Telegram's description and parameters."""

    def __init__(self, code: int, description: str | None = None, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description or _DESCRIPTIONS.get(code, "Error")
        self.parameters = parameters


def normalise(params: dict[str, Any]) -> dict[str, Any]:
    """Decode form values the way the Bot API does (PTB sends each non-string value JSON-encoded)."""
    out = dict(params)
    for key, value in params.items():
        if not isinstance(value, str):
            continue
        if key in _JSON_FIELDS:
            try:
                out[key] = json.loads(value)
            except ValueError:
                pass
        elif key == "chat_id" and value.lstrip("-").isdigit():
            out[key] = int(value)
    return out


def buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every inline button of a reply_markup, row after row."""
    rows = (markup or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """The call's parameters (query, JSON body or form/multipart fields) and its uploaded files."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type == "application/json":
        raw = await request.read()
        params.update(json.loads(raw) if raw else {})
    elif request.body_exists:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename, value.file.read())
            else:
                params[key] = value
    return normalise(params), files


def error_response(error: ApiError) -> web.Response:
    """The Bot API's error answer, with the HTTP status equal to the error code."""
    body = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.code)
