"""The shapes of content/facts.yaml and content/programmes/*.yaml, validated with pydantic at load.

Legal references are citations of content/law/texts.yaml (flows/engine/law.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)
from vietnam_provinces import Province

from flows.engine.law import Citations, registry

Form = Literal["to_hop_tac", "hop_tac_xa", "lien_hiep"]
FORMS: tuple[Form, ...] = ("to_hop_tac", "hop_tac_xa", "lien_hiep")
Op = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not_in"]
FactType = Literal["bool", "int", "money", "percent", "date", "choice", "province"]
SNAKE = r"^[a-z][a-z0-9_]*$"
SLUG = r"^[a-z0-9][a-z0-9-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ---- facts -------------------------------------------------------------------------------


class Choice(_Model):
    """One answer of a choice fact: a stable id and its Vietnamese label."""

    id: str = Field(pattern=SNAKE)
    label: str


class Fact(_Model):
    """A fact the rules use, with the question that asks for it."""

    id: str = Field(pattern=SNAKE)
    type: FactType
    question: str
    label: str
    label_false: str | None = None
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _choices_fit_type(self) -> Fact:
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(f"fact {self.id}: choices are required for, and only for, type choice")
        return self

    def choice_ids(self) -> tuple[Any, ...]:
        """The allowed values of a choice or province fact."""
        if self.type == "province":
            return tuple(int(p.code) for p in Province.iter_all())
        return tuple(c.id for c in self.choices)


class FactsFile(_Model):
    facts: tuple[Fact, ...]


# ---- conditions --------------------------------------------------------------------------


class _Node(_Model):
    says: str | None = None  # a plain-Vietnamese wording that replaces the generated one
    hint: str | None = None  # the nearest way to meet the condition, said when it fails
    reference: Citations | None = None  # the legal citations of this condition (else the programme's)
    unverified: bool = False  # the wording of the source is uncertain: hedge it to the user
    forms: tuple[Form, ...] | None = None  # the condition binds only these forms (others pass it)


class Compare(_Node):
    """A comparison of a fact with a value, another fact, or the date N months before today."""

    fact: str = Field(pattern=SNAKE)
    op: Op = "=="
    value: Any = None
    other: str | None = Field(default=None, pattern=SNAKE)
    months_ago: int | None = Field(default=None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _true_by_default(cls, raw: Any) -> Any:
        """`{fact: registered}` alone means the bool fact is true."""
        if isinstance(raw, dict) and not {"value", "other", "months_ago"} & raw.keys():
            return {**raw, "value": True}
        return raw

    @model_validator(mode="after")
    def _one_right_side(self) -> Compare:
        given = [k for k in ("value", "other", "months_ago") if k in self.model_fields_set]
        if len(given) != 1:
            raise ValueError(f"condition on {self.fact}: give exactly one of value, other, months_ago")
        if self.op in ("in", "not_in") and not isinstance(self.value, list | tuple):
            raise ValueError(f"condition on {self.fact}: '{self.op}' needs a list value")
        return self


class All(_Node):
    """True when every item is true (Kleene: false if any is false, else unknown if any is unknown)."""

    all: tuple[Condition, ...]


class AnyOf(_Node):
    """True when at least one item is true (Kleene: true if any is true, else unknown if any is)."""

    any: tuple[Condition, ...]


class Not(_Node):
    """The negation of one condition (unknown stays unknown)."""

    not_: Condition = Field(alias="not")


class SameAs(_Node):
    """The conditions of another programme, reused (e.g. Điều 6 NĐ 113 for every NĐ 113 support)."""

    same_as: str = Field(pattern=SLUG)


def _shorthand(raw: Any) -> Any:
    """A bare fact id means 'this bool fact is true'."""
    if isinstance(raw, str):
        return {"fact": raw, "op": "==", "value": True}
    return raw


def _kind(raw: Any) -> str | None:
    if isinstance(raw, dict):
        for key in ("all", "any", "not", "same_as", "fact"):
            if key in raw:
                return key
        return None
    return {All: "all", AnyOf: "any", Not: "not", SameAs: "same_as", Compare: "fact"}.get(type(raw))


Condition = Annotated[
    Annotated[All, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[SameAs, Tag("same_as")]
    | Annotated[Compare, Tag("fact")],
    Discriminator(_kind),
    BeforeValidator(_shorthand),
]

for _model in (All, AnyOf, Not):
    _model.model_rebuild()


# ---- programmes --------------------------------------------------------------------------


class Validity(_Model):
    """The period a programme runs; `to` None means no end date is set."""

    from_: dt.date = Field(alias="from")
    to: dt.date | None = None
    period: str | None = None  # as the document names it, e.g. "2021-2025"
    orientation: str | None = None  # e.g. "định hướng đến năm 2030"

    @model_validator(mode="after")
    def _ordered(self) -> Validity:
        if self.to is not None and self.to < self.from_:
            raise ValueError(f"validity ends ({self.to}) before it starts ({self.from_})")
        return self


class Area(_Model):
    """Where a programme applies: a post-2025 province code, narrowed to a former province if set."""

    province_code: int | None = None
    former_province: str | None = None
    confirm_fact: str | None = Field(default=None, pattern=SNAKE)
    note: str | None = None

    @field_validator("province_code")
    @classmethod
    def _known_province(cls, code: int | None) -> int | None:
        if code is not None and code not in {int(p.code) for p in Province.iter_all()}:
            raise ValueError(f"unknown province code {code}")
        return code

    @model_validator(mode="after")
    def _former_needs_confirmation(self) -> Area:
        if self.former_province and not self.confirm_fact:
            raise ValueError("a former-province area needs confirm_fact")
        return self


class Line(_Model):
    """A sentence shown to the user with the citations it comes from."""

    text: str
    reference: Citations


class Apply(_Model):
    """How and where to apply."""

    how: str
    where: str
    reference: Citations


class _Rule(_Model):
    """What programmes and classifications share: the issuing text (a registry id) and sources."""

    id: str = Field(pattern=SLUG)
    name: str
    text: str  # the issuing legal text: an id of content/law/texts.yaml
    valid: Validity
    reference: Citations
    references: Citations = Field(min_length=1)  # the sources listed under "Nguồn"
    web_sources: tuple[str, ...] = ()  # secondary pages read (not legal texts)
    last_checked: dt.date
    unverified: tuple[str, ...] = ()

    @field_validator("text")
    @classmethod
    def _registered(cls, text: str) -> str:
        if registry().get(text) is None:
            raise ValueError(f"text {text!r} is not in content/law/texts.yaml")
        return text


class Programme(_Rule):
    """A support programme: who, where, when, on which conditions, for what."""

    kind: Literal["programme"] = "programme"
    level: Literal["national", "province"]
    area: Area = Area()
    applies_to: tuple[Form, ...] = Field(min_length=1)
    requires: Condition | None = None
    benefits: tuple[Line, ...] = ()
    apply: Apply

    @model_validator(mode="after")
    def _area_fits_level(self) -> Programme:
        if self.level == "national" and self.area.province_code is not None:
            raise ValueError("a national programme has no province code")
        return self


class SizeClass(_Model):
    """One size class; `requires` None means 'every cooperative not in an earlier class'."""

    id: str = Field(pattern=SNAKE)
    label: str
    requires: Condition | None = None


class SectorTable(_Model):
    """The size classes of one sector; no classes means the sector's thresholds are not verified."""

    sector: str = Field(pattern=SNAKE)  # a choice id of the `sector` fact
    label: str
    reference: Citations
    classes: tuple[SizeClass, ...] = ()
    unverified: tuple[str, ...] = ()


class Classification(_Rule):
    """An informative classification (the size classes of Luật Điều 16, NĐ 113/2024 Điều 5), per sector."""

    kind: Literal["classification"]
    needs: tuple[str, ...] = Field(min_length=1)  # the facts that decide the class, asked on request
    sectors: tuple[SectorTable, ...] = Field(min_length=1)

    def table(self, sector: str | None) -> SectorTable | None:
        """The size table of a sector (None when the sector is unknown or has none)."""
        return next((t for t in self.sectors if t.sector == sector), None)


RuleFile = Annotated[Programme | Classification, Field(discriminator="kind")]
