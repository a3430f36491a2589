"""Grid layers: loading, validation, point assignment, the border rule and grid generation."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, box

from stdaddr.crs import transform
from stdaddr.errors import ColumnError, CRSError, DataError, InputError
from stdaddr.grid import (
    GridIndex,
    assign_table,
    community_grid,
    square_grid,
    validate_file,
)

X0, Y0, SIZE = 500_000.0, 3_100_000.0, 100.0  # EPSG:4549, near Wenzhou
# 3 x 3 cells; the codes' string order differs from their row order in the layer.
CODES = ["C", "A", "I", "E", "G", "B", "H", "D", "F"]


def three_by_three(order=None, *, regular=True) -> gpd.GeoDataFrame:
    """Nine 100 m cells, row by row from the south-west; optionally rows shuffled or made irregular."""
    cells = [
        box(X0 + c * SIZE, Y0 + r * SIZE, X0 + (c + 1) * SIZE, Y0 + (r + 1) * SIZE)
        for r in range(3)
        for c in range(3)
    ]
    if not regular:
        # An extra vertex on each edge keeps the shapes but defeats the square-lattice fast path.
        cells = [shapely.segmentize(cell, SIZE / 2) for cell in cells]
    frame = gpd.GeoDataFrame({"code": CODES}, geometry=cells, crs="EPSG:4549")
    return frame if order is None else frame.iloc[list(order)].reset_index(drop=True)


def code_at(row: int, col: int) -> str:
    return CODES[row * 3 + col]


@pytest.mark.parametrize("regular", [True, False])
def test_regular_layers_are_detected(regular):
    """Square cells take the arithmetic path; the same cells with extra vertices do not."""
    assert (
        GridIndex.from_geodataframe(three_by_three(regular=regular), code_column="code").is_regular is regular
    )


@settings(max_examples=25, deadline=None)
@given(order=st.permutations(range(9)), regular=st.booleans())
def test_border_points_go_to_the_smallest_code_whatever_the_row_order(order, regular):
    """A point on a shared edge or a 4-cell corner gets the smallest code of the cells it touches."""
    grid = GridIndex.from_geodataframe(three_by_three(order, regular=regular), code_column="code")
    points = {
        (X0 + SIZE, Y0 + 50): [code_at(0, 0), code_at(0, 1)],  # vertical edge
        (X0 + 150, Y0 + 2 * SIZE): [code_at(1, 1), code_at(2, 1)],  # horizontal edge
        (X0 + SIZE, Y0 + SIZE): [code_at(0, 0), code_at(0, 1), code_at(1, 0), code_at(1, 1)],
        (X0 + 2 * SIZE, Y0 + 2 * SIZE): [code_at(1, 1), code_at(1, 2), code_at(2, 1), code_at(2, 2)],
    }
    x, y = np.array(list(points)).T
    result = grid.assign(x, y, crs="EPSG:4549")
    assert result.codes.tolist() == [min(touching) for touching in points.values()]
    assert result.status.tolist() == ["border"] * len(points)
    assert result.distance_m.tolist() == [0.0] * len(points)


@pytest.mark.parametrize("regular", [True, False])
@pytest.mark.parametrize("crs", ["EPSG:4490", "EPSG:4326", "EPSG:3857"])
def test_border_points_that_went_through_another_crs_are_still_border_points(regular, crs):
    """A shared corner or edge point given in another CRS comes back a nanometre off the border (float
    noise of the transforms); within TOUCH_M it still touches every cell there: the border rule holds.
    So does a point on an outer edge, which stays inside its one cell even with no tolerance."""
    grid = GridIndex.from_geodataframe(three_by_three(regular=regular), code_column="code")
    points = {
        (X0 + SIZE, Y0 + SIZE): ("border", min(code_at(0, 0), code_at(0, 1), code_at(1, 0), code_at(1, 1))),
        (X0 + 2 * SIZE, Y0 + 2 * SIZE): (
            "border",
            min(code_at(1, 1), code_at(1, 2), code_at(2, 1), code_at(2, 2)),
        ),
        (X0 + SIZE, Y0 + 2 * SIZE): (
            "border",
            min(code_at(1, 0), code_at(1, 1), code_at(2, 0), code_at(2, 1)),
        ),
        (X0 + 150, Y0 + 2 * SIZE): ("border", min(code_at(1, 1), code_at(2, 1))),
        (X0, Y0 + 50): ("inside", code_at(0, 0)),
        (X0 + 3 * SIZE, Y0 + 3 * SIZE): ("inside", code_at(2, 2)),
    }
    x, y = transform(*np.array(list(points)).T, "EPSG:4549", crs)
    result = grid.assign(x, y, crs=crs, tolerance_m=0)
    assert list(zip(result.status.tolist(), result.codes.tolist(), strict=True)) == list(points.values())


def test_a_point_on_the_outer_edge_of_one_cell_is_inside():
    """Touching only one cell is 'inside' that cell, not 'border'."""
    grid = GridIndex.from_geodataframe(three_by_three(), code_column="code")
    result = grid.assign([X0, X0 + 50], [Y0 + 50, Y0], crs=4549)
    assert result.codes.tolist() == [code_at(0, 0), code_at(0, 0)]
    assert result.status.tolist() == ["inside", "inside"]


@pytest.mark.parametrize("regular", [True, False])
def test_nearest_cell_within_tolerance_else_outside(regular):
    """Outside every cell: the nearest within tolerance_m with its distance, else None and 'outside'."""
    grid = GridIndex.from_geodataframe(three_by_three(regular=regular), code_column="code")
    x = [X0 + 3 * SIZE + 30, X0 + 3 * SIZE + 80]
    y = [Y0 + 50, Y0 + 50]
    default = grid.assign(x, y, crs=4549)
    assert default.codes.tolist() == [code_at(0, 2), None]
    assert default.status.tolist() == ["nearest", "outside"]
    assert default.distance_m[0] == pytest.approx(30.0)
    assert np.isnan(default.distance_m[1])
    wider = grid.assign(x, y, crs=4549, tolerance_m=100)
    assert wider.codes.tolist() == [code_at(0, 2), code_at(0, 2)]
    off = grid.assign(x, y, crs=4549, tolerance_m=0)
    assert off.status.tolist() == ["outside", "outside"]


@pytest.mark.parametrize("regular", [True, False])
def test_nearest_ties_go_to_the_smallest_code(regular):
    """A point equally near two cells takes the smaller code."""
    grid = GridIndex.from_geodataframe(
        three_by_three([8, 7, 6, 5, 4, 3, 2, 1, 0], regular=regular), code_column="code"
    )
    assert grid.locate(X0 + SIZE, Y0 - 10, crs="EPSG:4549") == min(code_at(0, 0), code_at(0, 1))


def test_bad_points_are_invalid_and_never_raise():
    """NaN, infinite, missing and non-point inputs come out 'invalid' with no code."""
    grid = GridIndex.from_geodataframe(three_by_three(), code_column="code")
    result = grid.assign([np.nan, np.inf, X0 + 50], [Y0, Y0, np.nan], crs=4549)
    assert result.status.tolist() == ["invalid"] * 3
    assert result.codes.tolist() == [None] * 3
    points = gpd.GeoSeries([Point(X0 + 50, Y0 + 50), None, box(0, 0, 1, 1)], crs="EPSG:4549")
    assert grid.assign(points).status.tolist() == ["inside", "invalid", "invalid"]
    assert grid.locate(200.0, 95.0) is None  # latitude 95°: not a place


def test_points_in_another_crs_are_transformed_once():
    """WGS-84 and GCJ-02 points are projected to the layer; a GeoSeries' own CRS is used."""
    grid = GridIndex.from_geodataframe(three_by_three(), code_column="code")
    lon, lat = transform(X0 + 150, Y0 + 150, 4549, 4326)
    assert grid.locate(lon, lat) == code_at(1, 1)
    assert grid.locate(*transform(lon, lat, 4326, "GCJ02"), crs="GCJ-02") == code_at(1, 1)
    assert grid.assign(gpd.GeoSeries([Point(lon, lat)], crs=4326)).codes.tolist() == [code_at(1, 1)]
    with pytest.raises(CRSError, match="EPSG:4490.*EPSG:4326"):
        grid.assign(gpd.GeoSeries([Point(lon, lat)], crs=4326), crs="EPSG:4490")


