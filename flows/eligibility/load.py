"""Loading content/facts.yaml and content/programmes/*.yaml into validated, cached models."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from flows.eligibility.schema import Classification, Fact, FactsFile, Programme
from flows.engine.content import CONTENT_DIR, load_yaml

PROGRAMME_DIR = CONTENT_DIR / "programmes"
FACTS_FILE = "facts.yaml"


class RulesError(ValueError):
    """A rule or fact file does not validate."""


def programme_files() -> list[Path]:
    """Every rule file, sorted by name."""
    return sorted(PROGRAMME_DIR.glob("*.yaml"))


def parse_rule_file(path: Path) -> Programme | Classification:
    """Validate one rule file (a programme, or a classification when `kind: classification`)."""
    raw: Any = load_yaml(f"programmes/{path.name}")
    if not isinstance(raw, dict):
        raise RulesError(f"{path.name}: expected a mapping at the top")
    model = Classification if raw.get("kind") == "classification" else Programme
    return TypeAdapter(model).validate_python(raw)


@functools.cache
def _rule_files() -> tuple[Programme | Classification, ...]:
    return tuple(parse_rule_file(path) for path in programme_files())


def load_programmes() -> tuple[Programme, ...]:
    """Every support programme, in file-name order."""
    return tuple(r for r in _rule_files() if isinstance(r, Programme))


def load_classifications() -> tuple[Classification, ...]:
    """The informative classifications (size classes)."""
    return tuple(r for r in _rule_files() if isinstance(r, Classification))


@functools.cache
def load_facts() -> dict[str, Fact]:
    """The facts of content/facts.yaml by id, in the file's order (the order questions are asked)."""
    parsed = FactsFile.model_validate(load_yaml(FACTS_FILE))
    facts = {f.id: f for f in parsed.facts}
    if len(facts) != len(parsed.facts):
        raise RulesError("facts.yaml: duplicate fact ids")
    return facts


def programme_by_id(programme_id: str) -> Programme:
    """One programme by id; KeyError if there is none."""
    for programme in load_programmes():
        if programme.id == programme_id:
            return programme
    raise KeyError(programme_id)


def resolver(programmes: tuple[Programme, ...] | list[Programme] = ()):
    """A lookup from programme id to its conditions, for `same_as` (given programmes win over files)."""
    index = {p.id: p.requires for p in load_programmes()}
    index.update({p.id: p.requires for p in programmes})
    return index.__getitem__
