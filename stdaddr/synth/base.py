"""A synthetic standard address base for Wenzhou: one row per door, building, unit or room.

The steps, each a function below:

1. :func:`_plan` splits the records over the communities (社区 denser than 村), and per town into
   compounds (drawn by type until the town's share is used), plain doors on roads and, in villages,
   doors numbered by 村民小组 (group) instead of a road;
2. :func:`_roads` names the roads and numbers their doors (odd left, even right, 附 annexes, 弄 lanes);
3. :func:`_place_roads` draws each road as a random walk from its community into the town's area
   and puts the doors along it in number order; a door's community is the nearest community centre;
4. :func:`_records` picks an entrance door for each compound, lays its buildings out in a block
   behind that door, expands buildings into units and rooms, and adds the village group doors;
5. :func:`_frame` writes ids, canonical address strings and coordinates, sorted by id.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from stdaddr.models import DIVISION_FIELDS, FIELDS
from stdaddr.synth import geometry, vocab
from stdaddr.synth.world import World, build_world, short_name

__all__ = ["generate_base", "LEVELS", "COLUMNS", "MAX_RECORDS"]

LEVELS = ("door", "building", "unit", "room")
COLUMNS = ("addr_id", "address", "level", *FIELDS, *(f"{f}_code" for f in DIVISION_FIELDS), "lon", "lat")
MAX_RECORDS = 5_000_000
PROVINCE, PROVINCE_CODE, CITY_CODE = "浙江省", "33", "3303"

# Per community kind (社区, 村 under a 街道, 村, other): share of records drawn, share of plain doors.
_COMMUNITY_WEIGHT = np.array([6.0, 2.0, 1.0, 0.5])
_DOOR_SHARE = np.array([0.10, 0.30, 0.45, 0.60])
# Share of a village's plain doors numbered by group (张家村3组12号) rather than on a road.
_GROUP_SHARE = 0.6
_DOORS_PER_ROAD = 35
_ROAD_STEP = 40.0  # metres between road vertices
_DOOR_SETBACK = 12.0  # metres from the road's centre line to a door
_ENTRANCE_WEIGHT = np.array([4.0, 2.0, 1.0, 1.0])  # compounds are commoner in urban communities


@dataclass(frozen=True, slots=True)
class CompoundType:
    """How one kind of compound is built: name suffixes and ranges of its sizes."""

    suffixes: tuple[str, ...]
    buildings: tuple[int, int]
    units: tuple[tuple[int, ...], tuple[float, ...]]
    floors: tuple[int, int]
    rooms: tuple[tuple[int, ...], tuple[float, ...]]
    spacing: float  # metres between buildings
    named: bool = True  # False: a house on the road, its rooms numbered under the door (123号201室)
    floor_written: bool = False  # office towers write the floor (大厦1幢12层1203室)
    letter_share: float = 0.0  # share of compounds with buildings A, B, C instead of 1, 2, 3


_TYPES = (
    CompoundType(
        ("小区", "新村", "苑", "小区"),
        (2, 16),
        ((0, 1, 2, 3), (0.15, 0.35, 0.35, 0.15)),
        (4, 7),
        ((1, 2, 3), (0.2, 0.6, 0.2)),
        30.0,
    ),
    CompoundType(
        ("花园", "家园", "华庭", "名苑", "嘉园", "公馆"),
        (2, 14),
        ((1, 2), (0.5, 0.5)),
        (11, 33),
        ((2, 3, 4), (0.5, 0.3, 0.2)),
        45.0,
    ),
    CompoundType(
        ("大厦", "广场", "公寓"),
        (1, 3),
        ((0,), (1.0,)),
        (8, 28),
        ((4, 6, 8, 10), (0.3, 0.3, 0.2, 0.2)),
        40.0,
        floor_written=True,
        letter_share=0.3,
    ),
    CompoundType((), (1, 1), ((0,), (1.0,)), (2, 6), ((1, 2), (0.6, 0.4)), 0.0, named=False),
)
# Probability of each compound type per community kind (rows) — walk-up, high-rise, tower, house.
_TYPE_PROBS = np.array(
    [
        [0.30, 0.30, 0.10, 0.30],
        [0.25, 0.10, 0.03, 0.62],
        [0.12, 0.02, 0.01, 0.85],
        [0.20, 0.00, 0.00, 0.80],
    ]
)
_LETTER_BASE = 1000  # building codes from here on are written A幢, B幢, C幢
_DIRECTIONS = "东西南北中"
_ORDINALS = "一二三四五六七八九"


def generate_base(n_records: int, *, seed: int = 0) -> pd.DataFrame:
    """A synthetic standard address base of Wenzhou with exactly ``n_records`` rows.

    Deterministic: the same ``n_records`` and ``seed`` give an identical frame (and a byte-identical
    CSV). Columns are :data:`COLUMNS`: ``addr_id`` (26 digits, GB/T 39609 layout: 12-digit community
    code, 4-digit road/group/compound, 4-digit door/building, 2-digit unit, 4-digit room), the
    canonical ``address``, the ``level`` of the record (door, building, unit, room), one column per
    address level with the division codes, and ``lon``/``lat`` in CGCS2000 (EPSG:4490).

    >>> df = generate_base(10_000, seed=0)
    >>> len(df), df["addr_id"].is_unique, sorted(df["level"].unique())
    (10000, True, ['building', 'door', 'room', 'unit'])
    """
    if (
        isinstance(n_records, bool)
        or not isinstance(n_records, (int, np.integer))
        or not 1 <= n_records <= MAX_RECORDS
    ):
        raise ValueError(f"n_records was {n_records!r} but must be an int from 1 to {MAX_RECORDS:,}")
    world = build_world(int(seed))
    rng = np.random.default_rng([int(seed), 1, int(n_records)])
    plan = _plan(world, int(n_records), rng)
    roads = _roads(world, plan, rng)
    doors = _place_roads(world, roads, rng)
    records = _records(world, plan, roads, doors, rng)
    return _frame(world, records)


@dataclass(frozen=True, slots=True, eq=False)
class _Plan:
    """How many records of which kind each town gets."""

    compound_town: np.ndarray  # per compound: town index
    compound_type: np.ndarray
    compound_size: np.ndarray  # per compound: (buildings, units, floors, rooms per floor)
    group_doors: np.ndarray  # per community: doors numbered by group
    road_town: np.ndarray  # per road: town index
    road_anchor: np.ndarray  # per road: community it starts in
    road_doors: np.ndarray  # per road: door slots (plain doors and compound entrances)


def _records_of(t: CompoundType, b: int, u: int, f: int, r: int) -> int:
    if not t.named:
        return 1 + f * r
    return 1 + b + b * u + b * max(u, 1) * f * r


def _draw_compounds(
    p_type: np.ndarray, budget: int, rng: np.random.Generator
) -> list[tuple[int, int, int, int, int]]:
    """Compounds drawn by type until ``budget`` records are used (ones too big for what is left are skipped)."""
    out = []
    left, misses = budget, 0
    while left >= 3 and misses < 30:
        ti = int(rng.choice(len(_TYPES), p=p_type))
        t = _TYPES[ti]
        b = int(rng.integers(t.buildings[0], t.buildings[1] + 1))
        u = int(rng.choice(t.units[0], p=t.units[1]))
        f = int(rng.integers(t.floors[0], t.floors[1] + 1))
        r = int(rng.choice(t.rooms[0], p=t.rooms[1]))
        size = _records_of(t, b, u, f, r)
        if size > left:
            misses += 1
            continue
        out.append((ti, b, u, f, r))
        left -= size
    return out


def _plan(world: World, n: int, rng: np.random.Generator) -> _Plan:
    weight = _COMMUNITY_WEIGHT[world.comm_kind]
    budget = rng.multinomial(n, weight / weight.sum())
    comp_town, comp_type, comp_size = [], [], []
    group_doors = np.zeros(len(world.comm_code), dtype=np.int64)
    road_town, road_anchor, road_doors = [], [], []
    for t in range(len(world.town_code)):
        comms = np.flatnonzero(world.comm_town == t)
        b = budget[comms]
        total = int(b.sum())
        if total == 0:
            continue
        mix = np.bincount(world.comm_kind[comms], weights=b, minlength=4) / total
        p_type = mix @ _TYPE_PROBS
        drawn = _draw_compounds(p_type / p_type.sum(), int(round(total * (1 - mix @ _DOOR_SHARE))), rng)
        for ti, *size in drawn:
            comp_town.append(t)
            comp_type.append(ti)
            comp_size.append(size)
        plain = total - sum(_records_of(_TYPES[ti], *size) for ti, *size in drawn)
        villages = comms[world.comm_kind[comms] == 2]
        if len(villages) and not world.town_is_street[t]:
            share = budget[villages].sum() / total
            n_group = int(round(plain * _GROUP_SHARE * share))
            if n_group:
                vb = budget[villages].astype(float) + 1e-9
                group_doors[villages] += rng.multinomial(n_group, vb / vb.sum())
                plain -= n_group
        slots = plain + len(drawn)
        if slots == 0:
            continue
        n_roads = max(1, round(slots / _DOORS_PER_ROAD))
        share = rng.lognormal(0.0, 0.8, n_roads)
        per_road = 1 + rng.multinomial(slots - n_roads, share / share.sum())
        anchor_p = b.astype(float) + 1e-9
        road_town.extend([t] * n_roads)
        road_anchor.extend(rng.choice(comms, size=n_roads, p=anchor_p / anchor_p.sum()).tolist())
        road_doors.extend(per_road.tolist())
    return _Plan(
        compound_town=np.asarray(comp_town, dtype=np.int64),
        compound_type=np.asarray(comp_type, dtype=np.int64),
        compound_size=np.asarray(comp_size, dtype=np.int64).reshape(-1, 4),
        group_doors=group_doors,
        road_town=np.asarray(road_town, dtype=np.int64),
        road_anchor=np.asarray(road_anchor, dtype=np.int64),
        road_doors=np.asarray(road_doors, dtype=np.int64),
    )


@dataclass(frozen=True, slots=True, eq=False)
class _Roads:
    """Roads (names, lengths) and their doors (numbers and where along the road they are)."""

    name: list[str]
    town: np.ndarray
    anchor: np.ndarray
    length: np.ndarray  # metres
    twisty: np.ndarray  # lanes (巷) bend more than roads
    door_road: np.ndarray
    door_label: list[str]  # house_number as written: 123号, 123号附1, 455弄12号
    door_frac: np.ndarray  # position along the road, 0..1
    door_side: np.ndarray  # +1 left (odd numbers), -1 right (even)
    door_setback: np.ndarray  # metres from the centre line (lane doors lie deeper)
    door_main: np.ndarray  # a plain numbered door (not an annex, not in a lane): can be a compound entrance


def _road_name(rng: np.random.Generator, doors: int, local: list[str], used: set[str]) -> str:
    stems = vocab.road_stems()
    for _ in range(100):
        if local and rng.random() < 0.03:
            # Roads named after their town or county are common (五马街, 鹿城路) and hard to parse.
            name = str(rng.choice(local)) + ("街" if rng.random() < 0.5 else "路")
        else:
            # Squaring the uniform draw favours frequent stems, as real road names do.
            stem = stems[int(len(stems) * rng.random() ** 2)]
            r = rng.random()
            if doors <= 12 and r < 0.6:
                name = stem + "巷"
            elif doors >= 80 and r < 0.3:
                name = stem + "大道"
            else:
                r = rng.random()
                if r < 0.12:
                    name = stem + _DIRECTIONS[int(rng.integers(5))] + ("路" if rng.random() < 0.8 else "街")
                elif r < 0.18:
                    name = stem + _ORDINALS[int(rng.integers(9))] + "路"
                else:
                    name = stem + ("路" if rng.random() < 0.72 else "街")
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("ran out of road names")  # 2,500 stems × ~30 forms per county: not reachable


def _number_doors(
    rng: np.random.Generator, n: int
) -> tuple[list[str], list[float], list[int], list[float], list[bool]]:
    """House numbers of one road with ``n`` doors: labels, position (0..1), side, setback, main door."""
    lane = int(rng.integers(4, min(15, n // 3) + 1)) if n >= 20 and rng.random() < 0.08 else 0
    annex = min(int(rng.binomial(n - lane, 0.04)), (n - lane) // 2)
    main = n - lane - annex
    top = math.ceil((main + (1 if lane else 0)) * rng.uniform(1.15, 1.7))
    numbers = np.sort(rng.choice(top, size=main + (1 if lane else 0), replace=False) + 1)
    labels, frac, side, setback, is_main = [], [], [], [], []
    lane_no = 0
    if lane:
        k = int(rng.integers(len(numbers)))
        lane_no, numbers = int(numbers[k]), np.delete(numbers, k)
    for x in numbers.tolist():
        labels.append(f"{x}号")
        frac.append(x / (top + 1))
        side.append(1 if x % 2 else -1)
        setback.append(_DOOR_SETBACK)
        is_main.append(True)
    if annex:
        parents = np.sort(rng.choice(numbers, size=annex, replace=True))
        seen: dict[int, int] = {}
        for x in parents.tolist():
            seen[x] = seen.get(x, 0) + 1
            labels.append(f"{x}号附{seen[x]}")
            frac.append((x + 0.3 * seen[x]) / (top + 1))
            side.append(1 if x % 2 else -1)
            setback.append(_DOOR_SETBACK + 4.0 * seen[x])
            is_main.append(False)
    for k in range(1, lane + 1):
        labels.append(f"{lane_no}弄{k}号")
        frac.append(lane_no / (top + 1))
        side.append(1 if lane_no % 2 else -1)
        setback.append(_DOOR_SETBACK + 14.0 * k)
        is_main.append(False)
    return labels, frac, side, setback, is_main


def _roads(world: World, plan: _Plan, rng: np.random.Generator) -> _Roads:
    names: list[str] = []
    used: dict[int, set[str]] = {}
    lengths = np.zeros(len(plan.road_town))
    twisty = np.zeros(len(plan.road_town), dtype=bool)
    door_road, labels, frac, side, setback, main = [], [], [], [], [], []
    for i, (t, n) in enumerate(zip(plan.road_town.tolist(), plan.road_doors.tolist(), strict=True)):
        county = int(world.town_county[t])
        local = [
            s for s in (short_name(world.town_name[t], 3), short_name(world.counties[county].name, 2)) if s
        ]
        name = _road_name(rng, n, local, used.setdefault(county, set()))
        names.append(name)
        twisty[i] = name.endswith("巷")
        lb, fr, sd, sb, mn = _number_doors(rng, n)
        top = max(int(label.split("号")[0].split("弄")[0]) for label in lb)
        # About 10 m of frontage per number (odd and even sides face each other).
        lengths[i] = float(np.clip(top * rng.uniform(8.0, 13.0), 80.0, 6000.0))
        door_road.extend([i] * n)
        labels.extend(lb)
        frac.extend(fr)
        side.extend(sd)
        setback.extend(sb)
        main.extend(mn)
    return _Roads(
        name=names,
        town=plan.road_town,
        anchor=plan.road_anchor,
        length=lengths,
        twisty=twisty,
        door_road=np.asarray(door_road, dtype=np.int64),
        door_label=labels,
        door_frac=np.asarray(frac),
        door_side=np.asarray(side, dtype=np.int64),
        door_setback=np.asarray(setback),
        door_main=np.asarray(main, dtype=bool),
    )


@dataclass(frozen=True, slots=True, eq=False)
class _Doors:
    """Road doors placed: point, the road's direction there, community."""

    xy: np.ndarray
    tangent: np.ndarray
    normal: np.ndarray  # unit vector from the road towards the door
    community: np.ndarray