def test_assignment_frame_has_the_three_columns():
    """Assignment.to_frame gives grid_code, grid_status and grid_distance_m."""
    grid = GridIndex.from_geodataframe(three_by_three(), code_column="code")
    frame = grid.assign([X0 + 50], [Y0 + 50], crs=4549).to_frame()
    assert list(frame.columns) == ["grid_code", "grid_status", "grid_distance_m"]
    assert frame.iloc[0].tolist() == [code_at(0, 0), "inside", 0.0]


def sjoin_smallest_code(cells: gpd.GeoDataFrame, x, y) -> np.ndarray:
    """The reference: geopandas.sjoin with 'intersects', resolved by the smallest code."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=cells.crs)
    joined = gpd.sjoin(points, cells[["code", "geometry"]], how="left", predicate="intersects")
    smallest = joined.groupby(level=0)["code"].min()
    return smallest.reindex(range(len(x))).astype(object).where(smallest.notna(), None).to_numpy()


@pytest.mark.parametrize("kind", ["square", "clipped square", "voronoi"])
def test_assign_agrees_with_geopandas_sjoin(kind):
    """On random points, points on lattice lines and cell corners, assign equals sjoin plus the border rule."""
    rng = np.random.default_rng(5)
    area = box(X0, Y0, X0 + 2000, Y0 + 1500)
    if kind == "voronoi":
        seeds = rng.uniform([X0, Y0], [X0 + 2000, Y0 + 1500], size=(300, 2))
        codes = [f"330302006{i % 50:03d}" for i in range(300)]
        cells = community_grid((seeds[:, 0], seeds[:, 1]), area, community_codes=codes, crs="EPSG:4549")
    else:
        boundary = (
            area if kind == "square" else area.buffer(-120).union(box(X0 + 700, Y0 - 300, X0 + 900, Y0))
        )
        cells = square_grid(boundary, 100, crs="EPSG:4549", code_prefix="W")
    cells = cells.sample(frac=1, random_state=1).reset_index(drop=True)
    grid = GridIndex.from_geodataframe(cells, code_column="code")
    assert grid.is_regular is (kind != "voronoi")
    x = rng.uniform(X0 - 300, X0 + 2300, 20_000)
    y = rng.uniform(Y0 - 300, Y0 + 1800, 20_000)
    x[:2000] = np.round(x[:2000] / 100) * 100  # on vertical lattice lines
    y[2000:3000] = np.round(y[2000:3000] / 100) * 100
    corners = shapely.get_coordinates(cells.geometry.values)
    x, y = np.concatenate([x, corners[:, 0]]), np.concatenate([y, corners[:, 1]])
    result = grid.assign(x, y, crs="EPSG:4549", tolerance_m=0)
    expected = sjoin_smallest_code(cells, x, y)
    assert (result.codes == expected).all()
    assert set(result.status.tolist()) <= {"inside", "border", "outside"}
    assert (result.status == "border").sum() > 0


def test_geographic_layer_agrees_with_sjoin_off_borders():
    """A GCJ-02 layer indexed in EPSG:4549 agrees with sjoin in GCJ-02 for points clear of borders."""
    rng = np.random.default_rng(8)
    seeds = np.column_stack([rng.uniform(120.5, 120.8, 200), rng.uniform(27.9, 28.1, 200)])
    codes = [f"330302006{i % 20:03d}" for i in range(200)]
    cells = community_grid(
        (seeds[:, 0], seeds[:, 1]), box(120.5, 27.9, 120.8, 28.1), community_codes=codes, crs="GCJ02"
    )
    assert cells.crs is None
    grid = GridIndex.from_geodataframe(cells, code_column="code", crs="GCJ02")
    assert grid.metric_crs == "EPSG:4549"
    lon = rng.uniform(120.49, 120.81, 20_000)
    lat = rng.uniform(27.89, 28.11, 20_000)
    result = grid.assign(lon, lat, crs="EPSG:4326", tolerance_m=0)
    gx, gy = transform(lon, lat, 4326, "GCJ02")
    expected = sjoin_smallest_code(cells, gx, gy)
    boundaries = shapely.boundary(shapely.union_all(cells.geometry.boundary.values))
    clear = shapely.distance(boundaries, shapely.points(gx, gy)) > 1e-5  # about a metre
    assert clear.sum() > 19_000
    assert (result.codes[clear] == expected[clear]).all()


def test_a_web_mercator_layer_is_measured_in_true_metres():
    """The same cells in EPSG:3857 (whose "metres" are 13 % long at 28°N) and in EPSG:4549 give the same
    nearest-cell distances and statuses: Web Mercator is not used as the metric CRS."""
    cells = three_by_three()
    grids = [
        GridIndex.from_geodataframe(cells.to_crs(crs), code_column="code") for crs in ("EPSG:4549", 3857)
    ]
    assert grids[1].metric_crs != "EPSG:3857"
    lon, lat = transform(
        np.array([X0 - 40.0, X0 + 150.0]), np.array([Y0 + 50.0, Y0 - 45.0]), "EPSG:4549", "EPSG:4326"
    )
    a, b = (grid.assign(lon, lat, crs="EPSG:4326", tolerance_m=46.0) for grid in grids)
    assert a.status.tolist() == b.status.tolist() == ["nearest", "nearest"]
    assert b.distance_m == pytest.approx(a.distance_m, rel=0.01)
    assert a.distance_m == pytest.approx([40.0, 45.0], rel=0.01)


def test_invalid_geometry_is_repaired_and_reported():
    """A self-intersecting cell is made valid, indexed, and listed with its code and GEOS reason."""
    frame = three_by_three()
    bow_tie = shapely.Polygon([(X0, Y0), (X0 + SIZE, Y0 + SIZE), (X0 + SIZE, Y0), (X0, Y0 + SIZE)])
    frame.loc[0, "geometry"] = bow_tie
    grid = GridIndex.from_geodataframe(frame, code_column="code")
    report = grid.report
    assert [(issue.row, issue.code) for issue in report.invalid] == [(0, code_at(0, 0))]
    assert "Self-intersection" in report.invalid[0].problem
    assert not report.ok
    assert grid.locate(X0 + 50, Y0 + 20, crs=4549) == code_at(0, 0)
    assert "invalid geometries, repaired: 1" in str(report)


def test_non_polygons_and_missing_codes_are_dropped_and_reported():
    """Empty geometries, lines and rows without a code are left out and listed by row."""
    frame = three_by_three()
    frame.loc[1, "geometry"] = shapely.LineString([(X0, Y0), (X0 + 1, Y0 + 1)])
    frame.loc[2, "geometry"] = None
    frame.loc[3, "code"] = "  "
    frame.loc[4, "code"] = None
    report = GridIndex.from_geodataframe(frame, code_column="code").report
    assert [(i.row, i.problem) for i in report.not_polygon] == [
        (1, "LineString, not a polygon"),
        (2, "empty geometry"),
    ]
    assert report.empty_codes == (3, 4)
    assert report.n_rows == 9 and report.n_cells == 5


def test_a_collection_holding_a_polygon_is_that_polygon_and_one_without_is_dropped():
    """Some tools write a cell as a GeometryCollection (its polygon and a stray line): the polygon is
    indexed and the row reported; a collection of lines alone is no cell."""
    frame = three_by_three()
    square = box(X0, Y0, X0 + SIZE, Y0 + SIZE)
    stray = shapely.LineString([(X0, Y0), (X0 - 50, Y0 - 50)])
    frame.loc[0, "geometry"] = shapely.GeometryCollection([square, stray])
    frame.loc[1, "geometry"] = shapely.GeometryCollection([stray])
    grid = GridIndex.from_geodataframe(frame, code_column="code")
    assert grid.locate(X0 + 50, Y0 + 20, crs=4549) == code_at(0, 0)
    assert [(i.row, i.problem) for i in grid.report.invalid] == [(0, "GeometryCollection: its polygons kept")]
    assert [(i.row, i.problem) for i in grid.report.not_polygon] == [(1, "GeometryCollection, not a polygon")]
    assert grid.report.n_cells == 8


def test_a_polygon_of_no_area_is_dropped_and_a_doubled_code_column_refused():
    """Three points on a line (a valid polygon of no area to shapely) took the points on its line as
    their cell; a frame with two code columns raised a raw AttributeError."""
    cells = [
        shapely.Polygon([(120.64, 28.0), (120.65, 28.01), (120.66, 28.02)]),
        box(120.64, 28.0, 120.65, 28.01),
    ]
    assert cells[0].is_valid  # (float noise: shapely finds nothing wrong with it)
    grid = GridIndex(cells, ["flat", "ok"], crs="EPSG:4326")
    assert [(i.row, i.problem) for i in grid.report.not_polygon] == [(0, "a polygon of no area")]
    assert grid.report.n_cells == 1
    frame = three_by_three()
    doubled = pd.concat([frame[["code"]], frame], axis=1)
    with pytest.raises(ColumnError, match="two or more columns"):
        GridIndex.from_geodataframe(
            gpd.GeoDataFrame(doubled, geometry="geometry", crs=4549), code_column="code"
        )


def test_overlaps_gaps_and_duplicate_codes_are_reported():
    """Overlap pairs and gap areas are measured in m²; duplicate codes are listed."""
    frame = three_by_three()
    frame = frame[frame["code"] != code_at(1, 1)].reset_index(drop=True)  # a 100 x 100 m hole
    overlapping = gpd.GeoDataFrame(
        {"code": ["Z", code_at(2, 2)]},
        geometry=[box(X0 + 290, Y0, X0 + 400, Y0 + 100), box(X0 + 300, Y0 + 200, X0 + 400, Y0 + 300)],
        crs="EPSG:4549",
    )
    grid = GridIndex.from_geodataframe(pd.concat([frame, overlapping], ignore_index=True), code_column="code")
    report = grid.report
    assert [(o.code_a, o.code_b) for o in report.overlaps] == [(code_at(0, 2), "Z")]
    assert report.overlaps[0].area_m2 == pytest.approx(1000.0)
    assert len(report.gaps) == 1 and report.gaps[0].area_m2 == pytest.approx(10_000.0)
    assert report.gaps[0].x == pytest.approx(X0 + 150, abs=50) and report.gaps[0].y == pytest.approx(
        Y0 + 150, abs=50
    )
    assert report.duplicate_codes == (code_at(2, 2),)
    text = str(report)
    assert "overlaps: 1" in text and "gaps: 1" in text and "duplicate codes: 1" in text
    assert grid.locate(X0 + 295, Y0 + 50, crs=4549) == min(code_at(0, 2), "Z")
    assert grid.assign([X0 + 295], [Y0 + 50], crs=4549).status[0] == "border"


def test_a_layer_without_usable_cells_is_a_data_error():
    """No cell left means DataError showing the report; validate_file still returns the report."""
    frame = gpd.GeoDataFrame({"code": [None]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4549")
    with pytest.raises(DataError, match="missing codes"):
        GridIndex.from_geodataframe(frame, code_column="code")


def test_crs_conflicts_name_both_crs():
    """A declared CRS different from the stated one is an error naming both; none at all too."""
    frame = three_by_three().to_crs(4326)
    with pytest.raises(CRSError, match=r"EPSG:4490.*EPSG:4326"):
        GridIndex.from_geodataframe(frame, code_column="code", crs="EPSG:4490")
    with pytest.raises(CRSError, match="states no CRS"):
        GridIndex.from_geodataframe(frame.set_crs(None, allow_override=True), code_column="code")
    with pytest.raises(CRSError, match=r"GCJ02.*EPSG:4549"):
        GridIndex.from_geodataframe(three_by_three(), code_column="code", crs="GCJ02")
    assert GridIndex.from_geodataframe(frame, code_column="code", crs="gcj-02").crs == "GCJ02"
    custom = three_by_three().set_crs(
        "+proj=tmerc +lon_0=120.3 +x_0=500000 +ellps=GRS80", allow_override=True
    )
    with pytest.raises(CRSError, match="no EPSG code"):
        GridIndex.from_geodataframe(custom, code_column="code", crs=4549)


def test_missing_code_column_lists_the_columns():
    """An unknown code column raises ColumnError naming it and the columns there are."""
    with pytest.raises(ColumnError, match=r"grid_code.*\['code'\]"):
        GridIndex.from_geodataframe(three_by_three(), code_column="grid_code")


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp", ".parquet"])
def test_files_keep_codes_as_strings(tmp_path, suffix):
    """Every format loads with codes as strings, leading zeros kept, and the same answers."""
    frame = three_by_three()
    frame["code"] = [f"00{ord(c) - 64}" for c in frame["code"]]  # A -> "001": digits with leading zeros
    path = tmp_path / f"grid{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_file(path)
    grid = GridIndex.from_file(path, code_column="code")
    assert grid.crs == "EPSG:4549"
    assert grid.codes == tuple(sorted(frame["code"]))
    assert grid.locate(X0 + 150, Y0 + 150, crs=4549) == f"00{ord(code_at(1, 1)) - 64}"
    assert validate_file(path, code_column="code").ok


def test_numeric_codes_in_a_file_become_digit_strings(tmp_path):
    """A code column the file stores as numbers becomes digits without a decimal part."""
    frame = three_by_three()
    frame["code"] = [330302006001001 + i for i in range(9)]
    frame["code"] = frame["code"].astype(float)
    path = tmp_path / "grid.gpkg"
    frame.to_file(path)
    assert GridIndex.from_file(path, code_column="code").codes[0] == "330302006001001"


def test_a_geopackage_of_several_layers_gives_its_one_polygon_layer_or_asks_for_the_layer(tmp_path):
    """Without layer=, a GeoPackage holding the cells and a layer of points is read from the cells; one
    with two polygon layers is refused, naming them (pyogrio alone reads the first with a warning)."""
    import warnings

    cells = three_by_three()
    path = tmp_path / "grid.gpkg"
    gpd.GeoDataFrame({"name": ["p"]}, geometry=[shapely.Point(X0, Y0)], crs="EPSG:4549").to_file(
        path, layer="pois"
    )
    cells.to_file(path, layer="cells")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grid = GridIndex.from_file(path, code_column="code")
    assert grid.locate(X0 + 150, Y0 + 150, crs=4549) == code_at(1, 1)
    cells.to_file(path, layer="cells_2020")
    with pytest.raises(InputError, match=r"3 layers \(pois, cells, cells_2020\)"):
        GridIndex.from_file(path, code_column="code")
    assert GridIndex.from_file(path, code_column="code", layer="cells").report.n_cells == 9


def test_file_errors_name_the_path(tmp_path):
    """A missing or unreadable file raises DataError quoting the path and the accepted formats."""
    with pytest.raises(DataError, match="nowhere.geojson.*GeoPackage"):
        GridIndex.from_file(tmp_path / "nowhere.geojson", code_column="code")
    junk = tmp_path / "junk.geojson"
    junk.write_text("not json")
    with pytest.raises(DataError, match="junk.geojson"):
        validate_file(junk, code_column="code")


def test_square_grid_cells_have_exact_size_and_codes():
    """Whole squares over bounds: exact size, aligned to multiples of the size, row-major codes from the north."""
    cells = square_grid((X0 + 10, Y0 + 10, X0 + 290, Y0 + 190), 100, crs="EPSG:4549", code_prefix="330302")
    assert len(cells) == 6
    bounds = cells.geometry.bounds
    assert ((bounds.maxx - bounds.minx) == 100).all() and ((bounds.maxy - bounds.miny) == 100).all()
    assert (cells.geometry.area == 10_000).all()
    assert (bounds.minx % 100 == 0).all() and (bounds.miny % 100 == 0).all()
    assert cells["code"].tolist() == ["330302" + rc for rc in ["00", "01", "02", "10", "11", "12"]]
    first = cells.iloc[0]
    assert first.geometry.bounds == (X0, Y0 + 100, X0 + 100, Y0 + 200)
    assert (first["row"], first["col"]) == (0, 0)


def test_square_grid_clipped_to_a_boundary_covers_it_exactly():
    """Squares cut by the boundary are clipped; inner ones stay whole; together they equal the boundary."""
    boundary = Point(X0 + 500, Y0 + 500).buffer(430)
    cells = square_grid(gpd.GeoSeries([boundary], crs=4549), 100, crs="EPSG:4549")
    assert cells["code"].is_unique
    assert cells.geometry.union_all().symmetric_difference(boundary).area < 1e-6
    whole = cells.geometry.area == 10_000
    assert whole.sum() > 0 and (~whole).sum() > 0
    grid = GridIndex.from_geodataframe(cells, code_column="code")
    assert grid.is_regular and grid.report.ok


def test_square_grid_rejects_degrees_and_bad_sizes():
    """A geographic CRS or a non-positive size is refused with the value in the message."""
    with pytest.raises(CRSError, match="EPSG:4326.*metres"):
        square_grid((120, 28, 121, 29), 1000, crs=4326)
    with pytest.raises(InputError, match="-5"):
        square_grid((X0, Y0, X0 + 100, Y0 + 100), -5, crs=4549)
    with pytest.raises(InputError, match="choose a larger size"):
        square_grid((0, 0, 1e6, 1e6), 1, crs=4549)


def test_community_grid_codes_are_15_digits_unique_and_ordered():
    """Codes = 12-digit community + 3-digit sequence west to east (then north to south); single cells are 001."""
    rng = np.random.default_rng(4)
    x = rng.uniform(X0 + 10, X0 + 990, 60)
    y = rng.uniform(Y0 + 10, Y0 + 990, 60)
    x[:2] = X0 + 500  # same x: the northern one comes first
    y[:2] = [Y0 + 100, Y0 + 900]
    community = np.where(np.arange(60) < 30, "330302006001", "330302006002").tolist()
    community[59] = "330302006003"
    boundary = box(X0, Y0, X0 + 1000, Y0 + 1000)
    cells = community_grid((x, y), boundary, community_codes=community, crs="EPSG:4549")
    codes = cells["code"]
    assert codes.str.fullmatch(r"\d{15}").all() and codes.is_unique
    assert (codes.str[:12] == cells["community_code"]).all()
    assert codes[59] == "330302006003001"
    for prefix in ("330302006001", "330302006002"):
        mine = cells.index[cells["community_code"] == prefix]
        by_code = sorted(mine, key=lambda i: codes[i])
        assert by_code == sorted(mine, key=lambda i: (x[i], -y[i]))
    assert codes[1] < codes[0]
    assert cells.geometry.union_all().symmetric_difference(boundary).area < 1e-3
    assert all(cells.geometry.iloc[i].contains(Point(x[i], y[i])) for i in range(60))
    assert GridIndex.from_geodataframe(cells, code_column="code").report.ok


def test_community_grid_takes_a_column_and_checks_its_input():
    """A column name works; bad codes, repeated points and points outside the boundary are refused."""
    boundary = box(X0, Y0, X0 + 1000, Y0 + 1000)
    points = gpd.GeoDataFrame(
        {"community": ["330302006001", "330302006001"]},
        geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 900, Y0 + 900)],
        crs="EPSG:4549",
    )
    cells = community_grid(points, boundary, community_codes="community")
    assert cells["code"].tolist() == ["330302006001001", "330302006001002"]
    with pytest.raises(ColumnError, match="nope"):
        community_grid(points, boundary, community_codes="nope")
    with pytest.raises(InputError, match="'3303020060'"):
        community_grid(points, boundary, community_codes=["3303020060", "330302006001"])
    with pytest.raises(InputError, match="repeated"):
        community_grid(
            ([X0 + 1, X0 + 1], [Y0 + 1, Y0 + 1]), boundary, community_codes=["330302006001"] * 2, crs=4549
        )
    with pytest.raises(InputError, match="outside the boundary"):
        community_grid(([X0 - 1], [Y0 + 1]), boundary, community_codes=["330302006001"], crs=4549)


def test_assign_table_keeps_every_row():
    """assign_table adds the three columns, keeps all rows, and marks unreadable coordinates invalid."""
    grid = GridIndex.from_geodataframe(three_by_three(), code_column="code")
    table = pd.DataFrame(
        {"id": [1, 2, 3, 4], "x": [X0 + 50, "abc", None, X0 + 5000], "y": [Y0 + 50, Y0, Y0, Y0]},
        index=[10, 20, 30, 40],
    )
    out = assign_table(table, x_column="x", y_column="y", crs="EPSG:4549", grid=grid)
    assert list(out.index) == [10, 20, 30, 40]
    assert out["grid_status"].tolist() == ["inside", "invalid", "invalid", "outside"]
    assert out["grid_code"].iloc[0] == code_at(0, 0)
    assert "grid_code" not in table.columns
    with pytest.raises(ColumnError, match="lon"):
        assign_table(table, x_column="lon", y_column="y", crs=4549, grid=grid)


def test_bad_tolerance_is_an_input_error():
    """A negative or NaN tolerance raises InputError repeating it."""
    grid = GridIndex.from_geodataframe(three_by_three(), code_column="code")
    for bad in (-1, float("nan")):
        with pytest.raises(InputError, match="tolerance_m was"):
            grid.assign([X0], [Y0], crs=4549, tolerance_m=bad)


@pytest.mark.parametrize("seed", range(6))
def test_square_grids_clipped_to_any_rectangle_agree_with_sjoin(seed):
    """Clipped squares of several sizes: the lattice is the commonest size (or none), never a crash."""
    rng = np.random.default_rng(seed)
    x0, y0 = 560_000 + rng.uniform(0, 1000), 3_098_000 + rng.uniform(0, 1000)
    w, h = rng.uniform(500, 5000, size=2)
    layer = square_grid(box(x0, y0, x0 + w, y0 + h), 1000, crs="EPSG:4549")
    grid = GridIndex.from_geodataframe(layer, code_column="code")
    xs, ys = x0 + rng.uniform(0, w, 500), y0 + rng.uniform(0, h, 500)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs, ys), crs=4549)
    expected = gpd.sjoin(points, layer, predicate="within")["code"].reindex(range(500))
    got = grid.assign(xs, ys, crs=4549, tolerance_m=0).codes
    inside = expected.notna().to_numpy()
    assert list(np.asarray(got, dtype=object)[inside]) == list(expected[inside])


def test_rectangles_of_two_sizes_are_no_lattice_and_no_crash():
    x0, y0 = 500_000, 3_100_000  # in 温州, on EPSG:4549's central meridian
    grid = GridIndex(
        [box(x0, y0, x0 + 1000, y0 + 1000), box(x0 + 2000, y0, x0 + 2200, y0 + 200)],
        ["A", "B"],
        crs="EPSG:4549",
    )
    assert [grid.locate(x0 + x, y0 + 100, crs=4549, tolerance_m=0) for x in (100, 2100, 1500)] == [
        "A",
        "B",
        None,
    ]


def test_empty_missing_and_non_point_geometries_are_invalid_points():
    """POINT EMPTY (a record without a location) is a bad point, not an exception."""
    x0, y0 = 500_000, 3_100_000
    grid = GridIndex([box(x0, y0, x0 + 1000, y0 + 1000)], ["A"], crs="EPSG:4549")
    points = [shapely.Point(), None, Point(x0 + 10, y0 + 10), shapely.LineString([(0, 0), (1, 1)])]
    result = grid.assign(gpd.GeoSeries(points, crs=4549))
    assert list(result.codes) == [None, None, "A", None]
    assert list(result.status) == ["invalid", "invalid", "inside", "invalid"]


def test_cells_of_a_geographic_layer_keep_their_edges_in_degrees():
    """A point 22 m inside the northern of two 0.1°-high cells of a WGS-84 layer is in it, as sjoin says."""
    cells = gpd.GeoDataFrame(
        {"code": ["S", "N"]}, geometry=[box(120, 27.9, 120.5, 28.0), box(120, 28.0, 120.5, 28.1)], crs=4326
    )
    grid = GridIndex.from_geodataframe(cells, code_column="code")
    assert [grid.locate(120.25, y) for y in (28.0002, 27.9998, 28.00001)] == ["N", "S", "N"]


def test_missing_coordinates_of_any_kind_are_invalid_points_and_other_values_are_errors(tmp_path):
    grid = GridIndex.from_geodataframe(three_by_three(), code_column="code")
    x = [X0 + 50, None, pd.NA, np.nan, None, pd.NA]
    y = [Y0 + 50, Y0 + 50, Y0 + 50, pd.NA, None, None]
    result = grid.assign(x, y, crs=4549)
    assert result.status.tolist() == ["inside"] + ["invalid"] * 5
    assert grid.locate(pd.NA, pd.NA, crs=4549) is None
    with pytest.raises(InputError, match=r"x held 'a' \(str\); expected numbers"):
        grid.assign(["a"], [1.0], crs=4549)
    with pytest.raises(InputError, match=r"points held 'abc' \(str\); expected shapely points"):
        grid.assign("abc", crs=4549)
    with pytest.raises(InputError, match="points held 1.0 .*give both x and y"):
        grid.assign([1.0, 2.0], crs=4549)
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(DataError, match=r'grid file ".*empty.geojson" has no features'):
        GridIndex.from_file(empty, code_column="code")


def _gbk_shapefile(tmp_path, *, cpg: bool):
    import warnings

    cells = gpd.GeoDataFrame(
        {"网格编码": ["五马01", "五马02"], "名称": ["五马网格一", "五马网格二"]},
        geometry=[box(120.64, 28.0, 120.65, 28.01), box(120.65, 28.0, 120.66, 28.01)],
        crs="EPSG:4490",
    )
    path = tmp_path / "grid.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cells.to_file(path, encoding="GBK")
    if not cpg:
        for sidecar in tmp_path.glob("grid.[cC][pP][gG]"):
            sidecar.unlink()
    return path


@pytest.mark.parametrize("cpg", [True, False])
def test_a_gbk_shapefile_reads_its_chinese_codes_with_or_without_a_cpg(tmp_path, cpg):
    """Chinese offices' Shapefiles are GBK, often without a .cpg: the codes and the code column's name
    read as written (they were garbled, 'ÎåÂí01', and the column not found), and GBK may be named."""
    path = _gbk_shapefile(tmp_path, cpg=cpg)
    grid = GridIndex.from_file(path, code_column="网格编码")
    assert grid.codes == ("五马01", "五马02")
    assert grid.locate(120.645, 28.005, crs="EPSG:4490") == "五马01"
    named = GridIndex.from_file(path, code_column="网格编码", encoding="GBK")
    assert named.codes == grid.codes


def test_text_among_coordinates_is_refused_even_when_it_reads_as_a_number():
    grid = GridIndex.from_geodataframe(
        gpd.GeoDataFrame({"code": ["a"]}, geometry=[box(120.64, 28.0, 120.65, 28.01)], crs="EPSG:4490"),
        code_column="code",
    )
    for x in (["120.645"], ["abc"], np.array(["120.645"])):
        with pytest.raises(InputError, match="str"):
            grid.assign(x, [28.005], crs="EPSG:4490")
    assert grid.assign(
        pd.Series([120.645, None]), pd.Series([28.005, 28.0]), crs="EPSG:4490"
    ).status.tolist() == [
        "inside",
        "invalid",
    ]


def test_decimal_coordinates_are_numbers_and_a_plain_table_is_no_layer():
    from decimal import Decimal

    layer = gpd.GeoDataFrame({"code": ["a"]}, geometry=[box(120.64, 28.0, 120.65, 28.01)], crs="EPSG:4490")
    grid = GridIndex.from_geodataframe(layer, code_column="code")
    assert grid.assign([Decimal("120.645"), None], [28.005, 28.0], crs="EPSG:4490").status.tolist() == [
        "inside",
        "invalid",
    ]
    for table in (pd.DataFrame({"code": ["a"]}), None):
        with pytest.raises(InputError, match="takes a GeoDataFrame"):
            GridIndex.from_geodataframe(table, code_column="code")


def test_validating_an_empty_layer_is_an_error_as_loading_it_is(tmp_path):
    path = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame({"code": []}, geometry=[], crs="EPSG:4549").to_file(path)
    for load in (validate_file, GridIndex.from_file):
        with pytest.raises(DataError, match="has no features"):
            load(path, code_column="code")


def test_a_point_on_an_east_west_edge_of_a_degree_layer_is_on_the_border():
    """Cells in degrees sharing a parallel: every point on it is on the border of both, the smallest code
    wins, whichever side is south (the parallel bends when projected: it went to the southern cell)."""
    cells = [box(120.10, 30.25, 120.13, 30.265), box(120.10, 30.265, 120.13, 30.28)]
    grid = GridIndex(cells, ["Z", "A"], crs="EPSG:4490")
    xs = np.linspace(120.1001, 120.1299, 50)
    for crs in ("EPSG:4490", "EPSG:4326"):
        result = grid.assign(xs, np.full(50, 30.265), crs=crs)
        assert set(result.codes) == {"A"} and set(result.status) == {"border"}


def test_a_point_as_near_two_cells_takes_the_smallest_code():
    """West of the corner two cells of a degree layer share, as far from both but for float noise: the
    nearest is the smallest code, as on a border."""
    cells = [box(120.10, 30.25, 120.13, 30.265), box(120.10, 30.265, 120.13, 30.28)]
    grid = GridIndex(cells, ["G11", "G21"], crs="EPSG:4490")
    result = grid.assign([120.0998, 120.0995], [30.265, 30.265], crs="EPSG:4490")
    assert list(result.codes) == ["G11", "G11"] and set(result.status) == {"nearest"}


@pytest.mark.parametrize(
    ("cells", "crs", "hint"),
    [
        ([box(120.10, 30.25, 120.13, 30.265)], "EPSG:4549", "longitude/latitude"),
        ([box(500_000, 3_100_000, 503_000, 3_101_500)], "EPSG:4326", "metres"),
        ([box(200.0, 30.0, 201.0, 31.0)], "EPSG:4326", "China"),
    ],
)
def test_a_layer_that_lies_nowhere_in_china_in_its_crs_is_refused(cells, crs, hint):
    """Degrees declared in a projected CRS, metres declared in degrees: every point would be outside every
    cell (or the projection would fail deep inside), so the CRS is refused with a hint."""
    with pytest.raises(CRSError, match=hint):
        GridIndex(cells, ["A"], crs=crs)
