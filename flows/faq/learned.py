"""Officials' answers marked as candidates, written as knowledge entries into content/faq/learned.yaml
for review (`htxbot faq promote`). The file keeps entries already there; new ones are appended."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.questions import Question
from db.models.registry import Official
from flows.engine.content import render
from flows.faq.knowledge import FAQ_DIR, LEARNED_FILE
from flows.join.invites import scope_names
from flows.join.scope import Scope

LEARNED_PATH = FAQ_DIR / LEARNED_FILE
HEADER = (
    "# Câu trả lời của cán bộ được đề xuất thành mục hỏi đáp (htxbot faq promote). CHỜ DUYỆT:\n"
    "# viết lại câu hỏi có dấu, thêm vài cách hỏi khác, kiểm tra câu trả lời và nguồn trước khi dùng.\n"
)


@dataclass(frozen=True)
class Promotion:
    """What one run wrote: entries added, entries that were already in the file."""

    added: int
    kept: int


def entry_id(question_id: int) -> str:
    """The knowledge-base id of a promoted question."""
    return f"hoi-dap-{question_id}"


def _local_day(moment: dt.datetime, timezone: str) -> dt.date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(timezone)).date()


def _entry(question: Question, official: Official | None, timezone: str) -> dict[str, Any]:
    day = _local_day(question.answered_at, timezone)
    names = {"level": "", "province": "", "commune": ""}
    if official is not None:
        names = scope_names(Scope(official.scope_level, official.province_code, official.commune_code))
    return {
        "id": entry_id(question.id),
        "questions": [" ".join(question.text.split())],
        "answer": str(escape(question.answer.strip())),  # answers are HTML in the knowledge base
        "source": render("faq/learned_source.j2", day=day, **names),
        "checked": day,
    }


async def candidates(session: AsyncSession, timezone: str) -> list[dict[str, Any]]:
    """Answered questions marked as candidates, as knowledge entries, oldest first."""
    rows = await session.execute(
        select(Question, Official)
        .outerjoin(Official, Official.user_id == Question.answered_by)
        .where(Question.promote.is_(True), Question.status == "answered")
        .order_by(Question.id))
    return [_entry(question, official, timezone) for question, official in rows.all()]


def write(path: Path, entries: list[dict[str, Any]]) -> Promotion:
    """Append the entries whose ids are not in the file yet; keep what is there (reviewed or not)."""
    existing: list[dict[str, Any]] = []
    if path.exists():
        existing = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entries") or []
    known = {entry.get("id") for entry in existing}
    new = [entry for entry in entries if entry["id"] not in known]
    if new or not path.exists():
        body = yaml.safe_dump({"entries": existing + new}, allow_unicode=True, sort_keys=False, width=100)
        path.write_text(HEADER + body, encoding="utf-8")
    return Promotion(added=len(new), kept=len(existing))


async def promote(session: AsyncSession, path: Path = LEARNED_PATH, timezone: str = "Asia/Ho_Chi_Minh") -> Promotion:
    """Write every candidate not yet in the file into it."""
    return write(path, await candidates(session, timezone))
