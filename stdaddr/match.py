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

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import fuzz, process

from stdaddr.base import (
    COLUMN_INDEX,
    COLUMNS,
    AddressBase,
    default_workers,
    lookup_group,
    run_chunks,
    standard_of,
)
from stdaddr.errors import ColumnError, InputError
from stdaddr.models import DIVISION_FIELDS, FIELDS, MATCH_LEVELS, Address, Candidate, FieldMatch, Match

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
# A transposition of two characters is scored like this (see name_similarity).
_SWAP_SIMILARITY = 0.9
# The kind a road or compound name ends with (the longest ending wins: 名苑 before 苑).
_KIND = re.compile(
    "(?:大道|大街|公路|路|街|巷|弄|胡同|小区|花园|家园|名苑|嘉园|华庭|公馆|新村|大厦|广场|公寓|山庄|别墅|苑|园|庭|城|村)$"
)
# Names of different kinds score at most this (below _NAME_AGREE).
_OTHER_KIND = 0.5
# Fuzzy lookups keep names within this much of the best similarity, at most this many.
_FUZZY_KEEP = 0.15
_FUZZY_LIMIT = 4
_FUZZY_POOL = 50
# A shortlist of names from the character index is scored when the scope has more names than this.
_SCOPE_SCAN = 400
# Characters in more than this share of the names (路, 街, 花园 ...) do not shortlist names.
_COMMON_CHAR = 0.05
_TIE = 1e-9
_NAME_LIKE = re.compile(r"[\u4e00-\u9fff]{2,12}")
_ROAD_LIKE = re.compile(r"[\u4e00-\u9fff]{1,10}(?:大道|路|街|巷|弄)")
_CHUNK = 2_000
# Every value of a parsed text the matcher reads, and those that can anchor a match.
_QUERY_COLUMNS = (*FIELDS, *(f"{d}_code" for d in DIVISION_FIELDS))
_MATCHABLE = (*COMPARED, "county_code", "town_code", "community_code")


@dataclass(slots=True)
class _Tables:
    """Query-side lookups built from a base on first use (not saved: they rebuild in well under a second)."""

    ids: dict[str, dict[str, int]]
    chars: dict[str, dict[str, NDArray[np.int32]]]
    sizes: dict[str, int]