def _place_roads(world: World, roads: _Roads, rng: np.random.Generator) -> _Doors:
    n_roads = len(roads.name)
    anchor_xy = world.comm_xy[roads.anchor]
    jitter = rng.normal(0.0, 1.0, (n_roads, 2)) * 0.4 * world.comm_radius[roads.anchor][:, None]
    start = anchor_xy + jitter
    heading = (
        world.town_heading[roads.town]
        + rng.integers(0, 4, n_roads) * (math.pi / 2)
        + rng.normal(0.0, 0.05, n_roads)
    )
    steps = np.maximum(1, np.ceil(roads.length / _ROAD_STEP)).astype(np.int64)
    road_county = world.town_county[roads.town]
    vertices = np.zeros((0, 2))
    offsets = np.zeros(n_roads + 1, dtype=np.int64)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for ci, county in enumerate(world.counties):
        idx = np.flatnonzero(road_county == ci)
        if len(idx) == 0:
            continue
        ok = geometry.inside(county.polygon, start[idx])
        start[idx[~ok]] = anchor_xy[idx[~ok]]
        towns = np.flatnonzero(world.town_county == ci)
        own = np.searchsorted(towns, roads.town[idx])
        turn_sd = np.where(roads.twisty[idx], 0.12, 0.04)
        v, off = geometry.walk(
            start[idx],
            heading[idx],
            steps[idx],
            rng,
            step=_ROAD_STEP,
            turn_sd=turn_sd,
            polygon=county.polygon,
            centres=world.town_xy[towns],
            own=own,
        )
        parts.append((idx, v, off))
    # Concatenate the counties' polylines in road order.
    counts = np.zeros(n_roads, dtype=np.int64)
    for idx, _, off in parts:
        counts[idx] = np.diff(off)
    offsets[1:] = np.cumsum(counts)
    vertices = np.zeros((int(offsets[-1]), 2))
    for idx, v, off in parts:
        for k, r in enumerate(idx.tolist()):
            vertices[offsets[r] : offsets[r + 1]] = v[off[k] : off[k + 1]]

    total = _polyline_lengths(vertices, offsets)
    dist = roads.door_frac * total[roads.door_road]
    on_road, tangent, seg_start = geometry.along(vertices, offsets, roads.door_road, dist, heading)
    normal = np.column_stack((-tangent[:, 1], tangent[:, 0])) * roads.door_side[:, None]
    xy = on_road + normal * roads.door_setback[:, None]
    door_county = road_county[roads.door_road]
    for ci, county in enumerate(world.counties):
        idx = np.flatnonzero(door_county == ci)
        bad = idx[~geometry.inside(county.polygon, xy[idx])]
        xy[bad] = vertices[seg_start[bad]]  # a road vertex is always inside the county
    community = _nearest_community(world, roads.town[roads.door_road], xy)
    return _Doors(xy=xy, tangent=tangent, normal=normal, community=community)


