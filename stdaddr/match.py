"""Matching a text against an :class:`~stdaddr.base.AddressBase`: block, score field by field, decide the level.

1. **Parse** the text once (:func:`stdaddr.parse`).
2. **Resolve** its road and compound (poi) names to base vocabulary ids: an exact dict lookup first;
   only when that fails, a fuzzy lookup (rapidfuzz ``fuzz.ratio``) over the names found in the
   division the text names (its town, else its county, else the whole base, shortlisted by shared
   characters so a lookup never scans every name). A road the parser left unplaced is picked up.
3. **Block**: gather candidate records with sorted-key lookups, most selective first — the door
   (road + house number), the compound building, the compound, the village group — and the whole road
   only when the door is not in the base.
4. **Score** every candidate field by field with numpy over the candidate arrays: agreeing fields
   earn their weight (names by their similarity), contradicting fields cost it, fields only the
   record has cost a little (so the record at the text's own level beats the rooms under it).
   A county (or city/province) that contradicts the text excludes the record.
5. **Decide**: the best records (ties kept) are walked level by level (:data:`~stdaddr.models.MATCH_LEVELS`)
   down to the finest level they share and the text agrees on. That place is the match: a record when
   the base has one at that level, else the upper level itself with its centroid. When the best
   records differ at a level above what the text names (its unit is missing), the match is ambiguous.
6. **Calibrate**: the agreement of the best record (a near name weighs little unless the text's
   building, unit and room confirm it), the share of the text the match covers and the margin to the
   best record outside the matched place give a raw value that a fitted map (:data:`_CALIBRATION`)
   turns into the share of matches that are right (see :func:`confidence`; ``bench/match_bench.py``
   prints the reliability table and fits the map).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import math
import operator
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from stdaddr import gazetteer
from stdaddr.base import (
    COLUMN_INDEX,
    COLUMNS,
    MATCHING_FIELDS,
    NUMBERED_LANE,
    AddressBase,
    compound_number_key,
    group,
    is_zone_name,
    lane_of_village,
    matching_values,
    natural_village,
    numbered_lane,
    pair_key,
    standard_of,
    without_community_mark,
    zone_of,
)
from stdaddr.crs import is_geographic
from stdaddr.errors import InputError
from stdaddr.gazetteer import CODE_LENGTHS, FULL, SHORT
from stdaddr.models import (
    DIVISION_FIELDS,
    FIELDS,
    MATCH_LEVELS,
    Address,
    Candidate,
    FieldMatch,
    Match,
    written,
)
from stdaddr.text import CN_DIGITS, CN_UNITS, PLAIN_NUMERALS, chinese_numeral, clean
from stdaddr.workers import default_workers, distinct, run_chunks

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

__all__ = [
    "DEFAULT_SCORE_CUTOFF",
    "confidence",
    "field_scores",
    "match_batch",
    "match_many",
    "match_one",
    "match_safe",
    "match_table",
    "name_similarity",
    "other_organisation",
    "road_cap",
    "same_estate",
]

# Calibrated: a match below it is more likely wrong than right. On a 1,000,000-record synthetic base
# this keeps false matches of texts that are not in the base near 1%; lower it for recall
# (bench/match_bench.py prints the trade-off).
DEFAULT_SCORE_CUTOFF = 0.5

# Field weights: how much agreeing on a field tells that two addresses are the same place.
WEIGHTS = {
    "county": 0.5,
    "town": 0.5,
    "community": 0.5,
    "group": 1.0,
    "road": 3.0,
    "house_number": 3.0,
    "poi": 2.0,
    "building": 2.0,
    "unit": 1.5,
    "floor": 0.5,
    "room": 2.0,
}
COMPARED = tuple(WEIGHTS)
_DIVISIONS = ("county", "town", "community")
_NAMES = ("road", "poi")
# Fields below the divisions: a record having one that the text lacks is finer than the text.
_FINE = ("group", "road", "house_number", "poi", "building", "unit", "floor", "room")
# A contradicting field costs this share of its weight (more than agreeing on it earns: one wrong
# room must not be outweighed by agreeing on the floor).
_DIFFER_COST = 1.0
# A field only the record has costs this share of its weight: enough to rank a door above its rooms.
_RECORD_ONLY_COST = 0.02
# Names (roads, compounds) agree from this rapidfuzz ratio on; below it they contradict.
_NAME_AGREE = 0.6
# A near name from this similarity on reads as the name written with a slip (a character left out or
# changed), below it as possibly another name of the same kind.
_SLIP = 0.8
# A transposition of two characters is scored like this (see name_similarity).
_SWAP_SIMILARITY = 0.9
# The kind a road or compound name ends with (the longest ending wins: 名苑 before 苑).
_KIND = re.compile(
    "(?:大道|大街|公路|路|街|巷|弄|胡同|小区|花园|家园|名苑|嘉园|佳园|华庭|公馆|新村|大厦|广场|公寓|山庄|别墅|"
    "中学|小学|幼儿园|大学|学院|医院|卫生院|苑|园|庭|城|村)$"
)
# Names of different kinds score at most this (below _NAME_AGREE).
_OTHER_KIND = 0.5
# 小区 is the generic word for a residential compound: people write it for the compound's own kind
# (锦绣小区 for 锦绣花园) or after it (锦绣花园小区), so a name with 小区 and a name of the same stem are
# one compound, near but not exact. Other kinds name other estates (绣山花园 / 绣山公寓).
_GENERIC_KIND = "小区"
_COMPOUND_KIND = re.compile("(?:花园|华园|家园|花苑|华苑|名苑|嘉园|佳园|华庭|公馆|新村|公寓|山庄|苑)$")
_SAME_STEM = 0.9
# The garden words of estate names, which department data write for one another (锦绣苑 for 锦绣花园,
# 永昌花园 for 永昌花苑, 金都华园 for 金都花园), or kinds that sound alike (家园 / 嘉园): one stem with two of them agrees, at
# this similarity, below a sure match, as the two may be neighbouring estates. Other kinds stay apart
# (锦绣花园 / 锦绣家园 / 锦绣新村 / 锦绣公寓).
_GARDEN_DRIFT = 0.75
# The words of a shop's, tower's or hotel's kind, which people leave out (百盛 for 百盛购物中心): a name
# with and without one agrees at this similarity (a slip's, so a door or floor the record has confirms it).
_PLACE_KIND_LEFT_OUT = re.compile(
    "(?:购物中心|购物广场|商场|商厦|百货|大厦|大酒店|酒店|宾馆|饭店|超市|书店|商城)"
)
_KIND_LEFT_OUT = 0.85
# A name written short as people say it (兰大家属院 for 兰州大学家属院, 融荫苑 for 滨湖世纪城融荫苑) agrees at a
# slip's similarity: a door or building the record has confirms it.
_WRITTEN_SHORT = _SLIP
# What a school's name ends with, written in full or short (温州市第二中学, 温州二中, 实验小学).
_SCHOOL = re.compile("(?:中学|小学|中|小)$")
_SCHOOL_IN_FULL = ("中学", "小学")
# A road's direction before its kind (永宁东路, 人民北街, 解放中大道): two directions name two roads.
# Pairs of opposites, and directions (any two of them), that tell two places of one name apart.
_OPPOSITES = frozenset(
    # (顶/下: 闽南's upper and lower, 顶厝角 / 下厝角)
    frozenset(pair)
    for pair in ("上下", "内外", "前后", "左右", "头尾", "大小", "新老", "新旧", "顶下")
)
_DIRECTIONS = frozenset("东西南北中")
_DIRECTION = re.compile("([东西南北中])(?:大道|大街|路|街)$")
# A compound named by its side of a place (华威西里, 望京西园, 锦绣东苑): the sides are other compounds.
_COMPOUND_DIRECTION = re.compile("([东西南北])(?:里|园|苑|村|庄|小区)$")
# A road's number in a row before its kind (鞋都一路, 纬十二路, 三号路; the parser writes Arabic numbers of
# road names in Chinese): two numbers name two roads.
_ORDINAL = re.compile("([零〇一二两三四五六七八九十百]+)号?(?:大道|大街|路|街|巷)$")
# A part of a road after its kind (黄埔大道西, 一环路南三段, 人民南路四段): parts are numbered on their own.
_ROAD_PART = re.compile(
    "(?:大道|大街|路|街|巷)((?:[东西南北中]?[0-9零〇一二两三四五六七八九十]+|[东西南北中])段|(?<=大道)[东西南北中])$"
)
# A direction written on one side only (邮电路 / 邮电东路): most often another road, sometimes the
# direction left out; it agrees, but no more than this, so the match is not sure.
_ONE_DIRECTION = 0.7
# Fuzzy lookups keep names within this much of the best similarity, at most this many.
_FUZZY_KEEP = 0.15
_FUZZY_LIMIT = 4
_FUZZY_POOL = 50
# Fuzzy lookups remembered, at most (then forgotten all at once).
_RESOLVED_MAX = 1 << 14
# A shortlist of names from the character index is scored when the scope has more names than this.
_SCOPE_SCAN = 400
# Characters in more than this share of the names (路, 街, 花园 ...) do not shortlist names.
_COMMON_CHAR = 0.05
_TIE = 1e-9
_NAME_LIKE = re.compile(r"[\u3400-\u9fff\U00020000-\U0003ffff]{2,12}")
_ROAD_LIKE = re.compile(r"[\u3400-\u9fff\U00020000-\U0003ffff]{1,10}(?:大道|路|街|巷|弄)")
_CHUNK = 2_000
# Values parsed ahead of their matching (see parse_ahead); far below the parse cache's size.
_AHEAD = 1_000
# Every value of a parsed text the matcher reads, and those that can anchor a match.
_QUERY_COLUMNS = (*FIELDS, *(f"{d}_code" for d in DIVISION_FIELDS))
_MATCHABLE = (*COMPARED, "county_code", "town_code", "community_code")


@dataclass(slots=True)
class _Grouping:
    """One grouping of the index (``a.g.<name>``) with a dict from key to position, so a lookup costs no numpy search."""

    at: dict[int, int]
    offsets: list[int]
    order: NDArray[np.int32]

    def rows(self, key: int) -> NDArray[np.int32]:
        """The record positions of ``key``, ascending (empty when the key is absent)."""
        i = self.at.get(key)
        if i is None:
            return _EMPTY
        return self.order[self.offsets[i] : self.offsets[i + 1]]


@dataclass(slots=True)
class _Scoped:
    """The names of one field found in each county or town (``a.s.<scope>.<field>``): sorted name ids
    per scope, a set of ``scope * size + name`` keys for membership, and the names of small scopes as
    fuzzy lookups take them (filled on use)."""

    at: dict[int, int]
    offsets: list[int]
    values: NDArray[np.int32]
    pairs: set[int]
    size: int
    choices: dict[int, list[str]]

    def names(self, scope: int) -> NDArray[np.int32]:
        i = self.at.get(scope)
        if i is None:
            return _EMPTY
        return self.values[self.offsets[i] : self.offsets[i + 1]]


_EMPTY = np.zeros(0, dtype=np.int32)
_COMMUNITY_LEVEL = MATCH_LEVELS.index("community")
_GROUPINGS = ("road", "door", "poi", "poi_building", "community_group", "community")


@dataclass(slots=True)
class _Tables:
    """Query-side lookups built from a base on first use (not saved: they rebuild in about a second)."""

    fields: NDArray[np.int32]
    levels: bytes  # per record, its own level + 1 (MATCH_LEVELS index; 0: none), read without numpy
    vocab: dict[str, list[str]]
    lists: list[list[str]]  # the vocabularies in the order of COLUMNS
    shown: list[list[str]]  # the values of FIELDS as the base writes them (AddressBase.shown), in order
    ids: dict[str, dict[str, int]]
    chars: dict[str, dict[str, NDArray[np.int32]]]
    sizes: dict[str, int]
    groups: dict[str, _Grouping]
    scoped: dict[tuple[str, str], _Scoped]
    # A compound building whose records all stand at one door: its key -> that door's key (its records
    # are then among the door's, and blocking need not add them again).
    building_door: dict[int, int]
    # Doors written without a road, built with the tables: of a village (纸源村19号: community + house
    # number) and of a compound (某某大厦12号: poi + house number).
    community_door: _Grouping
    poi_door: _Grouping
    stems: dict[str, list[int]]  # compound stem -> the compound names (poi ids) with it
    schools: dict[str, list[int]]  # a school's short form -> the names (poi ids) with it
    rings: dict[str, list[int]]  # a ring road's key (ring_road_key) -> the road names (ids) with it
    # Communities by the sound of their names, and the (column, code) of the towns and counties each
    # lies in: built on the first village the base lacks by name (see _village_of_sound).
    villages: tuple[dict[str, list[int]], dict[int, set[tuple[int, int]]]] | None
    # Road and compound names by their sound, built on the first short name the fuzzy lookup misses.
    sounds: dict[str, dict[str, list[int]]]
    resolved: dict[tuple[str, str, tuple[str, int] | None], dict[int, float]]  # fuzzy lookups made
    # Lanes (100弄) that have doors of their own in the base (100弄3号): their door ids, built on first need.
    lane_doors: dict[str, list[int]] | None
    # Groups of a town with no village between (a farm that is a town, its teams: 新时代农场九队3号), by
    # town code and group, built on first need.
    town_groups: _Grouping | None


def _tables(base: AddressBase) -> _Tables:
    if base._tables is None:
        a = base._a
        vocab = base._vocab
        ids = {c: {v: i for i, v in enumerate(names)} for c, names in vocab.items()}
        chars = {f: _char_index(vocab[f]) for f in _NAMES}
        sizes = {c: len(names) + 1 for c, names in vocab.items()}
        groups = {
            g: _Grouping(
                dict(zip(a[f"g.{g}.keys"].tolist(), range(len(a[f"g.{g}.keys"])), strict=True)),
                a[f"g.{g}.offsets"].tolist(),
                a[f"g.{g}.order"],
            )
            for g in _GROUPINGS
        }
        scoped = {
            (scope, f): _scoped(a, f"s.{scope}.{f}", sizes[f])
            for scope in ("county_code", "town_code")
            for f in _NAMES
        }
        base._tables = _Tables(
            a["fields"],
            (a["level"] + 1).astype(np.uint8).tobytes(),
            vocab,
            [vocab[c] for c in COLUMNS],
            [base.shown(c) for c in FIELDS],
            ids,
            chars,
            sizes,
            groups,
            scoped,
            _building_doors(a, sizes["house_number"]),
            _doors_of(a, "community", sizes["house_number"]),
            _doors_of(a, "poi", sizes["house_number"]),
            _keyed(vocab["poi"], compound_stem),
            _keyed(vocab["poi"], school_key),
            _keyed(vocab["road"], _ring_key),
            None,
            {},
            {},
            None,
            None,
        )
    return base._tables


def _ring_key(road: str) -> str | None:
    """A ring road's key (南二环西段, 二环南路西段 alike), None for other roads."""
    if "环" not in road:
        return None
    from stdaddr.parsing.tail import ring_road_key  # loaded with the parser, before any base is matched

    return ring_road_key(road)


def _keyed(names: list[str], key: Callable[[str], str | None]) -> dict[str, list[int]]:
    """The names' ids by their ``key`` (names without one left out)."""
    out: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        k = key(name)
        if k is not None:
            out.setdefault(k, []).append(i)
    return out


def _doors_of(a: dict[str, np.ndarray], column: str, n_house_numbers: int) -> _Grouping:
    """The records grouped by ``column`` and house number."""
    fields = a["fields"]
    return _grouped(
        pair_key(fields[COLUMN_INDEX[column]], fields[COLUMN_INDEX["house_number"]], n_house_numbers)
    )


def _grouped(key: NDArray[np.int64]) -> _Grouping:
    """The records grouped by an int key built at query time (-1: not grouped)."""
    keys, offsets, order = group(key)
    return _Grouping(dict(zip(keys.tolist(), range(len(keys)), strict=True)), offsets.tolist(), order)


def _town_groups(t: _Tables) -> _Grouping:
    """The records of a group written under its town with no village (community) between, by town code
    and group."""
    if t.town_groups is None:
        f = t.fields
        no_village = f[COLUMN_INDEX["community"]] < 0
        key = pair_key(
            f[COLUMN_INDEX["town_code"]], np.where(no_village, f[COLUMN_INDEX["group"]], -1), t.sizes["group"]
        )
        t.town_groups = _grouped(key)
    return t.town_groups


def _building_doors(a: dict[str, np.ndarray], n_house_numbers: int) -> dict[int, int]:
    keys, offsets, order = a["g.poi_building.keys"], a["g.poi_building.offsets"], a["g.poi_building.order"]
    if not len(keys):
        return {}
    road = a["fields"][COLUMN_INDEX["road"], order].astype(np.int64)
    number = a["fields"][COLUMN_INDEX["house_number"], order]
    door = np.where((road >= 0) & (number >= 0), road * n_house_numbers + number, -1)
    first, last = np.minimum.reduceat(door, offsets[:-1]), np.maximum.reduceat(door, offsets[:-1])
    one = (first == last) & (first >= 0)
    return dict(zip(keys[one].tolist(), first[one].tolist(), strict=True))


def _scoped(a: dict[str, np.ndarray], prefix: str, size: int) -> _Scoped:
    keys = a[f"{prefix}.keys"]
    offsets = a[f"{prefix}.offsets"]
    values = a[f"{prefix}.values"]
    owners = np.repeat(keys, np.diff(offsets))
    pairs = set((owners * size + values).tolist())
    return _Scoped(
        dict(zip(keys.tolist(), range(len(keys)), strict=True)), offsets.tolist(), values, pairs, size, {}
    )


def _char_index(names: list[str]) -> dict[str, NDArray[np.int32]]:
    postings: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        for ch in set(name):
            postings.setdefault(ch, []).append(i)
    limit = max(50, int(_COMMON_CHAR * len(names)))
    return {ch: np.array(ids, dtype=np.int32) for ch, ids in postings.items() if len(ids) <= limit}


@dataclass(slots=True)
class _Query:
    """The parsed text with its values as base vocabulary ids (-1: a value the base does not have).

    ``columns``, ``vector`` and ``asks`` say, per field of :data:`COMPARED`, the column of the field
    matrix it is compared on, the text's value id in it (``_LACKS`` when the text has no value for
    the field) and whether the text has one; ``plan`` says it again per field with how the field is
    compared (_PLAIN, _NAME or _UNASKED). ``names`` holds, per road or compound field the text names (its
    position in COMPARED), the similarity of each base name met so far.

    ``cols``, ``probe``, ``cost`` and ``gain`` are what the numpy scoring takes (see
    :func:`field_scores`), as columns: the compared columns followed by the province and city codes
    the text names, the value each is compared with, what a record's value costs and what it gains
    more when it is the text's (in hundredths of a weight). A name the text has that resolved to one
    exact base name (``folded``) is compared like the other fields; other names by similarity.
    """

    address: Address
    values: dict[str, str]
    ids: dict[str, int]
    roads: dict[int, float]
    pois: dict[int, float]
    columns: tuple[int, ...]
    vector: tuple[int, ...]
    asks: tuple[bool, ...]
    plan: tuple[tuple[int, int, int, int], ...]  # per field of COMPARED: position, column, text's id, kind
    names: dict[int, dict[int, float]]
    folded: tuple[int, ...]
    excluding: bool  # the text names a province, city or county: records in others are left out
    cols: NDArray[np.intp]
    probe: NDArray[np.int32]
    cost: NDArray[np.int16]
    gain: NDArray[np.int16]
    weight: float  # the summed weight of the fields the text has
    door_of: str | None  # the sub-door written when the main door stands for it (23-1号 -> 23号)
    unread: str | None  # a road the base has nowhere, left unread before a compound it has


_LACKS = -2


def match_one(
    base: AddressBase, text: Any, *, limit: int = 5, score_cutoff: float | None = None
) -> Match | None:
    """The base place ``text`` names, or None: see the module docstring. Never raises for a bad ``text``."""
    cutoff = _check_args(limit, score_cutoff)
    address = _parse(text)
    if address is None:
        return None
    return _match_address(base, address, limit, cutoff)


def _check_args(limit: int, score_cutoff: float | None) -> float:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InputError(f"limit was {limit!r}; expected a positive int")
    if score_cutoff is None:
        return DEFAULT_SCORE_CUTOFF
    if not isinstance(score_cutoff, (int, float)) or not 0.0 <= score_cutoff <= 1.0:
        raise InputError(f"score_cutoff was {score_cutoff!r}; expected a number from 0 to 1 or None")
    return float(score_cutoff)


def _parse(text: Any) -> Address | None:
    from stdaddr import parsing  # not at import: the parser loads its tables on first use

    if isinstance(text, (bytes, bytearray)):
        text = parsing.as_text(text)  # UTF-8, else GB18030, as parse reads bytes
    if not isinstance(text, str) or not text.strip():
        return None
    return parsing.parse(text)


def _match_address(
    base: AddressBase, address: Address, limit: int, cutoff: float, candidates: bool = True
) -> Match | None:
    """The match of a parsed text; ``candidates=False`` leaves :attr:`Match.candidates` empty (the
    batch functions do not show them, and building them is a good share of the work).

    A text the parser opened with a short name of a town, county or city (岭头|金马路, 昆阳|民丰小区,
    永昌|花苑) that finds nothing is matched again with that name read as the start of the road or
    compound: the name may be a village or compound of the base that is a town or county elsewhere
    (岭头村 of 怀溪镇, 岭头乡 of another province; 永昌花苑, 永昌县 of 甘肃).
    A text whose leading name the parser read as a place the base has no record in (南汇 as the former
    南汇区 of 上海, 安阳 as 安阳市 of 河南) is matched again with that name read as the one town of the
    base's counties it names (南汇街道 of 鹿城区, 安阳街道 of 瑞安市).
    """
    address = _division_of_the_base(base, address) or address
    address = _road_after_short_name(base, address) or address
    m = _match_parsed(base, address, limit, cutoff, candidates)
    if m is None and (moved := _without_leading_town(address)) is not None:
        retry, short, named = moved
        m = _match_parsed(base, retry, limit, cutoff, candidates)
        if m is not None and not _names_place(m.standard, short, named):
            # 瑞安|润城华庭 matched 鹿城区's 润城华庭 on the name without 瑞安: the text named a county the
            # place is not in, and the short name is no part of the record's name (大南|燕山街7号: not of
            # 大南街道's 燕山路 either, though the record lies in that town).
            m = None
    if m is None and (placed := _town_of_the_base(base, address)) is not None:
        m = _match_parsed(base, placed, limit, cutoff, candidates)
    if (m is None or m.address_id is None) and (inside := _address_in_brackets(address)) is not None:
        # 兰大一院(东岗西路1号), 沈园(越城区鲁迅中路): a place's name, then where it lies in brackets
        found = _match_parsed(base, inside, limit, cutoff, candidates)
        if found is not None and found.address_id is not None:
            m = found
    if m is None:
        m = _named_divisions(base, address, cutoff)
    return m


def _named_divisions(base: AddressBase, address: Address, cutoff: float) -> Match | None:
    """The town or community a text names itself (written, not inferred), when nothing finer it names is
    in the base there: 五马街道|不存在路88号 is in 五马街道 though the base has no such road, and says so at
    that level (its centroid), as a text naming only the town does. A county alone is too wide to say
    where a street is: 鹿城区|幸福路1号 stays unmatched."""
    written = {c.field for c in address.components if c.code and not c.repeated}
    if not written & {"town", "community"} or address.ambiguous:
        return None
    finer = [v for f in _FINE_NAMED if (v := getattr(address, f)) is not None]
    if not finer:
        return None
    divisions = dataclasses.replace(
        address,
        group=None,
        road=None,
        house_number=None,
        poi=None,
        building=None,
        unit=None,
        floor=None,
        room=None,
    )
    q = _query(_tables(base), divisions)
    if q is None:
        return None
    m = _division_match(base, q, cutoff, f"the base has no record of {''.join(finer)} there", unread=True)
    return m if m is not None and m.level in ("town", "community") else None


# A name, then in brackets where it lies.
_NAME_THEN_WHERE = re.compile(r"([^()]{2,20}?)\(([^()]{3,40})\)")


def _address_in_brackets(address: Address) -> Address | None:
    """The text read again as the address in its brackets, the name before them after it (兰大一院(东岗西路
    1号) as 东岗西路1号兰大一院), when the name names no road or door and the brackets do; else None."""
    from stdaddr.parsing import parse  # loaded before any text is matched

    if "(" not in address.text and "（" not in address.text:
        return None
    found = _NAME_THEN_WHERE.fullmatch(clean(address.text)[0].strip(","))
    if found is None or _ROAD_OR_DOOR.search(found.group(1)):
        return None
    inside = parse(found.group(2) + found.group(1))
    return inside if inside.road is not None and inside.poi is not None else None


_ROAD_OR_DOOR = re.compile("[路街巷道弄]|[0-9]号")


def _names_place(standard: str, short: str, named: str) -> bool:
    """Whether the place a text was matched to after its short name ``short`` was moved into the road
    or compound ``named`` holds that name: as the start of its road or compound, whose rest agrees with
    ``named`` (永昌|花苑 in 永昌花苑, 西溪|诚园 in 西溪诚园), or in its county, city or village, whose road
    or compound agrees with ``named`` (西湖 of 西湖区 read as 西湖街道, then 紫荆花路; 岭头 of 岭头村, then
    金马路). The place's town does not count (大南|燕山街7号 is no 大南街7号 of 大南街道)."""
    from stdaddr.parsing import parse  # loaded before any text is matched

    place = parse(standard)
    streets = [compound_number_key(n) for n in (place.road, place.poi) if n]
    named = compound_number_key(named)  # (浮山|后4小区 in 浮山后四小区)
    if any(short in n and _similarity(n.replace(short, "", 1), named) >= _NAME_AGREE for n in streets):
        return True
    whole = compound_number_key(short + named)
    if any(len(n) == len(whole) and _similarity(n, whole) > _SLIP for n in streets):
        return True  # 沁源|春小区 for 沁园春小区, 新化|西道 for 新华西道: the name with a slip of its sound
    around = (place.county, place.city, place.community)
    return any(short in (n or "") for n in around) and any(
        _similarity(n, named) >= _NAME_AGREE for n in streets
    )


