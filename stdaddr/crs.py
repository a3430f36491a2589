"""Coordinate reference systems: EPSG via pyproj, plus the Chinese pseudo-CRSs GCJ-02 and BD-09.

``transform(x, y, src, dst)`` converts arrays (or scalars) between any two of them:

- EPSG to EPSG is one cached ``pyproj.Transformer`` (``always_xy=True``: x is longitude or easting).
- GCJ-02 (Amap, Tencent) and BD-09 (Baidu) are obfuscations of WGS-84 that PROJ does not know. They are
  computed with the public formulas; their inverses are iterated until the error is below 1e-10 degree
  (about 10 micrometres), so a round trip stays far inside a centimetre.
- Between a pseudo-CRS and any other EPSG CRS the path goes through WGS-84 (EPSG:4326). CGCS2000
  (EPSG:4490) and WGS-84 differ by less than a metre, which is below the accuracy of address data, and
  PROJ treats them as the same datum.

Outside China's rough bounding box (the ``out_of_china`` test of the public formulas) GCJ-02 and BD-09
are WGS-84: points there pass through unchanged. NaN in gives NaN out.

>>> lon, lat = transform(120.65, 28.0, "EPSG:4326", "GCJ02")
>>> round(lon, 6), round(lat, 6)
(120.653964, 27.996627)
>>> back = transform(lon, lat, "gcj-02", 4326)
>>> round(back[0], 9), round(back[1], 9)
(120.65, 28.0)
"""

from __future__ import annotations

import functools
import math
import re
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from stdaddr.errors import CRSError, InputError

if TYPE_CHECKING:
    import pyproj
    from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BD09",
    "CGCS2000",
    "CHINA",
    "GCJ02",
    "WGS84",
    "in_china",
    "is_geographic",
    "is_metric",
    "no_point_in_china",
    "local_metric_crs",
    "parse_crs",
    "transform",
]

GCJ02 = "GCJ02"
BD09 = "BD09"
WGS84 = "EPSG:4326"
CGCS2000 = "EPSG:4490"
# 3-degree Gauss-Kruger zone of CGCS2000 with central meridian 120°E: Wenzhou and its neighbours.
_GK_120E = "EPSG:4549"

_PSEUDO = {"GCJ02": GCJ02, "BD09": BD09}
_ALIASES = {"WGS84": WGS84, "CGCS2000": CGCS2000}
_ACCEPTED = (
    '"EPSG:4490" or 4490 (any EPSG code), "WGS84", "CGCS2000", "GCJ02" / "GCJ-02", "BD09" / "BD-09", '
    "or a pyproj.CRS"
)

# Krasovsky 1940 ellipsoid, as the GCJ-02 formulas define it.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.006
# 1e-10 degree is about 11 micrometres on the ground; the iteration converges in 3-6 steps.
_INVERSE_TOL = 1e-10
_INVERSE_MAX_STEPS = 50


def parse_crs(value: Any) -> str:
    """Normalise a CRS given by a user to ``"EPSG:<code>"`` (or ``"AUTH:<code>"``), ``"GCJ02"`` or ``"BD09"``.

    Accepts ``"EPSG:4490"`` (any case), ``4490``, ``"4490"``, ``"WGS84"``, ``"CGCS2000"``, ``"GCJ02"`` /
    ``"GCJ-02"``, ``"BD09"`` / ``"BD-09"`` (any case), a ``pyproj.CRS`` or anything else pyproj reads that
    names an authority code. Raises :class:`~stdaddr.errors.CRSError` otherwise.

    >>> parse_crs("epsg:4490"), parse_crs(4549), parse_crs("gcj-02"), parse_crs("BD09"), parse_crs("WGS84")
    ('EPSG:4490', 'EPSG:4549', 'GCJ02', 'BD09', 'EPSG:4326')
    >>> parse_crs("Mars")
    Traceback (most recent call last):
    ...
    stdaddr.errors.CRSError: crs was 'Mars', which is not a known coordinate reference system; expected "EPSG:4490" or 4490 (any EPSG code), "WGS84", "CGCS2000", "GCJ02" / "GCJ-02", "BD09" / "BD-09", or a pyproj.CRS
    """
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return _parse_simple(value)
    if value is None or isinstance(value, bool):
        raise CRSError(_bad_crs_message(value))
    return _parse_pyproj(value, value)


