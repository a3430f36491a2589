"""Result types: frozen dataclasses with offsets back into the input, so every result can be explained."""

from __future__ import annotations

import re
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


# A lane or row named by its number alone (3巷, 二坊三巷, 5坊, 3排): a village's or compound's own.
NUMBERED_LANE = re.compile("(?:第?[0-9〇零一二三四五六七八九十百]+(?:坊|排|横|巷|弄|里|条|片))+")


def written(parts: list[str | None]) -> str:
    """An address written from its values in the order of FIELDS (None: none), each level once.

    A municipality's city repeats its province (上海市); a county may open its zone's name
    (东丽区 of 东丽区经济技术开发区). The list is changed in place.
    """
    if parts[1] is not None and parts[1] == parts[0]:
        parts[1] = None
    if parts[2] is not None and parts[3] is not None and parts[3].startswith(parts[2]):
        parts[2] = None
    door, following = parts[7], next((p for p in parts[8:] if p), None)
    if door and following and door[-1].isdigit() and following[0].isdigit():
        parts[7] = door + "号"  # 12号附1 then 302室: 12号附1号302室, or the room would join the annex
    return "".join([p for p in parts if p])


def _reduce(self: Any) -> tuple[Any, tuple[Any, ...]]:
    # Pickled as a constructor call: batches send every result from their worker processes, and this
    # loads several times faster than the __setstate__ generated for frozen slotted dataclasses.
    return type(self), tuple(getattr(self, name) for name in self.__slots__)


@dataclass(frozen=True, slots=True)
class Component:
    """One element found in the input: its field, its span ``text[start:end]`` and its canonical value.

    ``field`` is one of :data:`FIELDS` or ``"extra"`` (a note, landmark, name or phone number).
    ``repeated`` marks a second copy of a division already read (浙江省温州市浙江省温州市…), or a
    division of another place the text names besides the address (a region filled in by a form before
    it), or a statistical placeholder of a level (市辖区), or a road crossing the address's road
    (解放街与|五马街|交叉口), or a natural village inside the community (吴山村|羊家自然村): it keeps its
    level here but stays out of the address's fields, and its text is in ``Address.extra``.
    """

    field: str
    start: int
    end: int
    text: str
    value: str
    code: str | None = None
    repeated: bool = False

    __reduce__ = _reduce


