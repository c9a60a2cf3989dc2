"""The question-and-answer entries of content/faq/*.yaml, loaded and checked once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flows.engine.content import CONTENT_DIR

FAQ_DIR = CONTENT_DIR / "faq"
SYNONYMS_FILE = "synonyms.yaml"
LEARNED_FILE = "learned.yaml"  # officials' answers turned into entries by `htxbot faq promote`, for review

# Flows an entry may start instead of answering (the lead wires them to the engine).
TASKS = frozenset({"founding", "eligibility", "monthly_report", "announcements", "profile"})

_REQUIRED = ("id", "questions", "answer", "source", "checked")
_OPTIONAL = ("task", "related")


@dataclass(frozen=True)
class Entry:
    """One question with its phrasings, a short Vietnamese answer, its legal source and check date."""

    id: str
    questions: tuple[str, ...]
    answer: str
    source: str
    checked: dt.date
    task: str | None = None
    related: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """The question as shown to users (the first variant, written with diacritics)."""
        return self.questions[0]


def _entry(raw: dict[str, Any], where: str, min_questions: int = 2) -> Entry:
    missing = [key for key in _REQUIRED if not raw.get(key)]
    unknown = set(raw) - set(_REQUIRED) - set(_OPTIONAL)
    if missing or unknown:
        raise ValueError(f"{where}: missing {missing}, unknown {sorted(unknown)}")
    checked = raw["checked"]
    if not isinstance(checked, dt.date):
        raise ValueError(f"{where}: checked must be a YYYY-MM-DD date, got {checked!r}")
    task = raw.get("task")
    if task is not None and task not in TASKS:
        raise ValueError(f"{where}: unknown task {task!r}")
    questions = tuple(str(q).strip() for q in raw["questions"])
    if len(questions) < min_questions:
        raise ValueError(f"{where}: give several phrasings of the question")
    return Entry(
        id=str(raw["id"]),
        questions=questions,
        answer=str(raw["answer"]).strip(),
        source=str(raw["source"]).strip(),
        checked=checked,
        task=task,
        related=tuple(raw.get("related") or ()),
    )


def load_entries(directory: Path = FAQ_DIR) -> list[Entry]:
    """Every entry of the knowledge base, in file then document order; ids unique, related ids known."""
    entries: list[Entry] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == SYNONYMS_FILE:
            continue
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        least = 1 if path.name == LEARNED_FILE else 2  # a learned entry starts with the user's own wording
        for number, raw in enumerate(data.get("entries") or [], start=1):
            entries.append(_entry(raw, f"{path.name} entry {number}", least))
    ids = [entry.id for entry in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate faq ids: {duplicates}")
    dangling = sorted({r for entry in entries for r in entry.related if r not in ids})
    if dangling:
        raise ValueError(f"related ids that do not exist: {dangling}")
    return entries


def load_synonyms(directory: Path = FAQ_DIR) -> dict[str, Any]:
    """The matching vocabulary: abbreviations, synonym groups, stop words, question and task markers."""
    with open(directory / SYNONYMS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)