def _road_after_short_name(base: AddressBase, address: Address) -> Address | None:
    """The address with its road cut after the short name of a town or county that opens it (五马|蝉街61号:
    蝉街, a road of one character's name that the parser does not part from 五马), when the base has no
    road of the whole name but one of the rest in that town or county; None otherwise."""
    road = address.road
    if road is None or address.town is not None or len(road) < 4:
        return None
    t = _tables(base)
    ids = t.ids["road"]
    if road in ids:
        return None
    from stdaddr import gazetteer  # loaded by the parser before any text is matched

    g = gazetteer.load()
    for n in (2, 3):
        rest = ids.get(road[n:])
        if rest is None:
            continue
        for e in g.lookup(road[:n]):
            column = "county_code" if e.level == 2 else "town_code" if e.level == 3 else None
            unit = t.ids[column].get(e.code) if column is not None else None
            if column is not None and unit is not None and _in_scope(t, "road", (column, unit), rest):
                return dataclasses.replace(address, road=road[n:])
    return None


def _division_of_the_base(base: AddressBase, address: Address) -> Address | None:
    """The address placed in the one division it may name that the base has records in, when the text
    fits several (虹桥镇 of 乐清市 and of six other counties; the base lists only 乐清市); None otherwise.
    Levels the text names below that division are kept."""
    if not address.ambiguous or not address.candidates:
        return None
    counties = _tables(base).ids["county_code"]
    inside = {
        d.code
        for d in address.candidates
        if (d.code[:6] in counties if len(d.code) >= 6 else any(c.startswith(d.code) for c in counties))
    }
    if len(inside) != 1:
        return None
    from stdaddr.parsing.assemble import _levels

    fields: dict[str, Any] = {}
    for level, name, c in _levels(inside.pop()):
        fields[level], fields[f"{level}_code"] = name, c
    return dataclasses.replace(address, **fields, ambiguous=False, candidates=())


def _town_of_the_base(base: AddressBase, address: Address) -> Address | None:
    """The address with its leading division read as the one town of the base that name fits (永兴, read
    as a town of 西沙群岛, is 永兴街道 of the base), a leading county as the one county of the base that
    bore its name (东山区: 越秀区), or a leading village as the base's village of that name, when the
    divisions read lie outside every record of the base (also all the divisions an ambiguous name may be:
    南郊, 太原's former 南郊区 or 大同's, is 南郊街道 of the base); None otherwise."""
    counties = _tables(base).ids["county_code"]
    if address.ambiguous:
        outside = [d.code for d in address.candidates]
        if not outside or any(c.startswith(o[:6]) for o in outside for c in counties):
            return None
    else:
        one = address.county_code or address.city_code
        if one is None or any(c.startswith(one) for c in counties):
            return None  # the base has records there: the reading stands
    lead = next((c for c in address.components if c.field != "extra"), None)
    if lead is None or lead.field not in ("province", "city", "county", "town", "community"):
        return None
    if not address.ambiguous and (lead.code if lead.field != "community" else address.community_code) is None:
        return None
    from stdaddr import gazetteer
    from stdaddr.parsing.assemble import _levels

    fields: dict[str, Any] = {f: None for f in DIVISION_FIELDS}
    fields.update({f"{f}_code": None for f in DIVISION_FIELDS})
    if lead.field == "community":
        # 楠溪村4号, read as the one 楠溪村 of the divisions (in 湖南): the base's village of that name.
        if address.community is None or address.community not in _tables(base).ids["community"]:
            return None
        fields["community"] = address.community
        return dataclasses.replace(address, **fields, ambiguous=False, candidates=(), inferred=frozenset())
    # (东莞 and 中山 have no counties: their towns' codes hold the city's, 441900, 442000)
    cities = _tables(base).ids["city_code"]
    readings = gazetteer.load().lookup(clean(lead.text)[0])
    # 东山区庙前直街22号, read as 鹤岗's 东山区: the base's county that once bore the name (广州's 东山区,
    # in 越秀区 since 2005).
    former = (
        {e.code for e in readings if e.level == 2 and e.code in counties} if lead.field == "county" else set()
    )
    towns = former or {
        e.code
        for e in readings
        if e.level == 3 and (e.code[:6] in counties or e.code[4:6] == "00" and e.code[:4] in cities)
    }
    if len(towns) != 1:
        return None
    code = towns.pop()
    for level, name, c in _levels(code):
        fields[level], fields[f"{level}_code"] = name, c
    if address.community is not None:
        # its code, if any, was of the other town's village (卧龙|谭庄村3组5号, read as 南阳's 卧龙区: the
        # village of the base's 卧龙镇)
        fields["community"] = address.community
    above = DIVISION_FIELDS[: DIVISION_FIELDS.index(lead.field)]  # filled from the code, not written
    return dataclasses.replace(
        address, **fields, ambiguous=False, candidates=(), inferred=address.inferred | frozenset(above)
    )


def _without_leading_town(address: Address) -> tuple[Address, str, str] | None:
    """The address with the short name of a town, county or city written right before its road or
    compound moved into it (永昌|花苑 is no 永昌县 but a compound of the base; 西湖区西溪|诚园 a compound of
    蒋村街道 named after the next town), that short name and the road's or compound's name as read; or
    None. Divisions written before that name are kept, what was inferred from it is not."""
    parts = [c for c in address.components if c.field != "extra"]
    at = next((i for i, c in enumerate(parts) if c.field not in DIVISION_FIELDS), None)
    if at is None or at == 0:
        return None
    lead, street = parts[at - 1], parts[at]
    if lead.field == "community" and at >= 2 and street.field in ("house_number", "building", "unit", "room"):
        lead, street, at = parts[at - 2], lead, at - 1  # (天津|新村|8号401室: the village read, then doors)
    if (
        lead.field not in ("province", "city", "county", "town")
        or street.field not in ("road", "poi", "community")
        or lead.end != street.start
    ):
        return None
    # (天津|新村, 东港|新村: a compound read as a village, its name's opening as the division)
    field = "poi" if street.field == "community" else street.field
    named = clean(street.text)[0] if street.field == "community" else getattr(address, street.field)
    from stdaddr.parsing.divisions import LEVEL_MARKS  # not at import: the parser loads on first use

    if lead.text.endswith(LEVEL_MARKS) or named is None:  # written with its mark: a division
        return None
    cleared: dict[str, Any] = {f: None for f in DIVISION_FIELDS}
    cleared.update({f"{f}_code": None for f in DIVISION_FIELDS})
    for c in parts[: at - 1]:  # 杭州|西湖区: written, and above the name moved
        if c.field != "community" and c.field != lead.field:
            cleared[c.field], cleared[f"{c.field}_code"] = (
                getattr(address, c.field),
                getattr(address, f"{c.field}_code"),
            )
    short = clean(lead.text)[0]
    cleared[field] = short + named
    return dataclasses.replace(address, **cleared, ambiguous=False, candidates=()), short, named


def _match_parsed(
    base: AddressBase, address: Address, limit: int, cutoff: float, candidates: bool
) -> Match | None:
    t = _tables(base)
    q = _query(t, address)
    if q is None:
        return None
    rows = _block(t, q)
    if rows is None:
        if _zone_alone(address, q.values) and (zone := zone_of(address)) is not None:
            return _division_match(base, q, cutoff, _ZONE_IN_TOWN.format(zone))
        if address.poi is not None and "poi" not in q.values:
            return _division_match(base, q, cutoff, _PLACE_IN_VILLAGE.format(address.poi))
        return _division_match(base, q, cutoff)
    scores = field_scores(base, q, rows)
    if scores is None and q.excluding and "house_number" in q.values:
        # 长春市宽城区长江路76号 where only 大连's 长江路 has a 76号: the door found lies outside the divisions
        # the text names, so the text's own road (or compound) answers, as for a door the base lacks.
        wider = _whole_places(t, q)
        if any(len(w) for w in wider):
            scores = field_scores(base, q, np.unique(np.concatenate(wider)))
    if scores is None:
        if (
            "community" in q.values
            and not q.values.keys() & {"road", "poi"}
            and q.ids.get("town_code", q.ids.get("county_code", -1)) >= 0
        ):
            # 乐清市大荆镇石坦村1组1号, where the base's only 石坦村1组 lies in another county: the text's
            # village is not in the base, and its divisions, which are, answer, as when no record of its
            # name is (小花坦村1组1号). (Divisions the base has no record in leave the text to be read again.)
            return _division_match(base, q, cutoff)
        return None
    m = _decide(base, q, scores, limit, cutoff, candidates)
    if m is not None and m.address_id is None and m.level == "road" and not m.ambiguous:
        return _lane_named_alone(base, q, m)
    return m


_DOOR_NUMBER = re.compile("([0-9]+)号")


def _door_missing(t: _Tables, ids: dict[str, int]) -> bool:
    """Whether the base lacks the text's door: its number is nowhere in the base, or the road, read as
    the base writes it, has no door so numbered (宽巷子22号附6 where only 芳草东街 has a 22号附6号)."""
    number, road = ids["house_number"], ids.get("road", -1)
    if number < 0:
        return True
    return road >= 0 and not len(t.groups["door"].rows(road * t.sizes["house_number"] + number))


def _door_of_compound_as_building(t: _Tables, values: dict[str, str], ids: dict[str, int]) -> None:
    """田林十二村21号 (上海): a number after a compound, where the base has no such door of it but a
    building so numbered (its lane estate's 21号 read as 21幢 after the lane), is that building; a number
    of three digits or more, where it has a room so numbered (篁园市场2035号, a stall), that room."""
    poi, number = ids.get("poi", -1), _DOOR_NUMBER.fullmatch(values["house_number"])
    if poi < 0 or number is None:
        return
    n_hn = t.sizes["house_number"]
    if ids["house_number"] >= 0 and len(t.poi_door.rows(poi * n_hn + ids["house_number"])):
        return
    building = t.ids["building"].get(number.group(1) + "幢", -1)
    if building >= 0 and len(t.groups["poi_building"].rows(poi * t.sizes["building"] + building)):
        values["building"], ids["building"] = number.group(1) + "幢", building
        del values["house_number"], ids["house_number"]
        return
    room = t.ids["room"].get(number.group(1) + "室", -1) if len(number.group(1)) >= 3 else -1
    rows = t.groups["poi"].rows(poi) if room >= 0 else ()
    if len(rows) and bool((t.fields[COLUMN_INDEX["room"]].take(rows) == room).any()):
        # 篁园市场2035号 (a market's stall, a tower's suite): no door of the compound, but a room so numbered
        values["room"], ids["room"] = number.group(1) + "室", room
        del values["house_number"], ids["house_number"]


def _lane_of_dashes(t: _Tables, values: dict[str, str], ids: dict[str, int]) -> None:
    """田林路200-8-203 (上海): the lane, its door and the room written with dashes after the road, read as
    a building, unit and room, where the road has that lane or that door of it: 200弄8号203室."""
    building = _LANE_BUILDING.fullmatch(values.get("building", ""))
    door = _UNIT_NUMBER.fullmatch(values["unit"])
    if building is None or door is None:
        return
    road = ids["road"] * t.sizes["house_number"]
    whole = f"{building.group(1)}弄{door.group(1)}号"
    if not any(
        (n := t.ids["house_number"].get(number, -1)) >= 0 and len(t.groups["door"].rows(road + n))
        for number in (building.group(1) + "弄", whole)
    ):
        plain = building.group(1) + "号"
        if (
            "room" in values
            and (n := t.ids["house_number"].get(plain, -1)) >= 0
            and len(t.groups["door"].rows(road + n))
        ):
            # 经纬街40-2-501, 解放大路2030-1-102: the door, its unit and room, where the road has that door.
            values["house_number"], ids["house_number"] = plain, n
            del values["building"], ids["building"]
        return
    values["house_number"], ids["house_number"] = whole, t.ids["house_number"].get(whole, -1)
    del values["building"], ids["building"], values["unit"], ids["unit"]


def _flat_of_dashes(t: _Tables, values: dict[str, str], ids: dict[str, int]) -> None:
    """人民路41号2-3-1 (大连): after a door, the unit, the floor and the flat, where the door's records are
    written so (41号2单元3层1号) and have no buildings; read as building, unit and room otherwise."""
    building = _LANE_BUILDING.fullmatch(values["building"])
    unit = _UNIT_NUMBER.fullmatch(values["unit"])
    flat = _FLAT_NUMBER.fullmatch(values["room"])
    if building is None or unit is None or flat is None or ids.get("road", -1) < 0:
        return
    rows = t.groups["door"].rows(ids["road"] * t.sizes["house_number"] + ids["house_number"])
    read = {
        "unit": building.group(1) + "单元",
        "floor": unit.group(1) + "层",
        "room": flat.group(1) + "室",
    }
    read_ids = {f: t.ids[f].get(v, -1) for f, v in read.items()}
    if not len(rows) or min(read_ids.values()) < 0:
        return
    cols = _columns(t.fields, rows)
    if (cols[COLUMN_INDEX["building"]] >= 0).any():
        return
    here = np.ones(len(rows), dtype=bool)
    for f, v in read_ids.items():
        here &= cols[COLUMN_INDEX[f]] == v
    if here.any():
        del values["building"], ids["building"]
        values.update(read)
        ids.update(read_ids)


def _unit_of_dashes(t: _Tables, address: Address, values: dict[str, str], ids: dict[str, int]) -> None:
    """长江中路47号1-602: after a door, two numbers written with a dash are the unit and its room where the
    door's records are written so (47号1单元602室) and have no buildings; building and room otherwise."""
    building = next((c for c in address.components if c.field == "building"), None)
    room = next((c for c in address.components if c.field == "room"), None)
    if (
        building is None
        or room is None
        or room.start != building.end + 1
        or not building.text.isdigit()
        or not room.text.isdigit()
        or ids.get("road", -1) < 0
    ):
        return
    number = _LANE_BUILDING.fullmatch(values["building"])
    if number is None:
        return
    unit = f"{number.group(1)}单元"
    unit_id = t.ids["unit"].get(unit, -1)
    rows = t.groups["door"].rows(ids["road"] * t.sizes["house_number"] + ids["house_number"])
    if not len(rows) or unit_id < 0:
        return
    cols = _columns(t.fields, rows)
    if (cols[COLUMN_INDEX["building"]] < 0).all() and (cols[COLUMN_INDEX["unit"]] == unit_id).any():
        del values["building"], ids["building"]
        values["unit"], ids["unit"] = unit, unit_id


_FLAT_NUMBER = re.compile("([0-9]{1,2})室")


_UNIT_NUMBER = re.compile("([0-9]+)单元")


def _lane_building(t: _Tables, values: dict[str, str], ids: dict[str, int]) -> str | None:
    """A lane's building written as the base does not (上海): 100弄3号楼 or 100弄3-402 where the base has the
    door 100弄3号, or 100弄3号 where it has the lane 100弄 (with buildings: 100弄3幢). The number after the
    lane is the building either way; the query takes the base's form when the base has it. Returns the
    door written when the base numbers the lane's doors but lacks that one (100弄15号 where it has
    100弄1号 to 10号): the lane stands for it as a main door for a sub-door."""
    door = values["house_number"]
    if door.endswith("弄") and (number := _LANE_BUILDING.fullmatch(values.get("building", ""))):
        whole = f"{door}{number.group(1)}号"
        if whole in t.ids["house_number"]:
            values["house_number"], ids["house_number"] = whole, t.ids["house_number"][whole]
            del values["building"], ids["building"]
    elif "building" not in values and (split := _LANE_DOOR.fullmatch(door)) is not None:
        lane, building = split.group(1), f"{split.group(2)}幢"
        if lane in t.ids["house_number"]:
            values["house_number"], ids["house_number"] = lane, t.ids["house_number"][lane]
            values["building"], ids["building"] = building, t.ids["building"].get(building, -1)
            return door if lane in _lane_doors(t) else None
    return None


def _lane_doors(t: _Tables) -> dict[str, list[int]]:
    """The doors of each lane the base numbers doors in (100弄 -> the ids of 100弄1号, 100弄2号 …)."""
    if t.lane_doors is None:
        doors: dict[str, list[int]] = {}
        for i, name in enumerate(t.vocab["house_number"]):
            if (m := _LANE_DOOR.fullmatch(name)) is not None:
                doors.setdefault(m.group(1), []).append(i)
        t.lane_doors = doors
    return t.lane_doors


def _lane_named_alone(base: AddressBase, q: _Query, m: Match) -> Match:
    """A road-level answer to a lane named alone (临汾路894弄) that the base lists no record of, while it
    numbers doors in it (临汾路894弄3号): the lane, at its doors' centroid, without an id."""
    t = _tables(base)
    lane, road = q.values.get("house_number", ""), q.ids.get("road", -1)
    if (
        road < 0
        or _LANE_ALONE.fullmatch(lane) is None
        or q.values.keys() & {"poi", "building", "unit", "room"}
    ):
        return m
    n_hn = t.sizes["house_number"]
    found = [t.groups["door"].rows(road * n_hn + d) for d in _lane_doors(t).get(lane, ())]
    rows = np.concatenate(found) if found else _EMPTY
    if not len(rows):
        return m
    x, y = _mean_point(base._a["x"][rows], base._a["y"][rows])
    return dataclasses.replace(
        m,
        level="house_number",
        standard=m.standard + lane,
        x=None if math.isnan(x) else x,
        y=None if math.isnan(y) else y,
        explanation=f"house_number level: the lane {lane}, whose {len(rows)} records are its doors and what lies "
        "in them (no record of its own)",
    )


_LANE_ALONE = re.compile("[0-9]+弄")


def _group_named_as(t: _Tables, natural_village: str) -> int | None:
    """The base's villager group named as a natural village (罗马村, 罗马自然村: 罗马组), or None."""
    for mark in ("自然村", "村", "屯", "寨", ""):
        stem = natural_village.removesuffix(mark) if mark else natural_village
        if len(stem) >= 2 and (found := t.ids["group"].get(stem + "组")) is not None:
            return found
    return None


def _named_group(t: _Tables, values: dict[str, str], ids: dict[str, int]) -> None:
    """龙凤村田家沟6号: a place after the village, read as a compound the base lacks, that is a villager
    group of the base named after it (田家沟组)."""
    whole = values["poi"] + "组"
    if whole in t.ids["group"]:
        values["group"], ids["group"] = whole, t.ids["group"][whole]
        del values["poi"], ids["poi"]


def _group_of_sound(t: _Tables, values: dict[str, str], ids: dict[str, int]) -> None:
    """马棕岭组 for 马鬃岭组: a named villager group the base lacks by name, the one of the same sound."""
    by_sound = t.sounds.get("group")
    if by_sound is None:
        by_sound = t.sounds["group"] = _keyed(t.vocab["group"], _sound_key)
    found = by_sound.get(_sound_key(values["group"]), [])
    if len(found) == 1:
        values["group"], ids["group"] = t.vocab["group"][found[0]], found[0]


# A group named by its number (3组, 第三村民小组 as the parser writes it), which no sound can stand for.
_NUMBERED_GROUP = re.compile("第?[0-9〇零一二三四五六七八九十百]+.*")
# What a village has one of, named after the village (七宝山小学, 龙凤村卫生室).
_VILLAGE_INSTITUTION = re.compile("小学|中学|幼儿园|完小|卫生室|卫生所")


def _compound_named_as_community(t: _Tables, address: Address, community: str) -> int | None:
    """The id of the base's compound named like the text's community, as read (梅林一村社区) or as written
    (梅林一村, a village the gazetteer has made a 社区), or None."""
    found = t.ids["poi"].get(community)
    if found is None:
        written = next(
            (c.text for c in address.components if c.field == "community" and not c.repeated), None
        )
        found = t.ids["poi"].get(clean(written)[0]) if written else None
    return found


def _estate_of_community(t: _Tables, address: Address, community: int) -> int | None:
    """The base's compound named as the text writes its community without a mark (枫林绿洲 for 枫林绿洲社区),
    when it lies in that community; else None."""
    written = next((c.text for c in address.components if c.field == "community" and not c.repeated), None)
    if written is None or written.endswith(_COMMUNITY_MARKS):
        return None
    found = t.ids["poi"].get(clean(written)[0])
    if found is None:
        return None
    rows = t.groups["poi"].rows(found)
    return found if bool((t.fields[COLUMN_INDEX["community"]].take(rows) == community).any()) else None


# The marks a community is written with.
_COMMUNITY_MARKS = ("社区", "村", "居委会", "村委会", "居民委员会", "村民委员会", "嘎查")


def _community_marked_otherwise(
    t: _Tables, values: dict[str, str], ids: dict[str, int], scope: tuple[str, int] | None
) -> None:
    """A community the base writes with the other mark (猎德村 / 猎德社区, 冼村 / 冼村社区: villages made
    communities, still called villages): the base's, when it has one so written in the text's scope.
    So is one written after the name of its area (白石洲|上白石村: 上白石社区), when none is so named whole."""
    stem = without_community_mark(values["community"])
    names = [values["community"] + "社区"] + ([stem + "社区", stem + "村"] if len(stem) >= 2 else [])
    # the stem without an area's name of two characters or more before it, longest first
    names += [f"{stem[k:]}{mark}" for k in range(2, len(stem) - 1) for mark in ("社区", "村")]
    for name in names:
        found = t.ids["community"].get(name)
        if found is not None and (scope is None or _community_in_scope(t, scope, found)):
            values["community"], ids["community"] = name, found
            return


def _lane_of_natural_village(
    t: _Tables, values: dict[str, str], ids: dict[str, int], scope: tuple[str, int] | None
) -> None:
    """A village the base lacks, before a lane named by its number, that the base has as a natural
    village numbering its own lanes (长安镇江贝村1巷1号 for 乌沙社区|江贝村|1巷1号: the lane 江贝一巷,
    see base.matching_values): that lane, the village no community."""
    road = values.get("road")
    if road is None or not numbered_lane(road):
        return
    key = lane_of_village(values["community"], road)
    lane = t.ids["road"].get(key)
    if lane is not None and _in_scope(t, "road", scope, lane):
        values["road"], ids["road"] = key, lane
        del values["community"], ids["community"]


def _lane_after_its_village(t: _Tables, values: dict[str, str], ids: dict[str, int]) -> None:
    """A numbered lane written right after its village's name without its mark, maybe after the area's
    name too, read as one road the base lacks (水围五巷 for 水围村|五巷, 白石洲上白石二坊 for 上白石村|二坊):
    the lane the base has, keyed with its village (上白石二坊) or the community's own (五巷), and then
    the community so named."""
    road = values["road"]
    lane = _LANE_TAIL.search(road)
    if lane is None or lane.start() < 2:
        return
    for k in range(1, lane.start() + 1):
        rest, before = road[k:], road[:k]
        found = t.ids["road"].get(rest, -1)
        if found < 0:
            continue
        if k == lane.start():  # the bare lane: the name before it must be the community's
            stem = next(
                (
                    name
                    for n in range(min(len(before), 4), 1, -1)
                    for name in (before[-n:] + "社区", before[-n:] + "村")
                    if name in t.ids["community"]
                ),
                None,
            )
            if stem is None:
                return
            values["community"], ids["community"] = stem, t.ids["community"][stem]
        values["road"], ids["road"] = rest, found
        return


# A lane named by its number at the end of a road's name (水围五巷, 上白石二坊).
_LANE_TAIL = re.compile(f"(?:{NUMBERED_LANE.pattern})$")


def _community_in_scope(t: _Tables, scope: tuple[str, int], community: int) -> bool:
    """Whether a record of the community lies in the scope (the text's town or county)."""
    rows = t.groups["community"].rows(community)
    return bool(len(rows)) and bool((t.fields[COLUMN_INDEX[scope[0]]][rows] == scope[1]).any())


def _unread_inferred(address: Address, values: dict[str, str], ids: dict[str, int]) -> None:
    """Leave unread the divisions the parser inferred, the county among them, when the base has no record
    in that county: 冼村北约大街11号 (广州) names no county, and the parser placed 冼村 in 广西's 藤县, which
    would exclude every record; the community's code goes with them, its name stays."""
    for field in ("province", "city", "county", "town"):
        if field in address.inferred:
            for key in (field, f"{field}_code"):
                values.pop(key, None)
                ids.pop(key, None)
    values.pop("community_code", None)
    ids.pop("community_code", None)


def _placed_by_zone(address: Address) -> bool:
    """Whether the text's inferred divisions come from a zone of the zones table (苏州高新区: 虎丘区), which
    the text names: they stand, whether or not the base has records there."""
    from stdaddr import gazetteer

    zone = zone_of(address)
    return zone is not None and zone in gazetteer.zones()


def _named_after_division(t: _Tables, address: Address, field: str, name: str) -> tuple[str, str] | None:
    """The base's compound or road (``field``) whose name is the division written right before the text's
    and the text's (上海|康城 for 上海康城, 大关|西苑 for 大关西苑, 新港|二号路 for 新港二号路), with that
    division's field, or None. (A compound named after a town is retried without the town: see
    _poi_without_places.)"""
    at = next((c.start for c in address.components if c.field == field and not c.repeated), None)
    for c in address.components:
        if c.end == at and c.field in ("province", "city", "county", "town"):
            whole = clean(c.text)[0] + name
            if whole in t.ids[field]:
                return whole, c.field
            if field == "poi" and name.startswith("安置") and (full := _resettlement_named(t, whole)):
                return full, c.field  # 龙坑|安置点 for 龙坑易地扶贫搬迁安置点
            return None
    return None


def _resettlement_named(t: _Tables, short: str) -> str | None:
    """The base's one resettlement estate that ``short`` names without the words of why it was built
    (龙坑安置点: 龙坑易地扶贫搬迁安置点), or None."""
    found = [
        name
        for name in t.ids["poi"]
        if len(name) > len(short)
        and name.endswith(short[-2:])
        and name_similarity(short, name) >= _SAME_STEM
        and _RESETTLEMENT.search(name) is not None
    ]
    return found[0] if len(found) == 1 else None


def _compound_with_its_number(t: _Tables, address: Address, poi: str) -> str | None:
    """The base's compound whose name is the text's compound and the door number glued to it (中海城南|一号,
    中海城南|1号 for 中海城南一号, as estates are named), or None."""
    at = next((c.end for c in address.components if c.field == "poi" and not c.repeated), None)
    door = next((c for c in address.components if c.field == "house_number" and c.start == at), None)
    number = _DOOR_NUMBER.fullmatch(door.value) if door is not None else None
    if number is None or not number.group(1).isdigit() or int(number.group(1)) >= 100:
        return None
    n = int(number.group(1))
    for form in (f"{n}号", chinese_numeral(n) + "号", "壹号" if n == 1 else ""):
        if form and (whole := poi + form) in t.ids["poi"]:
            return whole
    return None


def _zone_alone(address: Address, values: dict[str, str]) -> bool:
    """Whether the text's finest place is a zone it names without a road, a door or a compound in it."""
    return (
        address.road is None
        and address.poi is None
        and address.house_number is None
        and address.community is None
        and "poi" not in values
        and zone_of(address) is not None
    )


