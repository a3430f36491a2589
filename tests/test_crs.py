"""Coordinate transforms: EPSG via pyproj, GCJ-02 and BD-09 by the public formulas."""

from __future__ import annotations

import math

import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stdaddr.crs import (
    BD09,
    GCJ02,
    is_geographic,
    is_metric,
    local_metric_crs,
    parse_crs,
    transform,
)
from stdaddr.errors import CRSError, InputError

CHINA_LON = (73.66, 135.05)
CHINA_LAT = (3.86, 53.55)


def reference_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 to GCJ-02 written out term by term from the published definition, one point at a time."""
    if lon < 72.004 or lon > 137.8347 or lat < 0.8293 or lat > 55.8271:
        return lon, lat
    a, ee, pi = 6378245.0, 0.00669342162296594323, math.pi
    x, y = lon - 105.0, lat - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y**2 + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat += (20.0 * math.sin(y * pi) + 40.0 * math.sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * pi) + 320.0 * math.sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x**2 + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lon += (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lon += (20.0 * math.sin(x * pi) + 40.0 * math.sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * pi) + 300.0 * math.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad = math.radians(lat)
    magic = 1.0 - ee * math.sin(rad) ** 2
    d_lat = d_lat * 180.0 / ((a * (1.0 - ee)) / (magic * math.sqrt(magic)) * pi)
    d_lon = d_lon * 180.0 / (a / math.sqrt(magic) * math.cos(rad) * pi)
    return lon + d_lon, lat + d_lat


def reference_bd09(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 to BD-09: GCJ-02, then Baidu's rotation and shift."""
    if lon < 72.004 or lon > 137.8347 or lat < 0.8293 or lat > 55.8271:
        return lon, lat
    g_lon, g_lat = reference_gcj02(lon, lat)
    x_pi = math.pi * 3000.0 / 180.0
    z = math.hypot(g_lon, g_lat) + 0.00002 * math.sin(g_lat * x_pi)
    theta = math.atan2(g_lat, g_lon) + 0.000003 * math.cos(g_lon * x_pi)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def ground_error_m(lon1, lat1, lon2, lat2):
    """Distance in metres between nearby points (equirectangular, ample for centimetres)."""
    mean_lat = np.radians((lat1 + lat2) / 2)
    return np.hypot((lon1 - lon2) * 111_320.0 * np.cos(mean_lat), (lat1 - lat2) * 110_574.0)


def china_sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(*CHINA_LON, n), rng.uniform(*CHINA_LAT, n)