def _tables(base: AddressBase) -> _Tables:
    if base._tables is None:
        vocab = base._vocab
        ids = {c: {v: i for i, v in enumerate(names)} for c, names in vocab.items()}
        chars = {f: _char_index(vocab[f]) for f in ("road", "poi")}
        sizes = {c: len(names) + 1 for c, names in vocab.items()}
        base._tables = _Tables(ids, chars, sizes)
    return base._tables


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

    ``columns`` and ``vector`` say what each field of :data:`COMPARED` is compared on: a column of the
    field matrix and the text's value id in it (``_LACKS`` when the text has no value for the field).
    """

    address: Address
    values: dict[str, str]
    ids: dict[str, int]
    roads: dict[int, float]
    pois: dict[int, float]
    columns: list[int]
    vector: NDArray[np.int32]
    asks: NDArray[np.bool_]  # which fields of COMPARED the text has
    excluding: tuple[list[int], NDArray[np.int32]]  # province/city/county columns the text names, its ids


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
    from stdaddr.parsing import parse

    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str) or not text.strip():
        return None
    return parse(text)


def _match_address(base: AddressBase, address: Address, limit: int, cutoff: float) -> Match | None:
    t = _tables(base)
    q = _query(base, t, address)
    if q is None:
        return None
    rows = _block(base, t, q)
    if rows is None:
        return _division_match(base, q, cutoff)
    scores = field_scores(base, q, rows)
    if scores is None:
        return None
    return _decide(base, q, scores, limit, cutoff)


def _query(base: AddressBase, t: _Tables, address: Address) -> _Query | None:
    values = {c: v for c in _QUERY_COLUMNS if (v := getattr(address, c))}
    if not any(c in values for c in _MATCHABLE):
        return None
    ids = {c: t.ids[c].get(v, -1) for c, v in values.items()}
    scope = _scope(ids)
    if "road" not in values and "poi" not in values:
        _rescue(base, t, address, values, ids, scope)
    found = {f: _resolve(base, t, f, values[f], scope) for f in _NAMES if f in values}
    for f, other in (("road", "poi"), ("poi", "road")):
        if f in values and not found[f] and other not in values:
            # The parser may read a compound as a road or a road as a compound (世纪广场, 江滨路小区).
            alt = _resolve(base, t, other, values[f], scope)
            if alt:
                values[other] = values.pop(f)
                ids[other] = t.ids[other].get(values[other], -1)
                del ids[f], found[f]
                found[other] = alt
    if found and not any(found.values()) and not ("group" in values and ids.get("community", -1) >= 0):
        return None  # the text names a road or compound that the base does not have, and no village door
    columns = [COLUMN_INDEX[_column(values, f)] for f in COMPARED]
    vector = np.array([ids.get(_column(values, f), _LACKS) for f in COMPARED], dtype=np.int32)
    excluding = [j for j in _EXCLUDING if COLUMNS[j] in values]
    wanted = np.array([ids[COLUMNS[j]] for j in excluding], dtype=np.int32)
    return _Query(
        address,
        values,
        ids,
        found.get("road", {}),
        found.get("poi", {}),
        columns,
        vector,
        vector != _LACKS,
        (excluding, wanted),
    )


def _rescue(
    base: AddressBase, t: _Tables, address: Address, values: dict[str, str], ids: dict[str, int], scope: Any
) -> None:
    """Read a road or compound the parser left unplaced (温州市瑞安市宝城路马屿镇: a road before its town).

    Only a piece that is a name of the base in the text's division, or that reads like a road name
    (then also a near one), is taken.
    """
    for piece in _unplaced(address):
        for f in _NAMES:
            exact = t.ids[f].get(piece)
            in_scope = _scope_names(base, f, scope)
            found = {exact: 1.0} if exact is not None else {}
            if exact is not None and in_scope is not None and not _contains(in_scope, exact):
                found = {}
            if not found and f == "road" and _ROAD_LIKE.fullmatch(piece):
                found = _resolve(base, t, f, piece, scope)
            if found:
                values[f] = piece
                ids[f] = exact if exact is not None else -1
                return


def _unplaced(address: Address) -> list[str]:
    """Pieces of the text the parser kept as extras that read like names (Chinese characters only)."""
    return [c.text for c in address.components if c.field == "extra" and _NAME_LIKE.fullmatch(c.text)]


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


def _scope_names(base: AddressBase, field: str, scope: tuple[str, int] | None) -> NDArray[np.int32] | None:
    if scope is None:
        return None
    a = base._a
    prefix = f"s.{scope[0]}.{field}"
    keys = a[f"{prefix}.keys"]
    i = int(np.searchsorted(keys, scope[1]))
    if i == len(keys) or keys[i] != scope[1]:
        return np.zeros(0, dtype=np.int32)
    offsets = a[f"{prefix}.offsets"]
    return a[f"{prefix}.values"][offsets[i] : offsets[i + 1]]


def _resolve(
    base: AddressBase, t: _Tables, field: str, name: str, scope: tuple[str, int] | None
) -> dict[int, float]:
    """Vocabulary ids of ``field`` that ``name`` may stand for, with their similarity.

    An exact name in the scope is taken as it is; otherwise a fuzzy lookup in the scope runs
    (an exact name found only outside the scope is kept as one more candidate).
    """
    exact = t.ids[field].get(name)
    in_scope = _scope_names(base, field, scope)
    if exact is not None and (in_scope is None or _contains(in_scope, exact)):
        return {exact: 1.0}
    found = _fuzzy(base._vocab[field], t.chars[field], name, in_scope)
    if exact is not None:
        found.setdefault(exact, 1.0)
    return found


def _contains(sorted_ids: NDArray[np.int32], value: int) -> bool:
    i = int(np.searchsorted(sorted_ids, value))
    return i < len(sorted_ids) and int(sorted_ids[i]) == value


def _fuzzy(
    names: list[str], chars: dict[str, NDArray[np.int32]], name: str, in_scope: NDArray[np.int32] | None
) -> dict[int, float]:
    if in_scope is not None and len(in_scope) <= _SCOPE_SCAN:
        pool = in_scope
    else:
        lists = [chars[ch] for ch in set(name) if ch in chars]
        if not lists:
            return {}
        pool = np.unique(np.concatenate(lists))
        if in_scope is not None:
            pool = np.intersect1d(pool, in_scope, assume_unique=True)
    if not len(pool):
        return {}
    choices = [names[i] for i in pool.tolist()]
    # Many names share a ratio (one character of three differs): take them all, then rank them by
    # name_similarity, which sets a transposition apart.
    hits = process.extract(
        name, choices, scorer=fuzz.ratio, limit=_FUZZY_POOL, score_cutoff=_NAME_AGREE * 100, processor=None
    )
    if not hits:
        return {}
    sims = sorted(((name_similarity(name, choice), int(pool[k])) for choice, _, k in hits), reverse=True)
    best = sims[0][0]
    return {i: sim for sim, i in sims[:_FUZZY_LIMIT] if sim >= max(best - _FUZZY_KEEP, _NAME_AGREE)}


def name_similarity(a: str, b: str) -> float:
    """rapidfuzz ratio of two road or compound names, with two corrections.

    A transposition (解放路 / 放解路) scores _SWAP_SIMILARITY: a typing slip that the ratio scores like
    a wrong character, while it rarely turns one real name into another. Names of different kinds
    (中山路 / 中山街, 万博苑 / 万博名苑) are different places however alike: they score at most
    _OTHER_KIND, below agreement.
    """
    ratio = fuzz.ratio(a, b, processor=None) / 100
    kind_a, kind_b = _KIND.search(a), _KIND.search(b)
    if kind_a and kind_b and kind_a.group() != kind_b.group():
        return min(ratio, _OTHER_KIND)
    if ratio < _SWAP_SIMILARITY and len(a) == len(b) and sorted(a) == sorted(b):
        return _SWAP_SIMILARITY
    return ratio


def _block(base: AddressBase, t: _Tables, q: _Query) -> NDArray[np.int32] | None:
    """Candidate record positions (None when the text names nothing below its divisions)."""
    a = base._a
    parts = []
    hn = q.ids.get("house_number", -1)
    if hn >= 0:
        parts += [lookup_group(a, "door", _key(r, hn, t.sizes["house_number"])) for r in q.roads]
    building = q.ids.get("building", -1)
    if building >= 0:
        parts += [lookup_group(a, "poi_building", _key(p, building, t.sizes["building"])) for p in q.pois]
    community = q.ids.get("community", -1)
    group_id = q.ids.get("group", -1)
    if community >= 0 and group_id >= 0:
        parts.append(lookup_group(a, "community_group", _key(community, group_id, t.sizes["group"])))
    if not any(len(p) for p in parts):
        # The door or building is not in the base: the whole road, compound or village answers.
        parts = [lookup_group(a, "road", r) for r in q.roads] + [lookup_group(a, "poi", p) for p in q.pois]
        if community >= 0 and "group" in q.values:
            parts.append(lookup_group(a, "community", community))
    if not parts:
        return None
    found = [p for p in parts if len(p)]
    if len(found) == 1:
        return found[0]
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int32)


def _key(a: int, b: int, size_b: int) -> int:
    """:func:`~stdaddr.base.pair_key` of two known ids, without numpy's per-call cost."""
    return a * size_b + b


