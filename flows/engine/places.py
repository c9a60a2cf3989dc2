"""Province and commune questions (34 provinces, 3,321 communes since 1 July 2025)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.engine import geo
from flows.engine.inputs import Ambiguous, Invalid, Kind, Ok, Option, Result
from flows.engine.numbers import ascii_int


@dataclass
class Province(Kind):
    """A province or centrally-run city, typed any way ("tp hcm", "ha noi", a former name)."""

    def parse(self, text: str, ctx: Any) -> Result:
        found = geo.find_province(text)
        if not found.places:
            return Invalid("province")
        if len(found.places) > 1:
            return Ambiguous([Option(str(p.code), p.name) for p in found.places])
        place = found.places[0]
        note = ctx.render("common/former_province.j2", former=found.former, now=place.name) if found.former else None
        return Ok(place.code, note=note)

    def from_button(self, option_id: str, ctx: Any) -> Result:
        code = ascii_int(option_id, 6)
        if code is not None and any(p.code == code for p in geo.provinces()):
            return Ok(code)
        return Invalid("province")

    def describe(self, value: Any, ctx: Any) -> str:
        return geo.province(int(value)).name if value else ""


@dataclass
class Commune(Kind):
    """A commune or ward, looked up within the province answered under `province_key` (or the profile's)."""

    province_key: str = "province_code"

    def _province(self, ctx: Any) -> int | None:
        return ctx.answers.get(self.province_key) or ctx.profile.province_code

    def parse(self, text: str, ctx: Any) -> Result:
        province_code = self._province(ctx)
        found = geo.find_commune(text, province_code)
        if not found.places:
            name = geo.province(province_code).name if province_code else None
            return Invalid("commune", {"province": name})
        if len(found.places) > 1:
            return Ambiguous(
                [Option(str(p.code), p.name if province_code else f"{p.name} ({geo.province(p.province_code).name})")
                 for p in found.places]
            )
        return Ok(found.places[0].code)

    def from_button(self, option_id: str, ctx: Any) -> Result:
        code = ascii_int(option_id, 6)
        try:
            place = geo.commune(code) if code is not None else None
        except (KeyError, ValueError):
            place = None
        if place is None:
            return Invalid("commune", {"province": None})
        province_code = self._province(ctx)
        if province_code and place.province_code != province_code:
            return Invalid("commune", {"province": None})
        return Ok(place.code)

    def describe(self, value: Any, ctx: Any) -> str:
        return geo.commune(int(value)).name if value else ""
