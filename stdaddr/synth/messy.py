"""Messy queries with known answers: base addresses written the ways departments write them.

Each query starts from a target — a record of the base, an upper level of one (a road, a compound,
a community, a town), or an address that is not in the base — as a draft with one piece of text per
address level. One to four patterns of DESIGN.md's "Messy input" rewrite the draft (numerals,
markers, dropped or abbreviated levels, former names, notes, typos, …); then it is written out and
character-level patterns (traditional, radical, full-width forms) are applied to the string.
Every pattern keeps the answer recoverable: it changes how the address is written, never which
address it is, and a pattern is listed in ``kind`` only if it changed the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from stdaddr import gazetteer
from stdaddr.models import FIELDS
from stdaddr.synth import vocab
from stdaddr.synth.world import short_name

__all__ = ["messy_queries", "KINDS", "TARGETS", "EXPECTED_LEVELS", "DEPARTMENTS"]

# Patterns, in the order they are applied to a draft.
KINDS = (
    "historical_name",
    "abbreviation",
    "drop_divisions",
    "drop_community",
    "drop_road",
    "typo",
    "shorthand",
    "cn_numeral",
    "financial_numeral",
    "building_marker",
    "floor_marker",
    "room_marker",
    "annex_marker",
    "reorder",
    "repeated_prefix",
    "note",
    "contact",
    "delivery_note",
    "noise",
    "traditional",
    "radical",
    "fullwidth",
)
# What a query is about; "record" queries name one record of the base, oob_* ones none.
TARGETS = (
    "record",
    "road_only",
    "compound_only",
    "community_only",
    "town_only",
    "oob_door",
    "oob_road",
    "oob_compound",
)
EXPECTED_LEVELS = ("room", "unit", "building", "house_number", "poi", "road", "community", "town")

_BASE_WEIGHT = {
    "historical_name": 3.0,
    "abbreviation": 2.0,
    "drop_divisions": 3.0,
    "drop_community": 4.0,
    "drop_road": 1.0,
    "typo": 1.0,
    "shorthand": 1.5,
    "cn_numeral": 1.0,
    "financial_numeral": 0.5,
    "building_marker": 1.5,
    "floor_marker": 0.8,
    "room_marker": 1.0,
    "annex_marker": 8.0,  # applies only to annex doors (123号附1), so a high weight keeps it visible
    "reorder": 0.8,
    "repeated_prefix": 0.7,
    "note": 1.0,
    "contact": 1.0,
    "delivery_note": 0.5,
    "noise": 1.5,
    "traditional": 0.7,
    "radical": 0.5,
    "fullwidth": 1.0,
}
# Each department's system writes addresses its own way: a multiplier per pattern (default 1).
DEPARTMENTS: dict[str, dict[str, float]] = {
    "public_security": {"shorthand": 3.0, "building_marker": 2.0, "drop_divisions": 0.5, "contact": 0.2},
    "hotline_12345": {
        "note": 3.0,
        "contact": 3.0,
        "typo": 2.0,
        "drop_divisions": 2.0,
        "noise": 2.0,
        "abbreviation": 2.0,
    },
    "market_regulation": {
        "repeated_prefix": 3.0,
        "fullwidth": 2.0,
        "annex_marker": 8.0,  # applies only to annex doors (123号附1), so a high weight keeps it visible
        "drop_community": 0.5,
    },
    "education": {"cn_numeral": 2.0, "room_marker": 2.0, "drop_divisions": 1.5, "floor_marker": 1.5},
    "fire_rescue": {"note": 2.0, "reorder": 2.0, "building_marker": 2.0, "drop_road": 2.0},
    "housing": {"financial_numeral": 3.0, "cn_numeral": 2.0, "floor_marker": 2.0, "historical_name": 2.0},
    "civil_affairs": {"historical_name": 4.0, "traditional": 2.0, "radical": 2.0},
    "health": {"noise": 2.0, "fullwidth": 2.0, "delivery_note": 2.0, "typo": 1.5},
}
_N_PATTERNS = (np.array([0, 1, 2, 3, 4]), np.array([0.05, 0.30, 0.33, 0.22, 0.10]))
# Of the in-base queries: which target, and for records which level (events concern rooms and shops).
_UPPER_SHARE = {"road_only": 0.04, "compound_only": 0.03, "community_only": 0.015, "town_only": 0.015}
_RECORD_LEVELS = {"room": 0.55, "door": 0.30, "building": 0.10, "unit": 0.05}
_DROPS = (
    (("province",), 0.30),
    (("province", "city"), 0.25),
    (("province", "city", "county"), 0.15),
    (("province", "city", "county", "town"), 0.10),
    (("town",), 0.10),
    (("province", "town"), 0.10),
)
_DIVISIONS = ("province", "city", "county", "town")
_ORDER = FIELDS
_LEVEL_NO = {name: i for i, name in enumerate(("province", "city", "county", "town", "community"))}
_CN = "零一二三四五六七八九"
_FIN = "零壹贰叁肆伍陆柒捌玖"
_CN_UNITS = ("", "十", "百", "千")
_FIN_UNITS = ("", "拾", "佰", "仟")
_HOUSE = re.compile(r"^(\d+)(?:弄(\d+))?号(?:附(\d+))?$")
_NUM = re.compile(r"^(\d+|[A-Z])")


def _counting(n: int, digits: str, units: tuple[str, ...]) -> str:
    """A number in Chinese counting form: 123 -> 一百二十三, 105 -> 一百零五, 11 -> 十一."""
    s = str(n)
    out: list[str] = []
    zero = False
    for i, ch in enumerate(s):
        d = int(ch)
        if d == 0:
            zero = True
            continue
        if zero and out:
            out.append(digits[0])
        zero = False
        out.append(digits[d] + units[len(s) - 1 - i])
    text = "".join(out) or digits[0]
    if 10 <= n < 20:
        text = text[1:]  # 十一, not 一十一
    return text


def _digitwise(n: int, digits: str, rng: np.random.Generator) -> str:
    """A number read digit by digit, as rooms are: 201 -> 二〇一 or 二零一."""
    zero = "〇" if digits is _CN and rng.random() < 0.5 else digits[0]
    return "".join(zero if c == "0" else digits[int(c)] for c in str(n))


@dataclass
class _Draft:
    """A query being written: text per level, numbers of the numbered levels, and how to write them.

    Mutable on purpose: the patterns rewrite it one after the other; it never leaves this module.
    """

    text: dict[str, str | None]
    numbers: dict[str, int]  # group, building, unit, floor, room as numbers
    house: tuple[int, int, int] | None  # house number: (number, lane door, annex), 0 where absent
    letter: str | None  # a building written with a letter (A幢), which has no number
    county_code: str
    town_code: str | None
    numeral: dict[str, str] = field(default_factory=dict)  # field -> "cn" | "financial"
    marker: dict[str, str] = field(
        default_factory=lambda: {"building": "幢", "floor": "层", "room": "室", "annex": "附"}
    )
    shorthand: bool = False
    insert_floor: bool = False
    order: list[str] = field(default_factory=lambda: list(_ORDER))
    after_house: list[str] = field(default_factory=list)
    start: list[str] = field(default_factory=list)
    end: list[str] = field(default_factory=list)
    separators: list[tuple[float, str]] = field(default_factory=list)  # (where, 0..1 along the text; what)
    former: set[str] = field(default_factory=set)  # fields holding a former name: kept as they are


class _Index:
    """What the patterns need to know about the base: names per county, ranges of roads, answers for upper levels."""

    def __init__(self, base: pd.DataFrame):
        missing = [
            c for c in ("addr_id", "level", *_ORDER, "county_code", "town_code") if c not in base.columns
        ]
        if missing:
            raise ValueError(f"base_df lacks the columns {missing}; expected a frame from generate_base()")
        self.base = base.reset_index(drop=True)
        b = self.base
        self.roads_by_county = {
            k: set(v) for k, v in b.dropna(subset=["road"]).groupby("county_code")["road"].unique().items()
        }
        self.pois_by_county = {
            k: set(v) for k, v in b.dropna(subset=["poi"]).groupby("county_code")["poi"].unique().items()
        }
        self.all_roads = set(b["road"].dropna().unique())
        self.all_pois = set(b["poi"].dropna().unique())
        # A compound not in the base has a stem no compound of the base has: 锦绣苑 beside 锦绣花园 would
        # be the same estate written with another garden word, which matching takes for it.
        self.poi_stems = {_stem(p, "poi") for p in self.all_pois}
        doors = b[(b["level"] == "door") & b["road"].notna()]
        first = doors.assign(n=doors["house_number"].str.extract(r"^(\d+)", expand=False).astype(int))
        first = first.sort_values(["county_code", "road", "n"], kind="stable")
        self.road_rows = first.drop_duplicates(["county_code", "road"]).index.to_numpy()
        self.road_top = first.groupby("road")["n"].max().to_dict()
        self.poi_rows = b.index[(b["level"] == "door") & b["poi"].notna()].to_numpy()
        self.community_rows = b.drop_duplicates("community_code").index.to_numpy()
        self.town_rows = b[b["town_code"].notna()].drop_duplicates("town_code").index.to_numpy()
        self.level_rows = {lv: b.index[b["level"] == lv].to_numpy() for lv in _RECORD_LEVELS}
        self._position: dict[int, int] = {}
        self._columns: dict[str, np.ndarray] = {}

    def load(self, rows: list[int]) -> None:
        """Read the records the queries are made from into plain arrays (fast to read one value from,
        and only these rows: a whole 2,000,000-row base as Python strings would take gigabytes)."""
        rows = sorted(set(rows))
        self._position = {r: k for k, r in enumerate(rows)}
        sub = self.base.iloc[rows]
        self._columns = {
            c: sub[c].to_numpy(dtype=object)
            for c in ("addr_id", *_ORDER, "level", "county_code", "town_code")
        }

    def value(self, column: str, i: int) -> str | None:
        """A value of a loaded record; None where absent."""
        v = self._columns[column][self._position[i]]
        return v if isinstance(v, str) and v else None


def messy_queries(
    base_df: pd.DataFrame, n: int, *, seed: int = 0, out_of_base_share: float = 0.1
) -> pd.DataFrame:
    """``n`` messy queries with their expected answers in ``base_df`` (a frame from :func:`generate_base`).

    Columns: ``query``; ``addr_id`` of the expected record (None for out-of-base queries);
    ``expected_level``, the level the answer is at (``room`` … ``house_number`` for a record, ``poi``,
    ``road``, ``community``, ``town`` for a query naming only an upper level — any record that agrees
    with ``addr_id``'s record down to that level is right; None out of base); ``kind``, the target if
    not a record (:data:`TARGETS`) and the patterns applied (:data:`KINDS`), joined by ``+``
    (``canonical`` when none); ``department``, whose writing habits were imitated (:data:`DEPARTMENTS`).

    Deterministic for a seed.

    >>> from stdaddr.synth import generate_base
    >>> q = messy_queries(generate_base(10_000), 200, seed=1)
    >>> list(q.columns), int(q["addr_id"].isna().sum())
    (['query', 'addr_id', 'expected_level', 'kind', 'department'], 20)
    """
    if not 0.0 <= out_of_base_share <= 1.0:
        raise ValueError(f"out_of_base_share was {out_of_base_share!r} but must be between 0 and 1")
    if n < 0:
        raise ValueError(f"n was {n!r} but must be 0 or more")
    index = _Index(base_df)
    rng = np.random.default_rng([int(seed), 2])
    departments = list(DEPARTMENTS)
    picks = [_pick(index, target, rng) for target in _draw_targets(rng, n, out_of_base_share)]
    index.load([row for _, row in picks])
    rows = []
    for target, row in picks:
        department = departments[int(rng.integers(len(departments)))]
        draft, answer, level = _target(index, target, row, rng)
        applied = _apply_patterns(draft, index, department, target, rng)
        query = _write(draft, applied, rng)
        kind = "+".join(([target] if target != "record" else []) + applied) or "canonical"
        rows.append((query, answer, level, kind, department))
    return pd.DataFrame(rows, columns=["query", "addr_id", "expected_level", "kind", "department"])


def _draw_targets(rng: np.random.Generator, n: int, oob_share: float) -> list[str]:
    n_oob = int(round(n * oob_share))
    upper = list(_UPPER_SHARE)
    p_upper = np.array(list(_UPPER_SHARE.values()))
    out = [TARGETS[5 + i % 3] for i in range(n_oob)]  # oob_door, oob_road, oob_compound in turn
    k = np.searchsorted(np.cumsum(p_upper), rng.random(n - n_oob), side="right")
    out.extend(upper[j] if j < len(upper) else "record" for j in k.tolist())
    rng.shuffle(out)
    return out


def _draft_from(index: _Index, i: int, upto: str | None = None) -> _Draft:
    """A draft of base record ``i``, cut below ``upto`` (the level the query stops at)."""
    cut = _ORDER.index(upto) + 1 if upto else len(_ORDER)
    text = {f: (index.value(f, i) if k < cut else None) for k, f in enumerate(_ORDER)}
    house = None
    m = _HOUSE.match(text["house_number"] or "")
    if m:
        main, lane, annex = (int(g) if g else 0 for g in m.groups())
        house = (main, lane, annex)
    numbers: dict[str, int] = {}
    letter = None
    for f in ("group", "building", "unit", "floor", "room"):
        m = _NUM.match(text[f] or "")
        if m and m.group(1).isdigit():
            numbers[f] = int(m.group(1))
        elif m:
            letter = m.group(1)
    county = index.value("county_code", i) or ""
    return _Draft(
        text=text,
        numbers=numbers,
        house=house,
        letter=letter,
        county_code=county,
        town_code=index.value("town_code", i),
    )


def _pick(index: _Index, target: str, rng: np.random.Generator) -> tuple[str, int]:
    """The record a query is made from, and the target made (a base too small to have a road or a
    compound gets another target instead)."""
    if target in ("road_only", "compound_only", "community_only", "town_only"):
        rows = {
            "road_only": index.road_rows,
            "compound_only": index.poi_rows,
            "community_only": index.community_rows,
            "town_only": index.town_rows,
        }[target]
        if len(rows) == 0:
            target, rows = "record", np.zeros(0, dtype=np.int64)
    elif target == "oob_door":
        rows = index.road_rows
        if len(rows) == 0:
            target = "oob_road"  # no road in the base to go past the end of
    if target == "record":
        levels = list(_RECORD_LEVELS)
        lv = levels[int(rng.choice(len(levels), p=np.array(list(_RECORD_LEVELS.values()))))]
        rows = index.level_rows[lv]
    if target in ("oob_road", "oob_compound") or len(rows) == 0:
        return target, int(rng.integers(len(index.base)))
    return target, int(rows[int(rng.integers(len(rows)))])


def _target(
    index: _Index, target: str, i: int, rng: np.random.Generator
) -> tuple[_Draft, str | None, str | None]:
    """The draft of a target made from record ``i``, with its expected addr_id and level."""
    if target == "record":
        level = {"room": "room", "unit": "unit", "building": "building"}.get(index.value("level", i) or "")
        if level is None:
            level = "poi" if index.value("poi", i) else "house_number"
        return _draft_from(index, i), index.value("addr_id", i), level
    if target.startswith("oob_"):
        return _out_of_base(index, target, i, rng), None, None
    upto = {"road_only": "road", "compound_only": "poi", "community_only": "community", "town_only": "town"}[
        target
    ]
    d = _draft_from(index, i, upto)
    if target == "road_only":
        d.text["community"] = None  # a road crosses communities; people name the road alone
    if target == "compound_only":
        d.text["road"] = d.text["house_number"] = None
        d.house = None
    return d, index.value("addr_id", i), upto


def _fresh(
    rng: np.random.Generator,
    stems: tuple[str, ...],
    suffixes: tuple[str, ...],
    taken: set[str],
    *,
    stems_taken: bool = False,
) -> str:
    """A stem and a suffix making a name not in ``taken`` (or, with ``stems_taken``, whose stem is not)."""
    for _ in range(1000):
        stem = stems[int(rng.integers(len(stems)))]
        name = stem + suffixes[int(rng.integers(len(suffixes)))]
        if (stem if stems_taken else name) not in taken:
            return name
    raise RuntimeError("no unused name left")  # thousands of stems: not reachable


def _out_of_base(index: _Index, target: str, i: int, rng: np.random.Generator) -> _Draft:
    """A real-looking address not in the base, placed at record ``i``'s divisions: a door past the end
    of its road, a road or a compound that the base does not have anywhere."""
    if target == "oob_door":
        d = _draft_from(index, i, "house_number")
        d.text["community"] = None
        # Past the highest number of every road of that name, so no county of the base has the door.
        number = index.road_top[d.text["road"]] + int(rng.integers(20, 200))
        d.text["house_number"] = f"{number}号"
        d.house = (number, 0, 0)
        return d
    d = _draft_from(index, i, "town")
    if target == "oob_road":
        d.text["road"] = _fresh(rng, vocab.road_stems(), ("路", "街", "巷"), index.all_roads)
        number = int(rng.integers(1, 150))
        d.text["house_number"] = f"{number}号"
        d.house = (number, 0, 0)
        return d
    d.text["poi"] = _fresh(
        rng, vocab.compound_stems(), ("花园", "小区", "家园", "苑"), index.poi_stems, stems_taken=True
    )
    building, unit, floor = int(rng.integers(1, 13)), int(rng.integers(1, 3)), int(rng.integers(1, 19))
    room = floor * 100 + int(rng.integers(1, 3))
    d.text.update(building=f"{building}幢", unit=f"{unit}单元", room=f"{room}室")
    d.numbers.update(building=building, unit=unit, room=room)
    return d


def _apply_patterns(
    d: _Draft, index: _Index, department: str, target: str, rng: np.random.Generator
) -> list[str]:
    """Draw 0-4 applicable patterns (weighted by the department's habits) and apply them in KINDS order."""
    k = int(rng.choice(_N_PATTERNS[0], p=_N_PATTERNS[1]))
    if k == 0:
        return []
    profile = DEPARTMENTS[department]
    candidates = [kind for kind in KINDS if _applicable(kind, d, target)]
    if not candidates:
        return []
    w = np.array([_BASE_WEIGHT[c] * profile.get(c, 1.0) for c in candidates])
    chosen = set(rng.choice(candidates, size=min(k, len(candidates)), replace=False, p=w / w.sum()).tolist())
    applied = []
    for kind in KINDS:
        if kind in chosen and kind not in _CHARACTER_LEVEL and _PATTERNS[kind](d, index, rng):
            applied.append(kind)
    # Character-level patterns run on the written string; they are recorded here and applied in _write.
    applied.extend(kind for kind in KINDS if kind in chosen and kind in _CHARACTER_LEVEL)
    return applied


def _applicable(kind: str, d: _Draft, target: str) -> bool:
    t, n = d.text, d.numbers
    if kind == "historical_name":
        return _former(d) is not None
    if kind in ("abbreviation", "repeated_prefix"):
        return any(t[f] for f in _DIVISIONS)
    if kind == "drop_divisions":
        return any(t[f] for f in _DIVISIONS) and target not in ("town_only",)
    if kind == "drop_community":
        # Without its village a group door (3组12号) names nothing; the community is the target of community_only.
        return bool(t["community"]) and not t["group"] and target != "community_only"
    if kind == "drop_road":
        return bool(t["poi"] and t["road"])
    if kind == "typo":
        return any(len(t[f] or "") >= 3 for f in ("road", "poi"))
    if kind == "shorthand":
        return "building" in n and "room" in n
    if kind in ("cn_numeral", "financial_numeral"):
        return bool(n) or d.house is not None
    if kind == "building_marker":
        return "building" in n or d.letter is not None
    if kind == "floor_marker":
        return "floor" in n or ("room" in n and "building" in n)
    if kind == "room_marker":
        return "room" in n
    if kind == "annex_marker":
        return d.house is not None and d.house[2] > 0
    if kind == "reorder":
        return bool(t["road"] and (t["poi"] or t["town"]))
    return True  # notes, contact, delivery, noise and the character-level patterns apply to any text


@cache
def _former_names() -> dict[str, tuple[str, int, str]]:
    """Former names of Wenzhou units from the gazetteer: code -> (old name, level then, parent then)."""
    g = gazetteer.load()
    out = {}
    for key, entries in g.readings():
        for e in entries:
            if (
                e.kind == gazetteer.HISTORIC
                and e.code.startswith("3303")
                and key.endswith(("县", "区", "市", "镇", "街道", "乡"))
            ):
                out[e.code] = (key, e.level, e.parent)
    return out


def _former(d: _Draft) -> tuple[str, str, int, str] | None:
    former = _former_names()
    for code in (d.town_code, d.county_code):
        if code and code in former and (d.text["county"] or d.text["town"]):
            return (code, *former[code])
    return None


def _historical_name(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """洞头县 for 洞头区; 苍南县龙港镇 for 龙港市; 龙湾区灵昆街道 for 洞头区灵昆街道; 梧埏镇 for 梧田街道."""
    found = _former(d)
    if found is None:
        return False
    code, old, level, parent = found
    g = gazetteer.load()
    now = gazetteer.level_of(code)
    if now == 2 and level == 3:  # a town that became a county (龙港镇 -> 龙港市)
        d.text["county"], d.text["town"] = g.name(parent), old
        d.former.update(("county", "town"))
    elif now == 2:
        d.text["county"] = old
        d.former.add("county")
    else:
        d.text["town"] = old
        d.former.add("town")
        if parent and parent != code[:6]:
            d.text["county"] = g.name(parent)
            d.former.add("county")
    return True


def _abbreviation(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """温州 for 温州市, 鹿城 for 鹿城区, 五马 for 五马街道 (and 鼓楼 for 鼓楼社区 now and then)."""
    changed = False
    # A former name stays whole (洞头 would read as the current 洞头区 again). The community comes first,
    # so that when nothing else was shortened, the last division is rather than the community.
    fields = [f for f in ("community", *_DIVISIONS) if d.text[f] and f not in d.former]
    for i, f in enumerate(fields):
        last_chance = i == len(fields) - 1 and not changed
        if not last_chance and rng.random() >= (0.15 if f == "community" else 0.6):
            continue
        short = short_name(d.text[f] or "", _LEVEL_NO[f])
        if short and short != d.text[f]:
            d.text[f] = short
            changed = True
    return changed


def _drop_divisions(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    keep = [i for i, (fs, _) in enumerate(_DROPS) if not d.former.intersection(fs)]
    options = [_DROPS[i][0] for i in keep]
    p = np.array([_DROPS[i][1] for i in keep])
    if not (d.text["road"] or d.text["poi"]):
        # Without a road or compound, county and town are what place the address: keep them.
        keep = [i for i, fs in enumerate(options) if "county" not in fs and "town" not in fs]
        options, p = [options[i] for i in keep], p[keep]
    if not options:
        return False
    fields = options[int(rng.choice(len(options), p=p / p.sum()))]
    changed = any(d.text[f] for f in fields)
    for f in fields:
        d.text[f] = None
    return changed


def _drop_community(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    d.text["community"] = None
    return True


def _drop_road(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """The compound without the road and door it stands on (鹿城区锦江花园3幢2单元301室)."""
    d.text["road"] = d.text["house_number"] = None
    d.house = None
    return True


def _typo(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """One character of a road or compound name substituted, deleted, or swapped with its neighbour."""
    fields = [f for f in ("road", "poi") if d.text[f] and len(d.text[f] or "") >= 3]
    f = fields[int(rng.integers(len(fields)))]
    name = d.text[f] or ""
    stem = _stem(name, f)
    taken = (index.roads_by_county if f == "road" else index.pois_by_county).get(d.county_code, set())
    for _ in range(10):
        new = _mistype(stem, rng)
        if new != stem and len(new) >= 1 and new + name[len(stem) :] not in taken:
            d.text[f] = new + name[len(stem) :]
            return True
    return False


def _stem(name: str, f: str) -> str:
    """The part of a name a typo may touch: not its suffix (路, 花园), which marks what it is."""
    suffixes = (
        ("大道", "路", "街", "巷")
        if f == "road"
        else (
            "小区",
            "花园",
            "花苑",
            "名苑",
            "家园",
            "华庭",
            "嘉园",
            "公馆",
            "新村",
            "大厦",
            "广场",
            "公寓",
            "苑",
        )
    )
    for s in suffixes:
        if name.endswith(s) and len(name) > len(s):
            return name[: -len(s)]
    return name[:-1]


def _mistype(stem: str, rng: np.random.Generator) -> str:
    op = rng.random()
    i = int(rng.integers(len(stem)))
    if op < 0.5:
        similar = vocab.confusables().get(stem[i])
        if similar:
            c = similar[int(rng.integers(len(similar)))]
        else:
            pool = vocab.road_stems()[:200]
            c = pool[int(rng.integers(len(pool)))][0]
        return stem[:i] + c + stem[i + 1 :]
    if op < 0.75 and len(stem) >= 2:
        return stem[:i] + stem[i + 1 :]
    if len(stem) >= 2:
        j = min(i, len(stem) - 2)
        return stem[:j] + stem[j + 1] + stem[j] + stem[j + 2 :]
    return stem


def _shorthand(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """3幢2单元301室 -> 3-2-301; 1幢1203室 (no unit) -> 1-1203."""
    d.shorthand = True
    return True


def _numerals(d: _Draft, style: str, rng: np.random.Generator) -> bool:
    fields = ["house_number"] if d.house else []
    fields += [f for f in d.numbers if not (d.shorthand and f in ("building", "unit", "floor", "room"))]
    fields = [f for f in fields if f not in d.numeral]
    if not fields:
        return False
    k = int(rng.integers(1, len(fields) + 1))
    for i in rng.choice(len(fields), size=k, replace=False).tolist():
        d.numeral[fields[i]] = style
    return True


def _cn_numeral(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """一百二十三号, 十一幢, 二〇一室."""
    return _numerals(d, "cn", rng)


def _financial_numeral(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """肆层, 贰单元, 壹佰贰拾叁号."""
    return _numerals(d, "financial", rng)


def _building_marker(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """栋, 号楼, # or 座 for 幢 (letters take 栋 or 座 only)."""
    if d.shorthand:
        return False
    options = ("栋", "座") if d.letter else ("栋", "号楼", "#", "栋")
    d.marker["building"] = options[int(rng.integers(len(options)))]
    return True


def _floor_marker(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """楼 for 层; where no floor is written, the floor put in before the room (3楼301室)."""
    if d.shorthand:
        return False
    d.marker["floor"] = "楼"
    if "floor" not in d.numbers:
        d.insert_floor = True
    return True


def _room_marker(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """户 or 房 for 室, or no marker at all after a unit or building (3幢2单元301)."""
    if d.shorthand:
        return False
    options = ("户", "房", "")
    d.marker["room"] = options[int(rng.integers(len(options)))]
    return True


def _annex_marker(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """123号之1 for 123号附1."""
    d.marker["annex"] = "之"
    return True


def _reorder(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """The compound before the road (锦江花园解放街123号…), or the town after the road (解放街123号五马街道…)."""
    moves = []
    if d.text["poi"] and d.text["road"]:
        moves.append("poi")
    if d.text["town"] and d.text["road"]:
        moves.append("town")
    if not moves:
        return False
    what = moves[int(rng.integers(len(moves)))]
    d.order.remove(what)
    if what == "poi":
        d.order.insert(d.order.index("road"), "poi")
    else:
        d.order.insert(d.order.index("house_number") + 1, "town")
    return True


def _repeated_prefix(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """浙江省温州市浙江省温州市… : the leading divisions written twice, as forms with a prefilled field do."""
    written = [f for f in d.order if d.text[f]]
    lead = [f for f in written[:2] if f in ("province", "city", "county")]
    if not lead or lead[0] != written[0]:
        return False
    d.start.append("".join(d.text[f] or "" for f in lead))
    return True


def _note(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """A landmark in brackets ((五马美食林对面)), or 附近 / 东50米 after the door."""
    door_only = d.text["house_number"] and not any(d.text[f] for f in ("building", "unit", "floor", "room"))
    if door_only and rng.random() < 0.4:
        if rng.random() < 0.5:
            d.after_house.append("附近")
        else:
            d.after_house.append("东西南北"[int(rng.integers(4))] + str(int(rng.integers(1, 20)) * 10) + "米")
        return True
    place = short_name(d.text["town"], 3) if d.text["town"] else None
    if not place and d.text["road"]:
        place = _stem(d.text["road"] or "", "road")
    place = place or ""
    landmark = vocab.LANDMARKS[int(rng.integers(len(vocab.LANDMARKS)))]
    relation = vocab.RELATIONS[int(rng.integers(len(vocab.RELATIONS)))]
    open_, close = ("(", ")") if rng.random() < 0.5 else ("（", "）")
    note = f"{open_}{place}{landmark}{relation}{close}"
    (d.after_house if d.text["house_number"] and rng.random() < 0.5 else d.end).append(note)
    return True


def _contact(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """A name and a phone number (张先生13812345678), mostly at the end."""
    name = (
        vocab.SURNAMES[int(rng.integers(len(vocab.SURNAMES)))]
        + ("先生", "女士", "师傅")[int(rng.integers(3))]
    )
    if rng.random() < 0.8:
        phone = "1" + "3456789"[int(rng.integers(7))] + "".join(str(x) for x in rng.integers(0, 10, 9))
    else:
        phone = "0577-" + "86"[int(rng.integers(2))] + "".join(str(x) for x in rng.integers(0, 10, 7))
    text = name + (" ", "", "，")[int(rng.integers(3))] + phone
    (d.start if rng.random() < 0.2 else d.end).append(text)
    return True


def _delivery_note(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    d.end.append(vocab.DELIVERY_NOTES[int(rng.integers(len(vocab.DELIVERY_NOTES)))])
    return True


def _noise(d: _Draft, index: _Index, rng: np.random.Generator) -> bool:
    """Spaces and punctuation between parts (separators the folding removes or reads as commas)."""
    options = (" ", "  ", "，", "、", ",", "\u3000", " / ")
    for _ in range(int(rng.integers(1, 4))):
        d.separators.append((float(rng.random()), options[int(rng.integers(len(options)))]))
    return True


_PATTERNS = {
    "historical_name": _historical_name,
    "abbreviation": _abbreviation,
    "drop_divisions": _drop_divisions,
    "drop_community": _drop_community,
    "drop_road": _drop_road,
    "typo": _typo,
    "shorthand": _shorthand,
    "cn_numeral": _cn_numeral,
    "financial_numeral": _financial_numeral,
    "building_marker": _building_marker,
    "floor_marker": _floor_marker,
    "room_marker": _room_marker,
    "annex_marker": _annex_marker,
    "reorder": _reorder,
    "repeated_prefix": _repeated_prefix,
    "note": _note,
    "contact": _contact,
    "delivery_note": _delivery_note,
    "noise": _noise,
}
_CHARACTER_LEVEL = ("traditional", "radical", "fullwidth")


def _number(d: _Draft, f: str, n: int, rng: np.random.Generator, digitwise: bool = False) -> str:
    style = d.numeral.get(f)
    if style is None:
        return str(n)
    digits, units = (_CN, _CN_UNITS) if style == "cn" else (_FIN, _FIN_UNITS)
    if digitwise or n >= 10_000:
        return _digitwise(n, digits, rng)
    return _counting(n, digits, units)


def _tail(d: _Draft, f: str, rng: np.random.Generator) -> str | None:
    """The text of a level as the draft says to write it (numbers in their style, with their markers)."""
    if f == "house_number" and d.house is not None:
        main, lane, annex = d.house
        if lane:
            return f"{_number(d, f, main, rng)}弄{_number(d, f, lane, rng)}号"
        text = _number(d, f, main, rng) + "号"
        return text + d.marker["annex"] + _number(d, f, annex, rng) if annex else text
    if f == "building" and d.letter is not None:
        return d.letter + d.marker["building"]
    n = d.numbers.get(f)
    if n is None:
        return d.text[f]
    if d.shorthand and f in ("building", "unit", "floor", "room"):
        if f != "building":
            return None
        return "-".join(str(d.numbers[k]) for k in ("building", "unit", "room") if k in d.numbers)
    if f == "group":
        return _number(d, f, n, rng) + "组"
    if f == "building":
        return _number(d, f, n, rng) + d.marker["building"]
    if f == "unit":
        return _number(d, f, n, rng) + "单元"
    if f == "floor":
        return _number(d, f, n, rng) + d.marker["floor"]
    text = _number(d, f, n, rng, digitwise=True) + d.marker["room"]
    if d.insert_floor:
        text = _number(d, "floor", n // 100, rng) + d.marker["floor"] + text
    return text


def _write(d: _Draft, applied: list[str], rng: np.random.Generator) -> str:
    pieces = []
    for f in d.order:
        text = _tail(d, f, rng)
        if text:
            pieces.append(text)
            if f == "house_number":
                pieces.extend(d.after_house)
    if "house_number" not in d.order or not d.text["house_number"]:
        pieces.extend(d.after_house)
    # A separator goes into one of the gaps between pieces, or after a lone piece.
    gaps = max(len(pieces) - 1, 1)
    after = {min(int(where * gaps), gaps - 1): sep for where, sep in d.separators}
    body = "".join(p + after.get(i, "") for i, p in enumerate(pieces))
    text = "".join(d.start) + body
    if d.end:
        text += (" " if rng.random() < 0.5 else "") + " ".join(d.end)
    for kind in _CHARACTER_LEVEL:
        if kind in applied:
            new = _CHARACTER[kind](text, rng)
            if new == text:
                applied.remove(kind)
            text = new
    return text


def _traditional(text: str, rng: np.random.Generator) -> str:
    """Traditional forms for most characters that have one (溫州市鹿城區)."""
    forms = vocab.traditional_forms()
    out = []
    for c in text:
        variants = forms.get(c)
        out.append(variants[int(rng.integers(len(variants)))] if variants and rng.random() < 0.7 else c)
    return "".join(out)


def _radical(text: str, rng: np.random.Generator) -> str:
    """A radical-supplement form for one or two characters, as OCR and some input methods emit (⻄ for 西)."""
    forms = vocab.radical_forms()
    spots = [i for i, c in enumerate(text) if c in forms]
    if not spots:
        return text
    chars = list(text)
    for i in rng.choice(spots, size=min(len(spots), int(rng.integers(1, 3))), replace=False).tolist():
        variants = forms[chars[i]]
        chars[i] = variants[int(rng.integers(len(variants)))]
    return "".join(chars)


def _fullwidth(text: str, rng: np.random.Generator) -> str:
    """Full-width digits, letters and signs (３－２－３０１, Ａ幢)."""
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and (c.isalnum() or c in "-#()") else c for c in text
    )


_CHARACTER = {"traditional": _traditional, "radical": _radical, "fullwidth": _fullwidth}
