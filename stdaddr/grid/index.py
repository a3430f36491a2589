"""GridIndex: load a layer of grid cells, validate it, and assign points to cells."""

from __future__ import annotations

import decimal
import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from stdaddr.crs import (
    WGS84,
    in_china,
    is_geographic,
    is_metric,
    local_metric_crs,
    no_point_in_china,
    parse_crs,
    transform,
)
from stdaddr.errors import CRSError, DataError, InputError
from stdaddr.grid.lattice import TOUCH_M, Lattice, detect_lattice
from stdaddr.grid.layer import code_text, codes_column, project, read_layer, resolve_crs
from stdaddr.grid.report import (
    GridReport,
    clean_layer,
    duplicate_codes,
    find_gaps,
    find_overlaps,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    import geopandas as gpd
    import pandas as pd
    from numpy.typing import ArrayLike, NDArray

__all__ = ["STATUSES", "Assignment", "GridIndex"]

#: Status of an assigned point, in the order of the integer codes used inside.
STATUSES = ("inside", "border", "nearest", "outside", "invalid")
_INSIDE, _BORDER, _NEAREST, _OUTSIDE, _INVALID = range(5)
_STATUS_LABELS = np.array(STATUSES)
_NONE = np.iinfo(np.int64).max
DEFAULT_TOLERANCE_M = 50.0
DEFAULT_MIN_AREA_M2 = 0.01


@dataclass(frozen=True, slots=True, eq=False)
class Assignment:
    """Cells of a batch of points, one entry per point in input order.

    ``codes``: the cell code (str) or None. ``status``: ``"inside"`` (in exactly one cell),
    ``"border"`` (on a shared border, or in an overlap, of several cells: the smallest code wins),
    ``"nearest"`` (in no cell but within the tolerance of one: the nearest), ``"outside"`` (no cell
    within the tolerance) or ``"invalid"`` (NaN, infinite or untransformable coordinates).
    ``distance_m``: 0 for inside and border, the distance in metres for nearest, NaN otherwise.
    """

    codes: NDArray[np.object_]
    status: NDArray[np.str_]
    distance_m: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.codes)

    def to_frame(self, *, prefix: str = "grid_") -> pd.DataFrame:
        """The three arrays as columns ``grid_code``, ``grid_status``, ``grid_distance_m``."""
        import pandas as pd

        return pd.DataFrame(
            {
                f"{prefix}code": self.codes,
                f"{prefix}status": self.status,
                f"{prefix}distance_m": self.distance_m,
            }
        )


