"""Geometry of the synthetic base: county polygons, point sampling, clustering, road polylines.

Everything is computed in a local metric frame (an equirectangular projection centred on Wenzhou,
metres east and north) so that distances and steps are in metres; :func:`to_lonlat` converts back.
Over Wenzhou's 1.6° × 1.2° the frame's scale error stays under 2 %, which does not matter for a
synthetic layout, and containment is tested in the same frame the points were made in.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

__all__ = [
    "County",
    "load_counties",
    "to_local",
    "to_lonlat",
    "inside",
    "sample_in",
    "kmeans",
    "medoids",
    "walk",
    "along",
]

_LON0, _LAT0 = 120.6, 27.95
_KX = 111_320.0 * math.cos(math.radians(_LAT0))  # metres per degree of longitude at _LAT0
_KY = 110_574.0  # metres per degree of latitude


def to_local(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (EPSG:4490) to metres east/north in the local frame."""
    return (np.asarray(lon) - _LON0) * _KX, (np.asarray(lat) - _LAT0) * _KY


def to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metres east/north in the local frame back to longitude/latitude."""
    return np.asarray(x) / _KX + _LON0, np.asarray(y) / _KY + _LAT0


@dataclass(frozen=True, slots=True, eq=False)
class County:
    """One county unit: code, name, polygon in the local frame (prepared), and its seat."""

    code: str
    name: str
    polygon: BaseGeometry
    polygon_lonlat: BaseGeometry
    seat: tuple[float, float]


@cache
def load_counties() -> tuple[County, ...]:
    """Wenzhou's 12 county units from the shipped ``counties.geojson``, ordered by code."""
    path = resources.files("stdaddr").joinpath("data").joinpath("synth").joinpath("counties.geojson")
    out = []
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        lonlat = shape(f["geometry"])
        local = shapely.transform(lonlat, lambda c: np.column_stack(to_local(c[:, 0], c[:, 1])))
        shapely.prepare(local)
        shapely.prepare(lonlat)
        sx, sy = to_local(*f["properties"]["seat"])
        p = f["properties"]
        out.append(County(p["code"], p["name"], local, lonlat, (float(sx), float(sy))))
    return tuple(sorted(out, key=lambda c: c.code))


def inside(polygon: BaseGeometry, xy: np.ndarray) -> np.ndarray:
    """Whether each point (rows of ``xy``) lies inside ``polygon``."""
    return shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])


def sample_in(
    polygon: BaseGeometry,
    n: int,
    rng: np.random.Generator,
    *,
    around: tuple[float, float] | None = None,
    sigma: float = 0.0,
    accept: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """``n`` points inside ``polygon`` by rejection: uniform, or normal around a point with ``sigma``.

    ``accept``, if given, is a further test on candidate points (e.g. "nearest town is this one").
    """
    minx, miny, maxx, maxy = polygon.bounds
    out: list[np.ndarray] = []
    have = 0
    for _ in range(1000):
        m = max(64, 2 * (n - have))
        if around is None:
            cand = np.column_stack((rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)))
        else:
            cand = rng.normal(0.0, sigma, (m, 2)) + np.asarray(around)
        ok = inside(polygon, cand)
        if accept is not None:
            ok &= accept(cand)
        out.append(cand[ok])
        have += int(ok.sum())
        if have >= n:
            break
    pts = np.concatenate(out)[:n]
    if len(pts) < n:
        raise RuntimeError(f"could only place {len(pts)} of {n} points inside {polygon.bounds}")
    return pts