def _query(t: _Tables, address: Address) -> _Query | None:
    values = {c: v for c, v in zip(_QUERY_COLUMNS, _read_columns(address), strict=True) if v}
    for f, read in zip(MATCHING_FIELDS, matching_values(address), strict=True):
        if read is None:
            values.pop(f, None)
        else:
            values[f] = read
    if values.keys().isdisjoint(_MATCHABLE):
        return None
    ids = {c: t.ids[c].get(v, -1) for c, v in values.items()}
    if "county" in address.inferred and ids.get("county_code", 0) < 0 and not _placed_by_zone(address):
        _unread_inferred(address, values, ids)
    if ids.get("road") == -1 and (ring := _ring_key(values["road"])) is not None and ring in t.rings:
        # 南二环路西段 for the base's 南二环西段, 二环路南一段 for 南二环路一段: a ring road written the other way
        ids["road"] = t.rings[ring][0]
        values["road"] = t.vocab["road"][ids["road"]]
    for field in ("poi", "road"):
        if (
            ids.get(field) == -1
            and (named := _named_after_division(t, address, field, values[field])) is not None
        ):
            # 上海康城3号601室: the compound 上海康城 of the base, its opening read as the province; 拱墅区大关西苑:
            # 大关西苑, its opening read as the town (which the text then does not name: 西溪|诚园 of 蒋村街道);
            # 塘沽区新港二号路17号: the road 新港二号路, its opening read as 新港街道.
            values[field], ids[field] = named[0], t.ids[field][named[0]]
            if named[1] == "town" and "town" not in address.inferred:
                for f in ("town", "town_code"):
                    values.pop(f, None)
                    ids.pop(f, None)
    if (
        ids.get("poi") == -1
        and "house_number" in values
        and "road" not in values
        and (whole := _compound_with_its_number(t, address, values["poi"])) is not None
    ):
        # 中海城南1号5栋: the door glued to the compound is the end of its name (the base's 中海城南一号).
        values["poi"], ids["poi"] = whole, t.ids["poi"][whole]
        del values["house_number"], ids["house_number"]
    if "house_number" not in values and "unit" in values and "poi" not in values and ids.get("road", -1) >= 0:
        _lane_of_dashes(t, values, ids)
    if (
        ids.get("house_number", -1) >= 0
        and values.keys() >= {"building", "unit", "room"}
        and not values.keys() & {"floor", "poi"}
    ):
        _flat_of_dashes(t, values, ids)
    if (
        ids.get("house_number", -1) >= 0
        and values.keys() >= {"building", "room"}
        and not values.keys() & {"unit", "floor", "poi"}
    ):
        _unit_of_dashes(t, address, values, ids)
    door_of = None
    missing = "house_number" in ids and _door_missing(t, ids)
    if missing and (sub := _SUB_DOOR.fullmatch(values["house_number"])) is not None:
        main = t.ids["house_number"].get(sub.group(1) + "号", -1)
        if main >= 0:
            # 解放街23-1号, 23号附1: a sub-door the base lacks is looked for at its main door.
            door_of = values["house_number"]
            values["house_number"], ids["house_number"] = sub.group(1) + "号", main
    if ids.get("house_number") == -1 or (
        values.get("house_number", "").endswith("弄") and "building" in values
    ):
        door_of = _lane_building(t, values, ids) or door_of
    if missing and door_of is None and values.keys() & {"poi", "building"}:
        lane = _DOOR_NUMBER.fullmatch(values["house_number"])
        house = _LANE_BUILDING.fullmatch(values.get("building", ""))
        if lane is not None and (whole := lane.group(1) + "弄") in t.ids["house_number"]:
            # 田林路200号田林十二村11号: a lane written as a door (上海), with the compound or building in it,
            # where the base has the lane 200弄 and no door 200号.
            values["house_number"], ids["house_number"] = whole, t.ids["house_number"][whole]
            if "building" in values:
                _lane_building(t, values, ids)  # 三泉路424号6号201室: the lane's door 424弄6号 of the base
        elif (
            lane is not None
            and house is not None
            and (door := t.ids["house_number"].get(f"{lane.group(1)}弄{house.group(1)}号", -1)) >= 0
            and ids.get("road", -1) >= 0
            and len(t.groups["door"].rows(ids["road"] * t.sizes["house_number"] + door))
        ):
            # 龙川北路600号3号201室: the lane's door 600弄3号 on the road, where the base lists no lane 600弄 of
            # its own.
            values["house_number"], ids["house_number"] = t.vocab["house_number"][door], door
            del values["building"], ids["building"]
    if ids.get("county", 0) < 0 and "county_code" not in values and not _county_of_the_gazetteer(t, address):
        # 政务区, 滨湖新区: an area of the city people write like a district, which neither the gazetteer
        # nor the base has, says nothing the records could contradict; it is left unread. (河东区, a county
        # of 天津 and of 临沂, the base has neither of: it contradicts the base's other counties.)
        del values["county"], ids["county"]
    if "town_code" not in values:
        _town_in_base(t, values, ids)
        if ids.get("town", 0) < 0 and "town_code" not in values:
            # 机投镇 (机投桥街道 since), 某某镇: a town name that neither the gazetteer nor the base knows
            # says nothing the records could contradict; it is left unread.
            del values["town"], ids["town"]
    if ids.get("road", 0) < 0 and "community" not in values:
        _lane_after_its_village(t, values, ids)
    scope = _scope(ids)
    if not values.keys() & {"poi", "road", "community"} and values.keys() & {"building", "unit", "room"}:
        _compound_of_the_town(t, address, values, ids, scope)
    if not values.keys() & {"poi", "road", "community"} and "house_number" in values:
        _market_of_the_town(t, address, values, ids, scope)
    if (
        ids.get("community", 0) < 0
        and "poi" not in values
        and not numbered_lane(values.get("road", ""))  # (岗头村二巷10号: a village numbers its lanes)
        and (compound := _compound_named_as_community(t, address, values["community"])) is not None
        and _in_scope(t, "poi", scope, compound)
    ):
        # 中华园西村, 曹杨新村: a compound named like a village, which the base has as a compound; 田林十二村
        # too, a residents' committee of the gazetteer named after its estate (its code stays).
        values.pop("community")
        values["poi"], ids["poi"] = t.vocab["poi"][compound], compound
        del ids["community"]
    elif (
        ids.get("community", -1) >= 0
        and "poi" not in values
        and values.keys().isdisjoint(_UNDER_COMMUNITY)
        and (compound := _estate_of_community(t, address, ids["community"])) is not None
        and _record_of_community(t, {COLUMN_INDEX["community"]: ids["community"]}) is None
    ):
        # 雁塔区枫林绿洲: a community named after its estate, written without 社区 and nothing under it, where
        # the base has the estate: the estate (the community as read agrees with it). Where the base has
        # a record of the community itself (平城区永泰街道红旗里, the estate's own record, read as the
        # community as the text is), that record is the estate's.
        values["poi"], ids["poi"] = t.vocab["poi"][compound], compound
    elif (
        ids.get("poi", 0) < 0
        and not values.keys() & {"community", "road"}
        and (village := t.ids["community"].get(values["poi"])) is not None
        and (scope is None or _community_in_scope(t, scope, village))
    ):
        # 长桥三村12幢302室: an estate named like a village (上海's numbered 新村), which the base has as the
        # community it reads in 长桥三村12号302室 (a village and its door): that community.
        del values["poi"], ids["poi"]
        values["community"], ids["community"] = t.vocab["community"][village], village
    if "house_number" in values and "poi" in values and not values.keys() & {"road", "building"}:
        _door_of_compound_as_building(t, values, ids)
    if ids.get("community", 0) < 0 and ids.get("community_code", -1) < 0:
        _lane_of_natural_village(t, values, ids, scope)
    if ids.get("community", 0) < 0 and ids.get("community_code", -1) < 0:
        _community_marked_otherwise(t, values, ids, scope)
    if ids.get("community", 0) < 0 and ids.get("community_code", -1) < 0:
        village = _village_of_sound(t, values["community"], scope)
        if village is None and "community_code" not in values and values.keys() & {"group", "house_number"}:
            village = _village_of_one_slip(t, values["community"], scope)
        if village is not None:
            # 东洋村 for 东垟村, 苏旅村 for 苏吕村: a village the base lacks by name, one of the same sound;
            # 鸟吉民村2组11号 for 乌吉民村: one that looks alike, in the town the text names.
            values["community"], ids["community"] = t.vocab["community"][village], village
    if "group" in values and "poi" in values and "road" not in values and "community" not in values:
        village = _village_of_group(t, values["poi"], scope)
        if village is not None:
            # 塘下上金二组11号: a village written without 村 before its group, read as a compound.
            values["community"], ids["community"] = t.vocab["community"][village], village
            del values["poi"], ids["poi"]
    elif "group" in values and ids.get("community", 0) < 0 and ids.get("community_code", -1) < 0:
        # 姜山茅山3组5号: the residents' committee 茅山社区 read, where only villages have groups: the
        # base's 茅山村 of the town.
        stem = without_community_mark(values["community"])
        village = _village_of_group(t, stem, scope) if stem != values["community"] else None
        if village is not None:
            values["community"], ids["community"] = t.vocab["community"][village], village
            values.pop("community_code", None)
            ids.pop("community_code", None)
    if "group" not in values and ids.get("poi", 0) < 0 and "road" not in values:
        _named_group(t, values, ids)
    if ids.get("group", 0) < 0 and not _NUMBERED_GROUP.fullmatch(values["group"]):
        _group_of_sound(t, values, ids)
    if ids.get("poi", 0) < 0 and "community" in values and _VILLAGE_INSTITUTION.fullmatch(values["poi"]):
        # 七宝山村小学: the village's school, which the base names after it (七宝山小学).
        whole = without_community_mark(values["community"]).removesuffix("村") + values["poi"]
        if whole in t.ids["poi"]:
            values["poi"], ids["poi"] = whole, t.ids["poi"][whole]
    # The rooms of the text's building, asked only when the room may be written another way.
    forms = room_forms(values) if "room" in values else []
    if forms:
        _room_written_as_the_base(t, values, ids, forms, _rooms_here(t, ids))
    if "room" in values and ("unit" not in values or _LETTERED_UNIT.fullmatch(values["unit"])):
        _lettered_room(t, values, ids)
    if ids.get("poi", 0) < 0 and (whole := _part_of_named_compound(t, address, values["poi"])) is not None:
        # 和平里|7区: the community read, then a part of a compound named after it (和平里七区 of the base).
        values["poi"], ids["poi"] = whole, t.ids["poi"][whole]
    if "road" not in values and "poi" not in values:
        _old_village(t, values, ids, scope)
        _rescue(t, address, values, ids, scope)
    found = {f: _resolve(t, f, values[f], scope) for f in _NAMES if f in values}
    if "poi" in values and ids.get("poi", -1) < 0:
        _poi_without_places(t, values, ids, found, scope)
    if forms and ids.get("poi", -1) < 0 and len(found.get("poi", ())) == 1 and ids.get("building", -1) >= 0:
        # 兴庆家园小区2号楼101室 for the base's 兴庆嘉园 2幢 1层1室: the compound found by its name's likeness
        # (the one it may be), its building's way of writing the room.
        near = {**ids, "poi": next(iter(found["poi"]))}
        _room_written_as_the_base(t, values, ids, forms, _rooms_here(t, near))
    if (
        "poi" in values
        and ids.get("poi", -1) < 0
        and ids.get("house_number", -1) >= 0
        and ids.get("road", -1) >= 0
    ):
        _place_at_the_door(t, values["poi"], ids, found)
    for f, other in (("road", "poi"), ("poi", "road")):
        if f in values and not found[f] and other not in values:
            # The parser may read a compound as a road or a road as a compound (世纪广场, 江滨路小区).
            alt = _resolve(t, other, values[f], scope)
            if alt:
                values[other] = values.pop(f)
                ids[other] = t.ids[other].get(values[other], -1)
                del ids[f], found[f]
                found[other] = alt
    unread = None
    if "road" in values and not found.get("road") and found.get("poi") and "house_number" not in values:
        # 浆洗街|锦城花园二期2栋…, 某某路锦城花园…: a road the base has nowhere before a compound it has (a
        # town's short name read as a road, or a road the base does not list): the compound places the
        # text, less surely.
        unread = values.pop("road")
        del ids["road"], found["road"]
    in_village = ids.get("community", -1) >= 0
    village_door = in_village and ("group" in values or ("house_number" in values and "road" not in values))
    if found and not any(found.values()) and not village_door:
        if _zone_alone(address, values):
            # 北白象镇北白象工业区: a zone the base numbers no door of (its records lie on its roads) is a
            # part of the town, which is the answer.
            del values["road"], ids["road"], found["road"]
        elif in_village and "road" not in values and "house_number" not in values:
            # 纸源村桥头, 杏南村大榕树下: a place in the village the base does not list; the village is
            # the answer. So it is when buildings or rooms follow (石州村阳光花园3幢201室): they are the
            # place's, and another compound's 3幢201室 of the village is no answer.
            del values["poi"], ids["poi"], found["poi"]
            for f in _IN_PLACE if _place_of_its_own(address) else ():
                # (not a compound only named after the community, 东山居委会|新区|3座5号, 下骆宅|下骆宅|7幢, or
                # a bare word, 杨村|社区|20幢: its buildings are the community's)
                values.pop(f, None)
                ids.pop(f, None)
        elif in_village and address.road is None and "road" in values and "poi" not in values:
            group = _group_named_as(t, values["road"])
            if group is not None and "group" not in values:
                # 从良村委会罗马村55号: a natural village the base lists as the villager group named after it
                # (罗马村民小组, as 海南's villages are organised): that group, with its door.
                values["group"], ids["group"] = t.vocab["group"][group], group
                del values["road"], ids["road"], found["road"]
            else:
                # 龙上村双炕自然村5号: a natural village the base does not list (read as the road its doors
                # are numbered on): the village is the answer, its door being the natural village's, and
                # no surer than a main door for a sub-door (the text's own place is not in the base).
                unread = values["road"]
                for f in ("road", "house_number"):
                    values.pop(f, None)
                    ids.pop(f, None)
                    found.pop(f, None)
        else:
            return None  # the text names a road or compound that the base does not have, and no village door
    columns, names_of, extra, cols = _layout(tuple(c in values for c in _LAYOUT_KEYS))
    vector = tuple(ids.get(c, _LACKS) for c in names_of)
    asks = tuple(v != _LACKS for v in vector)
    # A value the base lacks (-1) must not equal a record's missing value (-1): compare it as _LACKS.
    probe = [v if v >= 0 else _LACKS for v in vector] + [v if (v := ids[c]) >= 0 else _LACKS for c in extra]
    names = {}
    folded = []
    for f, k in _NAME_K.items():
        if asks[k]:
            known = found[f]
            names[k] = dict(known)  # takes the similarities of other names as scoring meets them
            if len(known) == 1 and 1.0 in known.values():
                probe[k] = next(iter(known))
                folded.append(k)
    similar = tuple(k for k in names if k not in folded)
    cost, gain, weight = _weights(asks, "county_code" in values, len(extra), similar)
    return _Query(
        address,
        values,
        ids,
        found.get("road", {}),
        found.get("poi", {}),
        columns,
        vector,
        asks,
        tuple(zip(range(len(COMPARED)), columns, vector, _kinds(asks, tuple(names)), strict=True)),
        names,
        tuple(folded),
        bool(extra) or "county_code" in values,
        cols,
        np.array(probe, dtype=np.int32)[:, None],
        cost,
        gain,
        weight,
        door_of,
        unread,
    )


_read_columns = operator.attrgetter(*_QUERY_COLUMNS)
# What decides how a text is compared: which divisions it names by code or by name only, and whether
# it names a province or city code (which exclude records).
_LAYOUT_KEYS = (*(c for d in _DIVISIONS for c in (d, f"{d}_code")), "province_code", "city_code")


@functools.cache
def _layout(
    named: tuple[bool, ...],
) -> tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...], NDArray[np.intp]]:
    """Per field of COMPARED the column it is compared on (and that column's name), the province and
    city code columns that exclude records, and all those columns as an index array."""
    values = dict.fromkeys(c for c, n in zip(_LAYOUT_KEYS, named, strict=True) if n)
    names = tuple(_column(values, f) for f in COMPARED)  # type: ignore[arg-type]  # only keys are read
    extra = tuple(c for c in ("province_code", "city_code") if c in values)
    columns = tuple(COLUMN_INDEX[c] for c in names)
    return columns, names, extra, np.array(columns + tuple(COLUMN_INDEX[c] for c in extra), dtype=np.intp)


@functools.cache
def _kinds(asks: tuple[bool, ...], names: tuple[int, ...]) -> tuple[int, ...]:
    """How _record compares each field of COMPARED."""
    return tuple(_NAME if k in names else _PLAIN if a else _UNASKED for k, a in enumerate(asks))


@functools.cache
def _index_array(columns: tuple[int, ...]) -> NDArray[np.intp]:
    return np.array(columns, dtype=np.intp)


@functools.cache
def _weights(
    asks: tuple[bool, ...], county: bool, n_extra: int, similar: tuple[int, ...]
) -> tuple[NDArray[np.int16], NDArray[np.int16], float]:
    """Per field of COMPARED, in hundredths of a weight and as a column: what a record's value costs
    (the field's weight when the text has the field, else the record-only cost) and what it gains more
    when it is the text's (twice the weight: from minus the weight to plus). Also the summed weight of
    the text's fields.

    A county the text names (``county``) and the ``n_extra`` province and city codes after the
    compared fields cost _EXCLUDED, which nothing outweighs: records with another are left out. Names
    compared by similarity (``similar``) are scored apart.
    """
    cost = [-w if a else -r for w, r, a in zip(_W100, _RECORD_ONLY_100, asks, strict=True)] + [
        -_EXCLUDED
    ] * n_extra
    gain = [2 * w if a else 0 for w, a in zip(_W100, asks, strict=True)] + [_EXCLUDED] * n_extra
    if county:
        k = COMPARED.index("county")
        cost[k], gain[k] = -_EXCLUDED, _EXCLUDED + _W100[k]
    for k in similar:
        cost[k] = gain[k] = 0
    return (
        np.array(cost, dtype=np.int16)[:, None],
        np.array(gain, dtype=np.int16)[:, None],
        _sum([w for w, a in zip(_WEIGHT, asks, strict=True) if a]),
    )


def _rescue(
    t: _Tables, address: Address, values: dict[str, str], ids: dict[str, int], scope: tuple[str, int] | None
) -> None:
    """Read a road or compound the parser left unplaced (温州市瑞安市宝城路马屿镇: a road before its town).

    Only a piece that is a name of the base in the text's division, or that reads like a road name
    (then also a near one), is taken.
    """
    for piece in _unplaced(address):
        for f in _NAMES:
            exact = t.ids[f].get(piece)
            found = {exact: 1.0} if exact is not None and _in_scope(t, f, scope, exact) else {}
            if not found and f == "road" and _ROAD_LIKE.fullmatch(piece):
                found = _resolve(t, f, piece, scope)
            if found:
                values[f] = piece
                ids[f] = exact if exact is not None else -1
                return


def _compound_of_the_town(
    t: _Tables, address: Address, values: dict[str, str], ids: dict[str, int], scope: tuple[str, int] | None
) -> None:
    """长安区谈固15栋: a town written by its short name right before a building, with no compound read, is
    the compound named after it there (谈固小区), when the base has one such in the text's divisions."""
    town = next((c for c in address.components if c.field == "town" and not c.repeated), None)
    after = next((c for c in address.components if town is not None and c.start == town.end), None)
    if town is None or after is None or after.field not in ("building", "unit", "room"):
        return
    found = [p for p in t.stems.get(clean(town.text)[0], ()) if _in_scope(t, "poi", scope, p)]
    if len(found) == 1:
        values["poi"], ids["poi"] = t.vocab["poi"][found[0]], found[0]


def _market_of_the_town(
    t: _Tables, address: Address, values: dict[str, str], ids: dict[str, int], scope: tuple[str, int] | None
) -> None:
    """屯昌县枫木墟133号: a town written by its short name and 墟 or 圩 (its market street, 海南 and 广东),
    then a door, is the base's place so named there (枫木镇枫木墟133号 reads 枫木墟 as the compound)."""
    town = next((c for c in address.components if c.field == "town" and not c.repeated), None)
    after = next((c for c in address.components if town is not None and c.start == town.end), None)
    if town is None or after is None or after.field != "extra" or after.text not in ("墟", "圩"):
        return
    found = t.ids["poi"].get(clean(town.text)[0] + after.text)
    if found is not None and _in_scope(t, "poi", scope, found):
        values["poi"], ids["poi"] = t.vocab["poi"][found], found


def _town_in_base(t: _Tables, values: dict[str, str], ids: dict[str, int]) -> None:
    """Place a text that names its town in a way the parser could not read, in that town of the base.

    - A town's short name glued to the village, zone or compound after it (泽雅|五凤垟村, 柳市|新光工业区,
      瓯北|锦绣江南, read as one village, zone or compound, the zone then as the road): the one town of
      the base with that short name, in the text's county (for a compound, one the base has there).
    - A town misspelt with characters of the same sound (唐下镇 for 塘下镇): the one town of the base in
      the text's county that sounds the same.
    """
    from stdaddr.parsing.tail import TOWN_MARKS  # not at import: the parser loads on first use

    county = ids.get("county_code", -1)
    for field in ("town", "community", "road", "poi"):
        name = values.get(field)
        if name is None or ids.get(field, -1) >= 0 or (field == "community" and "community_code" in values):
            continue
        if field == "community" and "poi" not in values and name in t.ids["poi"]:
            continue  # 长桥三村: a compound of the base named like a village (see _query), not 长桥|三村
        if field == "road" and not is_zone_name(name):
            continue
        town = _town_opening(t, name, county) if field != "town" or not name.endswith(TOWN_MARKS) else None
        if field == "poi" and (town is None or town[1] not in t.ids["poi"]):
            continue  # 瓯北|锦绣江南: a compound of the base after its town's short name, or nothing
        if town is None and field == "town":
            town = _town_of_sound(t, name, _named_prefix(t, values, county))
        if town is None:
            continue
        code, rest = town
        values["town_code"], ids["town_code"] = code, t.ids["town_code"][code]
        values.pop("town", None)
        ids.pop("town", None)
        if field != "town":
            # 北白象大桥村, 柳市新光工业区 (a zone read as the road: see base.matching_values)
            values[field], ids[field] = rest, t.ids[field].get(rest, -1)
        return


def _town_opening(t: _Tables, name: str, county: int) -> tuple[str, str] | None:
    """(code, the rest) of the one town of the base whose short name opens ``name`` and leaves a name of
    two characters or more (泽雅五凤垟村 -> 泽雅镇, 五凤垟村), in the county with id ``county`` if any."""
    from stdaddr import gazetteer  # loaded by the parser before any name is matched

    g = gazetteer.load()
    found = set()
    for n in (2, 3):
        if len(name) - n < 2:
            break
        for e in g.lookup(name[:n]):
            if e.level == 3 and e.code in t.ids["town_code"] and _in_county(t, e.code, county):
                found.add((e.code, name[n:]))
    return found.pop() if len(found) == 1 else None


def _named_prefix(t: _Tables, values: dict[str, str], county: int) -> str:
    """The code of the finest division the text names above its town (the county's, else the city's or
    the province's; "" when it names none): the towns of the base it may mean lie under it."""
    if county >= 0:
        return str(t.vocab["county_code"][county])
    return values.get("county_code") or values.get("city_code") or values.get("province_code") or ""


def _town_of_sound(t: _Tables, name: str, prefix: str) -> tuple[str, str] | None:
    """(code, "") of the one town of the base under the division coded ``prefix`` (all of them for "")
    whose name sounds as ``name`` does and differs only in characters of that sound (唐下镇 / 塘下镇;
    大力镇 for 大沥镇 with no county written, when the base has one town of that sound)."""
    key = _sound_key(name)
    found = [
        code
        for code in t.ids["town_code"]
        if code.startswith(prefix)
        and len(town := _town_name(code)) == len(name)
        and _sound_key(town) == key
        and _homophone_similarity(name, town) > 0.0
    ]
    return (found[0], "") if len(found) == 1 else None


def _in_county(t: _Tables, town_code: str, county: int) -> bool:
    return county < 0 or t.vocab["county_code"][county] == town_code[:6]


def _town_name(code: str) -> str:
    from stdaddr import gazetteer

    return gazetteer.load().name(code) or ""


def _old_village(
    t: _Tables, values: dict[str, str], ids: dict[str, int], scope: tuple[str, int] | None
) -> None:
    """A village the base lacks that is a natural village of the base in the text's town: a village
    merged into another lives on as one of its natural villages (杏湾村 in 杏南村杏湾自然村), whose doors
    the base keeps under its name (read as the road: see base.matching_values). A natural village
    written without its administrative one (下垟自然村5号) is found the same way."""
    name = values.get("community")
    if name is None or ids.get("community", 0) >= 0 or ids.get("community_code", -1) >= 0:
        return
    stem = name.removesuffix("自然村") if name.endswith("自然村") else name.removesuffix("村")
    # 白石龙老村87号: a base may write the natural village with its 村 (白石龙社区|白石龙老村|87号)
    stem = stem if stem in t.ids["road"] else name
    road = t.ids["road"].get(stem)
    if len(stem) >= 2 and road is not None and scope is not None and _in_scope(t, "road", scope, road):
        values["road"], ids["road"] = stem, road
        del values["community"], ids["community"]


def _unplaced(address: Address) -> list[str]:
    """Pieces of the text the parser kept as extras that read like names (Chinese characters only, maybe
    in brackets: 江浦村（篁社）7号)."""
    pieces = (c.text.strip(_BRACKETS) for c in address.components if c.field == "extra")
    return [p for p in pieces if _NAME_LIKE.fullmatch(p)]


_BRACKETS = "()（）[]【】"


def _column(values: dict[str, str], f: str) -> str:
    """The column a field is compared on: divisions by code, unless the text has only a name for one."""
    if f in _DIVISIONS and (f"{f}_code" in values or f not in values):
        return f"{f}_code"
    return f


def _scope(ids: dict[str, int]) -> tuple[str, int] | None:
    """The finest division of the text that the base knows, to look names up in."""
    for code in ("town_code", "county_code"):
        if ids.get(code, -1) >= 0:
            return code, ids[code]
    return None


def _in_scope(t: _Tables, field: str, scope: tuple[str, int] | None, name: int) -> bool:
    """Whether name id ``name`` of ``field`` occurs in the scope (any name does when there is no scope)."""
    if scope is None:
        return True
    s = t.scoped[scope[0], field]
    return scope[1] * s.size + name in s.pairs


# How near a place's name without its leading city or county must come to a name of the base (a slip of
# the same sound, 墨驰小学 / 墨池小学, but not another compound of a generic name).
_WITHOUT_PLACES_AGREE = 0.9


