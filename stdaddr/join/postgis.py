"""The join's tables in PostgreSQL/PostGIS, loaded with COPY through psycopg 3.

The same five tables as the GeoPackage, in one schema: ``events``, ``multi_department_addresses``
(points, ``geom geometry(Point, SRID)``), ``cell_department_counts``, ``cell_month_counts`` and
``grid_cells`` (``geom geometry(MultiPolygon, SRID)``), with a GIST index on each geometry and b-tree
indexes on the join keys. Everything happens in one transaction: readers see the previous tables or
the new ones, never a half-loaded table, and a failure leaves the database as it was.

Rows go in as CSV written by pyarrow (nulls unquoted, empty text quoted) and geometries as hex EWKB,
so the server parses them in C; no row passes through Python objects.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from stdaddr.errors import DataError, InputError

if TYPE_CHECKING:
    import geopandas as gpd
    import pyarrow as pa

__all__ = ["write_postgis", "srid_of", "redact"]

_BATCH_ROWS = 200_000
# Indexes on the keys the tables are joined and filtered on (the geometry's GIST index is added to
# every table with a geometry). Not on events.department: a few dozen values select too many rows.
_INDEXES = {
    "events": ("address_id", "grid_code"),
    "multi_department_addresses": ("address_id",),
    "cell_department_counts": ("grid_code", "department"),
    "cell_month_counts": ("grid_code", "department", "month"),
    "grid_cells": ("grid_code",),
}


def srid_of(crs: str) -> int:
    """The SRID of an EPSG CRS; 0 (unknown) for GCJ-02 and BD-09, which have none."""
    match = re.fullmatch(r"EPSG:(\d+)", crs)
    return int(match.group(1)) if match else 0


def redact(url: str) -> str:
    """The URL with its password replaced by ``***``."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def write_postgis(
    url: str,
    *,
    schema: str,
    crs: str,
    events: pa.Table,
    multi: pa.Table,
    cell_counts: pa.Table | None,
    month_counts: pa.Table | None,
    cells: gpd.GeoDataFrame | None,
    log: Callable[[str], None] | None = None,
) -> tuple[str, ...]:
    """Replace the join's tables in ``schema`` of the database at ``url``; returns the table names."""
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        raise InputError(
            "writing to PostGIS needs psycopg 3: pip install 'psycopg[binary]' (or stdaddr[postgis])"
        ) from None
    say = log or (lambda _: None)
    srid = srid_of(crs)
    try:
        conn = psycopg.connect(url)
    except psycopg.Error as exc:
        raise DataError(f"cannot connect to PostgreSQL at {redact(url)}: {str(exc).strip()}") from None
    written = []
    try:
        with conn.transaction(), conn.cursor() as cur:
            _prepare(cur, schema, srid)
            tables = [
                ("events", events, "Point"),
                ("multi_department_addresses", multi, "Point"),
                ("cell_department_counts", cell_counts, None),
                ("cell_month_counts", month_counts, None),
            ]
            for name, table, geometry in tables:
                if table is None:
                    continue
                say(f"PostGIS: {schema}.{name} ({table.num_rows:,} rows)")
                _load(cur, schema, name, table, geometry, srid)
                written.append(name)
            if cells is not None:
                say(f"PostGIS: {schema}.grid_cells ({len(cells):,} cells)")
                _load(cur, schema, "grid_cells", _cells_table(cells, srid), "MultiPolygon", srid)
                written.append("grid_cells")
            # A list of departments is an array in SQL (a "|"-joined text in the GeoPackage).
            cur.execute(
                sql.SQL(
                    "ALTER TABLE {} ALTER COLUMN departments TYPE text[] USING string_to_array(departments, '|')"
                ).format(sql.Identifier(schema, "multi_department_addresses"))
            )
        conn.autocommit = True
        with conn.cursor() as cur:
            for name in written:
                cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, name)))
    except psycopg.Error as exc:
        raise DataError(
            f"PostgreSQL at {redact(url)} refused the join's tables: {str(exc).strip()}"
        ) from None
    finally:
        conn.close()
    return tuple(written)


def _prepare(cur: Any, schema: str, srid: int) -> None:
    """The PostGIS extension (created when missing and allowed), the schema, and a known SRID."""
    from psycopg import sql

    cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if cur.fetchone() is None:
        cur.execute("CREATE EXTENSION postgis")
    cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    if srid:
        cur.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", (srid,))
        if cur.fetchone() is None:
            raise DataError(
                f"the base's CRS EPSG:{srid} is not in this PostGIS's spatial_ref_sys; add it first"
            )


