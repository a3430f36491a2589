"""Result types: frozen dataclasses with offsets back into the input, so every result can be explained."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["FIELDS", "DIVISION_FIELDS", "Component", "Division", "Address"]

# The address levels in order (see docs/address-model.md for the Chinese names).
FIELDS = (
    "province",
    "city",
    "county",
    "town",
    "community",
    "group",
    "road",
    "house_number",
    "poi",
    "building",
    "unit",
    "floor",
    "room",
)
DIVISION_FIELDS = FIELDS[:5]


@dataclass(frozen=True, slots=True)
class Component:
    """One element found in the input: its field, its span ``text[start:end]`` and its canonical value.

    ``field`` is one of :data:`FIELDS` or ``"extra"`` (a note, landmark, name or phone number).
    """

    field: str
    start: int
    end: int
    text: str
    value: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Division:
    """A candidate division: its finest code and the names of its levels."""

    code: str
    province: str | None = None
    city: str | None = None
    county: str | None = None
    town: str | None = None
    community: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    """A parsed address: one canonical value per level, division codes, and how each was found.

    ``inferred`` names the division fields filled from the hierarchy rather than read in the text
    (``温州鹿城区…`` has no 浙江省 in it). ``ambiguous`` is true when the text fits several divisions
    equally well; ``candidates`` lists them, and only the levels they all share are filled in.
    """

    text: str
    province: str | None = None
    city: str | None = None
    county: str | None = None
    town: str | None = None
    community: str | None = None
    group: str | None = None
    road: str | None = None
    house_number: str | None = None
    poi: str | None = None
    building: str | None = None
    unit: str | None = None
    floor: str | None = None
    room: str | None = None
    province_code: str | None = None
    city_code: str | None = None
    county_code: str | None = None
    town_code: str | None = None
    community_code: str | None = None
    components: tuple[Component, ...] = ()
    extra: tuple[str, ...] = ()
    ambiguous: bool = False
    candidates: tuple[Division, ...] = ()
    inferred: frozenset[str] = field(default_factory=frozenset)
    notes: tuple[str, ...] = ()

    @property
    def code(self) -> str | None:
        """The finest division code known."""
        return self.community_code or self.town_code or self.county_code or self.city_code or self.province_code

    @property
    def normalized(self) -> str:
        """The canonical address string: every level's canonical value, in order, without extras.

        A municipality's city level repeats its province (上海市) and is written once.
        """
        values = [getattr(self, f) for f in FIELDS]
        if values[1] is not None and values[1] == values[0]:
            values[1] = None
        return "".join(v for v in values if v)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (JSON-ready) of every field, the codes, components and flags."""
        out: dict[str, Any] = {"text": self.text, "normalized": self.normalized}
        for name in FIELDS:
            out[name] = getattr(self, name)
        for name in DIVISION_FIELDS:
            out[f"{name}_code"] = getattr(self, f"{name}_code")
        out["components"] = [
            {"field": c.field, "start": c.start, "end": c.end, "text": c.text, "value": c.value, "code": c.code}
            for c in self.components
        ]
        out["extra"] = list(self.extra)
        out["ambiguous"] = self.ambiguous
        out["candidates"] = [
            {"code": d.code, **{f: getattr(d, f) for f in DIVISION_FIELDS}} for d in self.candidates
        ]
        out["inferred"] = sorted(self.inferred, key=FIELDS.index)
        out["notes"] = list(self.notes)
        return out