def _poi_without_places(
    t: _Tables,
    values: dict[str, str],
    ids: dict[str, int],
    found: dict[str, dict[int, float]],
    scope: tuple[str, int] | None,
) -> None:
    """A place's name the base lacks that opens with a city or county (温州市墨驰小学 written after its door,
    where the base reads 温州市 as a division and 墨池小学 as the place): the name without it, when that
    resolves better."""
    name = values["poi"]
    short = _without_places(name)
    if short == name or len(short) < 2:
        return
    alt = _resolve(t, "poi", short, scope)
    best = max(alt.values(), default=0.0)
    if best >= _WITHOUT_PLACES_AGREE and best > max(found["poi"].values(), default=0.0):
        values["poi"], ids["poi"], found["poi"] = short, t.ids["poi"].get(short, -1), alt


def _place_at_the_door(
    t: _Tables, name: str, ids: dict[str, int], found: dict[str, dict[int, float]]
) -> None:
    """A place the text names at its door by the short name people call it (华师 at 珞喻路152号 for
    华中师范大学, 协和医院 for 华中科技大学同济医学院附属协和医院): one of the few places the base has at that
    door, taken as a name written short."""
    rows = t.groups["door"].rows(ids["road"] * t.sizes["house_number"] + ids["house_number"])
    places = {int(p) for p in t.fields[COLUMN_INDEX["poi"]].take(rows).tolist() if p >= 0}
    if len(places) > _PLACES_AT_A_DOOR:
        return
    short = {
        p: _WRITTEN_SHORT
        for p in places
        if found["poi"].get(p, 0.0) < _WRITTEN_SHORT and organisation_written_short(name, t.vocab["poi"][p])
    }
    if short:
        found["poi"] = {**found["poi"], **short}


# More places at one door than this (a market, an office tower's firms): none is told by a short name.
_PLACES_AT_A_DOOR = 4


def _campus(after: str) -> re.Pattern[str]:
    """A campus or branch of an organisation at a name's end, after one of the characters ``after``, or a
    side of it (望江校区, 光谷院区; 东院, 东区), which its short name leaves out."""
    return re.compile(
        f"(?:(?<=[{after}])[\u3400-\u9fff]{{1,4}}(?:校区|院区|分院|分校)|[东西南北中](?:院|区|校区))$"
    )


_CAMPUS = _campus("学院所")
_CAMPUS_AFTER_SHORT = _campus("大学院所")  # (交大闵行校区)
# The words a lane, street or village is named by as a part of another (上张家巷, 中张家巷, 下张家巷), and
# the kinds of place so named.
_PLACE_PREFIXES = frozenset("上中下前后")
_PARTED_KINDS = ("巷", "弄", "里", "街", "路", "村", "坊", "宅")
_ORGANISATION_KIND = re.compile("(?:大学|学院|医院|中学|小学|研究院|研究所)$")
_AFFILIATED = "附属"


def _written_short(short: str, long: str) -> float:
    """The similarity of a name written short to its whole: _WRITTEN_SHORT, a little more the fewer
    characters the short name leaves out between its own (南大 nearer 南京大学 than 南京师范大学), never
    reaching another rule's level."""
    return _WRITTEN_SHORT + _COMPACT * (20 - _characters_skipped(short, long))


_COMPACT = 0.0005


def _characters_skipped(short: str, long: str) -> int:
    """How many characters of ``long`` lie between the first and last of ``short``'s found in order (at
    most 20)."""
    at = long.find(short[0])
    if at < 0:
        return 0
    first, k = at, 0
    for i in range(at, len(long)):
        if k < len(short) and long[i] == short[k]:
            k += 1
            if k == len(short):
                return min(20, i - first + 1 - len(short))
    return 0


def organisation_written_short(short: str, long: str) -> bool:
    """Whether ``short`` is how people call the organisation ``long``: its characters in order, the first
    among the first three of ``long`` (after a place's name: 川 of 四川大学, 交 of 上海交通大学), maybe
    without its campus (华师 for 华中师范大学, 理工大 for 武汉理工大学马房山校区, 川大东区 for 四川大学望江校区);
    or its name after the body it belongs to (协和医院 for 华中科技大学同济医学院附属协和医院).

    >>> organisation_written_short("西财", "西南财经大学光华校区"), organisation_written_short("华师", "华夏花园")
    (True, False)
    """
    whole = _CAMPUS.sub("", long) or long
    whole = _CAMPUS.sub("", whole) or whole  # (四川大学望江校区东区: a campus, then its area)
    if _ORGANISATION_KIND.search(whole) is None:
        return False
    if short == whole:
        return True  # 西南财经大学 for its 光华校区, at its door
    if len(short) >= 4 and long.endswith(_AFFILIATED + short):
        return True
    stem = _CAMPUS_AFTER_SHORT.sub("", short) or short
    if not 2 <= len(stem) <= len(whole) - 2 or stem[0] not in whole[:3]:
        return False
    numerals = [ch for ch in stem if ch in _NUMERAL_CHARS]
    if numerals and numerals != [ch for ch in whole if ch in _NUMERAL_CHARS]:
        return False  # (温州二中 is no name of 温州市第十二中学)
    if (area := short[len(stem) :]) and whole != long and not long.endswith(area):
        # (川大西区 is no name of 四川大学望江校区东区, 川大江安校区 none of its 望江校区; a base naming no
        # campus, 安徽大学 for 安大龙河校区, says nothing against one)
        return False
    rest = iter(whole[whole.index(stem[0]) :])
    return all(ch in rest for ch in stem)


def _resolve(t: _Tables, field: str, name: str, scope: tuple[str, int] | None) -> dict[int, float]:
    """Vocabulary ids of ``field`` that ``name`` may stand for, with their similarity.

    An exact name in the scope is taken as it is; otherwise a fuzzy lookup in the scope runs
    (an exact name found only outside the scope is kept as one more candidate). Fuzzy results are
    remembered (a misspelt name tends to come back); callers do not change the dict returned.
    """
    exact = t.ids[field].get(name)
    if exact is not None and _in_scope(t, field, scope, exact):
        return {exact: 1.0}
    key = (field, name, scope)
    found = t.resolved.get(key)
    if found is None:
        found = _fuzzy(t, field, name, scope)
        if field == "poi":
            # 锦绣小区 for 锦绣花园, 温州二中 for 第二中学: names a fuzzy lookup may not find.
            for short, table in ((compound_stem(name), t.stems), (school_key(name), t.schools)):
                for i in table.get(short, ()) if short is not None else ():
                    sim = _similarity(name, t.vocab[field][i])
                    if sim >= _NAME_AGREE and _in_scope(t, field, scope, i):
                        found[i] = max(found.get(i, 0.0), sim)
        if not found and len(name) <= _SOUND_LOOKUP_MAX:
            found = _of_sound(t, field, name, scope)
        if exact is not None:
            found.setdefault(exact, 1.0)
        if len(t.resolved) >= _RESOLVED_MAX:
            t.resolved.clear()
        t.resolved[key] = found
    return found


# Names this short differ by half their ratio in one character (上奥 / 上岙): the fuzzy lookup cannot
# find them, a lookup by sound can.
_SOUND_LOOKUP_MAX = 3


def _of_sound(t: _Tables, field: str, name: str, scope: tuple[str, int] | None) -> dict[int, float]:
    """The names of ``field`` in the scope that sound as ``name`` does (上奥 for 上岙), with their similarity."""
    by_sound = t.sounds.get(field)
    if by_sound is None:
        by_sound = t.sounds[field] = _keyed(t.vocab[field], _short_sound_key)
    found = {}
    for i in by_sound.get(_sound_key(name), ()):
        sim = _similarity(name, t.vocab[field][i])
        if sim >= _NAME_AGREE and _in_scope(t, field, scope, i):
            found[i] = sim
    return found


def _short_sound_key(name: str) -> str | None:
    return _sound_key(name) if len(name) <= _SOUND_LOOKUP_MAX else None


def _fuzzy(t: _Tables, field: str, name: str, scope: tuple[str, int] | None) -> dict[int, float]:
    names = t.vocab[field]
    in_scope = None
    if scope is not None:
        scoped = t.scoped[scope[0], field]
        in_scope = scoped.names(scope[1])
    if in_scope is not None and len(in_scope) <= _SCOPE_SCAN:
        pool = in_scope
        choices = scoped.choices.get(scope[1])  # type: ignore[index, union-attr]  # set with in_scope
        if choices is None:
            choices = scoped.choices[scope[1]] = [names[i] for i in pool.tolist()]  # type: ignore[index, union-attr]
    else:
        chars = t.chars[field]
        lists = [chars[ch] for ch in set(name) if ch in chars]
        if not lists:
            return {}
        pool = np.unique(np.concatenate(lists))
        if in_scope is not None:
            pool = np.intersect1d(pool, in_scope, assume_unique=True)
        choices = [names[i] for i in pool.tolist()]
    if not len(pool):
        return {}
    # Many names share a ratio (one character of three differs): take them all, then rank them by
    # name_similarity, which sets a transposition apart.
    hits = process.extract(
        name, choices, scorer=fuzz.ratio, limit=_FUZZY_POOL, score_cutoff=_NAME_AGREE * 100, processor=None
    )
    if field == "poi" and len(name) >= 3 and _KIND.search(name):
        # 融荫苑 for 滨湖世纪城融荫苑: a part of a larger estate, whose ratio may be low (see name_similarity)
        hits.extend((c, 0.0, k) for k, c in enumerate(choices) if len(c) > len(name) and c.endswith(name))
    elif field == "poi" and len(name) >= 4 and _ORGANISATION_KIND.search(name):
        # 协和医院 for 华中科技大学同济医学院附属协和医院 (see name_similarity)
        hits.extend((c, 0.0, k) for k, c in enumerate(choices) if c.endswith(_AFFILIATED + name))
    if not hits:
        return {}
    sims = sorted(((_similarity(name, choice), int(pool[k])) for choice, _, k in hits), reverse=True)
    best = sims[0][0]
    return {i: sim for sim, i in sims[:_FUZZY_LIMIT] if sim >= max(best - _FUZZY_KEEP, _NAME_AGREE)}


# The words of why a resettlement estate was built, before its kind (易地扶贫搬迁|安置点, 移民搬迁|安置小区).
_RESETTLEMENT = re.compile(
    "(?:易地扶贫|扶贫|易地|生态|水库|库区)?(?:移民)?(?:搬迁)?(?=安置(?:点|区|小区|房))"
)


def name_similarity(a: str, b: str) -> float:
    """rapidfuzz ratio of two road or compound names, with three corrections.

    Names of the same length are compared by Levenshtein similarity, which is the ratio when the
    names differ by wrong characters (鼓山花园 / 金山花园), and lower when a character is dropped on one
    side and another added on the other (鸿泰花园 / 泰安花园): that is no typing slip but another name.
    A transposition (解放路 / 放解路) scores _SWAP_SIMILARITY: a typing slip that the ratio scores like
    a wrong character, while it rarely turns one real name into another. Names of different kinds
    (中山路 / 中山街, 绣山花园 / 绣山公寓) are different places however alike: they score at most
    _OTHER_KIND, below agreement; but one stem with two garden words (锦绣苑 / 锦绣花园) scores
    _GARDEN_DRIFT, and with 小区 for its kind (锦绣小区 / 锦绣花园) _SAME_STEM.

    >>> round(name_similarity("鼓山花园", "金山花园"), 2), round(name_similarity("鸿泰花园", "泰安花园"), 2)
    (0.75, 0.5)
    """
    if not a or not b:
        return float(a == b)  # (an empty name: a name with the short name it was matched by taken out)
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if (
        (why := _RESETTLEMENT.search(long)) is not None
        and len(short) > why.start() >= 2
        and short == long[: why.start()] + long[why.end() :]
    ):
        # 明硐安置点 for 明硐易地扶贫搬迁安置点: a resettlement estate without the words of why it was built, as
        # its people say it
        return _SAME_STEM
    if len(short) >= 2 and long.startswith(short) and _PLACE_KIND_LEFT_OUT.fullmatch(long, len(short)):
        # 百盛 for 百盛购物中心, 国贸 for 国贸大厦: a place written without the word of its kind.
        return _KIND_LEFT_OUT
    if len(short) >= 2 and long == short + _GENERIC_KIND and _KIND.search(short) is None:
        # 竞舟 for 竞舟小区: an estate written without the generic word (as a compound with its own kind
        # is: 华苑 for 华苑小区, see same_estate).
        return _SAME_STEM
    if len(short) >= 2 and long == short + "新村" and _KIND.search(short) is None:
        # 塘南12幢 for 塘南新村12幢: an estate of 新村 (江苏, 上海) written without it, as its people say it;
        # less surely (塘南 may be the village 塘南村), so the building or room the record has confirms it.
        return _KIND_LEFT_OUT
    if (
        len(short) >= 3
        and long.endswith(short)
        and _KIND.search(short)
        and _KIND.search(long, 0, len(long) - len(short))
    ):
        # 融荫苑 for 滨湖世纪城融荫苑, 清友园 for 北苑家园清友园: a part of a larger estate, written without it.
        return _WRITTEN_SHORT
    if len(short) >= 4 and long.endswith(_AFFILIATED + short) and _ORGANISATION_KIND.search(short):
        # 协和医院 for 华中科技大学同济医学院附属协和医院: a body named after the one it belongs to, written
        # by its own name.
        return _WRITTEN_SHORT
    if (
        len(short) >= 3
        and len(long) == len(short) + 1
        and long[0] in _PLACE_PREFIXES
        and long.endswith(short)
        and short.endswith(_PARTED_KINDS)
    ):
        # 张家巷 / 中张家巷, 塘下村 / 上塘下村: a lane, street or village named as the upper, middle, lower,
        # front or back part of another is another place. (Other names, 都小区 / 中都小区, lose their first
        # character by a slip as often.)
        return min(fuzz.ratio(a, b, processor=None) / 100, _ONE_DIRECTION)
    if _abbreviates(short, long):
        # 兰大家属院 for 兰州大学家属院, 交大家属院 for 兰州交通大学家属院: a work unit's compound written with
        # the unit's name cut short, as its people say it.
        return _written_short(short, long)
    if _staff_quarters(a, b):
        # 洛铜宿舍 / 洛铜家属院, 六冶大院 / 六冶家属院: a work unit's housing by another of its words; near, as
        # the unit's office compound (市委大院) may be another place, so the building or room confirms it.
        return _GARDEN_DRIFT
    part_a, part_b = _ROAD_PART.search(a), _ROAD_PART.search(b)
    if (part_a or part_b) and (part_a and part_a.group(1)) != (part_b and part_b.group(1)):
        # 黄埔大道西 / 黄埔大道东, 一环路南三段 / 一环路南四段: parts of one road numbered on their own.
        whole_a = a[: part_a.start(1)] if part_a else a
        whole_b = b[: part_b.start(1)] if part_b else b
        return min(name_similarity(whole_a, whole_b), _OTHER_KIND if part_a and part_b else _ONE_DIRECTION)
    qa, qb = _STAFF_QUARTERS.search(a), _STAFF_QUARTERS.search(b)
    if qa and qb and qa.group() == qb.group() and qa.start() >= 2 and qb.start() >= 2:
        # 韩桥矿宿舍 / 夏桥矿宿舍: two units' housing; the word of its kind, long and shared, is no part of
        # what tells them apart (a slip of one character in 韩桥矿 is one in three).
        a, b = a[: qa.start()], b[: qb.start()]
    if a.endswith(_GENERIC_KIND) and b.endswith(_GENERIC_KIND):
        # 塘下新村小区 / 塘下新城小区: the generic word after both hides that their own kinds differ.
        short_a, short_b = a.removesuffix(_GENERIC_KIND), b.removesuffix(_GENERIC_KIND)
        if _KIND.search(short_a) and _KIND.search(short_b):
            a, b = short_a, short_b
    if len(a) == len(b):
        ratio = Levenshtein.normalized_similarity(a, b, processor=None)
        if ratio < 1.0:
            ratio = max(ratio, _homophone_similarity(a, b))
    else:
        ratio = fuzz.ratio(a, b, processor=None) / 100
    if ratio < _SAME_STEM and _same_school(a, b):
        return _SAME_STEM
    if _same_hospital(a, b):
        return max(ratio, _SAME_STEM)  # (above the check that two organisations differ in a character)
    if ratio < _KIND_LEFT_OUT and _firm_written_short(short, long):
        # 欧普照明 for 中山市欧普照明股份有限公司, 格力电器 for 珠海格力电器股份有限公司斗门分厂: a firm by its own
        # name, without the places before it and its legal form.
        return _KIND_LEFT_OUT
    if ratio < _WRITTEN_SHORT and organisation_written_short(short, long):
        # 川大望江校区 for 四川大学望江校区; the fewer characters the short name leaves out between its own, the
        # nearer (南大 is 南京大学 rather than 南京师范大学)
        return _written_short(short, long)
    kind_a, kind_b = _KIND.search(a), _KIND.search(b)
    if kind_a and kind_b and kind_a.group() != kind_b.group():
        if same_estate(a, b):
            return _SAME_STEM
        if _garden_drift(a, b):
            return _GARDEN_DRIFT
        return min(ratio, _OTHER_KIND)
    if ratio > _OTHER_KIND and (kind_a or kind_b):
        ratio = min(ratio, _direction_cap(a, b), _ordinal_cap(a, b))
    if ratio > _OTHER_KIND:
        ratio = min(ratio, _direction_cap(a, b, _COMPOUND_DIRECTION))  # 华威里 / 华威西里
    if ratio > _OTHER_KIND:
        # 锦绣江南 / 锦绣江北, 东城根上街 / 东城根下街: one character of a pair of opposites is another place.
        ratio = min(ratio, _opposite_cap(a, b))
    if ratio > _OTHER_KIND and (len(a) == len(b) and _numbers_differ(a, b) or _numbered_apart(a, b)):
        # 第一医院 / 第二医院, 阳光花园一期 / 二期, 东四十条 / 东四十二条: numbered in a row, not misspelt
        return _OTHER_KIND
    if ratio > _OTHER_KIND and (other_organisation(a, b) or _stems_apart(a, b)):
        return _OTHER_KIND
    if ratio < _SWAP_SIMILARITY and len(a) == len(b) and sorted(a) == sorted(b):
        return _SWAP_SIMILARITY
    return ratio


# The words of a work unit's housing compound (宿舍, 家属院, 大院, 生活区 …), which its people write for one
# another.
_STAFF_QUARTERS = re.compile("(?:职工)?(?:宿舍区|宿舍|家属院|家属区|家属楼|大院|生活区)$")


def _staff_quarters(a: str, b: str) -> bool:
    """Whether two names are one work unit's housing by two of its words (洛铜宿舍 / 洛铜家属院), or by the
    unit's name alone on one side (衡钢 / 衡钢家属区, as its people write it before a building), the unit's
    name two characters or more; a works' 厂 may be left out (331宿舍 / 331厂生活区)."""
    ma, mb = _STAFF_QUARTERS.search(a), _STAFF_QUARTERS.search(b)
    if (ma is None and mb is None) or (ma and mb and ma.group() == mb.group()):
        return False
    stem_a = (a[: ma.start()] if ma else a).removesuffix("厂")
    stem_b = (b[: mb.start()] if mb else b).removesuffix("厂")
    return len(stem_a) >= 2 and stem_a == stem_b


def _firm_written_short(short: str, long: str) -> bool:
    """Whether ``short`` is the firm ``long`` by its own name: ``long`` without its legal form (股份有限公司,
    有限公司, 集团) and a branch after it, and without the names of places before it, is ``short`` (maybe
    with a legal form of its own: 欧普照明公司).

    >>> _firm_written_short("格力电器", "珠海格力电器股份有限公司斗门分厂"), _firm_written_short("华帝", "中山市华帝燃具有限公司")
    (True, False)
    """
    legal = _LEGAL_FORM.search(long)
    if legal is None:
        return False
    own = long[: legal.start()]
    if (its := _LEGAL_FORM.search(short)) is not None:
        short = short[: its.start()]  # 欧普照明公司: a legal form written short
    if len(short) < 3 or len(own) <= len(short) - 1:
        return False
    if len(short) >= 4:
        # 华晟精密 for 无锡华晟精密机械有限公司: its name without the trade after it (机械, 科技, 包装材料)
        at = own.find(short)
        if at >= 0 and (at == 0 or _may_add(own[:at])) and 0 < len(own) - at - len(short) <= 4:
            return True
    return own.endswith(short) and (len(own) == len(short) or _may_add(own[: -len(short)]))


# A firm's legal form at the end of its name, with a branch after it (…股份有限公司斗门分厂).
_LEGAL_FORM = re.compile(
    "(?:集团)?(?:股份有限公司|有限责任公司|有限公司|股份公司|公司)"
    "(?:[\u3400-\u9fff\U00020000-\U0003ffff]{0,4}?(?:分公司|分厂|分部|办事处|工厂))?$"
)


