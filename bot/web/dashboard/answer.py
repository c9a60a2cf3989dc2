"""Answering a waiting question from the dashboard, as /cauhoi does in chat (issue 18).

POST /quan-ly/cau-hoi/{id}/tra-loi carries the one-time key (once.py): the question is claimed and
committed, then the answer travels to the asker through the "notify" service (their channel's sender;
for a web visitor, the web mailbox); if it cannot be delivered the question opens again. The official
lands on GET /quan-ly/cau-hoi/{id}, which shows the real delivery result: sent, or for a web visitor
whether their page has shown it yet.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.core import AuditLog, User
from db.models.mailbox import WebMessage
from db.models.questions import Question
from db.models.web import ActionKey
from flows.engine.content import render
from flows.engine.numbers import ascii_int
from flows.join.coops import commune_name, province_name
from flows.join.invites import scope_names

from .auth import Viewer
from .once import FIELD, new_key, once_action
from .views import BadRequest, Refused, app_of, local, official_page, page

MAX_ANSWER = 3000  # as in chat (flows/questions ANSWER_CHARS)
OUTCOMES = ("da_gui", "chua_gui", "da_tra_loi")  # ?ket_qua= of the result page


async def _question(request: web.Request, session: AsyncSession, viewer: Viewer) -> Question:
    number = ascii_int(request.match_info["question_id"], 11)
    question = await session.get(Question, number) if number is not None else None
    if question is None:
        raise BadRequest("not_found")
    if not viewer.scope.covers(question.province_code, question.commune_code):
        raise Refused()
    return question


async def _delivery(session: AsyncSession, request: web.Request, question: Question) -> dict[str, Any]:
    """What became of the answer: the asker's channel, and for a web visitor whether their page showed it."""
    asker = await session.get(User, question.user_id)
    out: dict[str, Any] = {"channel": asker.channel if asker else "", "seen": None, "waiting": False, "online": False}
    if asker is not None and asker.channel == "web" and question.answered_at is not None:
        message = await session.scalar(select(WebMessage).where(
            WebMessage.user_id == asker.id, WebMessage.created_at >= question.answered_at).order_by(WebMessage.id))
        out["seen"] = local(message.read_at) if message is not None and message.read_at else None
        out["waiting"] = message is not None and message.read_at is None
        sender = app_of(request).senders.get("web")
        out["online"] = bool(sender is not None and hasattr(sender, "online") and sender.online(asker.external_id))
    return out


def _shown(question: Question) -> dict[str, Any]:
    place = [commune_name(question.province_code, question.commune_code) if question.commune_code else "",
             province_name(question.province_code)]
    return {"id": question.id, "text": question.text, "asked": local(question.created_at), "status": question.status,
            "answer": question.answer or "", "answered_at": local(question.answered_at),
            "place": ", ".join(p for p in place if p)}


@official_page
async def show(request: web.Request, session: AsyncSession, viewer: Viewer) -> web.StreamResponse:
    """GET: one question, its answer and what became of it; the answer form while it is open."""
    question = await _question(request, session, viewer)
    outcome = request.query.get("ket_qua", "")
    return page(viewer, "answer.j2", "cau_hoi", q=_shown(question), outcome=outcome if outcome in OUTCOMES else "",
                delivery=await _delivery(session, request, question), once=new_key(), problem="", draft="",
                max_answer=MAX_ANSWER)


@once_action
async def send(request: web.Request, session: AsyncSession, viewer: Viewer) -> str | web.StreamResponse:
    """POST: claim the question, send the answer to the asker, reopen it if that fails (once per form)."""
    question = await _question(request, session, viewer)
    answer = str((await request.post()).get("tra_loi", "")).replace("\r\n", "\n").strip()
    here = f"/quan-ly/cau-hoi/{question.id}"
    if len(answer) < 2 or len(answer) > MAX_ANSWER:
        return page(viewer, "answer.j2", "cau_hoi", status=400, q=_shown(question), outcome="", once=new_key(),
                    delivery=await _delivery(session, request, question), draft=answer[:MAX_ANSWER + 500],
                    problem="empty" if len(answer) < 2 else "too_long", max_answer=MAX_ANSWER)
    claimed = (await session.execute(
        update(Question).where(Question.id == question.id, Question.status == "open").values(
            status="answered", answer=answer, answered_by=viewer.user_id, answered_at=utcnow()))).rowcount == 1
    if not claimed:
        return f"{here}?ket_qua=da_tra_loi"
    session.add(AuditLog(user_id=viewer.user_id, action="questions.answered",
                         detail={"question": question.id, "via": "dashboard"}))
    # The claim is committed, and no write lock held, while the answer travels; a repeat of this form
    # meanwhile is sent to the question's page, which shows how it stands.
    await session.execute(update(ActionKey).where(ActionKey.key == str((await request.post()).get(FIELD)))
                          .values(result_url=here))
    await session.commit()
    text = render("questions/to_user.j2", question=question.text, answer=answer, **scope_names(viewer.scope))
    notify = app_of(request).services.notify
    if notify is None or not await notify(question.user_id, text):
        await session.execute(update(Question).where(Question.id == question.id).values(
            status="open", answer=None, answered_by=None, answered_at=None))
        return f"{here}?ket_qua=chua_gui"
    return f"{here}?ket_qua=da_gui"