_NONE, _AGREE, _DIFFER, _INPUT_ONLY, _RECORD_ONLY = 0, 1, 2, 3, 4
_STATE_NAMES = {_AGREE: "agree", _DIFFER: "differ", _INPUT_ONLY: "input_only", _RECORD_ONLY: "record_only"}
_W = np.array([WEIGHTS[f] for f in COMPARED])
_THRESHOLD = np.array([_NAME_AGREE if f in _NAMES else 1.0 for f in COMPARED])
_DIFFER_W = _DIFFER_COST * _W
_RECORD_ONLY_W = np.array([_RECORD_ONLY_COST * WEIGHTS[f] if f in _FINE else 0.0 for f in COMPARED])
_NAME_K = {f: COMPARED.index(f) for f in _NAMES}
_IS_NAME = np.array([f in _NAMES for f in COMPARED])
# Fields below the door that confirm a near name when they agree.
_SUPPORT = np.array([f in ("building", "unit", "floor", "room") for f in COMPARED])
# Positions in COMPARED of the match levels, in level order.
_LEVEL_K = np.array([COMPARED.index(f) for f in MATCH_LEVELS])
_EXCLUDING = tuple(COLUMN_INDEX[c] for c in ("province_code", "city_code", "county_code"))


@dataclass(slots=True)
class _Scores:
    """Field-wise comparison of the text with each candidate: arrays over the candidates (rows) and,
    for ``sim``, ``has``, ``agree`` and ``differ``, over the fields of :data:`COMPARED` (columns).
    """

    rows: NDArray[np.int32]
    fields: NDArray[np.int32]  # the candidates' rows of the field matrix
    score: NDArray[np.float64]  # raw: weighted agreement minus contradictions, over the text's weight
    sim: NDArray[np.float64]
    has: NDArray[np.bool_]  # the record has a value for the field
    agree: NDArray[np.bool_]
    differ: NDArray[np.bool_]

    def states(self, q: _Query, k: NDArray[np.int64] | int) -> NDArray[np.int8]:
        """Per field, _AGREE, _DIFFER, _INPUT_ONLY, _RECORD_ONLY or _NONE, for candidate(s) ``k``."""
        has = self.has[k]
        return (
            self.agree[k] * _AGREE
            + self.differ[k] * _DIFFER
            + (~has & q.asks) * _INPUT_ONLY
            + (has & ~q.asks) * _RECORD_ONLY
        ).astype(np.int8)

    def level(self, k: int) -> int:
        """The finest MATCH_LEVELS index candidate ``k`` agrees on without a contradiction above it (-1: none)."""
        level = -1
        agree = self.agree[k].tolist()
        differ = self.differ[k].tolist()
        for i, kk in enumerate(_LEVEL_K.tolist()):
            if agree[kk]:
                level = i
            elif differ[kk]:
                break
        return level


