"""The question-and-answer entries of content/faq/*.yaml, loaded and checked once, with the data the
matching learns from (training.yaml, abbreviations.yaml, synonyms.yaml)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from flows.engine.content import CONTENT_DIR
from flows.engine.files import parse_yaml
from flows.engine.law import Citation, Citations, format_citation, registry

FAQ_DIR = CONTENT_DIR / "faq"
SYNONYMS_FILE = "synonyms.yaml"
ABBREVIATIONS_FILE = "abbreviations.yaml"
TRAINING_FILE = "training.yaml"
LEARNED_FILE = "learned.yaml"  # officials' answers turned into entries by `htxbot faq promote`, for review
NOT_ENTRIES = frozenset({SYNONYMS_FILE, ABBREVIATIONS_FILE, TRAINING_FILE})

# Flows an entry may start instead of answering (the lead wires them to the engine).
TASKS = frozenset({"founding", "eligibility", "monthly_report", "announcements", "profile"})

_REQUIRED = ("id", "questions", "answer", "checked")
_OPTIONAL = ("source", "task", "related")
_CITATIONS = TypeAdapter(Citations)


@dataclass(frozen=True)
class Entry:
    """One question with its phrasings, a short Vietnamese answer, its legal source and check date.

    `citations` are the legal texts the answer rests on ({text, article, status}); `source` is them
    written out for the user ("Luật Hợp tác xã 2023, Điều 4 khoản 7"), or an official's name for a
    promoted answer, or empty for an entry about the bot itself.
    """

    id: str
    questions: tuple[str, ...]
    answer: str
    source: str
    checked: dt.date
    task: str | None = None
    related: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = field(default=())

    @property
    def title(self) -> str:
        """The question as shown to users (the first variant, written with diacritics)."""
        return self.questions[0]


def _citations(raw: Any, where: str) -> tuple[Citation, ...]:
    try:
        citations = _CITATIONS.validate_python(raw)
    except ValidationError as exc:
        raise ValueError(f"{where}: source must be citations {{text, article, status}}: {exc}") from exc
    unknown = [c.text for c in citations if registry().get(c.text) is None]
    if unknown:
        raise ValueError(f"{where}: source cites unknown legal texts {unknown} (content/law/texts.yaml)")
    return citations


def _entry(raw: dict[str, Any], where: str, learned: bool = False) -> Entry:
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
    if len(questions) < (1 if learned else 2):  # a learned entry starts with the user's own wording
        raise ValueError(f"{where}: give several phrasings of the question")
    source, citations = raw.get("source"), ()
    if learned and isinstance(source, str):  # who answered, and when: not a legal citation
        source = source.strip()
    elif source is not None:
        citations = _citations(source, where)
        source = format_citation(citations)
    return Entry(
        id=str(raw["id"]),
        questions=questions,
        answer=str(raw["answer"]).strip(),
        source=source or "",
        checked=checked,
        task=task,
        related=tuple(raw.get("related") or ()),
        citations=citations,
    )


def load_entries(directory: Path = FAQ_DIR) -> list[Entry]:
    """Every entry of the knowledge base, in file then document order; ids unique, related ids known."""
    entries: list[Entry] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name in NOT_ENTRIES:
            continue
        data = _read(path)
        for number, raw in enumerate(data.get("entries") or [], start=1):
            entries.append(_entry(raw, f"{path.name} entry {number}", learned=path.name == LEARNED_FILE))
    ids = [entry.id for entry in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate faq ids: {duplicates}")
    dangling = sorted({r for entry in entries for r in entry.related if r not in ids})
    if dangling:
        raise ValueError(f"related ids that do not exist: {dangling}")
    return entries


@dataclass(frozen=True)
class Training:
    """What the matching learns from besides the entries' questions: phrasings per entry id (the
    labelled questions of training.yaml's `phrasings` and those of `written`), and messages no entry
    answers."""

    phrasings: dict[str, tuple[str, ...]]
    nothing: tuple[str, ...]


def load_training(entries: list[Entry], directory: Path = FAQ_DIR) -> Training:
    """training.yaml, checked against the entries' ids (empty when the file is absent)."""
    path = directory / TRAINING_FILE
    data = _read(path) if path.exists() else {}
    phrasings: dict[str, tuple[str, ...]] = {}
    for section in ("phrasings", "written"):  # the labelled questions, then phrasings written fresh
        for k, v in (data.get(section) or {}).items():
            phrasings[str(k)] = phrasings.get(str(k), ()) + tuple(str(t) for t in v or ())
    unknown = sorted(set(phrasings) - {entry.id for entry in entries})
    if unknown:
        raise ValueError(f"{TRAINING_FILE}: phrasings for ids that do not exist: {unknown}")
    nothing = tuple(str(t) for group in (data.get("nothing") or {}).values() for t in group or ())
    return Training(phrasings, nothing)


def load_synonyms(directory: Path = FAQ_DIR) -> dict[str, Any]:
    """The matching vocabulary: abbreviations, synonym groups, stop words, question and task markers."""
    return _read(directory / SYNONYMS_FILE)


def load_abbreviations(directory: Path = FAQ_DIR) -> dict[str, str]:
    """Chat abbreviations ("ko" -> "không"), folded keys, shared with the engine's reading of answers
    (content/language/abbreviations.yaml, beside the faq folder); empty when the file is absent."""
    path = directory.parent / "language" / ABBREVIATIONS_FILE
    return dict((_read(path).get("chat") or {}) if path.exists() else {})


def _read(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return parse_yaml(fh) or {}
