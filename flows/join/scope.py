"""An official's scope: the whole country, one province, or one commune."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, and_, true

Level = Literal["country", "province", "commune"]


@dataclass(frozen=True, slots=True)
class Scope:
    """Where an official's rights reach; a commune scope also names its province."""

    level: Level
    province_code: int | None = None
    commune_code: int | None = None

    def __post_init__(self) -> None:
        if self.level == "province" and self.province_code is None:
            raise ValueError("a province scope needs province_code")
        if self.level == "commune" and (self.commune_code is None or self.province_code is None):
            raise ValueError("a commune scope needs province_code and commune_code")

    def covers(self, province_code: int | None, commune_code: int | None = None) -> bool:
        """Whether a place (a user's or a cooperative's) lies inside this scope."""
        if self.level == "country":
            return True
        if self.level == "province":
            return province_code == self.province_code
        return commune_code == self.commune_code

    def contains(self, other: Scope) -> bool:
        """Whether another scope lies wholly inside this one (officials invite only within theirs)."""
        if self.level == "country":
            return True
        if other.level == "country":
            return False
        if self.level == "province":
            return other.province_code == self.province_code
        return other.level == "commune" and other.commune_code == self.commune_code

    def where(self, province_col, commune_col) -> ColumnElement[bool]:
        """An SQL condition selecting rows inside this scope."""
        if self.level == "country":
            return true()
        if self.level == "province":
            return province_col == self.province_code
        return and_(province_col == self.province_code, commune_col == self.commune_code)
