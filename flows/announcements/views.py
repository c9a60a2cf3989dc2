"""The texts of the announcements feature: the delivered message with its footer, progress, summary, history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from db.models.outbox import Announcement
from flows.announcements.outbox import Progress
from flows.engine.content import load_yaml, render

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands timestamps back naive; they are UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL)


def _audience_label(spec: dict) -> str:
    labels = {c["id"]: c["label"] for c in load_yaml("announcements/audiences.yaml")["choices"]}
    return labels.get(str(spec.get("kind")), str(spec.get("kind")))


def message_text(text: str, channel: str | None = None) -> str:
    """What a recipient reads: the announcement and the footer on how to stop (or restart) announcements."""
    return render("announcements/message.j2", channel=channel, text=text)


def progress_text(progress: Progress) -> str:
    """The progress message the author sees while it is being sent (sent / failed / remaining)."""
    return render("announcements/progress.j2", p=progress)


def summary_text(announcement: Announcement, progress: Progress) -> str:
    """The final summary once an announcement is done or cancelled."""
    return render(
        "announcements/summary.j2",
        p=progress,
        status=announcement.status,
        audience=_audience_label(announcement.audience),
        finished=_local(announcement.finished_at),
    )


def history_text(items: Sequence[tuple[Announcement, Progress]]) -> str:
    """The list of recent announcements with their status and counts."""
    rows = [
        {
            "id": a.id,
            "when": _local(a.scheduled_at or a.created_at),
            "status": a.status,
            "audience": _audience_label(a.audience),
            "text": a.text,
            "p": p,
        }
        for a, p in items
    ]
    return render("announcements/history.j2", items=rows)