class GridIndex:
    """Grid cells (polygons with string codes), validated and indexed for point assignment.

    Cells are indexed in a projected metric CRS, so tolerances and areas are metres: the layer's own
    CRS when it is projected in metres, else EPSG:4549 when the layer lies within 118.5°E-121.5°E,
    else the UTM zone of its centre (see :func:`stdaddr.crs.local_metric_crs`).

    Border rule: a point on the boundary of several cells (or inside an overlap) goes to the cell with
    the smallest code in string order, whatever the order of the rows in the layer.

    >>> from shapely import box
    >>> grid = GridIndex([box(500000, 3100000, 501000, 3101000), box(501000, 3100000, 502000, 3101000)],
    ...                  ["B", "A"], crs="EPSG:4549")
    >>> grid.locate(500500, 3100500, crs="EPSG:4549"), grid.locate(501000, 3100500, crs="EPSG:4549")
    ('B', 'A')
    >>> grid.assign([500500, 502030, 503000], [3100500, 3100500, 3100500], crs=4549).status.tolist()
    ['inside', 'nearest', 'outside']
    """

    __slots__ = ("_codes", "_geoms", "_lattice", "_touch", "_tree", "crs", "metric_crs", "report")

    def __init__(
        self,
        geometries: Iterable[Any],
        codes: Iterable[Any],
        *,
        crs: Any,
        min_area_m2: float = DEFAULT_MIN_AREA_M2,
    ) -> None:
        """Index ``geometries`` (shapely polygons in ``crs``) with their ``codes`` (turned into strings).

        Raises DataError when no row has both a code and a polygon.
        """
        geoms = np.asarray(list(geometries), dtype=object)
        code_array = np.array([code_text(c) for c in codes], dtype=object)
        if len(geoms) != len(code_array):
            raise InputError(
                f"got {len(geoms)} geometries but {len(code_array)} codes; expected one code each"
            )
        built = build_layer(geoms, code_array, parse_crs(crs), min_area_m2)
        if built.report.n_cells == 0:
            raise DataError(f"the grid layer has no usable cell:\n{built.report}")
        self.crs: str = built.report.crs
        self.metric_crs: str = built.report.metric_crs
        self.report: GridReport = built.report
        self._codes = built.codes
        self._geoms = built.geoms
        self._touch = built.touch
        self._tree = built.tree
        self._lattice = built.lattice

    @classmethod
    def from_geodataframe(
        cls,
        gdf: gpd.GeoDataFrame,
        *,
        code_column: str,
        crs: Any = None,
        min_area_m2: float = DEFAULT_MIN_AREA_M2,
    ) -> GridIndex:
        """Index the cells of a GeoDataFrame.

        ``crs`` declares the CRS of the coordinates: needed when the frame states none, and the only way
        to say GCJ02 or BD09. A declared real CRS different from the frame's raises CRSError.
        """
        if not (hasattr(gdf, "geometry") and hasattr(gdf, "crs")):
            raise InputError(
                f"from_geodataframe() takes a GeoDataFrame, got {type(gdf).__name__}; read a file with "
                "GridIndex.from_file, or make one with geopandas.GeoDataFrame(df, geometry=...)"
            )
        layer_crs = resolve_crs(gdf.crs, crs, what="the grid layer")
        codes = codes_column(gdf, code_column, what="the grid layer")
        return cls(np.asarray(gdf.geometry.values), codes, crs=layer_crs, min_area_m2=min_area_m2)

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        code_column: str,
        crs: Any = None,
        layer: str | int | None = None,
        min_area_m2: float = DEFAULT_MIN_AREA_M2,
        encoding: str | None = None,
    ) -> GridIndex:
        """Index the cells of a GeoJSON, Shapefile, GeoPackage (``layer`` picks one) or GeoParquet file.

        Note that GeoJSON always states WGS-84; for GCJ-02 or BD-09 coordinates (most Chinese web
        data) declare ``crs="GCJ02"`` or ``crs="BD09"``. ``encoding`` is a Shapefile's text encoding
        when its ``.cpg`` does not say it (``"GBK"``); without it, GBK text is recognised.
        """
        frame = read_layer(path, layer=layer, encoding=encoding)
        if len(frame) == 0:
            raise DataError(f'grid file "{path}" has no features; expected polygons with a code column')
        return cls.from_geodataframe(frame, code_column=code_column, crs=crs, min_area_m2=min_area_m2)

    def __len__(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        return (
            f"GridIndex({len(self)} cells, crs={self.crs!r}, metric_crs={self.metric_crs!r}, "
            f"regular={self.is_regular}, ok={self.report.ok})"
        )

    @property
    def codes(self) -> tuple[str, ...]:
        """Codes of the indexed cells in string order."""
        return tuple(self._codes)

    @property
    def is_regular(self) -> bool:
        """True when the cells form a square lattice answered by arithmetic instead of the index."""
        return self._lattice is not None

    def locate(
        self, x: float, y: float, *, crs: Any = WGS84, tolerance_m: float = DEFAULT_TOLERANCE_M
    ) -> str | None:
        """The code of the cell of one point (see :meth:`assign` for the rules), or None."""
        return self.assign([x], [y], crs=crs, tolerance_m=tolerance_m).codes[0]

    def assign(
        self,
        x: Any,
        y: ArrayLike | None = None,
        *,
        crs: Any = None,
        tolerance_m: float = DEFAULT_TOLERANCE_M,
    ) -> Assignment:
        """Assign points to cells: ``assign(x, y)`` with coordinate arrays, or ``assign(points)`` with
        shapely points, a GeoSeries or a GeoDataFrame.

        ``crs`` is the points' CRS: by default the GeoSeries' own, else EPSG:4326. A point in no cell
        takes the nearest cell within ``tolerance_m`` metres (ties: smallest code); 0 turns that off.
        Never raises for a bad point (missing, NaN, infinite, not projectable): it gets the status
        ``"invalid"``. Text among the coordinates, even text that reads as a number, is an
        :class:`~stdaddr.errors.InputError`: read text columns with :func:`stdaddr.grid.assign_table`.
        """
        if not (isinstance(tolerance_m, (int, float)) and 0 <= tolerance_m < float("inf")):
            raise InputError(f"tolerance_m was {tolerance_m!r}; expected a finite number of metres >= 0")
        xs, ys, crs_name = _coordinates(x, y, crs)
        n = xs.size
        index = np.full(n, _NONE, dtype=np.int64)
        status = np.full(n, _INVALID, dtype=np.int8)
        distance = np.full(n, np.nan)
        todo = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
        # One vectorised transform per call; coordinates it cannot project stay "invalid".
        mx, my = transform(xs[todo], ys[todo], crs_name, self.metric_crs)
        projected = np.isfinite(mx) & np.isfinite(my)
        status[todo[projected]] = _OUTSIDE
        todo, mx, my = todo[projected], mx[projected], my[projected]
        if self._lattice is not None:
            todo, mx, my = self._assign_lattice(self._lattice, todo, mx, my, index, status, distance)
        if todo.size:
            # Which cells a point lies in is asked in the layer's own CRS, where its cells' edges are the
            # straight lines they were drawn as (a parallel of a degree layer bends when projected: a point
            # on a shared edge would fall into the southern cell).
            if crs_name == self.crs:
                own_x, own_y = xs[todo], ys[todo]
            else:
                own_x, own_y = transform(xs[todo], ys[todo], crs_name, self.crs)
            self._assign_tree(todo, own_x, own_y, mx, my, float(tolerance_m), index, status, distance)
        codes = np.full(n, None, dtype=object)
        found = index != _NONE
        codes[found] = self._codes[index[found]]
        return Assignment(codes=codes, status=_STATUS_LABELS[status], distance_m=distance)

    @staticmethod
    def _assign_lattice(
        lattice: Lattice,
        todo: NDArray[np.intp],
        mx: NDArray[np.float64],
        my: NDArray[np.float64],
        index: NDArray[np.int64],
        status: NDArray[np.int8],
        distance: NDArray[np.float64],
    ) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64]]:
        """Answer points clearly inside a whole lattice cell; return the rest for the exact path."""
        cell = lattice.lookup(mx, my)
        fast = cell >= 0
        done = todo[fast]
        index[done] = cell[fast]
        status[done] = _INSIDE
        distance[done] = 0.0
        rest = ~fast
        return todo[rest], mx[rest], my[rest]

    def _assign_tree(
        self,
        todo: NDArray[np.intp],
        own_x: NDArray[np.float64],
        own_y: NDArray[np.float64],
        mx: NDArray[np.float64],
        my: NDArray[np.float64],
        tolerance_m: float,
        index: NDArray[np.int64],
        status: NDArray[np.int8],
        distance: NDArray[np.float64],
    ) -> None:
        # Bounding-box candidates from the tree, then the exact test on prepared cells: many times
        # faster than tree.query(predicate="intersects"), which cannot use the cells' prepared form.
        point_i, cell_i = self._tree.query(shapely.points(own_x, own_y))
        # A point within TOUCH_M of a cell touches it (the grown cells): a corner point a transform
        # moved a nanometre into one of its cells is still a border point, whatever CRS it came through.
        hit = shapely.intersects_xy(self._touch[cell_i], own_x[point_i], own_y[point_i])
        point_i, cell_i = point_i[hit], cell_i[hit]
        # Cells are sorted by code, so the smallest index is the smallest code: the border rule.
        first = np.full(todo.size, _NONE, dtype=np.int64)
        np.minimum.at(first, point_i, cell_i)
        hits = np.bincount(point_i, minlength=todo.size)
        found = hits > 0
        done = todo[found]
        index[done] = first[found]
        status[done] = np.where(hits[found] > 1, _BORDER, _INSIDE)
        distance[done] = 0.0
        missed = np.flatnonzero(~found)
        if missed.size and tolerance_m > 0:
            points = shapely.points(mx[missed], my[missed])
            self._assign_nearest(todo[missed], points, tolerance_m, index, status, distance)

    def _assign_nearest(
        self,
        todo: NDArray[np.intp],
        points: NDArray[np.object_],
        tolerance_m: float,
        index: NDArray[np.int64],
        status: NDArray[np.int8],
        distance: NDArray[np.float64],
    ) -> None:
        """Give points outside every cell the nearest cell within the tolerance (ties: smallest code)."""
        # Candidates from a tree of cell envelopes grown by the tolerance, then the prepared distance
        # test, then exact distances for the few survivors: an order of magnitude faster than
        # STRtree.query_nearest on detailed polygons, and no box per point to build.
        low_x, low_y, high_x, high_y = shapely.bounds(self._geoms).T
        grown = shapely.STRtree(
            shapely.box(low_x - tolerance_m, low_y - tolerance_m, high_x + tolerance_m, high_y + tolerance_m)
        )
        point_i, cell_i = grown.query(points)
        near = shapely.dwithin(self._geoms[cell_i], points[point_i], tolerance_m)
        point_i, cell_i = point_i[near], cell_i[near]
        gap = shapely.distance(self._geoms[cell_i], points[point_i])
        # Cells as near as one another but for float noise (a point off the corner two cells share) tie:
        # the smallest code wins, as on a border.
        nearest = np.full(todo.size, np.inf)
        np.minimum.at(nearest, point_i, gap)
        tied = gap <= nearest[point_i] + TOUCH_M
        point_i, cell_i = point_i[tied], cell_i[tied]
        first = np.full(todo.size, _NONE, dtype=np.int64)
        np.minimum.at(first, point_i, cell_i)
        done_i = np.flatnonzero(first != _NONE)
        done = todo[done_i]
        index[done] = first[done_i]
        status[done] = _NEAREST
        distance[done] = nearest[done_i]