@functools.lru_cache(maxsize=256)
def _parse_simple(value: str | int) -> str:
    if isinstance(value, int):
        return _parse_pyproj(f"EPSG:{value}", value)
    key = value.strip().upper().replace("-", "").replace("_", "").replace(" ", "")
    if key in _PSEUDO:
        return _PSEUDO[key]
    if key in _ALIASES:
        return _ALIASES[key]
    if key.isdigit():
        return _parse_pyproj(f"EPSG:{key}", value)
    # "EPSG:4549 ", "epsg: 4549": spaces around the code are no part of it.
    return _parse_pyproj(re.sub(r"\s*:\s*", ":", value.strip()), value)


def _parse_pyproj(crs_input: Any, original: Any) -> str:
    import pyproj

    try:
        crs = pyproj.CRS.from_user_input(crs_input)
    except (pyproj.exceptions.CRSError, TypeError, ValueError):
        raise CRSError(_bad_crs_message(original)) from None
    ellipsoid = crs.ellipsoid
    if ellipsoid is not None and abs(ellipsoid.semi_major_metre - _EARTH_SEMI_MAJOR_M) > _EARTH_SLACK_M:
        # Mars2000, IAU_2015:49900: pyproj knows the CRSs of other bodies, which no address lies on.
        raise CRSError(f"crs was {_short(original)}, which is no coordinate reference system of the Earth")
    if crs.is_vertical or not (crs.is_geographic or crs.is_projected) or crs.is_geocentric:
        # EPSG:5773 (a height datum), EPSG:4978 (geocentric): no x and y of a place on a map.
        raise CRSError(f"crs was {_short(original)}, which has no horizontal x and y; expected {_ACCEPTED}")
    authority = crs.to_authority(min_confidence=70)
    if authority is None:
        raise CRSError(
            f"crs was {_short(original)}, which has no EPSG or other authority code; expected {_ACCEPTED}"
        )
    name = f"{authority[0].strip().upper()}:{authority[1].strip()}"
    # OGC:CRS84 is WGS-84 with x = longitude, which always_xy makes identical to EPSG:4326 here.
    return WGS84 if name == "OGC:CRS84" else name


# The Earth's equatorial radius (WGS-84, CGCS2000), and how far the ellipsoids of the Earth's CRSs stray
# from it (Clarke 1866 and Krassowsky differ by under 200 m; the Moon's is 1,737 km, Mars' 3,396 km).
_EARTH_SEMI_MAJOR_M = 6_378_137.0
_EARTH_SLACK_M = 50_000.0


def _bad_crs_message(value: Any) -> str:
    return f"crs was {_short(value)}, which is not a known coordinate reference system; expected {_ACCEPTED}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def is_geographic(crs: Any) -> bool:
    """True when coordinates in ``crs`` are longitude/latitude degrees (GCJ-02 and BD-09 are).

    >>> is_geographic("EPSG:4490"), is_geographic("GCJ02"), is_geographic(4549)
    (True, True, False)
    """
    name = parse_crs(crs)
    if name in (GCJ02, BD09):
        return True
    return bool(_pyproj_crs(name).is_geographic)


def is_metric(crs: Any) -> bool:
    """True when ``crs`` is projected with both axes in metres, so distances can be measured in it.

    >>> is_metric("EPSG:4549"), is_metric("EPSG:4326"), is_metric("BD09")
    (True, False, False)
    """
    name = parse_crs(crs)
    if name in (GCJ02, BD09):
        return False
    pcrs = _pyproj_crs(name)
    return bool(pcrs.is_projected) and all(axis.unit_name == "metre" for axis in pcrs.axis_info[:2])