def _polyline_lengths(vertices: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    seg = np.hypot(*np.diff(vertices, axis=0).T)
    seg = np.concatenate((seg, [0.0]))
    seg[offsets[1:] - 1] = 0.0
    cum = np.concatenate(([0.0], np.cumsum(seg)))
    return cum[offsets[1:] - 1] - cum[offsets[:-1]]


def _nearest_community(world: World, town: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Index of the nearest community centre of the point's own town (Voronoi areas within a town)."""
    out = np.empty(len(xy), dtype=np.int64)
    order = np.argsort(town, kind="stable")
    bounds = np.searchsorted(town[order], np.arange(len(world.town_code) + 1))
    for t in range(len(world.town_code)):
        idx = order[bounds[t] : bounds[t + 1]]
        if len(idx) == 0:
            continue
        comms = np.flatnonzero(world.comm_town == t)
        c = world.comm_xy[comms]
        d = (c**2).sum(axis=1) - 2.0 * xy[idx] @ c.T
        out[idx] = comms[d.argmin(axis=1)]
    return out


def _within(counts: np.ndarray) -> np.ndarray:
    """0-based position of each element inside its group, for groups of ``counts`` laid end to end."""
    starts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - np.repeat(starts, counts)


@dataclass(frozen=True, slots=True, eq=False)
class _Records:
    """One entry per record; strings are indexes into the name lists, -1 or "" where absent."""

    community: np.ndarray
    level: np.ndarray
    group: np.ndarray  # 0: none
    door: np.ndarray  # road door (index into door_label) the record hangs on, -1: none
    poi: np.ndarray  # index into poi_name, -1: none
    building: np.ndarray  # 0: none; 3 for 3幢; _LETTER_BASE + 0 for A幢
    unit: np.ndarray  # 0: none
    floor: np.ndarray  # 0: not written
    room: np.ndarray  # 0: none
    group_no: np.ndarray  # house number of a group door, 0: none
    id_tail: np.ndarray  # the 14 digits after the community code
    xy: np.ndarray
    door_road: np.ndarray
    road_name: list[str]
    door_label: list[str]
    poi_name: list[str]


def _entrances(
    world: World, plan: _Plan, roads: _Roads, doors: _Doors, rng: np.random.Generator
) -> np.ndarray:
    """For each compound, a distinct numbered door of its town, urban communities' doors preferred."""
    door_town = roads.town[roads.door_road]
    entrance = np.empty(len(plan.compound_town), dtype=np.int64)
    for t in np.unique(plan.compound_town).tolist():
        comps = np.flatnonzero(plan.compound_town == t)
        cand = np.flatnonzero((door_town == t) & roads.door_main)
        if len(cand) < len(comps):
            cand = np.flatnonzero(door_town == t)  # the plan gives a town at least one door per compound
        w = _ENTRANCE_WEIGHT[world.comm_kind[doors.community[cand]]]
        entrance[comps] = rng.choice(cand, size=len(comps), replace=False, p=w / w.sum())
    return entrance


def _records(world: World, plan: _Plan, roads: _Roads, doors: _Doors, rng: np.random.Generator) -> _Records:
    """All records: road doors, rooms of houses, compounds (entrance, buildings, units, rooms), group doors."""
    entrance = _entrances(world, plan, roads, doors, rng)
    named = np.array([_TYPES[t].named for t in plan.compound_type.tolist()], dtype=bool)
    poi_name = _compound_names(world, plan, rng)

    door_records = _road_door_records(roads, doors, entrance[named])
    house_rooms = _house_room_records(plan, doors, entrance, named, door_records)
    compound_records = _compound_records(world, plan, doors, entrance, named, rng)
    group_records = _group_door_records(world, plan, rng)
    parts = [door_records, house_rooms, compound_records, group_records]

    def cat(key: str) -> np.ndarray:
        return np.concatenate([p[key] for p in parts])

    return _Records(
        community=cat("community"),
        level=cat("level"),
        group=cat("group"),
        door=cat("door"),
        poi=cat("poi"),
        building=cat("building"),
        unit=cat("unit"),
        floor=cat("floor"),
        room=cat("room"),
        group_no=cat("group_no"),
        id_tail=cat("id_tail"),
        xy=np.concatenate([p["xy"] for p in parts]),
        door_road=roads.door_road,
        road_name=roads.name,
        door_label=roads.door_label,
        poi_name=poi_name,
    )


def _compound_names(world: World, plan: _Plan, rng: np.random.Generator) -> list[str]:
    """A name per compound, unique in its county ("" for houses on a road, which have none)."""
    stems = vocab.compound_stems()
    used: dict[int, set[str]] = {}
    out = []
    for t, ti in zip(plan.compound_town.tolist(), plan.compound_type.tolist(), strict=True):
        kind = _TYPES[ti]
        if not kind.named:
            out.append("")
            continue
        taken = used.setdefault(int(world.town_county[t]), set())
        for _ in range(100):
            name = (
                stems[int(len(stems) * rng.random() ** 2)]
                + kind.suffixes[int(rng.integers(len(kind.suffixes)))]
            )
            if name not in taken:
                break
        else:
            raise RuntimeError("ran out of compound names")  # 3,500 stems × 3-6 suffixes per county
        taken.add(name)
        out.append(name)
    return out


def _empty_fields(n: int) -> dict[str, np.ndarray]:
    z = np.zeros(n, dtype=np.int64)
    return {"group": z, "building": z, "unit": z, "floor": z, "room": z, "group_no": z}


def _road_door_records(roads: _Roads, doors: _Doors, entrances: np.ndarray) -> dict:
    """Doors on roads, except the entrances of named compounds (those carry the compound's id)."""
    keep = np.ones(len(roads.door_road), dtype=bool)
    keep[entrances] = False
    idx = np.flatnonzero(keep)
    comm, road = doors.community[idx], roads.door_road[idx]
    # Road code: rank of the road among the roads of the community; door code: rank along the road.
    order = np.lexsort((roads.door_setback[idx], roads.door_frac[idx], road, comm))
    idx, comm, road = idx[order], comm[order], road[order]
    new_road = np.r_[True, (comm[1:] != comm[:-1]) | (road[1:] != road[:-1])]
    new_comm = np.r_[True, comm[1:] != comm[:-1]]
    road_rank = np.cumsum(new_road) - np.repeat(
        np.cumsum(new_road)[new_comm], np.diff(np.r_[np.flatnonzero(new_comm), len(idx)])
    )
    door_rank = _within(np.diff(np.r_[np.flatnonzero(new_road), len(idx)]))
    n = len(idx)
    return {
        "community": comm,
        "level": np.zeros(n, dtype=np.int64),
        "door": idx,
        "poi": np.full(n, -1),
        "id_tail": (road_rank + 1) * 10**10 + (door_rank + 1) * 10**6,
        "xy": doors.xy[idx],
        **_empty_fields(n),
    }


def _house_room_records(
    plan: _Plan, doors: _Doors, entrance: np.ndarray, named: np.ndarray, door_records: dict
) -> dict:
    """Rooms of houses on a road, numbered under the door (解放街123号201室)."""
    houses = np.flatnonzero(~named)
    door = entrance[houses]
    size = plan.compound_size[houses]
    floors, per_floor = size[:, 2], size[:, 3]
    count = floors * per_floor
    k = _within(count)
    house = np.repeat(np.arange(len(houses)), count)
    room = (k // per_floor[house] + 1) * 100 + k % per_floor[house] + 1
    tail_of_door = np.zeros(len(doors.xy), dtype=np.int64)
    tail_of_door[door_records["door"]] = door_records["id_tail"]
    d = door[house]
    n = len(d)
    return {
        "community": doors.community[d],
        "level": np.full(n, 3),
        "door": d,
        "poi": np.full(n, -1),
        "id_tail": tail_of_door[d] + room,
        "xy": doors.xy[d],
        **{**_empty_fields(n), "room": room},
    }


def _compound_records(
    world: World,
    plan: _Plan,
    doors: _Doors,
    entrance: np.ndarray,
    named: np.ndarray,
    rng: np.random.Generator,
) -> dict:
    """Entrance, buildings, units and rooms of the named compounds, buildings in a block behind the entrance."""
    comps = np.flatnonzero(named)
    door = entrance[comps]
    comm = doors.community[door]
    # Compound code: 5000 + rank of the compound in its community.
    order = np.lexsort((comps, comm))
    rank = np.empty(len(comps), dtype=np.int64)
    rank[order] = _within(np.unique(comm[order], return_counts=True)[1]) if len(comps) else []
    part = (5001 + rank) * 10**10
    b, u, f, r = (plan.compound_size[comps, i] for i in range(4))
    types = plan.compound_type[comps]
    letters = np.array([rng.random() < _TYPES[t].letter_share for t in types.tolist()], dtype=bool) & (b <= 3)
    written_floor = np.array([_TYPES[t].floor_written for t in types.tolist()], dtype=bool)
    spacing = np.array([_TYPES[t].spacing for t in types.tolist()])

    # Buildings in a grid behind the entrance, facing the road.
    bc = np.repeat(np.arange(len(comps)), b)
    bno = _within(b) + 1
    cols = np.ceil(np.sqrt(b)).astype(np.int64)[bc]
    along_m = ((bno - 1) % cols - (cols - 1) / 2) * spacing[bc]
    depth = 30.0 + ((bno - 1) // cols) * spacing[bc]
    bxy = (
        doors.xy[door[bc]]
        + doors.tangent[door[bc]] * along_m[:, None]
        + doors.normal[door[bc]] * depth[:, None]
    )
    bxy = _keep_inside(world, comm[bc], bxy, doors.xy[door[bc]])
    blabel = np.where(letters[bc], _LETTER_BASE + bno - 1, bno)

    # Stacks: one per unit, or one per building without units; rooms are floors × rooms per floor.
    stacks = np.maximum(u[bc], 1)
    sb = np.repeat(np.arange(len(bc)), stacks)
    sunit = np.where(u[bc][sb] > 0, _within(stacks) + 1, 0)
    scomp = bc[sb]
    rooms = f[scomp] * r[scomp]
    rs = np.repeat(np.arange(len(sb)), rooms)
    k = _within(rooms)
    rfloor = k // r[scomp][rs] + 1
    rnum = rfloor * 100 + k % r[scomp][rs] + 1
    rb, rc = sb[rs], scomp[rs]

    ub = np.repeat(np.arange(len(bc)), u[bc])
    uno = _within(u[bc]) + 1
    uc = bc[ub]

    n_e, n_b, n_u, n_r = len(comps), len(bc), len(ub), len(rs)
    return {
        "community": np.concatenate((comm, comm[bc], comm[uc], comm[rc])),
        "level": np.concatenate((np.zeros(n_e), np.ones(n_b), np.full(n_u, 2), np.full(n_r, 3))).astype(
            np.int64
        ),
        "group": np.zeros(n_e + n_b + n_u + n_r, dtype=np.int64),
        "door": np.concatenate((door, door[bc], door[uc], door[rc])),
        "poi": np.concatenate((comps, comps[bc], comps[uc], comps[rc])),
        "building": np.concatenate((np.zeros(n_e, dtype=np.int64), blabel, blabel[ub], blabel[rb])),
        "unit": np.concatenate((np.zeros(n_e + n_b, dtype=np.int64), uno, sunit[rs])),
        "floor": np.concatenate(
            (np.zeros(n_e + n_b + n_u, dtype=np.int64), np.where(written_floor[rc], rfloor, 0))
        ),
        "room": np.concatenate((np.zeros(n_e + n_b + n_u, dtype=np.int64), rnum)),
        "group_no": np.zeros(n_e + n_b + n_u + n_r, dtype=np.int64),
        "id_tail": np.concatenate(
            (
                part,
                part[bc] + bno * 10**6,
                part[uc] + bno[ub] * 10**6 + uno * 10**4,
                part[rc] + bno[rb] * 10**6 + sunit[rs] * 10**4 + rnum,
            )
        ),
        "xy": np.concatenate((doors.xy[door], bxy, bxy[ub], bxy[rb])),
    }


def _group_door_records(world: World, plan: _Plan, rng: np.random.Generator) -> dict:
    """Village doors numbered by group (张家村3组12号), in a hamlet per group around the village centre."""
    count = plan.group_doors
    comm = np.repeat(np.arange(len(count)), count)
    k = _within(count)
    groups = np.clip(np.ceil(count / 12), 1, 12).astype(np.int64)
    g = k % groups[comm] + 1
    number = k // groups[comm] + 1
    # One hamlet centre per (community, group), half a community radius from its centre.
    key = comm * 16 + g
    uniq, inv = np.unique(key, return_inverse=True)
    uc = uniq // 16
    centre = world.comm_xy[uc] + rng.normal(0.0, 0.5, (len(uniq), 2)) * world.comm_radius[uc][:, None]
    centre = _keep_inside(world, uc, centre, world.comm_xy[uc])
    xy = centre[inv] + rng.normal(0.0, 35.0, (len(comm), 2))
    xy = _keep_inside(world, comm, xy, centre[inv])
    n = len(comm)
    return {
        "community": comm,
        "level": np.zeros(n, dtype=np.int64),
        "door": np.full(n, -1),
        "poi": np.full(n, -1),
        **{**_empty_fields(n), "group": g, "group_no": number},
        "id_tail": (4000 + g) * 10**10 + number * 10**6,
        "xy": xy,
    }


def _keep_inside(world: World, comm: np.ndarray, xy: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Points outside their county replaced by ``fallback`` (a point known to be inside)."""
    xy = xy.copy()
    county = world.town_county[world.comm_town[comm]]
    for ci, c in enumerate(world.counties):
        idx = np.flatnonzero(county == ci)
        bad = idx[~geometry.inside(c.polygon, xy[idx])]
        xy[bad] = fallback[bad]
    return xy


def _take(table: Sequence[str | None], idx: np.ndarray) -> pa.Array:
    """``table[idx]`` as an Arrow string array; an index of -1 or an empty string gives null."""
    values = pa.array([v or None for v in table] + [None], type=pa.large_string())
    return values.take(pa.array(np.where(idx < 0, len(table), idx)))


def _building_label(v: int) -> str | None:
    if v == 0:
        return None
    return f"{v}幢" if v < _LETTER_BASE else f"{chr(ord('A') + v - _LETTER_BASE)}幢"


def _numbered(values: np.ndarray, fmt: str) -> pa.Array:
    """``fmt`` applied to each value (3 -> 3单元), null where the value is 0 (absent)."""
    top = int(values.max(initial=0))
    return _take([fmt.format(v) if v else None for v in range(top + 1)], values)


def _frame(world: World, rec: _Records) -> pd.DataFrame:
    comm_rank = np.empty(len(world.comm_code), dtype=np.int64)
    comm_rank[np.argsort(np.array(world.comm_code))] = np.arange(len(world.comm_code))
    order = np.lexsort((rec.id_tail, comm_rank[rec.community]))
    comm = rec.community[order]
    town = world.comm_town[comm]
    county = world.town_county[town]
    door = rec.door[order]
    road = np.where(door >= 0, np.append(rec.door_road, -1)[door], -1)
    group_no = rec.group_no[order]
    # A group door's number is written like a road door's; the two never meet in one record.
    top = int(group_no.max(initial=0))
    house = _take(
        rec.door_label + [f"{v}号" for v in range(1, top + 1)],
        np.where(group_no > 0, len(rec.door_label) + group_no - 1, door),
    )
    building = _take(
        [_building_label(v) for v in range(int(rec.building.max(initial=0)) + 1)], rec.building[order]
    )
    town_names = [name or "" for name in world.town_name]
    cols: dict[str, pa.Array] = {
        "province": _take([PROVINCE], np.zeros(len(order), dtype=np.int64)),
        "city": _take(["温州市"], np.zeros(len(order), dtype=np.int64)),
        "county": _take([c.name for c in world.counties], county),
        "town": _take(town_names, town),
        "community": _take(world.comm_name, comm),
        "group": _numbered(rec.group[order], "{}组"),
        "road": _take(rec.road_name, road),
        "house_number": house,
        "poi": _take(rec.poi_name, rec.poi[order]),
        "building": building,
        "unit": _numbered(rec.unit[order], "{}单元"),
        "floor": _numbered(rec.floor[order], "{}层"),
        "room": _numbered(rec.room[order], "{}室"),
    }
    empty = pa.scalar("", pa.large_string())
    address = pc.binary_join_element_wise(*cols.values(), empty, null_handling="replace", null_replacement="")
    comm_code = _take(world.comm_code, comm)
    tail = pc.utf8_lpad(pa.array(rec.id_tail[order]).cast(pa.large_string()), 14, "0")
    lon, lat = _lonlat(world, county, comm, rec.xy[order])
    town_codes = [code if name else "" for code, name in zip(world.town_code, world.town_name, strict=True)]
    table = {
        "addr_id": pc.binary_join_element_wise(comm_code, tail, empty),
        "address": address,
        "level": _take(list(LEVELS), rec.level[order]),
        **cols,
        "province_code": _take([PROVINCE_CODE], np.zeros(len(order), dtype=np.int64)),
        "city_code": _take([CITY_CODE], np.zeros(len(order), dtype=np.int64)),
        "county_code": _take([c.code for c in world.counties], county),
        "town_code": _take(town_codes, town),
        "community_code": comm_code,
        "lon": pa.array(lon),
        "lat": pa.array(lat),
    }
    return pa.table({k: table[k] for k in COLUMNS}).to_pandas()


def _lonlat(
    world: World, county: np.ndarray, comm: np.ndarray, xy: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude rounded to 1e-7° (1 cm); a point that rounding put outside its county
    (within a centimetre of the border) moves to its community centre."""
    lon, lat = (np.round(v, 7) for v in geometry.to_lonlat(xy[:, 0], xy[:, 1]))
    for ci, c in enumerate(world.counties):
        idx = np.flatnonzero(county == ci)
        bad = idx[~shapely.contains_xy(c.polygon_lonlat, lon[idx], lat[idx])]
        if len(bad):
            clon, clat = geometry.to_lonlat(world.comm_xy[comm[bad], 0], world.comm_xy[comm[bad], 1])
            lon[bad], lat[bad] = np.round(clon, 7), np.round(clat, 7)
    return lon, lat