@dataclass(frozen=True, slots=True, eq=False)
class BuiltLayer:
    report: GridReport
    codes: NDArray[np.object_]
    geoms: NDArray[np.object_]
    touch: NDArray[np.object_]
    tree: shapely.STRtree
    lattice: Lattice | None


def build_layer(
    geoms: NDArray[np.object_], codes: NDArray[np.object_], crs: str, min_area_m2: float
) -> BuiltLayer:
    """Clean, project, sort by code, index and check a layer."""
    if not (isinstance(min_area_m2, (int, float)) and min_area_m2 >= 0):
        raise InputError(f"min_area_m2 was {min_area_m2!r}; expected a number of square metres >= 0")
    clean = clean_layer(codes, geoms)
    _check_in_china(clean.geoms, crs)
    metric = _metric_crs(crs, clean.geoms)
    order = np.argsort(clean.codes, kind="stable")
    cell_codes = clean.codes[order]
    cells = project(clean.geoms[order], crs, metric)
    shapely.prepare(cells)
    tree = shapely.STRtree(cells)
    lattice = detect_lattice(cells)
    report = GridReport(
        n_rows=len(codes),
        n_cells=len(cell_codes),
        crs=crs,
        metric_crs=metric,
        regular=lattice is not None,
        invalid=clean.invalid,
        not_polygon=clean.not_polygon,
        empty_codes=clean.empty_codes,
        duplicate_codes=duplicate_codes(cell_codes),
        overlaps=find_overlaps(tree, cells, cell_codes, min_area_m2) if len(cells) else (),
        gaps=find_gaps(cells, min_area_m2, lambda x, y: transform(x, y, metric, crs)) if len(cells) else (),
    )
    # Lookups test points against the cells, in the layer's own CRS, grown by TOUCH_M (mitred: the same
    # vertices, edges moved out; in degrees, the angle of TOUCH_M on the ground), prepared, and take
    # candidates from their envelopes: a point a transform moved a nanometre off a cell it lies on
    # still touches it, at the cost of one exact test per candidate.
    own = clean.geoms[order]
    hair = TOUCH_M / _METRES_PER_DEGREE if is_geographic(crs) else TOUCH_M
    touch = shapely.buffer(own, hair, quad_segs=1, join_style="mitre") if len(own) else own
    shapely.prepare(touch)
    return BuiltLayer(report, cell_codes, cells, touch, shapely.STRtree(touch), lattice)