def _load(cur: Any, schema: str, name: str, table: pa.Table, geometry: str | None, srid: int) -> None:
    from psycopg import sql

    table = _plain(table)
    if geometry == "Point":
        table = table.append_column("geom", _point_ewkb_hex(table.column("x"), table.column("y"), srid))
    columns = [
        sql.SQL("{} {}").format(sql.Identifier(f.name), sql.SQL(_sql_type(f.type))) for f in table.schema
    ]
    if geometry is not None:
        columns[-1] = sql.SQL("geom geometry({}, {})").format(sql.SQL(geometry), sql.Literal(srid))
    target = sql.Identifier(schema, name)
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
    cur.execute(sql.SQL("CREATE TABLE {} ({})").format(target, sql.SQL(", ").join(columns)))
    names = sql.SQL(", ").join(sql.Identifier(n) for n in table.column_names)
    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(target, names)) as copy:
        for block in _csv_blocks(table):
            copy.write(block)
    for column in _INDEXES[name]:
        cur.execute(sql.SQL("CREATE INDEX ON {} ({})").format(target, sql.Identifier(column)))
    if geometry is not None:
        cur.execute(sql.SQL("CREATE INDEX ON {} USING GIST (geom)").format(target))


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary columns as text (CSV and PostgreSQL know no dictionaries)."""
    import pyarrow as pa

    for j, f in enumerate(table.schema):
        if pa.types.is_dictionary(f.type):
            table = table.set_column(j, f.name, table.column(j).cast(f.type.value_type))
    return table


def _sql_type(t: pa.DataType) -> str:
    import pyarrow as pa

    if pa.types.is_int16(t):
        return "smallint"
    if pa.types.is_int32(t):
        return "integer"
    if pa.types.is_integer(t):
        return "bigint"
    if pa.types.is_floating(t):
        return "double precision"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_date(t):
        return "date"
    return "text"


def _csv_blocks(table: pa.Table) -> Iterator[bytes]:
    import pyarrow.csv as pcsv

    options = pcsv.WriteOptions(include_header=False)
    for start in range(0, table.num_rows, _BATCH_ROWS):
        buffer = io.BytesIO()
        pcsv.write_csv(table.slice(start, _BATCH_ROWS), buffer, options)
        yield buffer.getvalue()


def _point_ewkb_hex(x: pa.ChunkedArray, y: pa.ChunkedArray, srid: int) -> pa.Array:
    """Points as hex EWKB with the SRID (25 bytes each), built with numpy; null without coordinates."""
    import pyarrow as pa

    xs = x.to_numpy().astype(np.float64)
    ys = y.to_numpy().astype(np.float64)
    ok = np.isfinite(xs) & np.isfinite(ys)
    record = np.dtype([("order", "u1"), ("type", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")])
    buffer = np.empty(int(ok.sum()), dtype=record)
    buffer["order"], buffer["type"], buffer["srid"] = 1, 0x20000001, srid  # 0x20000000: an SRID follows
    buffer["x"], buffer["y"] = xs[ok], ys[ok]
    width = 2 * record.itemsize
    hexes = np.frombuffer(buffer.tobytes().hex().encode(), dtype=f"S{width}")
    offsets = np.zeros(len(xs) + 1, dtype=np.int32)
    np.cumsum(np.where(ok, width, 0), out=offsets[1:])
    validity = pa.array(ok).buffers()[1]
    return pa.Array.from_buffers(
        pa.string(),
        len(xs),
        [validity, pa.py_buffer(offsets), pa.py_buffer(hexes.tobytes())],
        null_count=int((~ok).sum()),
    )


def _cells_table(cells: gpd.GeoDataFrame, srid: int) -> pa.Table:
    import pyarrow as pa
    import shapely

    geoms = cells.geometry.to_numpy()
    single = shapely.get_type_id(geoms) == 3
    geoms = geoms.copy()
    geoms[single] = [shapely.MultiPolygon([g]) for g in geoms[single]]
    hexes = shapely.to_wkb(shapely.set_srid(geoms, srid), hex=True, include_srid=True)
    table = pa.Table.from_pandas(cells.drop(columns=cells.geometry.name), preserve_index=False)
    return table.append_column("geom", pa.array(hexes, pa.string()))