def field_scores(base: AddressBase, q: _Query, rows: NDArray[np.int32]) -> _Scores | None:
    """Score candidate records against the text field by field; None when every candidate is excluded.

    Public so that tests can run the same scorer over every record of a base (the brute-force reference).
    """
    fields = base._a["fields"][rows]
    cols, wanted = q.excluding
    if cols:
        sub = fields[:, cols]
        keep = ((sub < 0) | (sub == wanted)).all(axis=1)
        rows, fields = rows[keep], fields[keep]
    if not len(rows):
        return None
    sub = fields[:, q.columns]
    has = sub >= 0
    sim = (sub == q.vector).astype(np.float64)
    for f, k in _NAME_K.items():
        if q.asks[k]:
            sim[:, k] = _name_similarity(
                base._vocab[f], q.values[f], q.roads if f == "road" else q.pois, sub[:, k]
            )
    agree = has & (sim >= _THRESHOLD)
    agree &= q.asks
    differ = has ^ agree
    differ &= q.asks
    # Element-wise products and a row sum, not a matrix product: BLAS would start threads, which
    # fight each other in the forked batch workers (and pay nothing back on a few hundred rows).
    num = (agree * sim * _W - differ * _DIFFER_W - has * (_RECORD_ONLY_W * ~q.asks)).sum(axis=1)
    den = float(_W[q.asks].sum())
    score = num / den if den else np.zeros(len(rows))
    return _Scores(rows, fields, score, sim * has, has, agree, differ)


def _name_similarity(
    names: list[str], value: str, known: dict[int, float], rec: NDArray[np.int32]
) -> NDArray[np.float64]:
    ids = rec.tolist()
    sims = {
        r: 0.0 if r < 0 else known[r] if r in known else name_similarity(value, names[r]) for r in set(ids)
    }
    if len(sims) == 1:
        return np.full(len(ids), sims[ids[0]])
    return np.array([sims[r] for r in ids])


