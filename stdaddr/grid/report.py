"""Validation of a grid layer: what was repaired, dropped or found wrong, as a readable report.

Checks, in the order they run: missing codes, empty or non-polygon geometries, invalid geometries
(repaired with ``shapely.make_valid``), duplicate codes, overlaps between cells and gaps inside the
covered area (holes of the union of the cells). Areas are in square metres, measured in the metric
CRS the layer is indexed in; overlaps and gaps smaller than ``min_area_m2`` are left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import NDArray

_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
_COLLECTION = shapely.GeometryType.GEOMETRYCOLLECTION
_SHOWN = 5  # entries of each list printed by str(report)


@dataclass(frozen=True, slots=True)
class CellIssue:
    """A problem with one row of the layer: its 0-based row number, its code and what is wrong."""

    row: int
    code: str | None
    problem: str


@dataclass(frozen=True, slots=True)
class Overlap:
    """Two cells whose interiors share ``area_m2`` square metres."""

    code_a: str
    code_b: str
    area_m2: float


@dataclass(frozen=True, slots=True)
class Gap:
    """A hole in the covered area: a point inside it (in the layer's CRS) and its area."""

    x: float
    y: float
    area_m2: float


@dataclass(frozen=True, slots=True)
class GridReport:
    """What loading a grid layer found. ``ok`` is True when nothing had to be repaired or dropped and the
    cells neither overlap nor leave gaps.

    ``invalid`` cells were repaired and are indexed; ``not_polygon`` rows (empty, points, lines, or
    nothing left after repair) and ``empty_codes`` rows were dropped. With ``duplicate_codes``, overlaps
    and gaps the cells are indexed as they are: the border rule still gives every point one cell.

    >>> r = GridReport(n_rows=2, n_cells=2, crs="EPSG:4549", metric_crs="EPSG:4549", regular=True)
    >>> r.ok
    True
    >>> print(r)
    grid layer: 2 rows, 2 cells indexed; CRS EPSG:4549, indexed in EPSG:4549; regular square grid
      no problems found
    """

    n_rows: int
    n_cells: int
    crs: str
    metric_crs: str
    regular: bool
    invalid: tuple[CellIssue, ...] = ()
    not_polygon: tuple[CellIssue, ...] = ()
    empty_codes: tuple[int, ...] = ()
    duplicate_codes: tuple[str, ...] = ()
    overlaps: tuple[Overlap, ...] = ()
    gaps: tuple[Gap, ...] = ()

    @property
    def ok(self) -> bool:
        return not (
            self.invalid
            or self.not_polygon
            or self.empty_codes
            or self.duplicate_codes
            or self.overlaps
            or self.gaps
        )

    @property
    def problems(self) -> list[str]:
        """One line per kind of problem found (empty when ``ok``): what, how many, the first few."""
        sections: list[tuple[str, Sequence[str]]] = [
            ("invalid geometries, repaired", [f"row {i.row} ({i.code}): {i.problem}" for i in self.invalid]),
            ("not polygons, dropped", [f"row {i.row} ({i.code}): {i.problem}" for i in self.not_polygon]),
            ("missing codes, dropped", [f"row {row}" for row in self.empty_codes]),
            ("duplicate codes", list(self.duplicate_codes)),
            ("overlaps", [f"{o.code_a} / {o.code_b}: {o.area_m2:.2f} m²" for o in self.overlaps]),
            ("gaps", [f"{g.area_m2:.2f} m² around ({g.x:.6f}, {g.y:.6f})" for g in self.gaps]),
        ]
        out = []
        for title, items in sections:
            if items:
                more = f"; and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
                out.append(f"{title}: {len(items)} ({'; '.join(items[:_SHOWN])}{more})")
        return out

    def __str__(self) -> str:
        kind = "regular square grid" if self.regular else "irregular cells"
        lines = [
            f"grid layer: {self.n_rows} rows, {self.n_cells} cells indexed; "
            f"CRS {self.crs}, indexed in {self.metric_crs}; {kind}"
        ]
        lines.extend(f"  {problem}" for problem in self.problems)
        if self.ok:
            lines.append("  no problems found")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True, eq=False)
class CleanLayer:
    """The usable rows of a layer: their codes and (repaired) geometries, and what was wrong."""

    codes: NDArray[np.object_]
    geoms: NDArray[np.object_]
    invalid: tuple[CellIssue, ...]
    not_polygon: tuple[CellIssue, ...]
    empty_codes: tuple[int, ...]


# A polygon whose area is this small a share of its squared perimeter has none (a square's is 1/16).
_FLAT = 1e-9