# Metres of the ground per degree of latitude (and of longitude at the equator; less elsewhere, so a
# hair of TOUCH_M in degrees is at most TOUCH_M east-west).
_METRES_PER_DEGREE = 111_320.0


def _check_in_china(geoms: NDArray[np.object_], crs: str) -> None:
    """CRSError when no cell lies in China in the CRS given: the CRS is wrong (boxes in degrees declared
    EPSG:4549, metres declared EPSG:4326), which would leave every point outside every cell, or fail
    deep in the projection."""
    if len(geoms) == 0:
        return
    points = shapely.point_on_surface(geoms)
    x, y = shapely.get_x(points), shapely.get_y(points)
    with np.errstate(invalid="ignore"):
        lon, lat = transform(x, y, crs, WGS84)
    if not in_china(lon, lat).any():
        raise CRSError(no_point_in_china(crs, x, y, f"{len(geoms)} cells'"))


# A layer's own CRS in metres is used as it is only when it is true to scale over the layer: within
# this of 1 (Gauss-Kruger and UTM zones stay under 0.1 %; Web Mercator is 13 % long at 28°N).
_MAX_SCALE_ERROR = 0.005


def _metric_crs(crs: str, geoms: NDArray[np.object_]) -> str:
    """The CRS to index the layer in: its own when it measures metres truly there, else a local one."""
    if len(geoms) == 0:
        return crs
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    xs = np.array([minx, maxx, minx, maxx, (minx + maxx) / 2])
    ys = np.array([miny, miny, maxy, maxy, (miny + maxy) / 2])
    lon, lat = transform(xs, ys, crs, WGS84)
    if is_metric(crs) and _true_to_scale(crs, lon, lat):
        return crs
    return local_metric_crs(lon.min(), lat.min(), lon.max(), lat.max())


