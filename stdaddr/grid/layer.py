"""Reading grid layers: files, CRS resolution and codes as strings."""

from __future__ import annotations

import math
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from stdaddr.crs import BD09, GCJ02, is_geographic, parse_crs, transform
from stdaddr.errors import ColumnError, CRSError, DataError, InputError

if TYPE_CHECKING:
    import geopandas as gpd
    from numpy.typing import NDArray

_PARQUET = (".parquet", ".geoparquet")
_FORMATS = "GeoJSON, Shapefile, GeoPackage (or another OGR vector format) or GeoParquet"


def read_layer(
    path: str | Path, *, layer: str | int | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """Read a vector file with pyogrio, or GeoParquet with geopandas, raising DataError when it can't.

    ``encoding`` is the text encoding of a Shapefile's attributes when its ``.cpg`` does not say it. A
    Shapefile without one whose text reads as GBK/GB18030 (as Chinese offices' files often are; the
    default would garble it) is read so."""
    import geopandas as gpd
    import pyogrio

    file = Path(path)
    if not file.exists():
        raise DataError(f'grid file "{path}" does not exist; expected a {_FORMATS} file')
    try:
        if file.suffix.lower() in _PARQUET:
            if layer is not None:
                raise InputError(f"layer was {layer!r} but a GeoParquet file has one layer; expected None")
            return gpd.read_parquet(file)
        if layer is None:
            layer = one_layer_of(file, "Polygon", "grid", "--grid-layer")
        if encoding is not None:
            return pyogrio.read_dataframe(file, layer=layer, encoding=encoding)
        frame = pyogrio.read_dataframe(file, layer=layer)
        if _gbk_shapefile(file, frame):
            return pyogrio.read_dataframe(file, layer=layer, encoding="GB18030")
        return frame
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise DataError(f'cannot read grid file "{path}": {exc}; expected a {_FORMATS} file') from exc


def one_layer_of(file: Path, geometry: str, what: str, option: str) -> str | None:
    """The layer to read from a file of several (a GeoPackage with the cells and other layers): its one
    layer of ``geometry`` (Polygon, Point); None for a file of one layer. Several candidates raise
    InputError naming the layers, rather than reading the first with a warning."""
    import pyogrio

    layers = pyogrio.list_layers(file)
    if len(layers) < 2:
        return None
    fitting = [str(name) for name, kind in layers if kind is not None and geometry in str(kind)]
    if len(fitting) == 1:
        return fitting[0]
    names = ", ".join(str(name) for name, _ in layers)
    raise InputError(
        f'{what} file "{file}" has {len(layers)} layers ({names}); give the layer to read (layer=, {option})'
    )


def _gbk_shapefile(file: Path, frame: gpd.GeoDataFrame) -> bool:
    """Whether a Shapefile without a .cpg was read as Latin-1 though its text is GBK (黄龙 read as 'ÆÕÁú')."""
    if file.suffix.lower() != ".shp" or any(file.with_suffix(s).exists() for s in (".cpg", ".CPG")):
        return False
    texts = [str(c) for c in frame.columns]
    for column in frame.columns:
        if frame[column].dtype == object and column != frame.geometry.name:
            texts.extend(v for v in frame[column].head(200).tolist() if isinstance(v, str))
    garbled = [t for t in texts if any("\x80" <= ch <= "\xff" for ch in t)]
    if not garbled:
        return False
    try:
        decoded = [t.encode("latin-1").decode("gb18030") for t in garbled]
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in decoded)