def test_gcj02_at_the_formula_origin_is_the_constant_offset():
    """At (105°E, 35°N) every sine term vanishes, leaving -100 and 300 scaled by the ellipsoid radii."""
    a, ee = 6378245.0, 0.00669342162296594323
    rad = math.radians(35.0)
    magic = 1.0 - ee * math.sin(rad) ** 2
    expected_lat = 35.0 + (-100.0 * 180.0) / ((a * (1.0 - ee)) / (magic * math.sqrt(magic)) * math.pi)
    expected_lon = 105.0 + (300.0 * 180.0) / (a / math.sqrt(magic) * math.cos(rad) * math.pi)
    lon, lat = transform(105.0, 35.0, "EPSG:4326", "GCJ02")
    assert lon == pytest.approx(expected_lon, abs=1e-12)
    assert lat == pytest.approx(expected_lat, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(st.floats(*CHINA_LON), st.floats(*CHINA_LAT))
def test_forward_formulas_match_the_term_by_term_reference(lon, lat):
    """The vectorised forward transforms equal a plain per-point implementation of the definitions."""
    assert transform(lon, lat, 4326, GCJ02) == pytest.approx(reference_gcj02(lon, lat), abs=1e-11)
    assert transform(lon, lat, 4326, BD09) == pytest.approx(reference_bd09(lon, lat), abs=1e-11)


def test_shift_at_wenzhou_is_about_half_a_kilometre_for_gcj02_and_a_kilometre_for_bd09():
    """The obfuscation moves Wenzhou by the distances the design notes give (~540 m and ~1 km)."""
    lon, lat = 120.65, 28.0
    gcj = transform(lon, lat, 4326, GCJ02)
    bd = transform(lon, lat, 4326, BD09)
    assert 450 < ground_error_m(lon, lat, *gcj) < 650
    assert 900 < ground_error_m(lon, lat, *bd) < 1300


@pytest.mark.parametrize("pseudo", [GCJ02, BD09])
def test_round_trip_is_within_a_centimetre_over_china(pseudo):
    """WGS-84 -> pseudo -> WGS-84 and pseudo -> WGS-84 -> pseudo both come back within 1 cm."""
    lon, lat = china_sample(200_000, seed=7)
    back = transform(*transform(lon, lat, "EPSG:4326", pseudo), pseudo, "EPSG:4326")
    assert ground_error_m(lon, lat, *back).max() <= 0.01
    again = transform(*transform(lon, lat, pseudo, "EPSG:4326"), "EPSG:4326", pseudo)
    assert ground_error_m(lon, lat, *again).max() <= 0.01


@pytest.mark.parametrize("pseudo", ["GCJ-02", "bd-09"])
def test_round_trip_through_cgcs2000_and_gauss_kruger_is_within_a_centimetre(pseudo):
    """Chained through EPSG:4490 and the projected EPSG:4549, a round trip still stays within 1 cm."""
    rng = np.random.default_rng(3)
    lon = rng.uniform(118.6, 121.4, 50_000)
    lat = rng.uniform(26.0, 30.0, 50_000)
    e, n = transform(*transform(lon, lat, "EPSG:4490", pseudo), pseudo, "EPSG:4549")
    direct_e, direct_n = transform(lon, lat, "EPSG:4490", "EPSG:4549")
    assert np.hypot(e - direct_e, n - direct_n).max() <= 0.01
    back = transform(*transform(e, n, "EPSG:4549", pseudo), pseudo, 4490)
    assert ground_error_m(lon, lat, *back).max() <= 0.01


@pytest.mark.parametrize("pseudo", [GCJ02, BD09])
@pytest.mark.parametrize("point", [(2.35, 48.85), (-74.0, 40.7), (139.7, 35.7), (100.0, -6.0), (60.0, 40.0)])
def test_points_outside_china_pass_through_unchanged(pseudo, point):
    """Outside the formulas' box both directions return the input exactly."""
    assert transform(*point, "EPSG:4326", pseudo) == point
    assert transform(*point, pseudo, "EPSG:4326") == point


def test_nan_in_gives_nan_out_and_shape_is_kept():
    """NaN coordinates stay NaN in every kind of transform; 2-D input keeps its shape."""
    lon = np.array([[120.6, np.nan], [np.nan, 121.0]])
    lat = np.array([[28.0, 28.0], [np.nan, np.nan]])
    for src, dst in [(4326, GCJ02), (GCJ02, 4326), (BD09, 4549), (4326, 4549)]:
        x, y = transform(lon, lat, src, dst)
        assert x.shape == lon.shape
        assert np.isfinite(x[0, 0]) and np.isfinite(y[0, 0])
        assert np.isnan(x[0, 1]) or np.isnan(y[0, 1])
        assert np.isnan(x[1, 0]) and np.isnan(y[1, 1])


def test_scalars_give_floats_and_arrays_are_new():
    """Scalars come back as floats; the same-CRS transform returns copies, never the caller's arrays."""
    x, y = transform(120.0, 28.0, "GCJ02", "BD09")
    assert isinstance(x, float) and isinstance(y, float)
    lon = np.array([120.0])
    out, _ = transform(lon, np.array([28.0]), 4326, "EPSG:4326")
    assert out is not lon and out[0] == 120.0


def test_inverse_of_a_point_does_not_depend_on_its_batch():
    """The iteration stops per point, so a point's result is identical alone and in a batch."""
    lon, lat = china_sample(1000, seed=11)
    batch = transform(lon, lat, BD09, 4326)
    alone = transform(lon[123], lat[123], BD09, 4326)
    assert (batch[0][123], batch[1][123]) == alone


def test_gcj02_to_bd09_equals_the_rotation_formula():
    """GCJ-02 to BD-09 through WGS-84 agrees with the direct published rotation."""
    lon, lat = transform(120.7, 28.0, 4326, GCJ02)
    x_pi = math.pi * 3000.0 / 180.0
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * x_pi)
    expected = (z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006)
    assert transform(lon, lat, GCJ02, BD09) == pytest.approx(expected, abs=1e-10)


def test_epsg_transform_matches_pyproj():
    """EPSG to EPSG is pyproj with x = longitude/easting."""
    reference = pyproj.Transformer.from_crs(4326, 4549, always_xy=True).transform(120.65, 28.0)
    assert transform(120.65, 28.0, "EPSG:4326", "EPSG:4549") == pytest.approx(reference, abs=1e-6)