@dataclass(frozen=True, slots=True)
class Division:
    """A candidate division: its finest code and the names of its levels."""

    code: str
    province: str | None = None
    city: str | None = None
    county: str | None = None
    town: str | None = None
    community: str | None = None

    __reduce__ = _reduce


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

    __reduce__ = _reduce

    @property
    def code(self) -> str | None:
        """The finest division code known."""
        return (
            self.community_code or self.town_code or self.county_code or self.city_code or self.province_code
        )

    @property
    def normalized(self) -> str:
        """The canonical address string: every level's canonical value, in order, without extras.

        A municipality's city level repeats its province (上海市) and is written once, and so is a
        county whose name opens its zone's (东丽区 of 东丽区经济技术开发区). A second town-level name of
        the text (a former township, a zone) follows the town, so the form reads back the same; so does
        the street a lane is written off (信河街|五马巷), and the natural village its village (林屋村 of
        那眉村委会). Without a road, a door number written after the compound follows it.
        """
        values = [getattr(self, f) for f in FIELDS]
        # A second town-level name the text gives (大荆镇|水涨乡, 瓯北镇|五星工业区) follows the town.
        more = [c.value for c in self.components if c.field == "town" and c.code is None and not c.repeated]
        if more and values[3] is not None:
            values[3] += "".join(v for v in more if v != values[3])
        # A natural village written inside its village (那眉村委会|林屋村, 东垟村|下垟自然村) follows the village.
        villages = [c.value for c in self.components if c.field == "community" and c.repeated]
        if values[4] is not None and (villages := [v for v in villages if v != values[4]]):
            values[4] += villages[0]
        roads = [c.value for c in self.components if c.field == "road" and not c.repeated]
        if len(roads) > 1 and values[6] == roads[-1]:
            values[6] = "".join(roads)  # 信河街五马巷3弄5号: the lane is written with the street it is off
        if values[6] is None and values[7] is not None and values[8] is not None and self._poi_first():
            # 坪东社区富地岗工业区7号: without a road, a door number written after the compound is its own.
            values[7], values[8] = values[8], values[7]
        elif (
            values[6] is not None
            and values[8] is not None
            and NUMBERED_LANE.fullmatch(values[6])
            and self._poi_first("road")
        ):
            # 家具城A区|3排|7号: a row or lane numbered in the compound follows it.
            values[6], values[8] = values[8] + values[6], None
        return written(values)

    def _poi_first(self, field: str = "house_number") -> bool:
        starts = {c.field: c.start for c in self.components if c.field in (field, "poi") and not c.repeated}
        return starts.get("poi", 1 << 30) < starts.get(field, -1)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (JSON-ready) of every field, the codes, components and flags."""
        out: dict[str, Any] = {"text": self.text, "normalized": self.normalized}
        for name in FIELDS:
            out[name] = getattr(self, name)
        for name in DIVISION_FIELDS:
            out[f"{name}_code"] = getattr(self, f"{name}_code")
        out["components"] = [
            {
                "field": c.field,
                "start": c.start,
                "end": c.end,
                "text": c.text,
                "value": c.value,
                "code": c.code,
                "repeated": c.repeated,
            }
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


__all__ += [
    "MATCH_LEVELS",
    "GRID_LEVELS",
    "MATCH_STATUSES",
    "FieldMatch",
    "Candidate",
    "Match",
    "Geocode",
    "Comparison",
]

# Levels a match can agree on, coarse to fine, in the order addresses are written (解放街123号锦绣花园3幢);
# group (村民小组) and floor are compared but are not match levels.
MATCH_LEVELS = ("county", "town", "community", "road", "house_number", "poi", "building", "unit", "room")
# Match levels whose point is given a grid cell: a community or finer. Cells of governance grids lie
# within one community; the centroid of a town or county lies in some community's cell, not the event's.
GRID_LEVELS = MATCH_LEVELS[MATCH_LEVELS.index("community") :]
# How a match or a geocode came out; the same words are the status column of batch results.
MATCH_STATUSES = ("matched", "upper_level", "ambiguous", "no_match", "invalid")


@dataclass(frozen=True, slots=True)
class FieldMatch:
    """How one field of the input compares with a record (or with the other text in :class:`Comparison`).

    ``status`` is ``"agree"``, ``"differ"``, ``"input_only"`` (the record lacks the field) or
    ``"record_only"`` (the input lacks it). ``similarity`` is in [0, 1]: 1 for equal values, the
    rapidfuzz ratio for names, 0 when one side is missing.
    """

    field: str
    status: str
    input: str | None
    record: str | None
    similarity: float

    __reduce__ = _reduce


@dataclass(frozen=True, slots=True)
class Candidate:
    """A base record considered for a match, with its field-wise similarity to the input.

    ``score`` ranks the candidates of one query (it is not calibrated; :attr:`Match.score` is).
    ``level`` is the finest level on which this record and the input agree.
    """

    address_id: str
    score: float
    level: str | None
    standard: str
    fields: tuple[FieldMatch, ...]

    __reduce__ = _reduce


@dataclass(frozen=True, slots=True)
class Match:
    """The place of the standard base an input names, how sure the match is and why.

    ``address_id`` is the id of the base record at ``level``; it is None when the input agrees with the
    base only at a level that has no record of its own (a road, a compound, a door whose base lists only
    its rooms) or when the best records tie. ``standard``, ``x`` and ``y`` describe the matched place:
    the record, or the agreed upper level with its centroid computed from the base (``x``/``y`` are None
    when the base has no coordinates for it); ``standard`` is the canonical form written from the
    levels the parser read in the record (all of them for a record answered, its town and community too
    when the input named others), not the record's own text. ``score`` is a calibrated confidence in
    [0, 1].
    ``ambiguous`` is True when records the input cannot tell apart tie; ``candidates`` lists them.
    """

    text: str
    address_id: str | None
    score: float
    level: str
    standard: str
    x: float | None
    y: float | None
    ambiguous: bool
    candidates: tuple[Candidate, ...]
    explanation: str

    @property
    def status(self) -> str:
        """``"matched"`` (a base record), ``"upper_level"`` (a place above the records) or ``"ambiguous"``."""
        if self.ambiguous:
            return "ambiguous"
        return "matched" if self.address_id is not None else "upper_level"

    __reduce__ = _reduce


@dataclass(frozen=True, slots=True)
class Geocode:
    """A point for an input text: the matched record's, or the centroid of the matched upper level.

    ``x``/``y`` are in ``crs``; they and ``level`` are None when nothing matched (``status``
    ``"no_match"`` or ``"invalid"``, with the reason in ``explanation``). ``confidence`` is the calibrated
    match score (0 without a match).
    """

    text: str
    x: float | None
    y: float | None
    crs: str
    level: str | None
    confidence: float
    address_id: str | None
    standard: str | None
    status: str
    explanation: str

    __reduce__ = _reduce


@dataclass(frozen=True, slots=True)
class Comparison:
    """Whether two texts name the same place: ``relation`` is ``"same"``, ``"partial"`` or ``"different"``.

    ``level`` is the finest match level (:data:`MATCH_LEVELS`, county down to room) on which the two agree
    (None when they agree on none: a province or city they share is in ``fields``);
    ``fields`` compares them field by field (``input`` is the first text, ``record`` the second).
    """

    relation: str
    level: str | None
    fields: tuple[FieldMatch, ...]
    explanation: str

    __reduce__ = _reduce
