"""The layout of Wenzhou the synthetic base is drawn on: where each town and community lies.

Depends on the seed only (not on the size of the base), so bases of different sizes made with one
seed share their geography. Per county: sample points inside the polygon, denser around the county
seat; cluster them into one area per town (k-means), nearest the seat for 街道, then farther out for
镇 and 乡; cluster each town's points into one area per community, 社区 nearest the town centre.
A centre is the sample point nearest its cluster's mean, so it always lies inside the county.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from stdaddr import gazetteer
from stdaddr.synth.geometry import County, kmeans, load_counties, medoids, sample_in

__all__ = ["World", "build_world", "written_community", "short_name", "COMMUNITY_KINDS", "PSEUDO_TOWN_OF"]

CITY = "3303"
# 龙港市 has no town level: its communities sit under this code, which names no unit.
PSEUDO_TOWN_OF = {"330383": "330383198"}
# Kinds of community, which set how dense and how urban its addresses are.
COMMUNITY_KINDS = ("community", "urban_village", "village", "other")
_POINTS_PER_COMMUNITY = 40
_MIN_POINTS = 3000
_TOWN_ORDER = ("街道", "镇", "乡")


@dataclass(frozen=True, slots=True, eq=False)
class World:
    """Towns and communities with their centres (local metres), indexed by position.

    ``town_*`` arrays have one entry per town, ``comm_*`` one per community; ``comm_town`` and
    ``town_county`` point into the town and county arrays.
    """

    counties: tuple[County, ...]
    town_code: list[str]
    town_name: list[str | None]
    town_county: np.ndarray
    town_xy: np.ndarray
    town_heading: np.ndarray
    town_is_street: np.ndarray
    comm_code: list[str]
    comm_name: list[str]
    comm_town: np.ndarray
    comm_xy: np.ndarray
    comm_radius: np.ndarray
    comm_kind: np.ndarray


def written_community(official: str) -> str:
    """How a community is written in an address: 鼓楼社区居委会 -> 鼓楼社区, 下宅村村委会 -> 下宅村.

    The same reading as the parser's, from the gazetteer's short names.
    """
    if official.endswith(("委会", "委员会")):
        for alias in gazetteer.short_names(official, 4):
            if alias.endswith(("社区", "村")):
                return alias
    return official


def short_name(name: str | None, level: int) -> str | None:
    """The first short name of a division of 2 characters or more (温州市 -> 温州, 五马街道 -> 五马), if any."""
    if not name:
        return None
    shorts = [s for s in gazetteer.short_names(name, level) if len(s) >= 2]
    return shorts[0] if shorts else None


def _towns_of(g: gazetteer.Gazetteer, county: str) -> list[str]:
    if county in PSEUDO_TOWN_OF:
        return [PSEUDO_TOWN_OF[county]]
    return [t for t in g.children(county) if len(t) == 9]


def _town_rank(name: str | None) -> int:
    return next((i for i, s in enumerate(_TOWN_ORDER) if name and name.endswith(s)), len(_TOWN_ORDER))


def _community_kind(name: str, town_name: str | None) -> int:
    if name.endswith("社区"):
        return 0
    if name.endswith("村"):
        return 1 if town_name and town_name.endswith("街道") else 2
    return 3


def _communities_of(g: gazetteer.Gazetteer, town: str) -> list[tuple[str, str]]:
    """(code, written name) of a town's communities; 虚拟生活区 (statistical placeholders) left out."""
    out = []
    for code in g.children(town):
        name = g.name(code)
        if name and "虚拟" not in name:
            out.append((code, written_community(name)))
    return out