def test_mismatched_shapes_are_an_input_error():
    """x and y of different shapes raise InputError naming both shapes."""
    with pytest.raises(InputError, match=r"\(2,\).*\(3,\)"):
        transform(np.zeros(2), np.zeros(3), 4326, GCJ02)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("EPSG:4490", "EPSG:4490"),
        ("epsg:4549", "EPSG:4549"),
        (4326, "EPSG:4326"),
        ("4490", "EPSG:4490"),
        ("GCJ02", "GCJ02"),
        ("gcj-02", "GCJ02"),
        ("BD-09", "BD09"),
        ("bd09", "BD09"),
        ("WGS-84", "EPSG:4326"),
        ("cgcs2000", "EPSG:4490"),
        (pyproj.CRS.from_epsg(4549), "EPSG:4549"),
        ("OGC:CRS84", "EPSG:4326"),
    ],
)
def test_parse_crs_accepts_the_documented_forms(value, expected):
    """Every documented spelling normalises to one name."""
    assert parse_crs(value) == expected


@pytest.mark.parametrize("value", ["Mars", "EPSG:99999999", None, True, 3.5, ""])
def test_parse_crs_error_repeats_the_value_and_lists_accepted_forms(value):
    """A bad CRS raises CRSError (a ValueError) that quotes it and lists what is accepted."""
    with pytest.raises(CRSError) as info:
        parse_crs(value)
    assert isinstance(info.value, ValueError)
    assert repr(value) in str(info.value)
    assert "GCJ02" in str(info.value) and "EPSG:4490" in str(info.value)


def test_transform_with_a_bad_crs_names_it():
    """transform() raises the same CRSError for a bad destination."""
    with pytest.raises(CRSError, match="GCJ03"):
        transform(120.0, 28.0, 4326, "GCJ03")


def test_geographic_and_metric_flags():
    """Pseudo-CRSs are geographic; Gauss-Kruger and UTM are metric; WGS-84 is not."""
    assert is_geographic("GCJ02") and is_geographic("BD-09") and is_geographic(4490)
    assert not is_geographic("EPSG:4549")
    assert is_metric("EPSG:4549") and is_metric(32650)
    assert not is_metric(4326) and not is_metric("GCJ02")


def test_local_metric_crs_prefers_gauss_kruger_for_wenzhou_else_utm():
    """Inside 118.5-121.5°E the 120°E Gauss-Kruger zone, elsewhere the UTM zone of the centre."""
    assert local_metric_crs(119.6, 27.0, 121.3, 28.6) == "EPSG:4549"
    assert local_metric_crs(113.0, 22.5, 114.5, 23.5) == "EPSG:32649"
    assert local_metric_crs(-70.0, -30.0, -69.0, -29.0) == "EPSG:32719"
    with pytest.raises(InputError, match="nan"):
        local_metric_crs(float("nan"), 0, 1, 1)


@pytest.mark.parametrize("written", ["EPSG:4549 ", "EPSG:4549\n", "epsg: 4549", " EPSG : 4549"])
def test_spaces_around_an_epsg_code_are_no_part_of_it(written):
    assert parse_crs(written) == "EPSG:4549"


@pytest.mark.parametrize("src, dst", [("GCJ02", "EPSG:4326"), ("BD09", "EPSG:4549"), ("EPSG:4326", "GCJ02")])
def test_a_point_missing_one_coordinate_is_missing_both_after_a_transform(src, dst):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings for far-off values either
        x, y = transform(np.array([np.nan, 120.6, 1e308]), np.array([28.0, np.nan, 28.0]), src, dst)
    assert np.isnan(x[:2]).all() and np.isnan(y[:2]).all()


def test_coordinates_that_are_no_numbers_are_an_input_error():
    from stdaddr.errors import InputError

    with pytest.raises(InputError, match="coordinates must be numbers"):
        transform("abc", "28", "WGS84", "GCJ02")


@pytest.mark.parametrize("name", ["Mars2000", "IAU_2015:49900"])
def test_a_crs_of_another_body_than_the_earth_is_refused(name):
    """pyproj knows the CRSs of Mars and the Moon; no address lies there."""
    with pytest.raises(CRSError, match="Earth"):
        parse_crs(name)


@pytest.mark.parametrize("crs", ["EPSG:5773", "EPSG:4978"])
def test_a_crs_without_horizontal_x_and_y_is_refused(crs):
    """A height datum (EPSG:5773) gave a geocoded point swapped and labelled with it."""
    from stdaddr.crs import parse_crs

    with pytest.raises(CRSError, match="no horizontal x and y"):
        parse_crs(crs)