def _true_to_scale(crs: str, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> bool:
    """Whether distances in the projected ``crs`` are metres on the ground (scale factor within
    :data:`_MAX_SCALE_ERROR` of 1) at the points given in longitude/latitude."""
    import pyproj

    factors = pyproj.Proj(pyproj.CRS.from_user_input(crs)).get_factors(lon, lat, errcheck=False)
    scales = np.concatenate([np.asarray(factors.meridional_scale), np.asarray(factors.parallel_scale)])
    return bool(np.all(np.isfinite(scales)) and np.max(np.abs(scales - 1.0)) <= _MAX_SCALE_ERROR)


def _floats(values: Any, name: str) -> NDArray[np.float64]:
    """A flat float array of coordinates; missing values (None, NaN, pandas' NA) are NaN. InputError for
    text and other values that are no number."""
    raw = values if isinstance(values, np.ndarray) else None
    if raw is None or raw.dtype.kind in "fiub":
        try:
            # Not text that reads as numbers ("120.65"): text is refused alike, whatever it holds.
            if raw is not None or not _holds_text(values):
                return np.asarray(values, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            pass
    from stdaddr.io import is_missing

    cells = np.asarray(values, dtype=object).ravel()
    out = np.full(cells.size, np.nan)
    for i, v in enumerate(cells.tolist()):
        if is_missing(v):
            continue
        # Decimal and Fraction are numbers; True/False and complex numbers are no coordinates.
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, decimal.Decimal, np.number)):
            raise InputError(
                f"{name} held {v!r} ({type(v).__name__}); expected numbers or arrays of numbers (missing "
                "values are invalid points); for text columns use stdaddr.grid.assign_table, which marks "
                "unreadable coordinates as invalid"
            )
        out[i] = float(v)
    return out


def _holds_text(values: Any) -> bool:
    if isinstance(values, (str, bytes)):
        return True
    kind = getattr(getattr(values, "dtype", None), "kind", None)
    if kind is not None:
        return kind in "USO" and any(
            isinstance(v, (str, bytes)) for v in np.asarray(values, dtype=object).ravel()
        )
    return any(isinstance(v, (str, bytes)) for v in np.asarray(values, dtype=object).ravel())


def _coordinates(x: Any, y: Any, crs: Any) -> tuple[NDArray[np.float64], NDArray[np.float64], str]:
    """Flat float arrays of x and y, and the CRS they are in."""
    if y is None:
        geoms = getattr(x, "geometry", x)
        stated = getattr(geoms, "crs", None)
        crs_name = WGS84 if stated is None and crs is None else resolve_crs(stated, crs, what="the points")
        values = np.asarray(getattr(geoms, "values", geoms), dtype=object).ravel()
        # Non-point, empty (POINT EMPTY: a record without a location) and missing geometries give NaN
        # here, hence the status "invalid"; GEOS itself raises for the x of an empty point.
        try:
            usable = shapely.get_type_id(values) == shapely.GeometryType.POINT
        except TypeError:
            bad = next(v for v in values if v is not None and not isinstance(v, shapely.Geometry))
            hint = "; numbers are coordinates: give both x and y" if isinstance(bad, (int, float)) else ""
            raise InputError(
                f"points held {bad!r} ({type(bad).__name__}); expected shapely points, a GeoSeries or "
                f"GeoDataFrame, or coordinate arrays x and y{hint}"
            ) from None
        usable[usable] = ~shapely.is_empty(values[usable])
        xs = np.full(values.size, np.nan)
        ys = np.full(values.size, np.nan)
        xs[usable], ys[usable] = shapely.get_x(values[usable]), shapely.get_y(values[usable])
        return xs, ys, crs_name
    xs, ys = _floats(x, "x"), _floats(y, "y")
    if xs.shape != ys.shape:
        raise InputError(f"x has {xs.size} values but y has {ys.size}; expected one y per x")
    return xs, ys, WGS84 if crs is None else parse_crs(crs)