def clean_layer(codes: NDArray[np.object_], geoms: NDArray[np.object_]) -> CleanLayer:
    """Drop rows without a code or a polygon, repair invalid polygons, and say which."""
    empty_codes = tuple(int(i) for i in np.flatnonzero([c is None for c in codes]))
    geoms = geoms.copy()
    invalid: list[CellIssue] = []
    not_polygon: list[CellIssue] = []
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    type_ids = shapely.get_type_id(geoms)
    polygonal = np.isin(type_ids, _POLYGONAL) & ~missing
    for i in np.flatnonzero(~polygonal & ~missing & (type_ids == _COLLECTION)):
        # a collection holding polygons (and lines or points, as some tools write a cell) is those polygons
        part = polygonal_part(geoms[i])
        if part is not None:
            geoms[i], polygonal[i] = part, True
            invalid.append(CellIssue(int(i), codes[i], "GeometryCollection: its polygons kept"))
    for i in np.flatnonzero(~polygonal):
        problem = "empty geometry" if missing[i] else f"{geoms[i].geom_type}, not a polygon"
        not_polygon.append(CellIssue(int(i), codes[i], problem))
    whole = np.flatnonzero(polygonal)
    whole = whole[shapely.is_valid(geoms[whole])]  # (an invalid one is repaired below, then judged)
    flat = whole[shapely.area(geoms[whole]) <= _FLAT * shapely.length(geoms[whole]) ** 2]
    for i in flat:
        # three points on a line: a polygon of no area, which would take the points on its line
        not_polygon.append(CellIssue(int(i), codes[i], "a polygon of no area"))
        polygonal[i] = False
    bad = np.flatnonzero(polygonal & ~shapely.is_valid(geoms))
    for i, reason in zip(bad, shapely.is_valid_reason(geoms[bad]), strict=True):
        repaired = polygonal_part(shapely.make_valid(geoms[i], method="structure", keep_collapsed=False))
        if repaired is None:
            not_polygon.append(CellIssue(int(i), codes[i], f"nothing left after repair ({reason})"))
            polygonal[i] = False
        else:
            invalid.append(CellIssue(int(i), codes[i], reason))
            geoms[i] = repaired
    keep = np.flatnonzero(polygonal & np.array([c is not None for c in codes], dtype=bool))
    return CleanLayer(
        codes=codes[keep],
        geoms=geoms[keep],
        invalid=tuple(invalid),
        not_polygon=tuple(sorted(not_polygon, key=lambda issue: issue.row)),
        empty_codes=empty_codes,
    )


def polygonal_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The polygons of a geometry (dropping lines and points a repair or clip left over), or None."""
    if geom is None or geom.is_empty:
        return None
    if shapely.get_type_id(geom) in _POLYGONAL:
        return geom
    parts = shapely.get_parts(geom)
    parts = parts[np.isin(shapely.get_type_id(parts), _POLYGONAL) & (shapely.area(parts) > 0)]
    if len(parts) == 0:
        return None
    return shapely.union_all(parts)


def duplicate_codes(codes: NDArray[np.object_]) -> tuple[str, ...]:
    return tuple(sorted(code for code, count in Counter(codes.tolist()).items() if count > 1))


def find_overlaps(
    tree: shapely.STRtree, geoms: NDArray[np.object_], codes: NDArray[np.object_], min_area_m2: float
) -> tuple[Overlap, ...]:
    """Pairs of cells whose interiors meet, with the area they share."""
    first, second = tree.query(geoms, predicate="intersects")
    pair = first < second
    first, second = first[pair], second[pair]
    # Neighbours that only share an edge are most pairs; the DE-9IM test drops them before any area work.
    meets = shapely.relate_pattern(geoms[first], geoms[second], "T********")
    first, second = first[meets], second[meets]
    areas = shapely.area(shapely.intersection(geoms[first], geoms[second]))
    big = areas >= min_area_m2
    # Cells are sorted by code and first < second, so code_a <= code_b.
    found = [
        Overlap(codes[a], codes[b], float(area))
        for a, b, area in zip(first[big], second[big], areas[big], strict=True)
    ]
    return tuple(sorted(found, key=lambda o: (o.code_a, o.code_b)))


def find_gaps(
    geoms: NDArray[np.object_],
    min_area_m2: float,
    to_layer_crs: Callable[[NDArray[np.float64], NDArray[np.float64]], tuple[NDArray, NDArray]],
) -> tuple[Gap, ...]:
    """Holes of the union of the cells, largest first, each with a point inside it in the layer's CRS."""
    union = shapely.union_all(geoms)
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(union) for ring in part.interiors]
    if not holes:
        return ()
    holes_arr = np.array(holes, dtype=object)
    areas = shapely.area(holes_arr)
    big = np.flatnonzero(areas >= min_area_m2)
    points = shapely.point_on_surface(holes_arr[big])
    x, y = to_layer_crs(shapely.get_x(points), shapely.get_y(points))
    gaps = [Gap(float(gx), float(gy), float(a)) for gx, gy, a in zip(x, y, areas[big], strict=True)]
    return tuple(sorted(gaps, key=lambda g: -g.area_m2))