def local_metric_crs(lon_min: float, lat_min: float, lon_max: float, lat_max: float) -> str:
    """A projected metric CRS suited to an area given by its WGS-84 (or CGCS2000) bounds.

    EPSG:4549 (CGCS2000 3-degree Gauss-Kruger, central meridian 120°E) when the whole area lies within
    118.5°E-121.5°E, the zone that covers Wenzhou; otherwise the WGS-84 UTM zone of the area's centre.

    >>> local_metric_crs(120.0, 27.5, 121.0, 28.5)
    'EPSG:4549'
    >>> local_metric_crs(116.2, 39.8, 116.5, 40.0)
    'EPSG:32650'
    """
    values = (lon_min, lat_min, lon_max, lat_max)
    if not all(math.isfinite(v) for v in values) or lon_min > lon_max or lat_min > lat_max:
        raise InputError(f"bounds were {values}; expected finite (lon_min, lat_min, lon_max, lat_max)")
    if lon_min >= 118.5 and lon_max <= 121.5:
        return _GK_120E
    lon = (lon_min + lon_max) / 2.0
    lat = (lat_min + lat_max) / 2.0
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


@functools.lru_cache(maxsize=64)
def _pyproj_crs(name: str) -> pyproj.CRS:
    import pyproj

    return pyproj.CRS.from_user_input(name)


@functools.lru_cache(maxsize=64)
def _transformer(src: str, dst: str) -> pyproj.Transformer:
    # pyproj >= 3.1 transformers are thread-safe, so one cached instance serves every thread.
    import pyproj

    return pyproj.Transformer.from_crs(_pyproj_crs(src), _pyproj_crs(dst), always_xy=True)