# The order fields are walked in when deciding the matched place (group and floor are not levels).
_WALK = (
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
_WALK_COLUMNS = tuple(
    tuple(COLUMN_INDEX[c] for c in ((f, f"{f}_code") if f in DIVISION_FIELDS else (f,))) for f in _WALK
)
# Levels a road or compound may cross: records split only by them still share the road or compound.
_CROSSED = ("town", "community")
_WALK_K = tuple(COMPARED.index(f) if f in COMPARED else -1 for f in _WALK)
_K_DEPTH = np.array([_WALK.index(f) for f in COMPARED])


def _decide(base: AddressBase, q: _Query, s: _Scores, limit: int, cutoff: float) -> Match | None:
    best = float(s.score.max())
    tied = np.flatnonzero(s.score >= best - _TIE)
    place, level, split = _walk(q, s, tied)
    if level is None:
        return _split_match(base, q, s, tied, limit, cutoff, split)
    ambiguous = split is not None and _names_finer(q, split)
    inside = _inside(s.fields, place)
    rival = float(s.score[~inside].max()) if not inside.all() else -math.inf
    agreement, coverage = _place_agreement(q, s, int(tied[0]), level)
    score = confidence(agreement, coverage, best - rival)
    if score < cutoff:
        return None
    # A near name that the text's finer levels do not confirm (its room is not under that compound)
    # is more likely another place than a typo: such a match names the upper place, not a record.
    unconfirmed = coverage < 1.0 and bool((s.sim[tied[0]][_IS_NAME & s.agree[tied[0]]] < 1.0).any())
    own = None if unconfirmed else _record_at(base, s, inside, level)
    if own is not None:
        row = int(s.rows[own])
        address_id: str | None = str(base._a["ids"][row])
        x, y = float(base._a["x"][row]), float(base._a["y"][row])
    else:
        address_id = None
        x, y = _centroid(base, place, level, s.rows)
    order = np.argsort(-s.score, kind="stable")[:limit]
    return Match(
        text=q.address.text,
        address_id=address_id,
        score=round(score, 4),
        level=MATCH_LEVELS[level],
        standard=_standard(base, place),
        x=None if math.isnan(x) else x,
        y=None if math.isnan(y) else y,
        ambiguous=ambiguous,
        candidates=_candidates(base, q, s, order),
        explanation=_explain(
            q, s, int(tied[0]), MATCH_LEVELS[level], address_id, len(tied), split, ambiguous
        ),
    )


def _walk(q: _Query, s: _Scores, tied: NDArray[np.int64]) -> tuple[dict[int, int], int | None, str | None]:
    """The place the tied best records share and the text agrees on.

    Returns its columns (field-matrix column -> value id, down to its level), its level (index into
    MATCH_LEVELS; None if the text agrees on none) and the field at which the tied records split
    (None if they do not). Fields the text lacks are passed over (the records fill them in); a
    contradiction ends the walk. Records that differ only in a town or community the text does not
    name still share a road or compound (roads cross those borders), and a town or community that
    contradicts the text does not outweigh the finer levels it agrees on: the place leaves it out.
    """
    fields = s.fields[tied]
    first: list[int] = fields[0].tolist()
    common: list[bool] = np.all(fields == fields[0], axis=0).tolist()
    differ: list[bool] = np.any(s.differ[tied], axis=0).tolist()
    agree: list[bool] = np.all(s.agree[tied], axis=0).tolist()
    asked: list[bool] = q.asks.tolist()
    place: dict[int, int] = {}
    level = None
    split = None
    end = -1
    for depth, f in enumerate(_WALK):
        cols = _WALK_COLUMNS[depth]
        k = _WALK_K[depth]
        if not all(common[j] for j in cols):
            if f in _CROSSED and not (k >= 0 and asked[k]):
                continue
            split = f
            break
        if k >= 0 and differ[k]:
            if f in _CROSSED:
                continue  # a town or community the text got wrong (or the parser read wrong) is left out
            break
        place.update({j: first[j] for j in cols if first[j] >= 0})
        if k >= 0 and agree[k] and f in MATCH_LEVELS:
            level = MATCH_LEVELS.index(f)
            end = depth
    if level is None:
        return {}, None, split
    kept = {j for cols in _WALK_COLUMNS[: end + 1] for j in cols}
    return {j: v for j, v in place.items() if j in kept}, level, split


def _names_finer(q: _Query, split: str) -> bool:
    """Whether the text names ``split`` or a level below it: then it meant one of the split records."""
    return any(COLUMNS[j] in q.values for cols in _WALK_COLUMNS[_WALK.index(split) :] for j in cols)


def _inside(fields: NDArray[np.int32], place: dict[int, int]) -> NDArray[np.bool_]:
    """Which records (rows of the field matrix) lie within the place (have its value in each of its columns)."""
    cols = list(place)
    return (fields[:, cols] == np.array([place[j] for j in cols], dtype=np.int32)).all(axis=1)


def _standard(base: AddressBase, place: dict[int, int]) -> str:
    return standard_of(
        {COLUMNS[j]: base._vocab[COLUMNS[j]][v] for j, v in place.items() if COLUMNS[j] in FIELDS}
    )


def _record_at(base: AddressBase, s: _Scores, inside: NDArray[np.bool_], level: int) -> int | None:
    """The best candidate that is the matched place itself (a record whose own level is the match level)."""
    own = np.flatnonzero(inside & (base._a["level"][s.rows] == level))
    if not len(own):
        return None
    return int(own[np.argmax(s.score[own])])


def _split_match(
    base: AddressBase,
    q: _Query,
    s: _Scores,
    tied: NDArray[np.int64],
    limit: int,
    cutoff: float,
    split: str | None,
) -> Match | None:
    """Best records that split above every level the text agrees on (解放街123号 in two counties).

    The tie is returned as it is: an ambiguous match without an id or a point, at the level each tied
    record agrees on, written from the text's own values; the candidates are the tied records.
    """
    level = min(s.level(k) for k in tied.tolist())
    if level < 0 or split is None:
        return None
    agreement, coverage = _place_agreement(q, s, int(tied[0]), level)
    score = confidence(agreement, coverage, 0.0)
    if score < cutoff:
        return None
    depth = _WALK.index(MATCH_LEVELS[level])
    kept = {COLUMNS[j] for cols in _WALK_COLUMNS[: depth + 1] for j in cols}
    order = tied[np.argsort(-s.score[tied], kind="stable")][:limit]
    return Match(
        text=q.address.text,
        address_id=None,
        score=round(score, 4),
        level=MATCH_LEVELS[level],
        standard=standard_of({f: v for f, v in q.values.items() if f in kept}),
        x=None,
        y=None,
        ambiguous=True,
        candidates=_candidates(base, q, s, order),
        explanation=_explain(q, s, int(tied[0]), MATCH_LEVELS[level], None, len(tied), split, True),
    )


def _place_agreement(q: _Query, s: _Scores, k: int, level: int) -> tuple[float, float]:
    """How well record ``k`` agrees with the text on the levels down to the match (weighted mean
    similarity, times what its weakest near name is worth), and the weighted share of the text's
    weight those levels cover.
    """
    asks = q.vector != _LACKS
    within = asks & (_WALK.index(MATCH_LEVELS[level]) >= _K_DEPTH)
    inside = float(_W[within].sum())
    if not inside:
        return 0.0, 0.0
    agreed = s.agree[k] & within
    agreement = float((_W * s.sim[k])[agreed].sum()) / inside
    names = s.sim[k][agreed & _IS_NAME]
    weakest = float(names.min()) if len(names) else 1.0
    return agreement * _name_evidence(q, s, k, weakest), inside / float(_W[asks].sum())


def _name_evidence(q: _Query, s: _Scores, k: int, similarity: float) -> float:
    """How much a near (fuzzy) road or compound name is worth: its similarity to a power that falls
    from _NAME_POWER_ALONE to _NAME_POWER_SUPPORTED as the text's finer fields (building, unit, floor,
    room) are confirmed by the record; finer fields the record lacks count against it.

    One wrong character in a 3-character name is another real name about as often as a typo, and a
    door number alone exists on most near roads; a whole building, unit and room rarely does.
    """
    if similarity >= 1.0:
        return 1.0
    asked = q.asks & _SUPPORT
    total = float(_W[asked].sum())
    support = 0.0
    if total:
        agreed = float(_W[asked & s.agree[k]].sum())
        missing = float(_W[asked & ~s.has[k]].sum())
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
    sizes = base._tables.sizes
    if "road" in named and "house_number" in named:
        rows = lookup_group(a, "door", _key(named["road"], named["house_number"], sizes["house_number"]))
    elif "poi" in named and "building" in named:
        rows = lookup_group(a, "poi_building", _key(named["poi"], named["building"], sizes["building"]))
    elif "poi" in named:
        rows = lookup_group(a, "poi", named["poi"])
    elif "road" in named:
        rows = lookup_group(a, "road", named["road"])
    elif "community" in named and "group" in named:
        rows = lookup_group(a, "community_group", _key(named["community"], named["group"], sizes["group"]))
    else:
        rows = candidates
    rows = rows[_inside(a["fields"][rows], place)]
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
    raw = agreement * coverage**_COVERAGE_POWER * (1.0 - 0.5 * closeness)
    xs, ys = zip(*_CALIBRATION, strict=True)
    return float(np.interp(raw, xs, ys))


def _candidates(base: AddressBase, q: _Query, s: _Scores, order: NDArray[np.int64]) -> tuple[Candidate, ...]:
    vocab = base._vocab
    # Per compared field: the column shown (a division's name, not its code) and the text's value.
    shown = []
    for i, f in enumerate(COMPARED):
        column = f if f in _DIVISIONS else COLUMNS[q.columns[i]]
        shown.append((f, COLUMN_INDEX[column], vocab[column], q.values.get(column)))
    out = []
    for k in order.tolist():
        values = s.fields[k].tolist()
        fields = tuple(
            FieldMatch(f, _STATE_NAMES[st], value, names[values[j]] if values[j] >= 0 else None, sim)
            for (f, j, names, value), st, sim in zip(
                shown, s.states(q, k).tolist(), s.sim[k].tolist(), strict=True
            )
            if st != _NONE
        )
        level = s.level(k)
        out.append(
            Candidate(
                address_id=str(base._a["ids"][s.rows[k]]),
                score=min(1.0, max(0.0, float(s.score[k]))),
                level=MATCH_LEVELS[level] if level >= 0 else None,
                standard=standard_of(
                    {f: vocab[f][v] for f, v in zip(FIELDS, values, strict=False) if v >= 0}
                ),
                fields=fields,
            )
        )
    return tuple(out)


def _explain(
    q: _Query,
    s: _Scores,
    k: int,
    level: str,
    address_id: str | None,
    n_tied: int,
    split: str | None,
    ambiguous: bool,
) -> str:
    states = s.states(q, k).tolist()
    by_state: dict[int, list[str]] = {}
    for f, st in zip(COMPARED, states, strict=True):
        by_state.setdefault(st, []).append(f)
    parts = [
        f"record {address_id} at {level} level" if address_id else f"{level} level (no record of its own)"
    ]
    if by_state.get(_AGREE):
        parts.append("agrees on " + ", ".join(by_state[_AGREE]))
    fuzzy = [
        f"{f} {q.values[f]}~{max(found.values()):.2f}"
        for f, found in (("road", q.roads), ("poi", q.pois))
        if f in q.values and found and max(found.values()) < 1.0
    ]
    if fuzzy:
        parts.append("fuzzy " + ", ".join(fuzzy))
    if by_state.get(_DIFFER):
        parts.append("differs in " + ", ".join(by_state[_DIFFER]))
    if by_state.get(_INPUT_ONLY):
        parts.append("base lacks the input's " + ", ".join(by_state[_INPUT_ONLY]))
    if ambiguous:
        parts.append(f"{n_tied} records tie, split by {split}")
    return "; ".join(parts)


def _division_match(base: AddressBase, q: _Query, cutoff: float) -> Match | None:
    """A text naming only divisions matches the finest of them that the base has records in."""
    place: dict[int, int] = {}
    level = None
    for f in ("province", "city", *_DIVISIONS):
        code = f"{f}_code"
        if code not in q.values:
            continue
        if q.ids[code] < 0 or q.ids.get(f, -1) < 0:
            break
        place[COLUMN_INDEX[code]], place[COLUMN_INDEX[f]] = q.ids[code], q.ids[f]
        if f in _DIVISIONS:
            level = MATCH_LEVELS.index(f)
    score = confidence(_UNPLACED if _unplaced(q.address) else 1.0, 1.0, math.inf)
    if level is None or score < cutoff:
        return None
    x, y = _centroid(base, place, level, np.zeros(0, dtype=np.int32))
    return Match(
        text=q.address.text,
        address_id=None,
        score=round(score, 4),
        level=MATCH_LEVELS[level],
        standard=_standard(base, place),
        x=None if math.isnan(x) else x,
        y=None if math.isnan(y) else y,
        ambiguous=False,
        candidates=(),
        explanation=f"{MATCH_LEVELS[level]} level: the input names no road, compound or village group",
    )


def match_safe(base: AddressBase, value: Any, limit: int, cutoff: float) -> tuple[Match | None, str, str]:
    """The match of one batch value with its status (:data:`~stdaddr.models.MATCH_STATUSES`) and a reason."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, "invalid", "missing value"
    if not isinstance(value, (str, bytes, bytearray)):
        return None, "invalid", f"not text: {value!r:.60}"
    try:
        address = _parse(value)
        if address is None:
            return None, "invalid", "empty text"
        m = _match_address(base, address, limit, cutoff)
    except Exception as exc:  # batch contract: one value never stops the batch; its row says why
        return None, "invalid", f"{type(exc).__name__}: {exc}"
    if m is None:
        return None, "no_match", "nothing in the base is close enough"
    return m, m.status, m.explanation


_FORKED: tuple[AddressBase, int, float] | None = None


def _match_chunk(values: list[Any]) -> list[tuple[Match | None, str, str]]:
    assert _FORKED is not None
    base, limit, cutoff = _FORKED
    return [match_safe(base, v, limit, cutoff) for v in values]


def match_batch(
    base: AddressBase, values: Iterable[Any], *, limit: int, score_cutoff: float | None, workers: int | None
) -> list[tuple[Match | None, str, str]]:
    """:func:`match_safe` over many values, in order, on ``workers`` forked processes for big batches."""
    global _FORKED
    cutoff = _check_args(limit, score_cutoff)
    items = list(values)
    n_workers = default_workers(workers) if len(items) >= 2 * _CHUNK else 1
    _tables(base)  # built once here, so forked workers inherit it
    _FORKED = (base, limit, cutoff)
    try:
        parts = run_chunks(_match_chunk, items, chunk=_CHUNK, workers=n_workers, warm_up=_warm)
    finally:
        _FORKED = None
    return [r for part in parts for r in part]


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
    column: str,
    limit: int = 5,
    score_cutoff: float | None = None,
    workers: int | None = None,
    prefix: str = "match_",
) -> pd.DataFrame:
    """A copy of ``df`` with the match of each row's ``column`` in the columns ``{prefix}id``, ``score``,
    ``level``, ``standard``, ``x``, ``y``, ``ambiguous``, ``status`` and ``reason`` (replaced if present).

    Every row comes out: ``status`` is one of :data:`~stdaddr.models.MATCH_STATUSES`.
    """
    if column not in df.columns:
        raise ColumnError(
            f'column was "{column}" but the table has the columns {[str(c) for c in df.columns]}'
        )
    results = match_batch(base, df[column].tolist(), limit=limit, score_cutoff=score_cutoff, workers=workers)
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
