"""Generating grid layers: regular squares over an area, or Voronoi cells around community points."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from stdaddr.crs import BD09, GCJ02, WGS84, is_metric, local_metric_crs, transform
from stdaddr.errors import ColumnError, CRSError, InputError
from stdaddr.grid.layer import code_text, project, resolve_crs
from stdaddr.grid.report import polygonal_part

if TYPE_CHECKING:
    import geopandas as gpd
    from numpy.typing import NDArray

__all__ = ["community_grid", "square_grid"]

_MAX_SQUARES = 10_000_000
_COMMUNITY_CODE = re.compile(r"[0-9]{12}")
_MAX_SEQUENCE = 999


def square_grid(area: Any, size_m: float, *, crs: Any, code_prefix: str = "") -> gpd.GeoDataFrame:
    """Square cells of ``size_m`` metres covering ``area``, in ``crs`` (which must be projected in metres).

    ``area`` is bounds ``(minx, miny, maxx, maxy)``, giving whole squares over that rectangle, or a
    polygon (shapely geometry, GeoSeries or GeoDataFrame: their union), giving squares clipped to it.
    The lattice is aligned on multiples of ``size_m`` so grids of one size line up across areas.
    Row 0 is the northernmost, column 0 the westernmost; the code is ``code_prefix`` + row + column,
    both zero-padded to one width, so string order is north to south, then west to east.
    Columns: ``code``, ``row``, ``col``, ``geometry``.

    >>> cells = square_grid((500000, 3100000, 502000, 3101500), 1000, crs="EPSG:4549", code_prefix="W")
    >>> cells["code"].tolist(), cells.geometry.area.tolist()
    (['W00', 'W01', 'W10', 'W11'], [1000000.0, 1000000.0, 1000000.0, 1000000.0])
    """
    import geopandas as gpd

    crs_name = resolve_crs(getattr(area, "crs", None), crs, what="the area")
    if not is_metric(crs_name):
        raise CRSError(
            f'crs was "{crs}" ({crs_name}), which is not projected in metres; square_grid needs such a CRS, '
            'e.g. "EPSG:4549" around Wenzhou or a UTM zone (stdaddr.crs.local_metric_crs picks one)'
        )
    if not (isinstance(size_m, (int, float)) and 0 < size_m < math.inf):
        raise InputError(f"size_m was {size_m!r}; expected a finite number of metres > 0")
    boundary = None if _is_bounds(area) else _area_geometry(area, what="area")
    minx, miny, maxx, maxy = (float(v) for v in (area if boundary is None else boundary.bounds))
    first_col = math.floor(minx / size_m)
    top_row = math.ceil(maxy / size_m)
    ncols = max(1, math.ceil(maxx / size_m) - first_col)
    nrows = max(1, top_row - math.floor(miny / size_m))
    if nrows * ncols > _MAX_SQUARES:
        raise InputError(
            f"size_m was {size_m!r}, which makes {nrows} x {ncols} cells; expected at most "
            f"{_MAX_SQUARES:,} cells: choose a larger size"
        )
    # Edges computed once from integer multiples, so neighbours share bit-identical coordinates.
    x_edges = (first_col + np.arange(ncols + 1)) * float(size_m)
    y_edges = (top_row - np.arange(nrows + 1)) * float(size_m)
    row, col = np.divmod(np.arange(nrows * ncols), ncols)
    cells = shapely.box(x_edges[col], y_edges[row + 1], x_edges[col + 1], y_edges[row])
    if boundary is not None:
        row, col, cells = _clip_squares(row, col, cells, boundary)
    width = len(str(max(nrows, ncols) - 1))
    codes = [
        f"{code_prefix}{r:0{width}d}{c:0{width}d}" for r, c in zip(row.tolist(), col.tolist(), strict=True)
    ]
    return gpd.GeoDataFrame({"code": codes, "row": row, "col": col}, geometry=cells, crs=crs_name)


def _clip_squares(
    row: NDArray[np.int64], col: NDArray[np.int64], cells: NDArray[np.object_], boundary: shapely.Geometry
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.object_]]:
    shapely.prepare(boundary)
    touching = shapely.intersects(boundary, cells)
    # Squares wholly inside keep their exact corners; only those across the boundary are cut.
    whole = touching & shapely.covers(boundary, cells)
    cut = np.flatnonzero(touching & ~whole)
    pieces = np.array(
        [polygonal_part(piece) for piece in shapely.intersection(cells[cut], boundary)], dtype=object
    )
    cells = cells.copy()
    cells[cut] = pieces
    keep = whole.copy()
    keep[cut] = [piece is not None for piece in pieces]
    return row[keep], col[keep], cells[keep]


def community_grid(
    points: Any,
    boundary: Any,
    *,
    community_codes: str | Sequence[Any],
    crs: Any = None,
) -> gpd.GeoDataFrame:
    """One Voronoi cell per point, clipped to ``boundary``, with 15-digit codes.

    ``points``: shapely points, a GeoSeries or GeoDataFrame, or a pair of arrays ``(x, y)``.
    ``community_codes``: one 12-digit community code (6 county + 3 town + 3 community) per point, or
    the name of the GeoDataFrame column holding them. Each cell's code is its community code plus a
    3-digit sequence within the community, numbered west to east (then north to south for points with
    the same x), starting at 001. ``boundary`` is a polygon (or GeoSeries / GeoDataFrame, their union)
    that every point must lie in. ``crs`` is the CRS of points and boundary (by default the one the
    points state). Cells are drawn in a metric CRS (the given one if metric, else as
    :func:`stdaddr.crs.local_metric_crs` picks) so that they are fair in metres, then returned in ``crs``.
    Columns: ``code``, ``community_code``, ``geometry``; one row per point, in input order. The frame
    has no ``crs`` when ``crs`` is GCJ02 or BD09 (pyproj knows neither): pass it again to GridIndex.

    >>> from shapely import box
    >>> cells = community_grid(([500100, 500900, 500500], [3100500, 3100500, 3100800]), box(500000, 3100000, 501000, 3101000),
    ...                        community_codes=["330302006001", "330302006001", "330302006002"], crs="EPSG:4549")
    >>> cells["code"].tolist()
    ['330302006001001', '330302006001002', '330302006002001']
    """
    import geopandas as gpd

    xs, ys, stated = _points_xy(points)
    codes = _community_codes(points, community_codes, xs.size)
    crs_name = resolve_crs(stated, crs, what="the points")
    area = _area_geometry(boundary, what="boundary", crs=crs_name)
    metric = crs_name if is_metric(crs_name) else _metric_for(xs, ys, crs_name)
    mx, my = transform(xs, ys, crs_name, metric)
    metric_area = project(np.array([area], dtype=object), crs_name, metric)[0]
    _check_seeds(mx, my, metric_area)
    diagram = shapely.voronoi_polygons(
        shapely.multipoints(np.column_stack([mx, my])), extend_to=metric_area, ordered=True
    )
    clipped = [polygonal_part(cell) for cell in shapely.intersection(shapely.get_parts(diagram), metric_area)]
    cells = project(np.array(clipped, dtype=object), metric, crs_name)
    # No pyproj CRS can say GCJ-02 or BD-09: such frames carry none, and the caller declares it again.
    frame_crs = None if crs_name in (GCJ02, BD09) else crs_name
    return gpd.GeoDataFrame(
        {"code": _sequence_codes(codes, xs, ys), "community_code": codes}, geometry=cells, crs=frame_crs
    )


def _is_bounds(area: Any) -> bool:
    return (
        isinstance(area, (tuple, list, np.ndarray))
        and len(area) == 4
        and all(isinstance(v, (int, float, np.number)) for v in area)
    )


def _area_geometry(area: Any, *, what: str, crs: str | None = None) -> shapely.Geometry:
    """One polygonal geometry from a shapely geometry, GeoSeries or GeoDataFrame."""
    if crs is not None and getattr(area, "crs", None) is not None:
        resolve_crs(area.crs, crs, what=f"the {what}")
    geoms = getattr(area, "geometry", area)
    if isinstance(geoms, shapely.Geometry):
        geom = geoms
    else:
        geom = shapely.union_all(np.asarray(getattr(geoms, "values", geoms), dtype=object))
    repaired = polygonal_part(shapely.make_valid(geom)) if isinstance(geom, shapely.Geometry) else None
    if repaired is None:
        bounds = "bounds (minx, miny, maxx, maxy) or " if what == "area" else ""
        raise InputError(
            f"{what} was {type(area).__name__} {str(area)[:60]!r}; expected {bounds}a polygon: "
            "a shapely geometry, GeoSeries or GeoDataFrame"
        )
    return repaired


def _points_xy(points: Any) -> tuple[NDArray[np.float64], NDArray[np.float64], Any]:
    if isinstance(points, tuple) and len(points) == 2:
        return (
            np.asarray(points[0], dtype=np.float64).ravel(),
            np.asarray(points[1], dtype=np.float64).ravel(),
            None,
        )
    geoms = getattr(points, "geometry", points)
    values = np.asarray(getattr(geoms, "values", geoms), dtype=object).ravel()
    return shapely.get_x(values), shapely.get_y(values), getattr(geoms, "crs", None)


def _community_codes(points: Any, community_codes: str | Sequence[Any], n: int) -> NDArray[np.object_]:
    if isinstance(community_codes, str):
        if community_codes not in getattr(points, "columns", ()):
            columns = list(getattr(points, "columns", []))
            raise ColumnError(
                f'community_codes was "{community_codes}" but the points have the columns {columns}'
            )
        community_codes = points[community_codes].tolist()
    codes = np.array([code_text(c) for c in community_codes], dtype=object)
    if codes.size != n:
        raise InputError(f"got {n} points but {codes.size} community codes; expected one code per point")
    bad = [(i, c) for i, c in enumerate(codes.tolist()) if c is None or not _COMMUNITY_CODE.fullmatch(c)]
    if bad:
        shown = ", ".join(f"row {i}: {c!r}" for i, c in bad[:5])
        raise InputError(
            f"{len(bad)} community codes are not 12 digits ({shown}); expected codes such as '330302006001'"
        )
    return codes


def _metric_for(xs: NDArray[np.float64], ys: NDArray[np.float64], crs: str) -> str:
    lon, lat = transform(xs, ys, crs, WGS84)
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise InputError(
            "some points have NaN or infinite coordinates; expected finite x and y for every point"
        )
    return local_metric_crs(lon.min(), lat.min(), lon.max(), lat.max())


def _check_seeds(mx: NDArray[np.float64], my: NDArray[np.float64], area: shapely.Geometry) -> None:
    if mx.size == 0:
        raise InputError("got no points; expected at least one community point")
    finite = np.isfinite(mx) & np.isfinite(my)
    if not finite.all():
        rows = np.flatnonzero(~finite)[:5].tolist()
        raise InputError(f"points at rows {rows} have NaN or infinite coordinates; expected finite x and y")
    xy = np.column_stack([mx, my])
    _, first, counts = np.unique(xy, axis=0, return_index=True, return_counts=True)
    if (counts > 1).any():
        rows = sorted(first[counts > 1].tolist())[:5]
        raise InputError(f"points at rows {rows} are repeated; expected one point per cell")
    outside = ~shapely.covers(area, shapely.points(xy))
    if outside.any():
        rows = np.flatnonzero(outside)[:5].tolist()
        raise InputError(
            f"{int(outside.sum())} points lie outside the boundary (rows {rows}); expected all inside"
        )


def _sequence_codes(
    codes: NDArray[np.object_], xs: NDArray[np.float64], ys: NDArray[np.float64]
) -> list[str]:
    """Community code + 001, 002, ... west to east (then north to south) within each community."""
    order = np.lexsort((-ys, xs, codes.astype(str)))
    sequence = np.empty(codes.size, dtype=np.int64)
    previous, number = None, 0
    for i in order:
        number = number + 1 if codes[i] == previous else 1
        previous = codes[i]
        if number > _MAX_SEQUENCE:
            raise InputError(
                f"community {codes[i]} has more than {_MAX_SEQUENCE} points; expected at most 999 cells"
            )
        sequence[i] = number
    return [f"{code}{seq:03d}" for code, seq in zip(codes.tolist(), sequence.tolist(), strict=True)]