def resolve_crs(stated: Any, declared: Any, *, what: str) -> str:
    """The CRS of some data from the CRS it states (a file's, a GeoSeries') and the one the user declared.

    GCJ-02 and BD-09 can only be declared (no file states them), over data stating a geographic CRS or
    nothing. Two different real CRSs are an error naming both.
    """
    declared_name = None if declared is None else parse_crs(declared)
    stated_name = _identify(stated, declared_name, what) if stated is not None else None
    if declared_name is None:
        if stated_name is None:
            raise CRSError(
                f"{what} states no CRS and none was given; pass crs=, e.g. "
                '"EPSG:4490", "EPSG:4326", "EPSG:4549", "GCJ02" or "BD09"'
            )
        return stated_name
    if stated_name is None or stated_name == declared_name:
        return declared_name
    if declared_name in (GCJ02, BD09):
        if is_geographic(stated_name):
            return declared_name
        raise CRSError(
            f'crs was "{declared}" (longitude/latitude) but {what} states the projected CRS {stated_name}'
        )
    if _equivalent(stated, declared_name):
        return declared_name
    raise CRSError(
        f'crs was "{declared}" ({declared_name}) but {what} states {stated_name}; '
        "pass the CRS the data is really in, or transform the data first"
    )


# Longest edge before a geometry changes CRS, in degrees (about 100 m) and in metres: an edge straight in
# one CRS bends in another, and pieces this short keep the bend under a millimetre.
_SEGMENT_DEGREES = 0.001
_SEGMENT_METRES = 100.0


def project(geoms: NDArray[np.object_], src: str, dst: str) -> NDArray[np.object_]:
    """Geometries with every vertex transformed from ``src`` to ``dst`` in one vectorised call. Edges
    are first cut into pieces of at most 0.001° (or 100 m), so that a cell keeps the edges it has in its
    own CRS (a point 20 m inside one edge of a 0.1° cell stays inside it)."""
    if src == dst:
        return geoms
    geoms = shapely.segmentize(geoms, _SEGMENT_DEGREES if is_geographic(src) else _SEGMENT_METRES)
    return shapely.transform(geoms, lambda xy: np.column_stack(transform(xy[:, 0], xy[:, 1], src, dst)))


def _identify(stated: Any, declared_name: str | None, what: str) -> str:
    """The name of a stated CRS; one without an EPSG code passes only when it equals the declared CRS."""
    try:
        return parse_crs(stated)
    except CRSError:
        if (
            declared_name is not None
            and declared_name not in (GCJ02, BD09)
            and _equivalent(stated, declared_name)
        ):
            return declared_name
        name = getattr(stated, "name", stated)
        raise CRSError(
            f'{what} states the CRS "{name}", which has no EPSG code; pass crs= with the EPSG code it stands for'
        ) from None


def _equivalent(stated: Any, declared_name: str) -> bool:
    import pyproj

    stated_crs = pyproj.CRS.from_user_input(stated)
    return bool(stated_crs.equals(pyproj.CRS.from_user_input(declared_name), ignore_axis_order=True))


def codes_column(frame: Any, column: str, *, what: str) -> NDArray[np.object_]:
    """The values of ``column`` as code strings, None for missing or blank ones."""
    if column not in frame.columns:
        names = [str(c) for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)]
        if not names and len(frame) == 0:
            raise DataError(f"{what} has no features; expected polygons with a code column")
        raise ColumnError(f'code_column was "{column}" but {what} has the columns {names}')
    if list(frame.columns).count(column) > 1:
        raise ColumnError(
            f'{what} has two or more columns named "{column}"; rename them so that one is the code'
        )
    values = frame[column]
    missing = values.isna().to_numpy()
    return np.array(
        [None if gone else code_text(value) for value, gone in zip(values.tolist(), missing, strict=True)],
        dtype=object,
    )


def code_text(value: Any) -> str | None:
    """A code as text. Strings are kept as they are (leading zeros and all); numbers a file stored as
    numbers are written without a decimal part, since codes are never fractional.

    >>> code_text("001"), code_text(330302001), code_text(330302001001001.0), code_text(float("nan"))
    ('001', '330302001', '330302001001001', None)
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, Integral) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, Real):
        number = float(value)
        if math.isnan(number):
            return None
        # Float64 holds integers exactly up to 2**53, which covers 15-digit grid codes.
        if number.is_integer() and abs(number) < 2**53:
            return str(int(number))
        return repr(number)
    text = str(value)
    return text if text.strip() else None