def _abbreviates(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` with its name cut short: both end alike in two characters or more
    (家属院, 小区), and the rest of ``short`` is two characters or more that the rest of ``long`` holds in
    order, apart, with two characters or more besides (兰大 of 兰州大学, 医大 of 宁夏医科大学)."""
    k = 0
    while k < len(short) and short[-1 - k] == long[-1 - k]:
        k += 1
    stem, whole = short[: len(short) - k], long[: len(long) - k]
    if k < 2 or len(stem) < 2 or len(whole) < len(stem) + 2 or stem in whole:
        return False  # (中国银行 / 中国工商银行: words put in whole, another name)
    rest = iter(whole)
    return all(ch in rest for ch in stem)


# A park's kind (a long one: names sharing only it read alike by their ratio).
_PARK_KIND = re.compile("(?:工业园区|工业园|工业区|工业城|科技园|产业园|创业园|工业村)$")


def _stems_apart(a: str, b: str) -> bool:
    """Whether two names of one kind share no character before it (清湖工业园 / 杨美工业园, 塘尾工业园 /
    新和工业园): two places, however much of the name the kind is. (鼓山花园 / 金山花园 share 山; a
    stem of one character may be misspelt whole: 桦园 / 华园.)"""
    kind_a = _PARK_KIND.search(a) or _KIND.search(a)
    kind_b = _PARK_KIND.search(b) or _KIND.search(b)
    if kind_a is None or kind_b is None or kind_a.group() != kind_b.group():
        return False
    stem_a, stem_b = a[: kind_a.start()], b[: kind_b.start()]
    return len(stem_a) >= 2 and len(stem_b) >= 2 and not set(stem_a) & set(stem_b)


def _direction_cap(a: str, b: str, directions: re.Pattern[str] = _DIRECTION) -> float:
    """The most two road names can agree given their directions: 1 without a direction or with the
    same one, _OTHER_KIND for two directions of one name (永宁东路 / 永宁西路), _ONE_DIRECTION for a
    direction on one side of one name (邮电路 / 邮电东路); with ``directions`` _COMPOUND_DIRECTION, the
    same for compounds (华威里 / 华威西里, 和平东里 / 和平西里)."""
    da, db = directions.search(a), directions.search(b)
    if da is None and db is None:
        return 1.0
    if da is not None and db is not None:
        if da.group(1) == db.group(1):
            return 1.0
        if a[: da.start()] == b[: db.start()]:
            return _OTHER_KIND
        # 江东路 / 江东中路: the name's own last character is a direction; the other adds one
        for one, other, m in ((a, b, db), (b, a, da)):
            if one == other[: m.start()] + other[m.end(1) :]:
                return _ONE_DIRECTION
        return 1.0
    plain, directed, d = (a, b, db) if da is None else (b, a, da)
    assert d is not None
    stem = directed[: d.start()]
    return _ONE_DIRECTION if plain.startswith(stem) and plain[len(stem) :] == directed[d.end(1) :] else 1.0


def _numbers_differ(a: str, b: str) -> bool:
    """Whether two names of one length differ only in numerals of other values (第一医院 / 第二医院; not
    伍马 / 五马, one numeral written two ways)."""
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return bool(differ) and all(
        _numeral_at(a, i)
        and _numeral_at(b, i)
        and a[i].translate(PLAIN_NUMERALS) != b[i].translate(PLAIN_NUMERALS)
        for i in differ
    )


def _numeral_at(name: str, i: int) -> bool:
    """Whether the character at ``i`` is a numeral: a digit, or 头 (first) before 条, 道, 排 or 巷 (西四北头条 /
    西四北九条, Beijing's hutongs numbered in a row)."""
    return name[i] in _NUMERAL_CHARS or (name[i] == "头" and name[i + 1 : i + 2] in ("条", "道", "排", "巷"))


def _numbered_apart(a: str, b: str) -> bool:
    """Whether two names end in one kind of numbered part with other numbers after one stem (东四十条 /
    东四十二条, 和平里三区 / 和平里十三区), numbers of different lengths that _numbers_differ does not see."""
    ma, mb = _NUMBERED_END.search(a), _NUMBERED_END.search(b)
    if ma is None or mb is None or ma.group(2) != mb.group(2) or a[: ma.start()] != b[: mb.start()]:
        return False
    return _numeral_key(ma.group(1)) != _numeral_key(mb.group(1))


def _numeral_key(numeral: str) -> str:
    """A numeral as Chinese writes it in a name: 12 -> 十二, 贰 -> 二 (四三 stays 四三, not 四十三)."""
    return chinese_numeral(int(numeral)) if numeral.isascii() else numeral.translate(PLAIN_NUMERALS)


_NUMBERED_END = re.compile("([零〇一二两三四五六七八九十百0-9]+)(条|区|期|组团|巷|弄|路|街|号楼|组|队|街坊)$")
_NUMERAL_CHARS = frozenset(CN_DIGITS + CN_UNITS + "0123456789")

# The end of an organisation's name (有限公司, 支行, 派出所, 医院, 中心, 超市, 厂 ...).
# (and a campus of one: 沙河校区 / 清水河校区 of one university are two places)
_ORGANISATION = re.compile(
    "(?:公司|厂|店|行|所|院|校|学|局|站|中心|(?<!公)馆|部|社|室|处|队|超市|校区|院区)$"
)
# Words an organisation's name may leave out or add without naming another (有限, 股份, 集团, 中国), and
# division marks (温州市 / 温州, 五马街道 / 五马).
# A branch or department after an organisation's name, maybe after the place it serves.
_BRANCH = re.compile(
    "[\u3400-\u9fff\U00020000-\U0003ffff]{0,4}?(?:分行|支行|分理处|营业部|分院|分店|分公司|分部|住院部|门诊部|门诊)"
)
_ORGANISATION_FILLERS = frozenset(("有限", "有限责任", "股份", "股份有限", "集团", "分", "总", "中国"))
_DIVISION_MARK_CHARS = frozenset("省市区县镇乡街道社村")
# Banks as people write them (农行塘下支行 for 中国农业银行瑞安塘下支行).
_BANK_SHORT = (
    ("工行", "中国工商银行"),
    ("农行", "中国农业银行"),
    ("建行", "中国建设银行"),
    ("中行", "中国银行"),
    ("交行", "交通银行"),
)


def other_organisation(a: str, b: str) -> bool:
    """Whether two organisations' names sharing their kind name two organisations. Every run of characters
    where they differ must be a slip of the same sound (华联 / 华连超市), a numeral written another way,
    or, on one side only, a word any name of the kind may add or leave out (有限, 集团, a division's name
    or mark: 温州五马眼镜有限公司 / 五马眼镜公司); else they are two (宏达 / 鑫达汽摩配件有限公司, 马屿 / 塘下支行,
    中国银行 / 中国工商银行, 瑞安市人民医院 / 瑞安市中医院)."""
    if not (_ORGANISATION.search(a) and _ORGANISATION.search(b)):
        return False
    a, b = _bank_in_full(a), _bank_in_full(b)
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if long.endswith(short) and _may_add(long[: -len(short)]):
        return False  # 东华医院 / 东莞市东华医院: the name after its city's
    if long.startswith(short) and _BRANCH.fullmatch(long, len(short)):
        return False  # 中国银行 / 中国银行东莞分行, 长安医院乌沙分院 / 长安医院乌沙分院住院部: one of its branches
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            continue
        own_a, own_b = a[op.src_start : op.src_end], b[op.dest_start : op.dest_end]
        if op.tag == "replace":
            if own_a.translate(PLAIN_NUMERALS) == own_b.translate(PLAIN_NUMERALS):
                continue
            if len(own_a) == len(own_b) and all(_near_sound(x, y) for x, y in zip(own_a, own_b, strict=True)):
                continue
            return True
        if not _may_add(own_a or own_b):
            return True
    return False


# The sounds a pinyin keyboard's fuzzy setting (模糊音) takes for one: zh/z, ch/c, sh/s, l/n, ang/an, eng/en,
# ing/in. Names typed so come out with a character of a near sound (人名医院 for 人民医院).
_FUZZY_SOUND = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


@functools.lru_cache(maxsize=1 << 14)
def _fuzzy_sound(char: str) -> str:
    sound = _sound(char)
    for fuzzy, plain in _FUZZY_SOUND:
        sound = sound.replace(fuzzy, plain)
    return "n" + sound[1:] if sound.startswith("l") else sound


def _near_sound(x: str, y: str) -> bool:
    """Whether two characters sound alike to a pinyin keyboard's fuzzy setting (名 / 民, 是 / 四)."""
    return x == y or _fuzzy_sound(x) == _fuzzy_sound(y)


def _bank_in_full(name: str) -> str:
    for short, full in _BANK_SHORT:
        if short in name and full not in name:
            return name.replace(short, full, 1)
    return name


def _may_add(word: str) -> bool:
    """Whether an organisation's name may add ``word`` and stay the same name: a filler (有限, 集团), division
    marks, or names of divisions (温州, 温州五马)."""
    if word in _ORGANISATION_FILLERS or set(word) <= _DIVISION_MARK_CHARS:
        return True
    rest = word
    while rest:
        n = next((n for n in range(min(len(rest), 6), 1, -1) if _names_a_place(rest[:n])), 0)
        if not n:
            return rest in _ORGANISATION_FILLERS or set(rest) <= _DIVISION_MARK_CHARS
        rest = rest[n:]
    return True


def _names_a_place(word: str) -> bool:
    """Whether a word is the name or short name of a division (塘下, 瑞安市)."""
    from stdaddr import gazetteer  # loaded by the parser before any name is matched

    return bool(gazetteer.load().lookup(word))


def road_cap(a: str, b: str, *, one_sided: bool = True) -> float:
    """The most two road names can agree whatever their characters: two directions (永宁东路 / 永宁西路),
    two numbers in a row (鞋都一路 / 鞋都四路) or two parts (黄埔大道西 / 黄埔大道东) are two roads
    (_OTHER_KIND); one written on one side only agrees at most _ONE_DIRECTION (with ``one_sided``;
    else it does not lower the agreement)."""
    if _staff_quarters(a, b):
        # 洛铜宿舍 / 洛铜家属院, 六冶大院 / 六冶家属院: a work unit's housing by another of its words; near, as
        # the unit's office compound (市委大院) may be another place, so the building or room confirms it.
        return _GARDEN_DRIFT
    part_a, part_b = _ROAD_PART.search(a), _ROAD_PART.search(b)
    if (part_a or part_b) and (part_a and part_a.group(1)) != (part_b and part_b.group(1)):
        return _OTHER_KIND if part_a and part_b else _ONE_DIRECTION if one_sided else 1.0
    cap = min(_direction_cap(a, b), _ordinal_cap(a, b), _opposite_cap(a, b))
    return cap if one_sided or cap < _ONE_DIRECTION else 1.0


def _opposite_cap(a: str, b: str) -> float:
    """_OTHER_KIND for two names that differ in one character of a pair of opposites inside them
    (东城根上街 / 东城根下街, 朝阳门内大街 / 朝阳门外大街): the two halves of a street, two roads."""
    if len(a) != len(b):
        return 1.0
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if len(differ) != 1:
        return 1.0
    x, y = differ[0]
    # 红莲中里 / 红莲南里, 平原里北区 / 东区: two directions of one name are two parts of it.
    return _OTHER_KIND if frozenset((x, y)) in _OPPOSITES or (x in _DIRECTIONS and y in _DIRECTIONS) else 1.0


def _ordinal_cap(a: str, b: str) -> float:
    """The most two road names can agree given their numbers: roads numbered in a row are different
    streets (鞋都一路 / 鞋都四路: _OTHER_KIND); a number on one side only (鞋都路 / 鞋都一路) agrees at
    most _ONE_DIRECTION, like a direction."""
    na, nb = _ORDINAL.search(a), _ORDINAL.search(b)
    if na is None and nb is None:
        return 1.0
    if na is not None and nb is not None:
        same_stem = a[: na.start()] == b[: nb.start()] and a[na.end(1) :] == b[nb.end(1) :]
        return _OTHER_KIND if same_stem and na.group(1) != nb.group(1) else 1.0
    plain, numbered, n = (a, b, nb) if na is None else (b, a, na)
    assert n is not None
    stem = numbered[: n.start()]
    return _ONE_DIRECTION if plain == stem + numbered[n.end(1) :] else 1.0


def _village_of_sound(t: _Tables, name: str, scope: tuple[str, int] | None) -> int | None:
    """The one community of the base in the text's town (or county; the whole base when the text names
    neither) whose name sounds as ``name`` does and differs from it only in characters of that sound
    (垟/洋, 岙/奥, 吕/旅; 香级寺村 for 香积寺村), or None."""
    if t.villages is None:
        t.villages = _villages(t)
    by_sound, where = t.villages
    found = [
        v
        for v in dict.fromkeys(v for key in _sound_keys(name) for v in by_sound.get(key, ()))
        if len(t.vocab["community"][v]) == len(name)
        and _homophone_similarity(name, t.vocab["community"][v]) > 0.0
        and (scope is None or (COLUMN_INDEX[scope[0]], scope[1]) in where.get(v, ()))
    ]
    return found[0] if len(found) == 1 else None


def _village_of_one_slip(t: _Tables, name: str, scope: tuple[str, int] | None) -> int | None:
    """The one community of the base in the text's town whose name differs from ``name`` in one character
    of its stem, no number and no pair of opposites or directions (鸟吉民村 for 乌吉民村, 敖曰给呼嘎查 for
    敖日给呼嘎查: slips of OCR and of the eye), for a name of three characters or more before its mark; or
    None. Only within a town, and only for a name the divisions do not list there (the caller's)."""
    stem = without_community_mark(name)
    if scope is None or scope[0] != "town_code" or len(stem) < 3:
        return None
    if t.villages is None:
        t.villages = _villages(t)
    where = t.villages[1]
    mark = name[len(stem) :]
    found = []
    for v, places in where.items():
        other = t.vocab["community"][v]
        if (COLUMN_INDEX["town_code"], scope[1]) not in places or len(other) != len(name):
            continue
        if not other.endswith(mark) or without_community_mark(other) != other[: len(stem)]:
            continue
        differ = [(x, y) for x, y in zip(stem, other, strict=False) if x != y]
        if (
            len(differ) == 1
            and not _NUMBERED.search("".join(differ[0]))
            and _opposite_cap(stem, other[: len(stem)]) == 1.0
        ):
            found.append(v)
    return found[0] if len(found) == 1 else None


_NUMBERED = re.compile("[0-9零〇一二两三四五六七八九十百]")


# A room numbered after its tower's letter (深圳's 2栋B1503 for 2栋B座1503), and the tower written apart.
_LETTERED_ROOM = re.compile("([A-Z])([0-9]{3,4}室)")
_LETTERED_UNIT = re.compile("([A-Z])(?:座|单元)")


def _lettered_room(t: _Tables, values: dict[str, str], ids: dict[str, int]) -> None:
    """Write a room lettered by its tower (B1503室) as the building's records do, where they write the
    letter as the unit (B座 1503室), and the other way round: only when the building has that room."""
    if "unit" in values:
        letter = _LETTERED_UNIT.fullmatch(values["unit"])
        assert letter is not None
        written, unit = letter.group(1) + values["room"], None
    else:
        lettered = _LETTERED_ROOM.fullmatch(values["room"])
        if lettered is None:
            return
        written, unit = lettered.group(2), lettered.group(1)
    r = t.ids["room"].get(written, -1)
    if r < 0:
        return
    # (the rooms of the building are gathered only for a lettered room or unit: a compound's are many)
    rooms = _rooms_here(t, ids)
    if rooms is None or (ids["room"] >= 0 and (rooms == ids["room"]).any()) or not (rooms == r).any():
        return
    if unit is None:
        values["room"], ids["room"] = written, r
        del values["unit"], ids["unit"]
        return
    for name in (unit + "座", unit + "单元"):
        if (u := t.ids["unit"].get(name, -1)) >= 0:
            values["unit"], ids["unit"] = name, u
            values["room"], ids["room"] = written, r
            return


_FLOOR_NUMBER = re.compile("([1-9][0-9]?)层")


def _rooms_here(t: _Tables, ids: dict[str, int]) -> NDArray[np.int32] | None:
    """The rooms of the base in the text's building of its compound, or at its door, or in its compound
    when it names no building, or None when the base has no records there: where a base writes rooms in
    two ways (301室, 3楼1号), the building's own way is the one to match."""
    if ids.get("poi", -1) >= 0 and ids.get("building", -1) >= 0:
        rows = t.groups["poi_building"].rows(ids["poi"] * t.sizes["building"] + ids["building"])
    elif ids.get("road", -1) >= 0 and ids.get("house_number", -1) >= 0:
        rows = t.groups["door"].rows(ids["road"] * t.sizes["house_number"] + ids["house_number"])
    elif ids.get("poi", -1) >= 0 and "building" not in ids:
        rows = t.groups["poi"].rows(ids["poi"])  # 雨田大厦18楼3号: a tower, its floors with no building
    else:
        return None
    return t.fields[_ROOM_COLUMN, rows] if len(rows) else None  # (a compound's may be thousands: no set)


def _room_written_as_the_base(
    t: _Tables,
    values: dict[str, str],
    ids: dict[str, int],
    forms: list[tuple[str | None, str]],
    rooms: NDArray[np.int32] | None,
) -> None:
    """The text's floor and room written the way the base writes them in the building (``rooms``, None when
    unknown), when the base lacks them as written there: 3楼1号 (成都, 重庆) for the base's 301室, 202室 for
    its 2楼2号 (2层, 2室), 12-3 (重庆: the third flat of the twelfth floor) for its 1203室."""
    if ids.get("room", 0) >= 0 and (rooms is None or (rooms == ids["room"]).any()):
        return
    for floor, room in forms:
        if (
            room in t.ids["room"]
            and (floor is None or floor in t.ids["floor"])
            and (rooms is None or (rooms == t.ids["room"][room]).any())
        ):
            if floor is not None:
                values["floor"], ids["floor"] = floor, t.ids["floor"][floor]
            values["room"], ids["room"] = room, t.ids["room"][room]
            return


def room_forms(values: dict[str, str]) -> list[tuple[str | None, str]]:
    """Other ways of writing the text's floor and room, as (floor or None, room): a flat on its floor as
    a room number (3层 1室 -> 301室, 3-1室), a room number as a floor and a flat (1203室 -> 12层 3室,
    12-3室), a floor and flat written with a dash (重庆's 12-3室 -> 1203室, 12层 3室)."""
    flat = _room_of_floor(values)
    if flat is not None:
        floor, number = values["floor"][:-1], int(values["room"][:-1])
        return [(None, flat), (None, f"{floor}-{number}室")]
    if "floor" in values:
        return []
    split = _floor_of_room(values["room"])
    if split is not None:
        return [split, (None, f"{split[0][:-1]}-{split[1]}")]
    dashed = _DASHED_ROOM.fullmatch(values["room"])
    if dashed is None:
        return []
    floor, number = dashed.group(1), int(dashed.group(2))
    return [(None, f"{floor}{number:02d}室"), (f"{floor}层", f"{number}室")]


# 12-3室: a floor and a flat on it written with a dash (重庆).
_DASHED_ROOM = re.compile("([1-9][0-9]?)-([0-9]{1,2})室")


def _room_of_floor(values: dict[str, str]) -> str | None:
    """The room a floor and a flat numbered on it name as rooms are numbered (3层 1室 -> 301室), or None."""
    floor = _FLOOR_NUMBER.fullmatch(values.get("floor", ""))
    flat = _FLAT_NUMBER.fullmatch(values.get("room", ""))
    if floor is None or flat is None:
        return None
    return f"{floor.group(1)}{int(flat.group(1)):02d}室"


_ROOM_COLUMN = COLUMN_INDEX["room"]
_ROOM_ON_FLOOR = re.compile("([1-9][0-9]?)([0-9]{2})室")


def _floor_of_room(room: str) -> tuple[str, str] | None:
    """The floor and the flat on it a room's number names (202室 -> 2层, 2室; 1203室 -> 12层, 3室)."""
    m = _ROOM_ON_FLOOR.fullmatch(room)
    if m is None or m.group(2) == "00":
        return None
    return f"{m.group(1)}层", f"{int(m.group(2))}室"


_BARE_PART = re.compile("[一二三四五六七八九十]{1,3}(?:区|期|组团)")


def _part_of_named_compound(t: _Tables, address: Address, poi: str) -> str | None:
    """The base's compound named after the community the text writes without its mark, when the text's
    compound is only a numbered part (和平里|7区 for 和平里七区), or None."""
    if not _BARE_PART.fullmatch(poi):
        return None
    c = next((c for c in address.components if c.field == "community" and not c.repeated), None)
    if c is None or c.text.endswith(("社区", "村", "会")):
        return None
    whole = clean(c.text)[0] + poi
    return whole if whole in t.ids["poi"] else None


def _village_of_group(t: _Tables, name: str, scope: tuple[str, int] | None) -> int | None:
    """The community of the base that ``name``, written before a villager group, names with 村 added
    (上金 for 上金村), or None. It must lie in the text's town or county when the text names one; a name
    that opens with a town's short name is that town's village (双浦|东江嘴 for 东江嘴村 of 双浦镇)."""
    if t.villages is None:
        t.villages = _villages(t)
    from stdaddr import gazetteer  # loaded by the parser before any text is matched

    for cut in (0, 2, 3):
        rest = name[cut:]
        if len(rest) < 2:
            return None
        village = t.ids["community"].get(rest + "村")
        if village is None:
            continue
        places = t.villages[1].get(village, ())
        if scope is not None and (COLUMN_INDEX[scope[0]], scope[1]) not in places:
            continue
        if cut == 0:
            return village
        # The cut name must be the short name of a town the village lies in.
        towns = t.vocab["town_code"]
        town_column = COLUMN_INDEX["town_code"]
        if any(
            column == town_column and (gazetteer.load().name(towns[code]) or "").startswith(name[:cut])
            for column, code in places
        ):
            return village
    return None


def _villages(t: _Tables) -> tuple[dict[str, list[int]], dict[int, set[tuple[int, int]]]]:
    """The base's communities by the sound of their names, and the towns and counties each lies in."""
    by_sound: dict[str, list[int]] = {}
    for i, name in enumerate(t.vocab["community"]):
        for key in _sound_keys(name):
            by_sound.setdefault(key, []).append(i)
    community = t.fields[COLUMN_INDEX["community"]]
    has = community >= 0
    where: dict[int, set[tuple[int, int]]] = {}
    for scope in ("town_code", "county_code"):
        column = COLUMN_INDEX[scope]
        pairs = np.unique(np.stack([community[has], t.fields[column][has]]), axis=1)
        for v, code in pairs.T.tolist():
            if code >= 0:
                where.setdefault(v, set()).add((column, code))
    return by_sound, where


def _sound_key(name: str) -> str:
    """A name's sound: the common toneless reading of each character, in order."""
    return " ".join(_sound(c) for c in name)


def _sound_keys(name: str) -> tuple[str, ...]:
    """A name's sound (:func:`_sound_key`), and its sound with the place readings of its characters
    (雪什藏村: xue shen cang cun, xue shi zang cun) when they have any."""
    common = _sound_key(name)
    if not any(c in _PLACE_READINGS for c in name):
        return (common,)
    placed = " ".join(_PLACE_READINGS.get(c) or _sound(c) for c in name)
    return (common, placed) if placed != common else (common,)


def _homophone_similarity(a: str, b: str) -> float:
    """Two names of one length that differ only in characters of the same sound (解放街 / 解方街, 锦绣路 /
    锦秀路, 韩田路 / 寒田路): the slip of a pinyin keyboard, the most common misspelling of typed Chinese.
    Each such character costs _HOMOPHONE_COST of a character; 0 when another character differs."""
    cost = 0.0
    for x, y in zip(a, b, strict=True):
        if x != y:
            if _sound(x) != _sound(y) and not _place_reading(x, y):
                return 0.0
            cost += _HOMOPHONE_COST
    return 1.0 - cost / len(a)


# Characters read otherwise in place names than commonly (厦门 xia, 乐清 yue, 六安 lu, 番禺 pan, 蚌埠 beng,
# 泌阳 bi, 铅山 yan, 莘县 shen, 涡阳 guo, 洪洞 tong, 长安 chang): the place's reading too, so 夏禾路 is 厦禾路
# typed by sound, 长国路 昌国路.
_PLACE_READINGS = {
    "厦": "xia",
    "乐": "yue",
    "六": "lu",
    "番": "pan",
    "蚌": "beng",
    "泌": "bi",
    "铅": "yan",
    "莘": "shen",
    "涡": "guo",
    "洞": "tong",
    "长": "chang",  # 长安, 长江路 (zhang in 长大)
    "重": "chong",  # 重庆
    "行": "hang",  # 银行路
    "堡": "pu",  # 十里堡
    "单": "shan",  # 单县
    "藏": "zang",  # 西藏, 藏族; 雪什藏村, 昂藏村 (青海)
    "什": "shi",  # 什邡, 什字, 雪什藏村
    "勒": "le",  # 锡林郭勒, 卓伦高勒嘎查, 勒流 (lei in 勒紧)
}


def _place_reading(x: str, y: str) -> bool:
    """Whether one of two characters has a place name's reading that is the other's common one."""
    return _PLACE_READINGS.get(x) == _sound(y) or _PLACE_READINGS.get(y) == _sound(x)


# A character replaced by another of the same sound costs this share of a wrong character.
_HOMOPHONE_COST = 0.25


@functools.lru_cache(maxsize=1 << 14)
def _sound(char: str) -> str:
    """The common toneless reading of a character (垟, 洋: yang); a character without one reads as
    itself. Rarer readings are left out: with them 洋 (also xiang) would sound as 项."""
    from pypinyin import Style, pinyin  # on first use: pypinyin loads its dictionary (about 0.1 s)

    return str(pinyin(char, style=Style.NORMAL, errors="default")[0][0])


def same_estate(a: str, b: str) -> bool:
    """Whether two compound names are one estate, one written with 小区, the generic word for a compound's
    kind (锦绣花园 / 锦绣小区, 锦绣花园 / 锦绣花园小区; not 锦绣花园 / 锦绣公寓)."""
    if not (a.endswith(_GENERIC_KIND) or b.endswith(_GENERIC_KIND)):
        return False
    stem = compound_stem(a)
    return stem is not None and stem == compound_stem(b)


def _garden_drift(a: str, b: str) -> bool:
    """Whether two estate names have one stem and two garden words (锦绣苑 / 锦绣花园, 永昌花园 / 永昌花苑)
    or two kinds of one sound (幸福家园 / 幸福嘉园, 海洋家园 / 海洋家苑)."""
    ga, gb = _garden_splits(a), _garden_splits(b)
    # (富华花园 / 富华苑, 锦华园 / 锦华苑: 华苑 is a garden word too, so each split is tried)
    if any(stem == other and kind != its for stem, kind in ga for other, its in gb):
        return True
    ma, mb = _KIND.search(a), _KIND.search(b)
    if ma is None or mb is None:
        return False
    # (海洋家苑 / 海洋家园: the kinds compared over the longer one's length)
    n = max(len(ma.group()), len(mb.group()))
    kind_a, kind_b = a[-n:], b[-n:]
    stem = a[:-n]
    return (
        kind_a != kind_b and len(stem) >= 2 and stem == b[:-n] and bool(_homophone_similarity(kind_a, kind_b))
    )


def _garden_splits(name: str) -> list[tuple[str, str]]:
    """The ways ``name`` splits into a stem of two characters or more and a garden word (富华花园: 富华 花园;
    锦华苑: 锦华 苑, and not 锦 华苑)."""
    return [(name[: -len(w)], w) for w in _GARDEN_WORDS if name.endswith(w) and len(name) - len(w) >= 2]


# Garden words (and those of their sound: 华园 for 花园; 园 and 苑 are one sound) an estate's name ends with.
_GARDEN_WORDS = ("花园", "华园", "花苑", "华苑", "名苑", "苑", "园")


def _same_school(a: str, b: str) -> bool:
    """Whether two names are one school written in full and short (第二中学 / 温州二中)."""
    if not (a.endswith(_SCHOOL_IN_FULL) or b.endswith(_SCHOOL_IN_FULL)):
        return False
    key = school_key(a)
    return key is not None and key == school_key(b)


def _same_hospital(a: str, b: str) -> bool:
    """Whether two names are one numbered hospital written in full and short (…附属第二医院 / …附属二院,
    …第二附属医院 / …二附院)."""
    return (
        a[-1] == b[-1] == "院"
        and a != b
        and (key := _hospital_key(a)) is not None
        and key == _hospital_key(b)
    )


def _hospital_key(name: str) -> str | None:
    m = _NUMBERED_HOSPITAL.search(name)
    if m is None:
        return None
    return (
        name[: m.start()].removesuffix("附属").removesuffix("附")
        + m.group(2)
        + ("附" if m.group(1) or m.group(3) else "")
        + "院"
    )


# A hospital numbered (第二医院, 二院), maybe an affiliated one (附属第二医院, 第二附属医院, 附二院, 二附院).
_NUMBERED_HOSPITAL = re.compile("(附属|附)?第?([一二三四五六七八九十]{1,3})(附属|附)?医?院$")


def school_key(name: str) -> str | None:
    """The short form of a school's name that the ways of writing it share: a leading province, city or
    county name dropped, 第 dropped, 中学 and 小学 shortened (温州市第二中学, 温州二中, 第二中学 -> 二中;
    鹿城实验小学 -> 实验小). None for other names and for a short form of fewer than two characters."""
    m = _SCHOOL.search(name)
    if m is None:
        return None
    body = _without_places(name[: m.start()]).replace("第", "")
    return body + m.group()[0] if body else None


def _without_places(text: str) -> str:
    """``text`` without the names of provinces, cities and counties it opens with (温州市, 温州, 鹿城),
    keeping at least one character."""
    from stdaddr import gazetteer  # loaded by the parser before any name is matched

    g = gazetteer.load()
    cut = True
    while cut:
        cut = False
        for n in range(min(len(text) - 1, 6), 1, -1):
            if any(e.level <= 2 for e in g.lookup(text[:n])):
                text, cut = text[n:], True
                break
    return text


def compound_stem(name: str) -> str | None:
    """The name of a residential compound without the generic 小区 and its own kind (锦绣花园小区, 锦绣小区,
    锦绣花园 -> 锦绣; 永昌花苑 -> 永昌, but 莲花苑 -> 莲花; a work unit's 洛铜家属院 -> 洛铜); a name without
    either is its own (日月星城小区, 日月星城 -> 日月星城), and so is one whose kind leaves one character
    (榄苑小区, 榄苑 -> 榄苑); None for a stem of fewer than two characters."""
    stem = name.removesuffix(_GENERIC_KIND)
    m = _COMPOUND_KIND.search(stem) or _STAFF_QUARTERS.search(stem)  # (洛铜家属院, 洛铜宿舍 -> 洛铜)
    if m is not None:
        cut = stem[: m.start()]
        if len(cut) < 2:
            cut = stem[:-1] if m.group() == "花苑" else stem  # 莲花|苑: 花 is the stem's
        stem = cut
    return stem if len(stem) >= 2 else None


# The same pairs of names come back query after query (a near road against the names around it).
_similarity = functools.lru_cache(maxsize=1 << 16)(name_similarity)


def _block(t: _Tables, q: _Query) -> NDArray[np.int32] | None:
    """Candidate record positions, ascending (None when the text names nothing below its divisions)."""
    g = t.groups
    parts = []
    doors = set()
    hn = q.ids.get("house_number", -1)
    if hn >= 0:
        n_hn = t.sizes["house_number"]
        for r in q.roads:
            rows = g["door"].rows(r * n_hn + hn)
            if len(rows):
                parts.append(rows)
                doors.add(r * n_hn + hn)
    building = q.ids.get("building", -1)
    if building >= 0:
        n_building = t.sizes["building"]
        for p in q.pois:
            key = p * n_building + building
            if t.building_door.get(key, -1) not in doors:  # else its records are among the door's
                parts.append(g["poi_building"].rows(key))
    community = q.ids.get("community", -1)
    group_id = q.ids.get("group", -1)
    in_group = False
    if community >= 0 and group_id >= 0:
        rows = g["community_group"].rows(community * t.sizes["group"] + group_id)
        parts.append(rows)
        in_group = bool(len(rows))
    elif group_id >= 0 and (town := q.ids.get("town_code", -1)) >= 0:
        # 新时代农场九队3号: a team of a farm that is a town, with no village between.
        rows = _town_groups(t).rows(town * t.sizes["group"] + group_id)
        parts.append(rows)
        in_group = bool(len(rows))
    if hn >= 0 and not doors:
        # 纸源村19号, 某某大厦12号: a door of the village or compound itself, with no road.
        n_hn = t.sizes["house_number"]
        if community >= 0 and not in_group and not q.roads:
            # Not when the text names a group of the base: its doors are among the group's, and the
            # village's other doors are of natural villages numbering their own (苏吕村2组9号 is no
            # 苏吕村下垟自然村9号); nor a road of the base (北塘村白龙街3号 is no 北塘村1组3号).
            parts.append(t.community_door.rows(community * n_hn + hn))
        for p in q.pois:
            parts.append(t.poi_door.rows(p * n_hn + hn))
    if not any(len(p) for p in parts):
        # The door or building is not in the base: the whole road, compound or village answers.
        parts = _whole_places(t, q)
        if community >= 0 and (
            "group" in q.values or ("building" in q.values and not q.roads and not q.pois)
        ):
            # 猎德社区A3栋2梯2102室: buildings standing in the village itself, with no road or compound.
            parts.append(g["community"].rows(community))
    if not parts:
        return None
    found = [p for p in parts if len(p)]
    if len(found) == 1:
        return found[0]
    if not found:
        return _EMPTY
    rows = np.concatenate(found)
    rows.sort()
    return rows[np.concatenate(([True], rows[1:] != rows[:-1]))]


def _whole_places(t: _Tables, q: _Query) -> list[NDArray[np.int32]]:
    """The records of every road and compound the text's names may be (each a block of rows)."""
    g = t.groups
    return [g["road"].rows(r) for r in q.roads] + [g["poi"].rows(p) for p in q.pois]


_NONE, _AGREE, _DIFFER, _INPUT_ONLY, _RECORD_ONLY = 0, 1, 2, 3, 4


def _place_of_its_own(address: Address) -> bool:
    """Whether the text names a compound by a name of its own in its village (阳光花园 in 石州村), not the
    village's name again (下骆宅 of 下骆宅社区) or a bare word (社区, 小区)."""
    poi, community = address.poi, address.community or ""
    return (
        poi is not None
        and poi not in _BARE_PLACE_WORDS
        and _KIND_OF_HOUSING.fullmatch(poi) is None
        and not community.startswith(poi)
        and not poi.startswith(without_community_mark(community))
    )


_BARE_PLACE_WORDS = frozenset(("社区", "小区", "村", "新村", "居委会", "村委会"))
# Housing named by its kind alone (猎德社区|复建房|A5栋: the village's resettlement blocks).
_KIND_OF_HOUSING = re.compile("(?:复建|安置|回迁|拆迁|农民|自建|出租|统建|集资|还建)(?:房|楼|区|小区)")
# What lies in a compound: its buildings, units, floors and rooms.
_IN_PLACE = ("building", "unit", "floor", "room")
_STATE_NAMES = {_AGREE: "agree", _DIFFER: "differ", _INPUT_ONLY: "input_only", _RECORD_ONLY: "record_only"}
_WEIGHT = [WEIGHTS[f] for f in COMPARED]
# Scores are added up in hundredths of a weight: every weight and record-only cost is a whole number
# of them, so a score is exact (records the text cannot tell apart tie exactly).
_W100 = [round(100 * w) for w in _WEIGHT]
_RECORD_ONLY_100 = [round(100 * _RECORD_ONLY_COST * WEIGHTS[f]) if f in _FINE else 0 for f in COMPARED]
assert all(abs(100 * w - w100) < 1e-9 for w, w100 in zip(_WEIGHT, _W100, strict=True))
# What a province, city or county other than the text's costs: more than any record can earn.
_EXCLUDED = 10_000
_NAME_K = {f: COMPARED.index(f) for f in _NAMES}
_NAME_POSITIONS = frozenset(_NAME_K.values())
# Fields below the door that confirm a near name when they agree.
_SUPPORT = tuple(COMPARED.index(f) for f in ("building", "unit", "floor", "room"))
_POI_K = COMPARED.index("poi")
# What confirms a near name (see _name_evidence): (position, weight, counted when the text lacks it).
_ROAD_EVIDENCE = tuple((k, _WEIGHT[k], False) for k in _SUPPORT)
# The finer fields count this much for a compound name as for a road name.
_FINER_FOR_COMPOUND = 0.3
_COMPOUND_FINER_EVIDENCE = tuple((k, _WEIGHT[k] * _FINER_FOR_COMPOUND, False) for k in _SUPPORT)
_COMPOUND_EVIDENCE = (
    *((COMPARED.index(f), _WEIGHT[COMPARED.index(f)], True) for f in ("road", "house_number")),
    *_COMPOUND_FINER_EVIDENCE,
)
_TOWN_K, _COMMUNITY_K = COMPARED.index("town"), COMPARED.index("community")
_DOOR_K, _GROUP_K, _ROAD_K = (COMPARED.index(f) for f in ("house_number", "group", "road"))
_PLACE_IN_VILLAGE = "the place {} lies in it (the base does not list it)"
_ZONE_IN_TOWN = "the zone {} lies in it (the base has no door of the zone itself)"
_OTHER_TOWN = "the records that agree on the finer levels lie in another town than the input names"
_OTHER_VILLAGE = "the records that agree on the lane and door lie in another community than the input names"
# A match at the main door of a sub-door the base lacks (23-1号, 23号附1 -> 23号) scores at most this.
_MAIN_DOOR = 0.85
# A sub-door (23-1号, 23号附1, 23号甲) and its main door.
_LANE_BUILDING = re.compile("([0-9]+)幢")
_LANE_DOOR = re.compile("(.+弄)([0-9]+)号")
_SUB_DOOR = re.compile("([甲乙丙丁]?[A-Z]?[0-9]+[A-Z]?)(?:-[0-9]+号|号附[0-9]+|号[甲乙丙丁]|[甲乙丙丁]号)")
# Positions in COMPARED of the match levels, in level order.
_LEVEL_K = tuple(COMPARED.index(f) for f in MATCH_LEVELS)
# Province and city codes the text names exclude the records with others (the county is compared anyway).
_EXTRA_EXCLUDING = tuple(COLUMN_INDEX[c] for c in ("province_code", "city_code"))
# How _record compares a field: the text lacks it, a plain value, a road or compound name.
_UNASKED, _PLAIN, _NAME = 0, 1, 2
# Above this many tied records, what they share is worked out with numpy rather than record by record.
_FEW = 8
# Above this many records near the best, they are kept in arrays rather than lists.
_MANY = 64
# The best records near the best that _rival looks at one by one.
_LOOKED_AT = 4


@dataclass(slots=True)
class _Scores:
    """Field-wise comparison of the text with each candidate: arrays over the candidates (columns) and,
    for ``has`` and ``agree``, over the fields of :data:`COMPARED` (rows; then the province and city
    codes the text names). A field of the text that a record has but does not agree on contradicts it.
    """

    rows: NDArray[np.int32]
    fields: NDArray[np.int32]  # the candidates' columns of the field matrix (one row per column of COLUMNS)
    total: NDArray[np.int32] | NDArray[np.float64]  # weighted agreement minus contradictions, in hundredths
    weight: int  # the summed weight of the text's fields, in hundredths
    has: NDArray[np.bool_]  # the record has a value for the field
    agree: NDArray[np.bool_]
    vocab: dict[str, list[str]]
    _score: NDArray[np.float64] | None = None

    @property
    def score(self) -> NDArray[np.float64]:
        """The raw score of each candidate: its total over the text's weight."""
        if self._score is None:
            self._score = self.total / self.weight if self.weight else np.zeros(len(self.total))
        return self._score


@dataclass(slots=True)
class _Record:
    """One candidate in plain Python values: its row of the field matrix, and per field of COMPARED its
    state (_AGREE, _DIFFER, _INPUT_ONLY, _RECORD_ONLY or _NONE) and similarity (0 when either lacks it)."""

    k: int
    values: list[int]
    states: list[int]
    sims: list[float]

    @property
    def level(self) -> int:
        """The finest MATCH_LEVELS index the record agrees on without a contradiction above it (-1: none)."""
        level = -1
        for i, k in enumerate(_LEVEL_K):
            state = self.states[k]
            if state == _AGREE:
                level = i
            elif state == _DIFFER:
                break
        return level


def _record(q: _Query, s: _Scores, k: int, values: list[int] | None = None) -> _Record:
    """Candidate ``k`` compared with the text in plain Python values (``values``: its column of the
    field matrix, when already read)."""
    if values is None:
        values = s.fields[:, k].tolist()
    states = []
    sims = []
    for i, j, want, kind in q.plan:
        v = values[j]
        if kind == _PLAIN:
            if v < 0:
                states.append(_INPUT_ONLY)
                sims.append(0.0)
            elif v == want:
                states.append(_AGREE)
                sims.append(1.0)
            else:
                states.append(_DIFFER)
                sims.append(0.0)
        elif kind == _UNASKED:
            states.append(_NONE if v < 0 else _RECORD_ONLY)
            sims.append(0.0)
        elif v < 0:
            states.append(_INPUT_ONLY)
            sims.append(0.0)
        else:
            sim = q.names[i].get(v)
            if sim is None:
                f = COMPARED[i]
                sim = q.names[i][v] = _similarity(q.values[f], s.vocab[f][v])
            states.append(_AGREE if sim >= _NAME_AGREE else _DIFFER)
            sims.append(sim)
    if states[_DOOR_K] == _AGREE and q.asks[_GROUP_K] != q.asks[_ROAD_K]:
        ours, theirs = (_GROUP_K, _ROAD_K) if q.asks[_GROUP_K] else (_ROAD_K, _GROUP_K)
        if values[q.columns[theirs]] >= 0 and values[q.columns[ours]] < 0:
            states[_DOOR_K] = _DIFFER  # numbered apart: see field_scores
    return _Record(k, values, states, sims)


def field_scores(base: AddressBase, q: _Query, rows: NDArray[np.int32]) -> _Scores | None:
    """Score candidate records against the text field by field; None when every candidate is excluded.

    Public so that tests can run the same scorer over every record of a base (the brute-force reference).
    """
    if not len(rows):
        return None
    fields = _columns(_tables(base).fields, rows)
    sub = fields.take(q.cols, axis=0)
    has = sub >= 0
    agree = sub == q.probe
    if q.asks[_DOOR_K] and q.asks[_GROUP_K] != q.asks[_ROAD_K]:
        # 坎头村8组30号 against 坎头村前埔路30号: a door of a villager group and a door on a road are
        # numbered apart, so the same number is not the same door.
        ours, theirs = (_GROUP_K, _ROAD_K) if q.asks[_GROUP_K] else (_ROAD_K, _GROUP_K)
        agree[_DOOR_K] &= ~(has[theirs] & ~has[ours])
    # Per field and record: the weight when they agree, minus it when they contradict, the record-only
    # cost for a field the text lacks; summed per record (in small integers, along contiguous rows).
    parts = has * q.cost
    parts += agree * q.gain
    names = _score_names(base._vocab, q, sub, has, agree, parts) if q.names else None
    total = np.add.reduce(parts, axis=0, dtype=np.int32)
    if q.excluding and total.min() < -_EXCLUDED // 2:
        keep = total > -_EXCLUDED // 2
        rows, fields, total, has, agree = (
            rows[keep],
            fields[:, keep],
            total[keep],
            has[:, keep],
            agree[:, keep],
        )
        names = None if names is None else names[keep]
    if not len(rows):
        return None
    total = total if names is None else total + names
    return _Scores(rows, fields, total, round(100 * q.weight), has, agree, base._vocab)


def _columns(fields: NDArray[np.int32], rows: NDArray[np.int32]) -> NDArray[np.int32]:
    """The columns ``rows`` (ascending, distinct) of the field matrix: a view when they are consecutive
    (the records of a door or compound often are), else a copy."""
    first, last = int(rows[0]), int(rows[-1])
    if last - first + 1 == len(rows):
        return fields[:, first : last + 1]
    return fields.take(rows, axis=1)


def _score_names(
    vocab: dict[str, list[str]],
    q: _Query,
    sub: NDArray[np.int32],
    has: NDArray[np.bool_],
    agree: NDArray[np.bool_],
    parts: NDArray[np.int16],
) -> NDArray[np.float64] | None:
    """The part of each record's score (in hundredths of a weight) that names compared by similarity
    make; None when there is none.

    A folded name (one exact name) was compared like any field; that holds unless a record has another
    name near the text's: then the field is scored by similarity here instead.
    """
    out = None
    others = None
    for k, known in q.names.items():
        f = COMPARED[k]
        if k in q.folded:
            if others is None:
                others = (has != agree).any(axis=1).tolist()
            if not others[k]:
                continue
            near = False
            for i in np.unique(sub[k][has[k] != agree[k]]).tolist():
                sim = known.get(i)
                if sim is None:
                    sim = known[i] = _similarity(q.values[f], vocab[f][i])
                near = near or sim >= _NAME_AGREE
            if not near:
                continue
            parts[k] = 0
        sims = _name_column(vocab[f], q.values[f], known, sub[k])
        ok = sims >= _NAME_AGREE
        agree[k] = ok
        w = float(_W100[k])
        part = np.where(ok, sims * w, np.where(has[k], -w, 0.0))
        out = part if out is None else out + part
    return out


def _name_column(
    names: list[str], value: str, known: dict[int, float], ids: NDArray[np.int32]
) -> NDArray[np.float64]:
    """The similarity of the text's name to each record's (0 where a record has none); ``known`` holds
    the similarities met so far and takes the new ones."""
    distinct, where = np.unique(ids, return_inverse=True)
    sims = []
    for i in distinct.tolist():
        if i < 0:
            sims.append(0.0)
            continue
        sim = known.get(i)
        if sim is None:
            sim = known[i] = _similarity(value, names[i])
        sims.append(sim)
    return np.array(sims)[where]


# The order fields are walked in when deciding the matched place: the address levels' own order
# (group and floor are walked too, though they are no match levels).
_WALK = FIELDS
_WALK_COLUMNS = tuple(
    tuple(COLUMN_INDEX[c] for c in ((f, f"{f}_code") if f in DIVISION_FIELDS else (f,))) for f in _WALK
)
# Levels a road or compound may cross: records split only by them still share the road or compound.
_CROSSED = ("town", "community")
_WALK_K = tuple(COMPARED.index(f) if f in COMPARED else -1 for f in _WALK)
_K_DEPTH = tuple(_WALK.index(f) for f in COMPARED)
# Per step of the walk: its columns, its position in COMPARED (-1: none), whether roads cross it, and
# its MATCH_LEVELS index (-1: not a level).
# A building and a unit hold what is written under them.
_CONTAINER_K = frozenset(COMPARED.index(f) for f in ("building", "unit"))
# The road and door steps of the walk, and the compound's columns: records of the compound a text names
# alone share it whatever doors they stand at.
_STREET_STEPS = (_WALK.index("road"), _WALK.index("house_number"))
_POI_COLUMNS = _WALK_COLUMNS[_WALK.index("poi")]
_WALK_STEPS = tuple(
    (cols, k, f in _CROSSED, MATCH_LEVELS.index(f) if f in MATCH_LEVELS else -1)
    for f, cols, k in zip(_WALK, _WALK_COLUMNS, _WALK_K, strict=True)
)
_LEVEL_DEPTH = tuple(_WALK.index(f) for f in MATCH_LEVELS)
_ROAD_LEVEL = MATCH_LEVELS.index("road")
_COMMUNITY_COLUMNS = _WALK_COLUMNS[_WALK.index("community")]


def _decide(
    base: AddressBase, q: _Query, s: _Scores, limit: int, cutoff: float, candidates: bool = True
) -> Match | None:
    # Only records near the best can tie with it or lower the confidence as a rival.
    near, scores = _near(s)
    if isinstance(scores, list):
        best = max(scores)
        tied = [k for k, x in zip(near, scores, strict=True) if x >= best - _TIE]
    else:
        best = float(scores.max())
        tied = cast("NDArray[np.int64]", near)[scores >= best - _TIE].tolist()
    top = _record(q, s, tied[0])
    if len(tied) == 1 and not q.excluding and len(near) > 1:
        tied = _tied_elsewhere(q, s, near, scores, best, tied, top)
    place, level, split = _walk(q, s, tied, top)
    if level == _ROAD_LEVEL and COLUMN_INDEX["town"] not in place and _towns_apart(base, s, tied):
        # 濠涌大街 in two towns 20 km apart: two streets of one name, not one road crossing a border
        level, split = None, "town"
    if level is None:
        return _split_match(base, q, s, tied, top, limit, cutoff, split, candidates)
    if split is None and (finer := _finer_in_base(q, s, top, place, level)) is not None:
        place, level, tied = finer
        top = _record(q, s, tied[0])
    ambiguous = (
        split is not None
        and _names_finer(q, split)
        and not _contradicts(top, split)
        and not _none_named(q, s, tied, split)
    )
    rival = _rival(s, near, scores, tied, place)
    agreement, coverage = _place_agreement(q, top, level)
    score = confidence(agreement, coverage, best - rival)
    if (
        top.states[_TOWN_K] == _DIFFER
        and top.states[_COMMUNITY_K] != _AGREE
        and "town" not in q.address.inferred
        and not _island_of_towns(q.address)
        and not _zone_of_towns(q.address)
        and not _town_of_one_stem(base, q, int(s.rows[tied[0]]))
    ):
        # 马屿镇人民路18号 against 塘下镇人民路18号: the text names another town than the best records';
        # (a town the parser only inferred, from a community named like an estate the base places in
        # another town, names nothing: 白下区蓝旗新村6-201)
        # names like 人民路 recur town after town, so those records are as likely other streets as the
        # one meant. The answer is the divisions the text names, as far as the base has them.
        return _division_match(base, q, cutoff, _OTHER_TOWN)
    if (
        top.states[_COMMUNITY_K] == _DIFFER
        or (top.states[_POI_K] == _INPUT_ONLY and q.ids.get("poi", -1) >= 0)
    ) and (
        numbered_lane(q.values.get("road", ""))
        or q.values.get("road", "").endswith("巷")
        or _natural_village_road(q)
        or _village_street(q)
    ):
        # (岗头村二巷20号 against 水围社区二巷20号: a village the base has as a compound, not there either)
        # 固戍村1巷7号 against 岗头村1巷7号: a road crosses communities, a lane named by its number does not,
        # nor one named by its side or its quarter (坑头村西二巷14号 against 樟边村西二巷14号, 福围社区老围1巷
        # against 兴围社区老围1巷: every village has its 东一巷 and 老围);
        # nor does a natural village (岜勋村委会那旺屯5号 against 板新村委会那旺屯5号), nor a village's street
        # named by its side (诸葛城村西街5号 against 孝友村西街5号).
        in_village = _rows_of_the_community(q, s)
        if in_village is not None and (mine := field_scores(base, q, in_village)) is not None:
            # 坑头村一巷1号301房 where rooms 一巷1号301房 lie in other villages and 坑头村's door has none: the
            # records of the village the text names decide (its door's record, the room finer than it).
            return _decide(base, q, mine, limit, cutoff, candidates)
        return _division_match(base, q, cutoff, _OTHER_VILLAGE)
    if (
        q.door_of is not None
        or q.unread is not None
        or _phase_lacking(base, q, top)
        or _one_direction(top)
        or _stray_number(q.address)
        or _door_of_a_road_unnamed(q, top)
        or _door_off_the_road_named(base, q, top, int(s.rows[tied[0]]))
        or _place_at_another_door(base, q, top, int(s.rows[tied[0]]))
        or _flat_on_a_floor_the_record_lacks(q, top)
        or _name_one_edit_off(base, q, s, top, tied[0])
        or (
            top.states[_TOWN_K] == _DIFFER
            and _town_named_as_it_is(q)
            and not _town_of_one_stem(base, q, int(s.rows[tied[0]]))
            and not _zone_of_towns(q.address)
        )
    ):
        score = min(score, _MAIN_DOOR)
    if score < cutoff:
        return None
    # A near name that the text's finer levels do not confirm (its room is not under that compound)
    # is more likely another place than a typo: such a match names the upper place, not a record. A
    # floor the record agrees on (no level of its own) confirms a name written with a slip
    # (塘头一工业区8栋2楼, 鹅公岭工业园), not one that only shares its kind (塘尾工业园 / 新和工业园).
    near_names = [top.sims[k] for k in _NAME_POSITIONS if top.states[k] == _AGREE and top.sims[k] < 1.0]
    unconfirmed = (
        coverage < 1.0
        and bool(near_names)
        and (min(near_names) < _SLIP or any(top.states[k] != _AGREE for k in _deeper(q.asks, level)))
    )
    t = _tables(base)
    own = (
        None
        if unconfirmed
        else _record_at(t, s, tied, place, level, top.states[_POI_K] != _DIFFER, group="group" in q.values)
    )
    twins = _twins(t, s, tied, own, level) if own is not None else []
    if own is not None and _finer_not_in_base(q, s, own, place):
        score = min(score, _MAIN_DOOR)
    if own is not None and level == _COMMUNITY_LEVEL and (group := int(s.fields[_GROUP_COLUMN, own])) >= 0:
        place = {**place, _GROUP_COLUMN: group}  # 石垭村3组 (the group's record): its standard says the group
    if own is not None and twins:
        # Records of one address under several ids (a base listing a place twice): none is the answer.
        ambiguous = True
        address_id: str | None = None
        rows = s.rows[[own, *twins]]
        x, y = _mean_point(base._a["x"][rows], base._a["y"][rows])
    elif own is not None:
        row = int(s.rows[own])
        address_id = str(base._a["ids"][row])
        x, y = base._a["x"].item(row), base._a["y"].item(row)
        # The record's whole address, with a town or community the text named wrongly and the walk
        # left out (城东街道宋竹社区… answered by 城南街道宋竹社区…).
        place = {j: v for j in range(len(FIELDS)) if (v := int(s.fields[j, own])) >= 0}
    else:
        address_id = None
        x, y = _centroid(base, place, level, s.rows)
    # Positional: a frozen dataclass takes keywords at twice the cost, on every query.
    return Match(
        q.address.text,
        address_id,
        round(score, 4),
        MATCH_LEVELS[level],
        _standard(base, place),
        None if math.isnan(x) else x,
        None if math.isnan(y) else y,
        ambiguous,
        _candidates(base, q, s, _best(s.score, limit)) if candidates else (),
        _explain(
            q,
            # (the record answered, which need not be the best scored: 金都花园 for its 5号楼1单元101)
            top if own is None or own == tied[0] else _record(q, s, own),
            MATCH_LEVELS[level],
            address_id,
            len(twins) + 1 if twins else len(tied),
            split,
            ambiguous,
        ),
    )


# A number the parser left as a note inside the street part (98号付|2号): the text names
# something finer than what was read, so the match is no surer than one at a main door.
_STRAY_NUMBER = re.compile("[A-Z]?[0-9]{1,5}(?:-[0-9]{1,5}){0,3}(?:号|室)?")


# A street named by its side or kind alone (西街, 前街, 中心街, 大街): in a village, the village's own.
_SIDE_STREET = re.compile("(?:[东西南北中前后上下新老正横直]|中心|东西|南北)?(?:大街|街|路|巷)")


def _village_street(q: _Query) -> bool:
    """Whether the text names a village and a street of it named by its side or kind alone (诸葛城村西街):
    every village has its own 西街, so the street is no place of its own across villages."""
    return (
        q.values.get("community", "").endswith("村")
        and _SIDE_STREET.fullmatch(q.values.get("road", "")) is not None
    )


def _natural_village_road(q: _Query) -> bool:
    """Whether the text's road is the natural village it names inside its village (那旺屯, 下垟)."""
    village = natural_village(q.address)
    return village is not None and "road" in q.values and q.values["road"].startswith(village)


def _door_of_a_road_unnamed(q: _Query, r: _Record) -> bool:
    """Whether the text names a door and no road or compound, and the record's door is on a road (or of
    a compound): doors are numbered road by road, so 卫岗12号 (a community's door) is as likely another
    road's 12号 in it."""
    return (
        r.states[_DOOR_K] == _AGREE
        and _RECORD_ONLY in (r.states[_ROAD_K], r.states[_POI_K])
        and "road" not in q.values
        and "poi" not in q.values
    )


def _island_of_towns(address: Address) -> bool:
    """Whether the text names its town by the island it lies on (海甸|岛, 湄洲|岛): an island may hold
    several towns (海甸岛: 海甸, 人民 and 白沙街道), so it is no town the records could contradict."""
    components = address.components
    return any(
        a.field == "town" and b.field == "extra" and b.text == "岛" and b.start == a.end
        for a, b in itertools.pairwise(components)
    )


def _county_of_the_gazetteer(t: _Tables, address: Address) -> bool:
    """Whether the text's county is written by the full name of counties the gazetteer knows (河东区, of
    two cities), though the text does not say which, none of them one the base has records in. (A short
    name, 新城 or 东港, may be a local area's name; 南山 of a base in 深圳 is its 南山区.)"""
    written = next((c for c in address.components if c.field == "county" and not c.repeated), None)
    if written is None:
        return False
    codes = [e.code for e in gazetteer.load().lookup(written.text) if e.level == 2 and e.kind == FULL]
    return bool(codes) and not any(code in t.ids["county_code"] for code in codes)


def _town_named_as_it_is(q: _Query) -> bool:
    """Whether the text writes its town by the town's name of today (瓜沥镇, 城东街道; not the former 乐成镇
    of 乐成街道, nor a town only inferred): records agreeing below it in another town (民丰村 of 义桥镇)
    are the answer only as a slip of the town, no surer than a record at a main door."""
    address = q.address
    if "town" in address.inferred or address.town_code is None or _island_of_towns(address):
        return False
    written = next((c for c in address.components if c.field == "town" and not c.repeated), None)
    return written is not None and any(
        e.code == address.town_code and e.kind in (FULL, SHORT) for e in gazetteer.load().lookup(written.text)
    )


def _town_of_one_stem(base: AddressBase, q: _Query, row: int) -> bool:
    """Whether the text's town and the record's differ only in their kind (南坪镇 for 南坪街道, the 街道 that
    took the town's seat): people write the one for the other, so the record's town is no other town."""
    t = _tables(base)
    town = int(t.fields[COLUMN_INDEX["town"], row])
    written = q.values.get("town")
    if town < 0 or written is None:
        return False
    stem = _TOWN_KIND.sub("", written)
    return len(stem) >= 2 and stem == _TOWN_KIND.sub("", t.lists[COLUMN_INDEX["town"]][town])


_TOWN_KIND = re.compile("(?:街道办事处|街道|办事处|镇|乡)$")


def _door_off_the_road_named(base: AddressBase, q: _Query, r: _Record, row: int) -> bool:
    """Whether the text's door agrees with a record's that lies on no road, while the road (or natural
    village) the text names is one the base has in that record's community: the door there is the base's
    lacking, and the record's door (那眉村1号, numbered by the village) as likely another place
    (那眉村委会|林屋村|1号)."""
    road = q.ids.get("road", -1)
    if road < 0 or r.states[_DOOR_K] != _AGREE or r.states[_ROAD_K] != _INPUT_ONLY:
        return False
    t = _tables(base)
    rows = t.groups["road"].rows(road)
    for column in (COLUMN_INDEX["community"], COLUMN_INDEX["town"]):
        value = int(t.fields[column, row])
        if value >= 0:
            return bool(len(rows)) and bool((t.fields[column].take(rows) == value).any())
    return False


def _towns_apart(base: AddressBase, s: _Scores, tied: list[int]) -> bool:
    """Whether the tied records (of one road's name) lie in several towns, two of them with no records
    within _APART_M of each other's: two streets of one name, where a road crossing a town's border has
    records near it on both sides."""
    t = _tables(base)
    rows = s.rows[tied]
    towns = t.fields[COLUMN_INDEX["town_code"]].take(rows)
    kinds = np.unique(towns[towns >= 0])
    if len(kinds) < 2:
        return False
    x, y = base._a["x"][rows].astype(float), base._a["y"][rows].astype(float)
    if is_geographic(base.crs):
        x = x * 111_320.0 * math.cos(math.radians(float(np.nanmean(y))))
        y = y * 110_574.0
    groups = [(x[towns == k][:_APART_SAMPLE], y[towns == k][:_APART_SAMPLE]) for k in kinds]
    for i, (xa, ya) in enumerate(groups):
        for xb, yb in groups[i + 1 :]:
            d2 = (xa[:, None] - xb[None, :]) ** 2 + (ya[:, None] - yb[None, :]) ** 2
            if not np.isnan(d2).all() and float(np.nanmin(d2)) > _APART_M**2:
                return True
    return False


# Records of two towns on one road's name farther apart than this are two streets.
_APART_M = 3000.0
_APART_SAMPLE = 400  # records per town compared (the distance from a sample is an upper bound)


def _place_at_another_door(base: AddressBase, q: _Query, r: _Record, row: int) -> bool:
    """Whether the place the text names at its door (大学路9号|中山大学珠海校区) is one the base has at another
    door of the same road, and not at this record's: the door or the place is wrong, and the door's record
    is no surer than the place's."""
    poi = q.ids.get("poi", -1)
    if poi < 0 or r.states[_POI_K] != _INPUT_ONLY or r.states[_DOOR_K] != _AGREE:
        return False
    t = _tables(base)
    rows = t.groups["poi"].rows(poi)
    road = int(t.fields[_ROAD_COLUMN, row])
    if not len(rows) or road < 0:
        return False
    roads, doors = t.fields[_ROAD_COLUMN].take(rows), t.fields[_DOOR_COLUMN].take(rows)
    here = roads == road
    return bool(here.any()) and not bool((doors[here] == int(t.fields[_DOOR_COLUMN, row])).any())


def _stray_number(a: Address) -> bool:
    """Whether the text has a door or room number left as a note after the first element of its street
    part (not a phone number, nor a note before the address)."""
    first = next(
        (c.start for c in a.components if c.field not in DIVISION_FIELDS and c.field != "extra"), None
    )
    return first is not None and any(
        c.field == "extra" and c.start > first and _STRAY_NUMBER.fullmatch(clean(c.text)[0]) is not None
        for c in a.components
    )


def _one_direction(r: _Record) -> bool:
    """Whether a road or compound agrees only as a name with a direction written on one side only
    (学院南路 / 学院路, see _direction_cap): as often another road as the same one, however well the
    finer levels agree, so the match scores as one at a main door does."""
    return any(r.states[k] == _AGREE and r.sims[k] == _ONE_DIRECTION for k in _NAME_POSITIONS)


def _twins(t: _Tables, s: _Scores, tied: list[int], own: int, level: int) -> list[int]:
    """Other tied records at the level of ``own`` with its very values: the same address listed under
    other ids."""
    if len(tied) < 2:
        return []
    want = level + 1  # t.levels holds level + 1
    values = s.fields[:, own]
    return [
        k
        for k in tied
        if k != own
        and t.levels[s.rows[k]] == want
        and abs(float(s.total[k]) - float(s.total[own])) <= _TIE
        and bool((s.fields[:, k] == values).all())
    ]


def _mean_point(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, float]:
    """The mean of the points given (NaN where none is known)."""
    ok = ~(np.isnan(x) | np.isnan(y))
    if not ok.any():
        return math.nan, math.nan
    return float(x[ok].mean()), float(y[ok].mean())


def _best(score: NDArray[np.float64], limit: int) -> NDArray[np.int64]:
    """The ``limit`` best candidates, best first (ties in index order): for many candidates, a stable
    sort of the few that can be among them."""
    n = len(score)
    if n <= 512:
        return np.argsort(-score, kind="stable")[:limit]
    few = (score >= np.partition(score, n - limit)[n - limit]).nonzero()[0]
    return few[np.argsort(-score[few], kind="stable")][:limit]


# Records further than this below the best (raw score) cannot lower the confidence (see
# _RIVAL_RANGE; the margin leaves room for rounding).
_NEAR = 0.31


def _near(s: _Scores) -> tuple[list[int], list[float]] | tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The candidates within _NEAR of the best, in index order, and their raw scores: lists when they
    are few (up to _MANY), else arrays."""
    w = s.weight
    if not w:
        return list(range(len(s.total))), [0.0] * len(s.total)
    if len(s.total) <= _MANY:
        totals = s.total.tolist()
        low = max(totals) - _NEAR * w
        near = [k for k, x in enumerate(totals) if x > low]
        return near, [totals[k] / w for k in near]
    near = (s.total > s.total.max() - _NEAR * w).nonzero()[0]
    if len(near) > _MANY:
        return near, s.score[near]
    return near.tolist(), [x / w for x in s.total[near].tolist()]


def _tied_elsewhere(
    q: _Query,
    s: _Scores,
    near: list[int] | NDArray[np.int64],
    scores: list[float] | NDArray[np.float64],
    best: float,
    tied: list[int],
    top: _Record,
) -> list[int]:
    """The tied records, with those in another county that agree with the text as the best does and
    fall behind it only by what they have more (中山东路241号 with no city: 石家庄's bare door and 呼和浩特's
    door with the government office at it are two places the text fits equally)."""
    county = s.fields[_COUNTY_CODE_COLUMN, tied[0]]
    asked = [k for k, a in enumerate(q.asks) if a]
    more = []
    for k, x in zip(near, scores, strict=True):
        if x < best - _RECORD_ONLY_SLACK or k == tied[0] or s.fields[_COUNTY_CODE_COLUMN, k] == county:
            continue
        r = _record(q, s, int(k))
        if all(r.states[i] == top.states[i] and r.sims[i] == top.sims[i] for i in asked):
            more.append(int(k))
    return [*tied, *more] if more else tied


# How far behind the best a record the text fits as well may fall for what it has more (a named place at
# the door: its record-only cost).
_RECORD_ONLY_SLACK = 0.05


def _rival(
    s: _Scores,
    near: list[int] | NDArray[np.int64],
    scores: list[float] | NDArray[np.float64],
    tied: list[int],
    place: dict[int, int],
) -> float:
    """The best raw score outside the place, or one at least _NEAR below the best (-inf: none).

    The tied are inside. The best of the other near records is looked at first: it is usually
    outside (another room); when it is not (a door's rooms are within the door), every candidate is.
    """
    if len(near) == len(tied):
        return -math.inf
    if isinstance(scores, list):
        x, k = max((x, k) for k, x in zip(near, scores, strict=True) if k not in tied)
    else:
        i = int(np.where(scores < scores.max() - _TIE, scores, -np.inf).argmax())
        x, k = float(scores[i]), int(near[i])
    values = s.fields[:, k].tolist()
    if any(values[j] != v for j, v in place.items()):
        return x
    best = float(np.where(_inside(s.fields, place), -np.inf, s.total).max())
    return best / s.weight if best > -math.inf else best


def _walk(
    q: _Query, s: _Scores, tied: list[int], top: _Record
) -> tuple[dict[int, int], int | None, str | None]:
    """The place the tied best records share and the text agrees on.

    Returns its columns (field-matrix column -> value id, down to its level), its level (index into
    MATCH_LEVELS; None if the text agrees on none) and the field at which the tied records split
    (None if they do not). Fields the text lacks are passed over (the records fill them in); a
    contradiction ends the walk. Records that differ only in a town or community the text does not
    name still share a road or compound (roads cross those borders), and a town or community that
    contradicts the text does not outweigh the finer levels it agrees on: the place leaves it out.
    """
    first = top.values
    common, differ, agree = _shared(q, s, tied, top)
    asked = q.asks
    place: dict[int, int] = {}
    level = None
    split = None
    across = None  # a town or community the tied records differ in, which the text does not name
    end = 0
    for depth, (cols, k, crossed, at) in enumerate(_WALK_STEPS):
        if common is not None and not all(common[j] for j in cols):
            if crossed and not (k >= 0 and asked[k]) and _one_known(s, tied, cols):
                continue  # 阳光花园5幢1单元 with the 社区 cell of a few records empty: one community
            if crossed and (not (k >= 0 and asked[k]) or (len(cols) == 2 and common[cols[0]])):
                # (also a village the text names that the tied records all have by that name, in two
                # towns: 浏阳市南岳村3组5号, where two towns of 浏阳 have a 南岳村)
                across = across or _WALK[depth]
                continue
            if (
                depth in _STREET_STEPS
                and not asked[k]
                and asked[_POI_K]
                and all(common[j] for j in _POI_COLUMNS)
            ):
                continue  # 湖滨一里, 后埔社 (doors numbered in the compound): the compound, at any of its doors
            split = _WALK[depth]
            break
        if k >= 0 and differ[k]:
            if crossed:
                continue  # a town or community the text got wrong (or the parser read wrong) is left out
            break
        if k in _CONTAINER_K and asked[k] and all(first[j] < 0 for j in cols):
            # 新建路29号星河湾畔2栋1单元302室 against the door's own 302室: what the text writes under a
            # building or unit the record lacks is not the record's
            break
        for j in cols:
            if first[j] >= 0:
                place[j] = first[j]
        if at >= 0 and agree[k]:
            level = at
            end = len(place)
    if level is None:
        return {}, None, split
    if across is not None and level >= _DOOR_LEVEL:
        # 乐清市人民路57号, with 人民路57号 in two of its towns: a road crosses towns, a door does not.
        return {}, None, across
    shared = dict(itertools.islice(place.items(), end))
    if level == _ROAD_LEVEL and not asked[_COMMUNITY_K]:
        # 唐延路 alone: the road in every community it runs through, not the one its best doors lie in
        for j in _COMMUNITY_COLUMNS:
            shared.pop(j, None)
    return shared, level, split


def _phase_lacking(base: AddressBase, q: _Query, top: _Record) -> bool:
    """Whether the text names a phase or part of the compound that the record's compound, written
    without it, may or may not be (翠屏家园二期 against 翠屏家园): the same estate, or a phase the base
    does not list; the record, less surely."""
    if q.ids.get("poi", -1) >= 0 or "poi" not in q.values or top.sims[_POI_K] >= 1.0:
        return False
    at = top.values[COLUMN_INDEX["poi"]]
    if at < 0:
        return False
    record = _tables(base).vocab["poi"][at]
    text = q.values["poi"]
    short, long = sorted((record, text), key=len)
    return long.startswith(short) and _PHASE.fullmatch(long[len(short) :]) is not None


# A numbered part (compound names are keyed with Chinese numerals: see compound_number_key) or a side; or
# a campus or branch of a body (河北大学新校区 against 河北大学: the whole, less surely).
_PHASE = re.compile(
    f"{_BARE_PART.pattern}|[东西南北](?:区|苑)|[\u3400-\u9fff]{{0,4}}(?:校区|院区|分校|分院|门诊部)"
)


def _one_known(s: _Scores, tied: list[int], cols: tuple[int, ...]) -> bool:
    """Whether the tied records have one value in each of ``cols`` where they have one at all (a record
    left blank there agrees with any)."""
    fields = s.fields[list(cols)][:, tied]
    for row in fields:
        known = row[row >= 0]
        if len(known) and (known != known[0]).any():
            return False
    return True


def _shared(
    q: _Query, s: _Scores, tied: list[int], top: _Record
) -> tuple[list[bool] | None, list[bool], list[bool]]:
    """Over the tied records: per column whether they all have the same value (None: a single record),
    and per field of COMPARED whether any contradicts the text and whether all agree with it."""
    if len(tied) == 1:
        return None, [st == _DIFFER for st in top.states], [st == _AGREE for st in top.states]
    if len(tied) <= _FEW:
        records = [top, *(_record(q, s, k) for k in tied[1:])]
        common = [all(r.values[j] == top.values[j] for r in records) for j in range(len(COLUMNS))]
        differ = [any(r.states[i] == _DIFFER for r in records) for i in range(len(COMPARED))]
        agree = [all(r.states[i] == _AGREE for r in records) for i in range(len(COMPARED))]
        return common, differ, agree
    fields = s.fields[:, tied]
    n = len(COMPARED)
    has, agrees = s.has[:n, tied], s.agree[:n, tied]
    contradicted = cast(list[bool], (has & ~agrees).any(axis=1).tolist())
    differ = [d and a for d, a in zip(contradicted, q.asks, strict=True)]
    common = cast(list[bool], (fields == fields[:, :1]).all(axis=1).tolist())
    return common, differ, cast(list[bool], agrees.all(axis=1).tolist())


def _contradicts(top: _Record, split: str) -> bool:
    """Whether the text gives the field the tied records split at with a value that none of them has
    (人民路9号 between 8号 and 10号): it meant none of them, the shared upper place is the answer."""
    k = _WALK_K[_WALK.index(split)]
    return k >= 0 and top.states[k] == _DIFFER


def _none_named(q: _Query, s: _Scores, tied: list[int], split: str) -> bool:
    """Whether the text gives the field the tied records split at and none of them agrees on it (鹏兴花园
    11栋101 where the estate has buildings 1-10): the text meant none of them, no tie is left open."""
    k = _WALK_K[_WALK.index(split)]
    return k >= 0 and bool(q.asks[k]) and not any(s.agree[k, t] for t in tied)


def _names_finer(q: _Query, split: str) -> bool:
    """Whether the text names ``split`` or a level below it: then it meant one of the split records."""
    return any(COLUMNS[j] in q.values for cols in _WALK_COLUMNS[_WALK.index(split) :] for j in cols)


def _finer_in_base(
    q: _Query, s: _Scores, top: _Record, place: dict[int, int], level: int
) -> tuple[dict[int, int], int, list[int]] | None:
    """The place taken down to the building and unit the text names, when the best record lacks them
    but other records of the place have them (锦绣花园3幢2单元909室 with a record for 3幢 and rooms of its
    unit 2, but no room 909: the answer is unit 2, not the building's record), with the best of the
    records inside; None when the text's next level is not in the base there."""
    found = None
    for at, k, column in _FINER_STEPS:
        if at <= level:
            continue
        if at != level + 1 or not q.asks[k] or top.states[k] != _INPUT_ONLY:
            break
        inside = np.flatnonzero(_inside(s.fields, place) & s.agree[k])
        if not len(inside):
            break
        place = {**place, column: q.ids[COMPARED[k]]}
        level = at
        best = s.total[inside].max()
        found = (place, level, inside[s.total[inside] == best].tolist())
    return found


def _rows_of_the_community(q: _Query, s: _Scores) -> NDArray[np.int32] | None:
    """The candidate records in the community the text names, when some are and others are not; else None."""
    community = q.ids.get("community", -1)
    if community < 0:
        return None
    inside = s.fields[COLUMN_INDEX["community"]] == community
    if not inside.any() or inside.all():
        return None
    return cast("NDArray[np.int32]", s.rows[inside])


def _name_one_edit_off(base: AddressBase, q: _Query, s: _Scores, top: _Record, best: int) -> bool:
    """Whether the road or compound agrees only as a name a character off that no slip of sound explains,
    the text's name as long as the record's or longer (阳光花城 for 阳光城, 保利香颂国际 for 保利香槟国际,
    天鹅湾花园 for 天鹅湖花园): as likely another place numbering its buildings and rooms alike as a typo, so
    no surer than a main door for a sub-door. (A name written shorter is one cut short as people do,
    锦绣园 for 锦绣花园; a character doubled, a slip of sound, 锦秀花园 for 锦绣花园, and two characters
    swapped are slips.)"""
    t = _tables(base)
    for field, k in _NAME_K.items():
        if top.states[k] != _AGREE or not _NAME_AGREE <= top.sims[k] < _SWAP_SIMILARITY:
            continue
        written = q.values.get(field)
        record = int(s.fields[COLUMN_INDEX[field], best])
        if written is None or record < 0:
            continue
        theirs = t.vocab[field][record]
        if len(written) >= len(theirs) and not _doubled(written, theirs):
            return True
    return False


def _doubled(written: str, theirs: str) -> bool:
    """Whether ``written`` is ``theirs`` with one character written twice (锦绣绣花园)."""
    return len(written) == len(theirs) + 1 and any(
        written[i] == written[i + 1] and written[:i] + written[i + 1 :] == theirs
        for i in range(len(written) - 1)
    )


def _finer_not_in_base(q: _Query, s: _Scores, own: int, place: dict[int, int]) -> bool:
    """Whether the text names a building, unit, floor or room below the record answered that the base
    lacks, though it lists others there (金都花园5号楼1单元101 where the estate has buildings 1-4; 湖滨一里9号503室
    where door 9 has rooms 501, 502; 江贝工业区3栋5楼 where building 3 has floors 1-4): the record holds the place, but the text's own address is not in
    the base, so the answer is no surer than a main door for a sub-door. A base that lists nothing
    finer there (a door with no rooms) is coarser than the text: the record is then the answer."""
    below = _BELOW_RECORDS
    if s.fields[_ROAD_COLUMN, own] < 0 and s.fields[_POI_COLUMN, own] < 0:
        # a village's or group's record (麻料村9组, 麻料村3组99号 where the village lists groups 1-3 and
        # their doors)
        below = _VILLAGE_PARTS + below
    lacking = [column for _, column in below if s.fields[column, own] < 0]
    if not any(q.asks[k] and s.fields[column, own] < 0 for k, column in below):
        return False
    inside = np.flatnonzero(_inside(s.fields, place))
    # (any finer level the base lists there: 友谊路209号3栋101室 where door 209 has units, no buildings)
    return any(bool((s.fields[column, inside] >= 0).any()) for column in lacking)


_BELOW_RECORDS = tuple((COMPARED.index(f), COLUMN_INDEX[f]) for f in ("building", "unit", "floor", "room"))
_VILLAGE_PARTS = tuple((COMPARED.index(f), COLUMN_INDEX[f]) for f in ("group", "house_number"))


# The levels below a compound that a record may lack while the base has them: (level, position, column).
_FINER_STEPS = tuple(
    (MATCH_LEVELS.index(f), COMPARED.index(f), COLUMN_INDEX[f]) for f in ("building", "unit")
)


def _inside(fields: NDArray[np.int32], place: dict[int, int]) -> NDArray[np.bool_]:
    """Which records (columns of the field matrix) lie within the place (have its value in each of its columns)."""
    values = np.array(list(place.values()), dtype=np.int32)[:, None]
    return (fields.take(_index_array(tuple(place)), axis=0) == values).all(axis=0)


def _standard(base: AddressBase, place: dict[int, int]) -> str:
    lists = _tables(base).shown
    parts: list[str | None] = [None] * len(FIELDS)
    for j, v in place.items():
        if j < len(FIELDS):  # the columns of the field matrix start with FIELDS, in order
            parts[j] = lists[j][v]
    if parts[_ROAD_COLUMN] is None and parts[_DOOR_COLUMN] is not None and parts[_POI_COLUMN] is not None:
        # 湖滨四里21号, 后埔社341号: without a road, the door is the compound's, written after it (as
        # Address.normalized writes it).
        parts[_DOOR_COLUMN], parts[_POI_COLUMN] = parts[_POI_COLUMN], parts[_DOOR_COLUMN]
    return written(parts)


def _record_at(
    t: _Tables,
    s: _Scores,
    tied: list[int],
    place: dict[int, int],
    level: int,
    named: bool = True,
    *,
    group: bool = False,
) -> int | None:
    """The best candidate that is the matched place itself (a record whose own level is the match level).
    ``named``: the best record's named place (poi) does not contradict the text's; ``group``: the text
    names a villager group, which a record of another group contradicts (杨花村15组3号 is no 1组3号).

    The tied records are inside the place and score above every other: when one of them is at the
    level, the best of those is the answer.
    """
    want = level + 1  # t.levels holds level + 1
    if group:
        tied = [k for k in tied if s.fields[_GROUP_COLUMN, k] < 0 or s.agree[_GROUP_K, k]]
    if level == _COMMUNITY_LEVEL:
        # A village's group (陵北委1组, 东岙村3组) has no level of its own: its record is the village's own
        # only for a text naming that group.
        tied = [k for k in tied if s.fields[_GROUP_COLUMN, k] < 0 or s.agree[_GROUP_K, k]]
    elif level == _POI_LEVEL:
        # A door of a compound with no road (湖滨一里1号, 后埔社1号: the lane or village numbers them) is the
        # compound's own record only for a text naming that door; unless it is the compound's one door
        # (营门村1号甘肃农业大学: a college at a village's door).
        doors = [k for k in tied if _compound_door(s.fields[:, k]) and not s.agree[_DOOR_K, k]]
        if doors and (len(doors) > 1 or _doors_of_compound(t, int(s.fields[_POI_COLUMN, doors[0]])) > 1):
            tied = [k for k in tied if k not in doors]
        # So is a compound's door on a road when it has several (解放街12号华联商厦 and 14号华联商厦;
        # 家具城A区3排7号, a stall of a market's row).
        doors = [k for k in tied if _road_door(s.fields[:, k]) and not s.agree[_DOOR_K, k]]
        if len({_door_on_road(s.fields[:, k]) for k in doors}) > 1:
            tied = [k for k in tied if k not in doors]
    if len(tied) <= _FEW:
        found, best = None, -math.inf
        for k in tied:
            if t.levels[s.rows[k]] == want and (x := float(s.total[k])) > best:
                found, best = k, x
        if found is not None:
            return found
    else:
        own = np.array(tied)[np.frombuffer(t.levels, dtype=np.uint8)[s.rows[tied]] == want]
        if len(own):
            return int(own[np.argmax(s.total[own])])
    others = len(tied) < len(s.rows)  # else every candidate is tied, and none is at the level
    door = level == _DOOR_LEVEL and named
    if not (others or door):
        return None
    levels = np.frombuffer(t.levels, dtype=np.uint8)[s.rows]
    inside = _inside(s.fields, place)
    if others:
        own = np.flatnonzero(inside & (levels == want))
        if group:
            own = own[(s.fields[_GROUP_COLUMN, own] < 0) | s.agree[_GROUP_K, own]]
        if level == _COMMUNITY_LEVEL:
            own = own[(s.fields[_GROUP_COLUMN, own] < 0) | s.agree[_GROUP_K, own]]
        elif level == _POI_LEVEL:
            doors = (s.fields[_DOOR_COLUMN, own] >= 0) & (s.fields[_ROAD_COLUMN, own] < 0)
            own = own[~doors | s.agree[_DOOR_K, own]]
            on_road = (s.fields[_DOOR_COLUMN, own] >= 0) & (s.fields[_ROAD_COLUMN, own] >= 0)
            if len({_door_on_road(s.fields[:, k]) for k in own[on_road].tolist()}) > 1:
                own = own[~on_road | s.agree[_DOOR_K, own]]
        if len(own):
            return int(own[np.argmax(s.total[own])])
    if door:
        # 解放街158号 where the base lists only 解放街158号温州市中医院: the one named place at a door
        # stands for the door, also with its buildings, units and rooms under it (长征路43号 for the
        # record 长征路43号天湖苑, whose buildings are its own): nothing else lies at that door.
        at_door = np.flatnonzero(inside)
        named_at = at_door[levels[at_door] == _POI_LEVEL + 1]
        if len(named_at) == 1:
            poi = s.fields[_POI_COLUMN, at_door]
            if (poi == poi[np.flatnonzero(at_door == named_at[0])[0]]).all():
                return int(named_at[0])
    return None


_DOOR_LEVEL = MATCH_LEVELS.index("house_number")
_POI_COLUMN = FIELDS.index("poi")  # the columns of the field matrix start with FIELDS, in order
_GROUP_COLUMN = FIELDS.index("group")
_COUNTY_CODE_COLUMN = COLUMN_INDEX["county_code"]
_ROAD_COLUMN = FIELDS.index("road")
_DOOR_COLUMN = FIELDS.index("house_number")


def _doors_of_compound(t: _Tables, poi: int) -> int:
    """How many doors the base lists of a compound."""
    return len(np.unique(t.fields[_DOOR_COLUMN][t.groups["poi"].rows(poi)]))


def _door_on_road(fields: NDArray[np.int32]) -> tuple[int, int]:
    """A record's road and door (its column of the field matrix)."""
    return int(fields[_ROAD_COLUMN]), int(fields[_DOOR_COLUMN])


def _road_door(fields: NDArray[np.int32]) -> bool:
    """Whether a record (its column of the field matrix) is a door on a road."""
    return bool(fields[_DOOR_COLUMN] >= 0 and fields[_ROAD_COLUMN] >= 0)


_FLOOR_K, _ROOM_K = COMPARED.index("floor"), COMPARED.index("room")


def _flat_on_a_floor_the_record_lacks(q: _Query, top: _Record) -> bool:
    """科学城一区3栋2单元3楼1号 against …3幢2单元1室: flat 1 of the text's floor 3 is the record's flat 1 only
    if that is on floor 3; a base numbering flats through the unit (1室 … 12室) writes no floor."""
    room = q.values.get("room")
    return (
        room is not None
        and "floor" in q.values
        and _FLAT_NUMBER.fullmatch(room) is not None  # (3楼1号 -> 1室: one or two digits)
        and top.states[_ROOM_K] == _AGREE
        and top.states[_FLOOR_K] == _INPUT_ONLY
    )


def _zone_of_towns(address: Address) -> bool:
    """Whether the text's town is a zone of the code list (codes x400-x599 of a county: 赣州经济技术开发区
    360702400), which runs streets the list codes apart (黄金岭街道 360702091): no other town's records
    contradict it."""
    code = address.town_code
    return code is not None and "400" <= code[6:9] <= "599"


def _compound_door(fields: NDArray[np.int32]) -> bool:
    """Whether a record (its column of the field matrix) is a door numbered in a compound: no road."""
    return bool(fields[_DOOR_COLUMN] >= 0 and fields[_ROAD_COLUMN] < 0)


_COMMUNITY_LEVEL = MATCH_LEVELS.index("community")
_POI_LEVEL = MATCH_LEVELS.index("poi")


def _split_match(
    base: AddressBase,
    q: _Query,
    s: _Scores,
    tied: list[int],
    top: _Record,
    limit: int,
    cutoff: float,
    split: str | None,
    candidates: bool,
) -> Match | None:
    """Best records that split above every level the text agrees on (解放街123号 in two counties).

    The tie is returned as it is: an ambiguous match without an id or a point, at the level each tied
    record agrees on, written from the text's own values; the candidates are the tied records.
    """
    level = _lowest_level(q, s, tied)
    if level < 0 or split is None:
        return None
    agreement, coverage = _place_agreement(q, top, level)
    score = confidence(agreement, coverage, 0.0)
    if score < cutoff:
        return None
    depth = _WALK.index(MATCH_LEVELS[level])
    kept = {COLUMNS[j] for cols in _WALK_COLUMNS[: depth + 1] for j in cols}
    order = np.array(tied)[np.argsort(-s.score[tied], kind="stable")][:limit]
    return Match(
        text=q.address.text,
        address_id=None,
        score=round(score, 4),
        level=MATCH_LEVELS[level],
        standard=standard_of({f: v for f, v in q.values.items() if f in kept}),
        x=None,
        y=None,
        ambiguous=True,
        candidates=_candidates(base, q, s, order) if candidates else (),
        explanation=_explain(q, top, MATCH_LEVELS[level], None, len(tied), split, True),
    )


def _lowest_level(q: _Query, s: _Scores, ks: list[int]) -> int:
    """The coarsest of the levels (see :attr:`_Record.level`) of candidates ``ks``."""
    if len(ks) <= _FEW:
        return min(_record(q, s, k).level for k in ks)
    levels = list(_LEVEL_K)
    agree = s.agree[levels][:, ks]
    differ = s.has[levels][:, ks] & ~agree & np.array([q.asks[k] for k in levels])[:, None]
    reached = agree & ~np.logical_or.accumulate(differ, axis=0)
    return int(np.where(reached, np.arange(len(levels))[:, None], -1).max(axis=0).min())


def _place_agreement(q: _Query, r: _Record, level: int) -> tuple[float, float]:
    """How well record ``r`` agrees with the text on the levels down to the match (weighted mean
    similarity, times what its weakest near name is worth), and the weighted share of the text's
    weight those levels cover.
    """
    within, inside = _within(q.asks, level)
    if not inside:
        return 0.0, 0.0
    states, sims = r.states, r.sims
    agreed = [k for k in within if states[k] == _AGREE]
    agreement = _sum([_WEIGHT[k] * sims[k] for k in agreed]) / inside
    names = [(sims[k], k) for k in agreed if k in _NAME_POSITIONS]
    weakest, which = min(names) if names else (1.0, -1)
    return agreement * _name_evidence(q, r, weakest, which), inside / q.weight


@functools.cache
def _deeper(asks: tuple[bool, ...], level: int) -> tuple[int, ...]:
    """The fields of the text below ``level`` (positions in COMPARED)."""
    depth = _LEVEL_DEPTH[level]
    return tuple(k for k, (a, d) in enumerate(zip(asks, _K_DEPTH, strict=True)) if a and d > depth)


@functools.cache
def _within(asks: tuple[bool, ...], level: int) -> tuple[tuple[int, ...], float]:
    """The fields of the text at or above ``level`` (positions in COMPARED) and their summed weight."""
    depth = _LEVEL_DEPTH[level]
    within = tuple(k for k, (a, d) in enumerate(zip(asks, _K_DEPTH, strict=True)) if a and d <= depth)
    return within, _sum([_WEIGHT[k] for k in within])


def _sum(v: list[float]) -> float:
    """``numpy.sum`` of a short float array, to the last bit: numpy adds up to 7 values in order and
    8 or more in eight interleaved partial sums."""
    if len(v) < 8:
        total = -0.0
        for x in v:
            total += x
        return 0.0 + total
    r = v[:8]
    i = 8
    while i + 8 <= len(v):
        for j in range(8):
            r[j] += v[i + j]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for x in v[i:]:
        total += x
    return 0.0 + total


def _name_evidence(q: _Query, r: _Record, similarity: float, which: int = -1) -> float:
    """How much a near (fuzzy) road or compound name is worth: its similarity to a power that falls
    from _NAME_POWER_ALONE to _NAME_POWER_SUPPORTED as the record confirms the fields that place the
    name (``which`` is its position in COMPARED); fields the record lacks count against it.

    For a road these are the text's finer fields (building, unit, floor, room): one wrong character in
    a 3-character name is another real name about as often as a typo, and a door number alone exists
    on most near roads; a whole building, unit and room rarely does. For a compound they are its road
    and door, counted even when the text leaves them out (then nothing places the name), and weakly
    the finer fields, which most compounds have (华汇家园 6幢1单元1702室 exists at 华孚家园 too).
    """
    if similarity >= 1.0:
        return 1.0
    evidence = _COMPOUND_EVIDENCE if which == _POI_K else _ROAD_EVIDENCE
    if which == _POI_K and numbered_lane(q.values.get("road", "")):
        # 国际家具城A区|3排7号: a row or lane numbered in the compound (every market has a 3排7号) places
        # no name; its finer fields count as for any compound.
        evidence = _COMPOUND_FINER_EVIDENCE
    asked = [(k, w) for k, w, always in evidence if always or q.asks[k]]
    total = _sum([w for _, w in asked])
    support = 0.0
    if total:
        agreed = _sum([w for k, w in asked if r.states[k] == _AGREE])
        missing = _sum([w for k, w in asked if r.states[k] == _INPUT_ONLY])
        support = max(0.0, agreed - missing) / total
    power = _NAME_POWER_ALONE - (_NAME_POWER_ALONE - _NAME_POWER_SUPPORTED) * support
    return similarity**power


def _centroid(
    base: AddressBase, place: dict[int, int], level: int, candidates: NDArray[np.int32]
) -> tuple[float, float]:
    """The mean point of the base records within a place above the records.

    Divisions have theirs precomputed; a road, door, compound or village group takes the records of
    its grouping; a place named otherwise (a community the gazetteer has no code for) takes the
    ``candidates`` within it.
    """
    a = base._a
    f = MATCH_LEVELS[level]
    named = {COLUMNS[j]: v for j, v in place.items()}
    column = f"{f}_code"
    if f in _DIVISIONS and column in named:
        return float(a[f"m.{column}.x"][named[column]]), float(a[f"m.{column}.y"][named[column]])
    t = _tables(base)
    g, sizes = t.groups, t.sizes
    if "road" in named and "house_number" in named:
        rows = g["door"].rows(named["road"] * sizes["house_number"] + named["house_number"])
    elif "poi" in named and "building" in named:
        rows = g["poi_building"].rows(named["poi"] * sizes["building"] + named["building"])
    elif "poi" in named:
        rows = g["poi"].rows(named["poi"])
    elif "road" in named:
        rows = g["road"].rows(named["road"])
    elif "community" in named and "group" in named:
        rows = g["community_group"].rows(named["community"] * sizes["group"] + named["group"])
    else:
        rows = candidates
    rows = rows[_inside(_columns(t.fields, rows), place)] if len(rows) else rows
    x, y = a["x"][rows], a["y"][rows]
    ok = np.isfinite(x)
    if not ok.any():
        return math.nan, math.nan
    return float(x[ok].mean()), float(y[ok].mean())


# Knots of the piecewise-linear map from the raw confidence to the calibrated score: an isotonic
# regression of "right" on the raw value over 30,000 messy queries of a 1,000,000-record synthetic
# base (bench/match_bench.py --fit), rounded.
_CALIBRATION = (
    (0.0, 0.0),
    (0.01, 0.0),
    (0.023, 0.25),
    (0.08, 0.7),
    (0.15, 0.88),
    (0.37, 0.975),
    (0.65, 0.985),
    (0.7, 0.991),
    (1.0, 1.0),
)
# A rival (the best record outside the matched place) closer than this in raw score lowers the confidence.
_RIVAL_RANGE = 0.3
# How steeply the confidence falls with the share of the text the matched place leaves unexplained.
_COVERAGE_POWER = 1.5
# Powers applied to the similarity of a near (fuzzy) road or compound name in the confidence: alone
# (with a door number at most) and with every finer field of the text confirmed (see _name_evidence).
_NAME_POWER_ALONE = 8.0
_NAME_POWER_SUPPORTED = 2.0
# The raw agreement of a text naming only divisions but holding unplaced words (a road the parser
# could not read may have been meant).
_UNPLACED = 0.6


def confidence(agreement: float, coverage: float, margin: float) -> float:
    """The calibrated score of a match.

    ``agreement`` is how well the best record agrees with the text down to the matched level (1 when
    every name there is exact), ``coverage`` the weighted share of the text's fields at or above that
    level (a door matched for a text naming a room not in the base covers less), ``margin`` the raw
    score of the best record minus that of the best record outside the matched place.
    """
    closeness = max(0.0, 1.0 - margin / _RIVAL_RANGE)
    return _interp(agreement * coverage**_COVERAGE_POWER * (1.0 - 0.5 * closeness), _CALIBRATION)


def _interp(x: float, knots: tuple[tuple[float, float], ...]) -> float:
    """``numpy.interp(x, xs, ys)`` for one value, to the last bit, without numpy's per-call cost."""
    if x != x:
        return x
    if x <= knots[0][0]:
        return knots[0][1]
    if x >= knots[-1][0]:
        return knots[-1][1]
    j = bisect_right(knots, (x, math.inf)) - 1
    (x0, y0), (x1, y1) = knots[j], knots[j + 1]
    if x == x0:
        return y0
    return (y1 - y0) / (x1 - x0) * (x - x0) + y0


def _candidates(base: AddressBase, q: _Query, s: _Scores, order: NDArray[np.int64]) -> tuple[Candidate, ...]:
    vocab = base._vocab
    ids = base._a["ids"]
    # Per compared field: the column shown (a division's name, not its code) and the text's value.
    shown = []
    for i, f in enumerate(COMPARED):
        column = f if f in _DIVISIONS else COLUMNS[q.columns[i]]
        shown.append((f, COLUMN_INDEX[column], vocab[column], q.values.get(column)))
    lists = _tables(base).shown
    out = []
    ks = order.tolist()
    for k, values, row, score in zip(
        ks, s.fields[:, ks].T.tolist(), s.rows[ks].tolist(), s.score[ks].tolist(), strict=True
    ):
        r = _record(q, s, k, values)
        fields = tuple(
            _field_match(f, st, value, names[values[j]] if values[j] >= 0 else None, sim)
            for (f, j, names, value), st, sim in zip(shown, r.states, r.sims, strict=True)
            if st != _NONE
        )
        level = r.level
        out.append(
            Candidate(  # address_id, score, level, standard, fields
                str(ids[row]),
                min(1.0, max(0.0, score)),
                MATCH_LEVELS[level] if level >= 0 else None,
                written([names[v] if v >= 0 else None for names, v in zip(lists, values, strict=False)]),
                fields,
            )
        )
    return tuple(out)


# FieldMatch objects are immutable and the same ones come back in candidate after candidate (the
# county agrees, the town is the record's only): made once, they are also pickled once per batch chunk.
_FIELD_MATCHES: dict[tuple[str, int, str | None, str | None, float], FieldMatch] = {}
_FIELD_MATCHES_MAX = 1 << 16


def _field_match(field: str, state: int, value: str | None, record: str | None, sim: float) -> FieldMatch:
    key = (field, state, value, record, sim)
    made = _FIELD_MATCHES.get(key)
    if made is None:
        if len(_FIELD_MATCHES) >= _FIELD_MATCHES_MAX:
            _FIELD_MATCHES.clear()
        made = _FIELD_MATCHES[key] = FieldMatch(field, _STATE_NAMES[state], value, record, sim)
    return made


def _explain(
    q: _Query,
    r: _Record,
    level: str,
    address_id: str | None,
    n_tied: int,
    split: str | None,
    ambiguous: bool,
) -> str:
    agrees, differs = _said(tuple(r.states))
    parts = [
        f"record {address_id} at {level} level" if address_id else f"{level} level (no record of its own)"
    ]
    if agrees:
        parts.append(agrees)
    fuzzy = [
        f"{f} {q.values[f]}~{max(found.values()):.2f}"
        for f, found in (("road", q.roads), ("poi", q.pois))
        if f in q.values and found and max(found.values()) < 1.0
    ]
    if fuzzy:
        parts.append("fuzzy " + ", ".join(fuzzy))
    if differs:
        parts.append(differs)
    if q.unread is not None:
        parts.append(f"road {q.unread} not in the base, left unread")
    if ambiguous:
        parts.append(
            f"{n_tied} records tie, split by {split}"
            if split
            else f"{n_tied} records of the base have this very address, under different ids"
        )
    return "; ".join(parts)


@functools.lru_cache(maxsize=1 << 12)
def _said(states: tuple[int, ...]) -> tuple[str, str]:
    """What the explanation says of the fields in these states: what agrees, and what differs or
    the base lacks (empty: nothing)."""
    by_state: dict[int, list[str]] = {}
    for f, st in zip(COMPARED, states, strict=True):
        by_state.setdefault(st, []).append(f)
    agrees = "agrees on " + ", ".join(by_state[_AGREE]) if _AGREE in by_state else ""
    rest = []
    if _DIFFER in by_state:
        rest.append("differs in " + ", ".join(by_state[_DIFFER]))
    if _INPUT_ONLY in by_state:
        rest.append("the record lacks the input's " + ", ".join(by_state[_INPUT_ONLY]))
    return agrees, "; ".join(rest)


def _division_match(
    base: AddressBase, q: _Query, cutoff: float, why: str | None = None, *, unread: bool = False
) -> Match | None:
    """A text naming only divisions (or whose finer levels lie elsewhere: ``why``) matches the finest of
    them that the base has records in; ``unread``: the text names finer places the base lacks there,
    scored as names left unplaced are."""
    t = _tables(base)
    place: dict[int, int] = {}
    level = None
    # A town read from a slip or a glued short name (唐下镇, 北白象大桥村) comes with its code alone: the
    # levels above it and its name are the base's, from that code.
    finest = next((q.values[c] for c in ("community_code", "town_code") if c in q.values), "")
    for f, length in zip(("province", "city", *_DIVISIONS), CODE_LENGTHS, strict=True):
        code = f"{f}_code"
        value = q.values.get(code)
        derived = value is None and len(finest) > length
        if derived:
            value = finest[:length]
        elif value is None:
            continue
        name = q.ids.get(f, -1) if f in q.values else t.ids[f].get(_town_name(value), -1)
        code_id = t.ids[code].get(value, -1)
        if code_id < 0 or name < 0:
            if derived:
                continue  # 龙港市 has no towns: its communities' codes hold no town's
            break
        place[COLUMN_INDEX[code]], place[COLUMN_INDEX[f]] = code_id, name
        if f in _DIVISIONS:
            level = MATCH_LEVELS.index(f)
    rows = _EMPTY
    ambiguous = False
    if level is not None and level < _COMMUNITY_LEVEL and "community_code" not in q.values:
        rows = _named_community(base, q, place)
        if len(rows):
            place[COLUMN_INDEX["community"]], level = q.ids["community"], _COMMUNITY_LEVEL
    elif level is None and not place and q.ids.get("community", -1) >= 0:
        # 七星社区 alone: the community of the base so named, or the divisions its namesakes share.
        rows = t.groups["community"].rows(q.ids["community"])
        if len(rows):
            place, ambiguous = _shared_divisions(t, rows)
            place[COLUMN_INDEX["community"]], level = q.ids["community"], _COMMUNITY_LEVEL
            why = why or (_NAMESAKE_COMMUNITIES if ambiguous else None)
    score = confidence(_UNPLACED if unread or _unplaced(q.address) else 1.0, 1.0, math.inf)
    if level is None or score < cutoff:
        return None
    own = _record_of_community(t, place) if level == _COMMUNITY_LEVEL and not ambiguous and not why else None
    if own is not None:
        # 察素齐镇西园村, with a record of the village itself (its seat): that record
        x, y = float(base._a["x"][own]), float(base._a["y"][own])
        address_id: str | None = str(base._a["ids"][own])
        explanation = f"record {address_id} at community level: the village or community itself"
        finer = [f for f in _UNDER_VILLAGE if f in q.values]
        if q.unread is not None:
            # 从良村委会|后山村|55号: a natural village the base does not list, and its door
            score = min(score, _MAIN_DOOR)
            place_text = q.unread + (q.address.house_number or "")
            explanation = (
                f"record {address_id} at community level; the base has no record of {place_text} there"
            )
        elif finer and len(_community_rows(t, place, place[COLUMN_INDEX["community"]])) > 1:
            # 麻料村99号, where the village's records are its groups' doors and door 99 is none: the
            # village's record holds the place, but the text's own address is not in the base.
            score = min(score, _MAIN_DOOR)
            explanation = (
                f"record {address_id} at community level; the record lacks the input's {', '.join(finer)}"
            )
    else:
        x, y = _centroid(base, place, level, rows) if not ambiguous else (math.nan, math.nan)
        address_id = None
        explanation = f"{MATCH_LEVELS[level]} level: {why or _why_division(q.address, level)}"
    return Match(
        text=q.address.text,
        address_id=address_id,
        score=round(score, 4),
        level=MATCH_LEVELS[level],
        standard=_standard(base, place),
        x=None if math.isnan(x) else x,
        y=None if math.isnan(y) else y,
        ambiguous=ambiguous,
        candidates=(),
        explanation=explanation,
    )


def _record_of_community(t: _Tables, place: dict[int, int]) -> int | None:
    """The one record of the base that is the community ``place`` names itself (a village written with
    nothing under it: the village's seat), or None."""
    community = place.get(COLUMN_INDEX["community"])
    if community is None:
        return None
    rows = _community_rows(t, place, community)
    if not len(rows):
        return None
    bare = np.all(t.fields[_FINER_COLUMNS][:, rows] < 0, axis=0)
    return int(rows[bare][0]) if int(bare.sum()) == 1 else None


# What a text may name under a village.
_UNDER_VILLAGE = ("group", "road", "house_number", "poi", "building", "unit", "floor", "room")


def _community_rows(t: _Tables, place: dict[int, int], community: int) -> NDArray[np.int32]:
    """The records of the community ``place`` names."""
    rows = t.groups["community"].rows(community)
    return rows[_inside(_columns(t.fields, rows), place)] if len(rows) else rows


def _shared_divisions(t: _Tables, rows: NDArray[np.int32]) -> tuple[dict[int, int], bool]:
    """The divisions (codes and names, province to town) all of ``rows`` lie in, and whether they lie in
    several places (then the divisions down to the first they differ in)."""
    place: dict[int, int] = {}
    for f in ("province", "city", *_DIVISIONS[:2]):
        for j in (COLUMN_INDEX[f"{f}_code"], COLUMN_INDEX[f]):
            values = t.fields[j][rows]
            if (values != values[0]).any():
                return place, True
            if values[0] >= 0:
                place[j] = int(values[0])
    return place, False


def _why_division(address: Address, level: int) -> str:
    """Why a text matched only its divisions, down to ``level``: it names nothing finer, or what it
    names the base lacks."""
    named = _FINE_NAMED if level >= _COMMUNITY_LEVEL else ("community", *_FINE_NAMED)
    finer = [v for f in named if (v := getattr(address, f)) is not None]
    if not finer:
        return "the input names no road, compound or village group"
    return f"the base has no record of {''.join(finer)} there"


# The fields below the divisions, as the explanation of a division match names them; their columns,
# which a record of a community itself leaves empty.
_FINE_NAMED = ("group", "road", "house_number", "poi", "building", "unit", "floor", "room")
_FINER_COLUMNS = [COLUMN_INDEX[f] for f in _FINE_NAMED]
# The fields below a community other than a compound (one named as the community is read as it).
_UNDER_COMMUNITY = frozenset(_FINE_NAMED) - {"poi"}
_NAMESAKE_COMMUNITIES = "the base has communities of that name in several places; the divisions they share"


def _named_community(base: AddressBase, q: _Query, place: dict[int, int]) -> NDArray[np.int32]:
    """The records of the community the text names without a gazetteer code (a village renamed or merged
    since the divisions were published, 大桥村), within the divisions of ``place``; none if the base has
    no such community there."""
    community = q.ids.get("community", -1)
    if community < 0 or not place:
        return _EMPTY
    fields = _tables(base).fields
    rows = np.flatnonzero(fields[COLUMN_INDEX["community"]] == community).astype(np.int32)
    return rows[_inside(_columns(fields, rows), place)] if len(rows) else rows


def match_safe(
    base: AddressBase, value: Any, limit: int, cutoff: float, *, candidates: bool = True
) -> tuple[Match | None, str, str]:
    """The match of one batch value with its status (:data:`~stdaddr.models.MATCH_STATUSES`) and a reason.

    ``candidates=False`` leaves :attr:`Match.candidates` empty, for callers that do not show them.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, "invalid", "missing value"
    if not isinstance(value, (str, bytes, bytearray)):
        return None, "invalid", f"not text: {value!r:.60}"
    try:
        address = _parse(value)
        if address is None:
            return None, "invalid", "empty text"
        m = _match_address(base, address, limit, cutoff, candidates)
    except Exception as exc:  # batch contract: one value never stops the batch; its row says why
        return None, "invalid", f"{type(exc).__name__}: {exc}"
    if m is None:
        return None, "no_match", "nothing in the base is close enough"
    return m, m.status, m.explanation


_FORKED: tuple[AddressBase, int, float, bool] | None = None


def _match_chunk(values: list[Any]) -> list[Match | tuple[None, str, str]]:
    """Worker: a match, or for no match its (None, status, reason), per value. A match carries its
    status and reason itself: sending them as well would only lengthen the pickle."""
    assert _FORKED is not None
    base, limit, cutoff, candidates = _FORKED
    out: list[Match | tuple[None, str, str]] = []
    for part in parse_ahead(values):
        for v in part:
            m, status, reason = match_safe(base, v, limit, cutoff, candidates=candidates)
            out.append((None, status, reason) if m is None else m)
    return out


def parse_ahead(values: list[Any]) -> Iterator[list[Any]]:
    """``values`` in slices, each parsed into the parse cache before it is yielded for matching.

    Parsing a slice of texts and then matching them keeps each stage's tables in the processor's caches:
    a batch loop runs about a tenth faster than parsing and matching text by text. Values that are no
    text are left to the matcher, which gives their status.
    """
    from stdaddr.parsing import parse

    for i in range(0, len(values), _AHEAD):
        part = values[i : i + _AHEAD]
        for v in part:
            if isinstance(v, str) and v.strip():
                with contextlib.suppress(Exception):  # the matcher parses it again and says why
                    parse(v)
        yield part


def match_batch(
    base: AddressBase,
    values: Iterable[Any],
    *,
    limit: int,
    score_cutoff: float | None,
    workers: int | None,
    candidates: bool = True,
) -> list[tuple[Match | None, str, str]]:
    """:func:`match_safe` over many values, in order, on ``workers`` forked processes for big batches."""
    global _FORKED
    from stdaddr.parsing import as_batch, check_workers

    cutoff = _check_args(limit, score_cutoff)
    check_workers(workers)
    # A text that comes again is matched once: its match is the same object for every row naming it.
    todo, where = distinct(list(as_batch(values)))
    n_workers = default_workers(workers) if len(todo) >= 2 * _CHUNK else 1
    _tables(base)  # built once here, so forked workers inherit it
    _FORKED = (base, limit, cutoff, candidates)
    try:
        parts = run_chunks(_match_chunk, todo, chunk=_CHUNK, workers=n_workers, warm_up=_warm)
    finally:
        _FORKED = None
    done = [r if isinstance(r, tuple) else (r, r.status, r.explanation) for part in parts for r in part]
    return [done[k] for k in where]


def _warm() -> None:
    from stdaddr.parsing import parse

    parse("浙江省温州市鹿城区五马街道解放街1号")


def match_many(
    base: AddressBase,
    texts: Iterable[Any],
    *,
    limit: int = 5,
    score_cutoff: float | None = None,
    workers: int | None = None,
) -> list[Match | None]:
    """One :class:`Match` or None per input, in order; never raises for one bad value."""
    return [
        m for m, _, _ in match_batch(base, texts, limit=limit, score_cutoff=score_cutoff, workers=workers)
    ]


def match_table(
    base: AddressBase,
    df: pd.DataFrame,
    *,
    column: str | Sequence[str],
    limit: int = 5,
    score_cutoff: float | None = None,
    workers: int | None = None,
    prefix: str = "match_",
) -> pd.DataFrame:
    """A copy of ``df`` with the match of each row's ``column`` in the columns ``{prefix}id``, ``score``,
    ``level``, ``standard``, ``x``, ``y``, ``ambiguous``, ``status`` and ``reason`` (replaced if present).

    Every row comes out: ``status`` is one of :data:`~stdaddr.models.MATCH_STATUSES`. Several
    ``column`` names (区县, 详细地址) are read as one address, joined in order.
    """
    from stdaddr.io import table_addresses

    results = match_batch(
        base,
        table_addresses(df, column),
        limit=limit,
        score_cutoff=score_cutoff,
        workers=workers,
        candidates=False,
    )
    out = df.copy()
    out[f"{prefix}id"] = _objects([m.address_id if m else None for m, _, _ in results], out.index)
    out[f"{prefix}score"] = [m.score if m else 0.0 for m, _, _ in results]
    out[f"{prefix}level"] = _objects([m.level if m else None for m, _, _ in results], out.index)
    out[f"{prefix}standard"] = _objects([m.standard if m else None for m, _, _ in results], out.index)
    out[f"{prefix}x"] = [m.x if m and m.x is not None else math.nan for m, _, _ in results]
    out[f"{prefix}y"] = [m.y if m and m.y is not None else math.nan for m, _, _ in results]
    out[f"{prefix}ambiguous"] = [bool(m and m.ambiguous) for m, _, _ in results]
    out[f"{prefix}status"] = [status for _, status, _ in results]
    out[f"{prefix}reason"] = [reason for _, _, reason in results]
    return out


def _objects(values: list[Any], index: Any) -> pd.Series:
    """A column of Python objects: None stays None (pandas would turn it into NaN in a string column)."""
    import pandas as pd

    return pd.Series(values, index=index, dtype=object)
