"""Announcements from the dashboard: compose for the same audiences as in chat, preview, send, follow, history.

Sending goes through flows.announcements.outbox.create_announcement (one delivery row per
recipient, committed with the announcement); the background worker delivers them and the
progress page polls a small JSON endpoint. Every audience is applied inside the official's scope.
The send form carries a one-time key (once.py): a double click sends one announcement.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiMapping
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.render import plain
from db.models.outbox import Announcement
from flows.announcements import audience, outbox, views
from flows.engine.content import load_yaml
from flows.engine.numbers import ascii_int
from flows.engine.text import clean
from flows.join.scope import Scope

from .auth import Viewer
from .coops import commune_options, province_options
from .once import new_key, once_action
from .views import BadRequest, Refused, local, official_page, page

MAX_TEXT = 3000  # the footer is added; Telegram takes 4096 characters per message
BASE = "/quan-ly/thong-bao"


def _audience_label(spec: dict) -> str:
    labels = {choice.id: choice.label for choice in audience.choices()}
    return labels.get(str(spec.get("kind")), str(spec.get("kind")))


def _spec(form: MultiMapping) -> dict[str, Any]:
    """The audience spec a compose form describes (validated later by audience.condition)."""
    spec: dict[str, Any] = {"kind": str(form.get("nhom", ""))[:32]}
    if spec["kind"] == "sector":
        spec["sector"] = str(form.get("linh_vuc", ""))[:32]
    for field, key in (("tinh", "province_code"), ("xa", "commune_code")):
        value = str(form.get(field, "")).strip()
        if value:
            code = ascii_int(value, 6)
            if code is None:
                raise BadRequest("place")
            spec[key] = code
    return spec


def _form_vars(viewer: Viewer, form: MultiMapping | None) -> dict[str, Any]:
    form = form or {}
    province = ascii_int(str(form.get("tinh", "")), 6)
    pick = viewer.scope
    if viewer.scope.level == "country" and province is not None:
        wanted = Scope("province", province)
        pick = wanted if viewer.scope.contains(wanted) else viewer.scope
    return {
        "choices": audience.choices(),
        "sectors": [(s["id"], s["name"]) for s in load_yaml("registry/sectors.yaml")["sectors"]],
        "provinces": province_options(viewer.scope),
        "communes": commune_options(pick),
        "chosen": {k: str(form.get(k, "")) for k in ("nhom", "linh_vuc", "tinh", "xa")},
        "text": str(form.get("noi_dung", "")),
        "max_text": MAX_TEXT,
    }


async def _compose(session: AsyncSession, viewer: Viewer, *, form: MultiMapping | None = None,
                   status: int = 200, **extra: Any) -> web.StreamResponse:
    items = [{"id": a.id, "when": local(a.scheduled_at or a.created_at), "status": a.status,
              "scheduled": a.scheduled_at is not None,
              "audience": _audience_label(a.audience), "text": a.text, "p": p}
             for a, p in await outbox.history(session, viewer.scope)]
    return page(viewer, "announce.j2", "thong_bao", status=status, history=items,
                **_form_vars(viewer, form), **{"preview": None, "recipients": 0, "problem": "", "refusal": "", "once": new_key(), **extra})


def _checked(form: MultiMapping) -> tuple[str, dict[str, Any], str]:
    """The text and spec of a form, and the problem id ('' when none) for dashboard/announce.j2."""
    text = clean(str(form.get("noi_dung", ""))).strip()  # line ends as \n, no NUL or control characters
    if not text:
        return text, {}, "empty"
    if len(text) > MAX_TEXT:
        return text, {}, "too_long"
    return text, _spec(form), ""


async def _refused(session: AsyncSession, viewer: Viewer, form, refused: audience.AudienceRefused):
    """The compose page again, saying why the audience was refused (403 outside the official's scope)."""
    return await _compose(session, viewer, form=form, status=403 if refused.reason == "out_of_scope" else 400,
                          problem="refused", refusal=audience.refusal_text(refused))


@official_page
async def compose(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """GET: the compose form and the history of announcements in the scope."""
    return await _compose(session, viewer)


@official_page
async def preview(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """POST: what recipients will read and how many they are; the send button comes with it."""
    form = await request.post()
    text, spec, problem = _checked(form)
    if problem:
        return await _compose(session, viewer, form=form, status=400, problem=problem)
    try:
        recipients = await audience.count(session, viewer.scope, spec)
    except audience.AudienceRefused as refused:
        return await _refused(session, viewer, form, refused)
    return await _compose(session, viewer, form=form, preview=plain(views.message_text(text, "telegram")),
                          recipients=recipients)


@once_action
async def send(request: web.Request, session: AsyncSession, viewer: Viewer) -> str | web.StreamResponse:
    """POST: enqueue the announcement for every recipient and go to its progress page (once per form)."""
    form = await request.post()
    text, spec, problem = _checked(form)
    if problem:
        return await _compose(session, viewer, form=form, status=400, problem=problem)
    try:
        announcement = await outbox.create_announcement(session, viewer.user_id, viewer.scope, text, spec)
    except audience.AudienceRefused as refused:
        await session.rollback()
        return await _refused(session, viewer, form, refused)
    return f"{BASE}/{announcement.id}"


async def _own(request: web.Request, session: AsyncSession, viewer: Viewer) -> Announcement:
    number = ascii_int(request.match_info["announcement_id"], 11)
    announcement = await session.get(Announcement, number) if number is not None else None
    if announcement is None:
        raise BadRequest("not_found")
    made_in = Scope(announcement.scope_level, announcement.province_code, announcement.commune_code)
    if not viewer.scope.contains(made_in):
        raise Refused()
    return announcement


@official_page
async def follow(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """GET: one announcement with its live progress."""
    announcement = await _own(request, session, viewer)
    progress = await outbox.progress(session, announcement.id)
    return page(viewer, "announcement.j2", "thong_bao", a={
        "id": announcement.id, "text": announcement.text, "status": announcement.status,
        "audience": _audience_label(announcement.audience), "recipients": announcement.recipients,
        "created": local(announcement.created_at), "scheduled": local(announcement.scheduled_at)}, p=progress,
        done=progress.remaining == 0 and announcement.status in ("done", "cancelled"), once=new_key(),  # cancel form
        cancelled=request.query.get("huy", ""))


@official_page
async def progress_json(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """GET: an announcement's progress as JSON for the progress page's poll."""
    announcement = await _own(request, session, viewer)
    await session.refresh(announcement)
    p = await outbox.progress(session, announcement.id)
    return web.json_response({"status": announcement.status, "total": p.total, "sent": p.sent, "failed": p.failed,
                              "blocked": p.blocked, "cancelled": p.cancelled, "remaining": p.remaining},
                             headers={"Cache-Control": "no-store"})