@lru_cache(maxsize=4)
def build_world(seed: int) -> World:
    """The towns and communities of Wenzhou laid out for a seed (cached: bases of one seed share it)."""
    g = gazetteer.load()
    rng = np.random.default_rng([seed, 0])
    cols: dict[str, list] = {f.name: [] for f in fields(World) if f.name != "counties"}
    counties = load_counties()
    for ci, county in enumerate(counties):
        towns = []
        for t in _towns_of(g, county.code):
            comms = _communities_of(g, t)
            if comms:
                towns.append((t, g.name(t), comms))
        towns.sort(key=lambda t: (_town_rank(t[1]), t[0]))
        _lay_out_county(county, ci, towns, rng, cols)
    return World(
        counties=counties,
        town_code=cols["town_code"],
        town_name=cols["town_name"],
        town_county=np.asarray(cols["town_county"]),
        town_xy=np.asarray(cols["town_xy"]).reshape(-1, 2),
        town_heading=np.asarray(cols["town_heading"]),
        town_is_street=np.asarray(cols["town_is_street"]),
        comm_code=cols["comm_code"],
        comm_name=cols["comm_name"],
        comm_town=np.asarray(cols["comm_town"]),
        comm_xy=np.asarray(cols["comm_xy"]).reshape(-1, 2),
        comm_radius=np.asarray(cols["comm_radius"]),
        comm_kind=np.asarray(cols["comm_kind"]),
    )


def _lay_out_county(
    county: County, ci: int, towns: list, rng: np.random.Generator, cols: dict[str, list]
) -> None:
    """One area per town of a county: k-means of points sampled in it; append towns and communities to ``cols``."""
    n_comm = sum(len(c) for _, _, c in towns)
    n = max(_MIN_POINTS, _POINTS_PER_COMMUNITY * n_comm)
    sigma = 0.12 * math.sqrt(county.polygon.area)
    urban = sample_in(county.polygon, int(0.4 * n), rng, around=county.seat, sigma=sigma)
    points = np.concatenate((urban, sample_in(county.polygon, n - len(urban), rng)))
    labels, centres = kmeans(points, len(towns), rng)
    centres = medoids(points, labels, centres)
    # Towns in order 街道, 镇, 乡 take the clusters in order of distance from the seat.
    order = np.argsort(((centres - np.asarray(county.seat)) ** 2).sum(axis=1), kind="stable")
    for (town, name, comms), cluster in zip(towns, order, strict=True):
        members = points[labels == cluster]
        if len(members) < 8 * len(comms):
            members = _more_points(county, centres, cluster, 8 * len(comms), rng)
        ti = len(cols["town_code"])
        cols["town_code"].append(town)
        cols["town_name"].append(name)
        cols["town_county"].append(ci)
        cols["town_xy"].extend(centres[cluster])
        cols["town_heading"].append(rng.uniform(0.0, math.pi / 2))
        cols["town_is_street"].append(bool(name and name.endswith("街道")))
        _lay_out_town(centres[cluster], ti, name, comms, members, rng, cols)


def _more_points(
    county: County, centres: np.ndarray, cluster: int, n: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` points of the county whose nearest town centre is ``cluster``'s."""

    def own(cand: np.ndarray) -> np.ndarray:
        return ((cand[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1) == cluster

    spread = math.sqrt(county.polygon.area / len(centres))
    return sample_in(county.polygon, n, rng, around=tuple(centres[cluster]), sigma=spread, accept=own)


def _lay_out_town(
    centre: np.ndarray,
    ti: int,
    town_name: str | None,
    comms: list[tuple[str, str]],
    points: np.ndarray,
    rng: np.random.Generator,
    cols: dict[str, list],
) -> None:
    """One area per community of a town: k-means of the town's points; append them to ``cols``."""
    kinds = [_community_kind(name, town_name) for _, name in comms]
    # 社区 first, so that they take the clusters nearest the town centre.
    by_kind = sorted(range(len(comms)), key=lambda i: (kinds[i], comms[i][0]))
    labels, means = kmeans(points, len(comms), rng)
    seeds = medoids(points, labels, means)
    order = np.argsort(((seeds - centre) ** 2).sum(axis=1), kind="stable")
    for i, cluster in zip(by_kind, order, strict=True):
        members = points[labels == cluster]
        spread = np.sqrt(((members - seeds[cluster]) ** 2).sum(axis=1).mean()) if len(members) else 150.0
        cols["comm_code"].append(comms[i][0])
        cols["comm_name"].append(comms[i][1])
        cols["comm_town"].append(ti)
        cols["comm_xy"].extend(seeds[cluster])
        cols["comm_radius"].append(float(np.clip(spread, 100.0, 3000.0)))
        cols["comm_kind"].append(kinds[i])