@overload
def transform(x: float, y: float, src: Any, dst: Any) -> tuple[float, float]: ...
@overload
def transform(
    x: ArrayLike, y: ArrayLike, src: Any, dst: Any
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def transform(x: Any, y: Any, src: Any, dst: Any) -> tuple[Any, Any]:
    """Transform coordinates from ``src`` to ``dst``; x is longitude or easting, y latitude or northing.

    ``x`` and ``y`` are arrays of the same shape (returned as new float64 arrays) or two scalars
    (returned as floats). CRSs are anything :func:`parse_crs` accepts.

    >>> import numpy as np
    >>> x, y = transform(np.array([120.65, np.nan]), np.array([28.0, 28.0]), "EPSG:4490", "EPSG:4549")
    >>> x.round(1).tolist(), y.round(1).tolist()
    ([563936.0, nan], [3098612.0, nan])
    >>> transform(2.35, 48.85, "WGS84", "BD09")  # outside China: unchanged
    (2.35, 48.85)
    """
    src_name, dst_name = parse_crs(src), parse_crs(dst)
    scalar = np.ndim(x) == 0 and np.ndim(y) == 0
    try:
        xs = np.array(x, dtype=np.float64)
        ys = np.array(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"coordinates must be numbers (NaN for a missing one): {exc}") from None
    if xs.shape != ys.shape:
        raise InputError(f"x has shape {xs.shape} but y has shape {ys.shape}; expected the same shape")
    if src_name != dst_name:
        # A point missing either coordinate is missing both after any transform (not half of it).
        missing = ~(np.isfinite(xs) & np.isfinite(ys))
        xs, ys = _convert(xs, ys, src_name, dst_name)
        if missing.any():
            xs, ys = np.where(missing, np.nan, xs), np.where(missing, np.nan, ys)
    if scalar:
        return float(xs), float(ys)
    return xs, ys


def _convert(
    x: NDArray[np.float64], y: NDArray[np.float64], src: str, dst: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if src in _PSEUDO.values():
        x, y = _inverse(x, y, src)
        src = WGS84
    if dst in _PSEUDO.values():
        if src != WGS84:
            x, y = _transformer(src, WGS84).transform(x, y)
        return _forward(x, y, dst)
    if src == dst:
        return x, y
    return _transformer(src, dst).transform(x, y)


def _out_of_china(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    # The rough box of the public formulas; NaN compares False, so NaN stays "in China" and stays NaN.
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _gcj_offsets(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[Any, Any]:
    """Offsets in degrees that GCJ-02 adds to a WGS-84 point inside China."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _bd_rotate(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[Any, Any]:
    """GCJ-02 to BD-09: a small position-dependent rotation and scale, then a fixed shift."""
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + _BD_DLON, z * np.sin(theta) + _BD_DLAT


def _forward(
    lon: NDArray[np.float64], lat: NDArray[np.float64], dst: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """WGS-84 to GCJ-02 or BD-09, with the pass-through outside China."""
    with np.errstate(over="ignore", invalid="ignore"):  # far outside China: passed through below
        dlon, dlat = _gcj_offsets(lon, lat)
    out_lon, out_lat = lon + dlon, lat + dlat
    if dst == BD09:
        out_lon, out_lat = _bd_rotate(out_lon, out_lat)
    outside = _out_of_china(lon, lat)
    return np.where(outside, lon, out_lon), np.where(outside, lat, out_lat)


def _inverse(
    lon: NDArray[np.float64], lat: NDArray[np.float64], src: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """GCJ-02 or BD-09 to WGS-84 by fixed-point iteration of the forward formula.

    The forward map is the identity plus an offset that changes slowly with position (its derivative is
    a few thousandths), so w <- w - (forward(w) - target) contracts quickly. Each point stops on its own
    step size, so its result does not depend on the other points of the batch.
    """
    target_lon = lon.ravel()
    target_lat = lat.ravel()
    wlon = target_lon.copy()
    wlat = target_lat.copy()
    active = np.flatnonzero(np.isfinite(wlon) & np.isfinite(wlat))
    for _ in range(_INVERSE_MAX_STEPS):
        if active.size == 0:
            break
        flon, flat = _forward(wlon[active], wlat[active], src)
        step_lon = flon - target_lon[active]
        step_lat = flat - target_lat[active]
        wlon[active] -= step_lon
        wlat[active] -= step_lat
        active = active[(np.abs(step_lon) >= _INVERSE_TOL) | (np.abs(step_lat) >= _INVERSE_TOL)]
    return wlon.reshape(lon.shape), wlat.reshape(lat.shape)


# China's extent with a margin (CGCS2000/WGS-84 degrees): points outside it are errors in a Chinese base
# or grid.
CHINA = (73.0, 3.5, 135.5, 54.0)


def in_china(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Whether each longitude/latitude lies in China's extent (:data:`CHINA`)."""
    west, south, east, north = CHINA
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def no_point_in_china(crs: str, x: NDArray[np.float64], y: NDArray[np.float64], whose: str) -> str:
    """Why coordinates are refused when none of them lies in China in the CRS given (``whose``: "the
    40 records'", "the 6 cells'"): most likely the CRS is wrong (lon/lat declared as EPSG:3857, metres
    declared as EPSG:4490), or x and y are swapped."""
    hint = ""
    if not is_geographic(crs) and in_china(x, y).mean() > 0.5:
        hint = '; they read as longitude/latitude: crs="EPSG:4490" (CGCS2000) or "EPSG:4326" (WGS-84)?'
    elif is_geographic(crs) and in_china(y, x).mean() > 0.5:
        hint = "; they read as latitude/longitude: are the x and y columns swapped?"
    elif is_geographic(crs):
        hint = '; projected coordinates in metres? give their CRS, e.g. crs="EPSG:4549"'
    elif _swapped_in_china(crs, x, y):
        # 3306000, 649000 in EPSG:4549: the northing given as x, as Chinese surveying names its axes
        hint = "; with x and y swapped they lie in China: is the northing (X in surveying) given as x?"
    return f"none of the {whose} coordinates lies in China in {crs}, the CRS given for them{hint}"


def _swapped_in_china(crs: str, x: NDArray[np.float64], y: NDArray[np.float64]) -> bool:
    """Whether most of the points lie in China with x and y swapped (a projected CRS)."""
    sample = slice(0, 1000)
    with np.errstate(invalid="ignore"):
        lon, lat = transform(
            np.asarray(y[sample], dtype=float), np.asarray(x[sample], dtype=float), crs, "EPSG:4326"
        )
    ok = np.isfinite(lon) & np.isfinite(lat)
    return bool(ok.any() and in_china(lon[ok], lat[ok]).mean() > 0.5)