def kmeans(
    points: np.ndarray, k: int, rng: np.random.Generator, iters: int = 15
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means: (label of each point, k centres). A cluster that empties keeps its old centre."""
    centres = points[rng.choice(len(points), size=k, replace=False)]
    labels = np.zeros(len(points), dtype=np.int64)
    for _ in range(iters):
        # |p - c|² = |p|² - 2 p·c + |c|²; |p|² is the same for every centre and left out.
        labels = ((centres**2).sum(axis=1) - 2.0 * points @ centres.T).argmin(axis=1)
        counts = np.bincount(labels, minlength=k)
        sums = np.column_stack([np.bincount(labels, weights=points[:, i], minlength=k) for i in (0, 1)])
        full = counts > 0
        centres[full] = sums[full] / counts[full, None]
    return labels, centres


def medoids(points: np.ndarray, labels: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """For each cluster, its point nearest the centre: a centre that surely lies in the polygon.

    (A k-means centre of points in a concave county or on islands can fall outside it.)
    An empty cluster gets the point nearest its centre among all points.
    """
    out = np.empty_like(centres)
    for i, c in enumerate(centres):
        members = points[labels == i]
        if len(members) == 0:
            members = points
        out[i] = members[((members - c) ** 2).sum(axis=1).argmin()]
    return out


def walk(
    start: np.ndarray,
    heading: np.ndarray,
    steps: np.ndarray,
    rng: np.random.Generator,
    *,
    step: float,
    turn_sd: float | np.ndarray,
    polygon: BaseGeometry,
    centres: np.ndarray,
    own: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Random-walk polylines (one per start point), all roads of one county at once.

    Each step turns the heading a little; a step that would leave the county or enter another
    town's area (the nearest of ``centres`` is not ``own``) turns right, left or back instead, and
    if none of those is possible the road stays put. Returns the vertices of every road, one after
    the other, and ``offsets`` (road ``i`` is ``vertices[offsets[i]:offsets[i + 1]]``).
    """
    m = len(start)
    n_steps = int(steps.max()) if m else 0
    track = np.empty((n_steps + 1, m, 2))
    track[0] = start
    pos = start.copy()
    head = heading.copy()
    turns = (0.0, math.pi / 2, -math.pi / 2, math.pi)
    for k in range(n_steps):
        head = head + rng.normal(0.0, turn_sd, m)
        moved = np.zeros(m, dtype=bool)
        new_pos = pos.copy()
        for turn in turns:
            h = head + turn
            cand = pos + step * np.column_stack((np.cos(h), np.sin(h)))
            ok = ~moved & inside(polygon, cand)
            if len(centres) > 1:
                nearest = ((cand[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
                ok &= nearest == own
            new_pos[ok] = cand[ok]
            head = np.where(ok, h, head)
            moved |= ok
        active = k < steps
        pos = np.where(active[:, None], new_pos, pos)
        track[k + 1] = pos
    lengths = steps + 1
    keep = np.arange(n_steps + 1)[:, None] < lengths[None, :]
    vertices = track.transpose(1, 0, 2)[keep.T]
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    return vertices, offsets


def along(
    vertices: np.ndarray, offsets: np.ndarray, road: np.ndarray, dist: np.ndarray, fallback: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points at distance ``dist`` along polylines ``road``: (points, unit tangents, segment start index).

    Distances beyond a road's end stop at its end. Where a segment has zero length (the road
    stayed put), the tangent is the road's ``fallback`` heading.
    """
    n_roads = len(offsets) - 1
    if len(road) == 0:
        return np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
    seg = np.diff(vertices, axis=0)
    seg_len = np.hypot(seg[:, 0], seg[:, 1])
    road_of_vertex = np.repeat(np.arange(n_roads), np.diff(offsets))
    last = offsets[1:] - 1
    seg_len[last[last < len(seg_len)]] = 0.0  # no segment joins one road's end to the next road's start
    cum = np.concatenate(([0.0], np.cumsum(seg_len)))
    cum -= cum[offsets[:-1]][road_of_vertex]
    total = cum[last]
    big = float(total.max(initial=0.0)) + 1.0
    key = cum + road_of_vertex * big
    d = np.clip(dist, 0.0, total[road])
    j = np.searchsorted(key, d + road * big, side="right") - 1
    j = np.clip(j, offsets[road], np.maximum(offsets[road + 1] - 2, offsets[road]))
    has_next = j + 1 < offsets[road + 1]
    nxt = np.where(has_next, j + 1, j)
    length = np.where(has_next, seg_len[np.minimum(j, len(seg_len) - 1)], 0.0)
    t = np.where(length > 0, (d - cum[j]) / np.where(length > 0, length, 1.0), 0.0)
    delta = vertices[nxt] - vertices[j]
    pts = vertices[j] + t[:, None] * delta
    tangent = np.where(
        (length > 0)[:, None],
        delta / np.where(length > 0, length, 1.0)[:, None],
        np.column_stack((np.cos(fallback[road]), np.sin(fallback[road]))),
    )
    return pts, tangent, j
