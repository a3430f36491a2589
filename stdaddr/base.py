"""The standard address base: load a table of records, validate it, parse and index it, save the index.

:class:`AddressBase` is built once from the user's table (CSV, Excel, Parquet, GeoPackage or a
DataFrame) and then answers :meth:`AddressBase.match` queries (the algorithm is in :mod:`stdaddr.match`).

Building parses every address once (on both cores for big bases) and keeps only compact columns: one
int32 column per address field pointing into that field's vocabulary, the coordinates, and sorted keys
that group the records by road, door, compound and division. The index file written by
:meth:`AddressBase.save` holds exactly these arrays (``docs/matching.md`` describes the format).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from stdaddr.crs import is_geographic, parse_crs, transform
from stdaddr.errors import ColumnError, DataError, InputError
from stdaddr.models import DIVISION_FIELDS, FIELDS, MATCH_LEVELS, written
from stdaddr.workers import default_workers, run_chunks

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from stdaddr.models import Match

__all__ = ["AddressBase", "BaseReport", "RecordIssue", "INDEX_FORMAT", "INDEX_VERSION"]

INDEX_FORMAT = "stdaddr-address-index"
# Bump when the arrays or their meaning change; load() refuses other versions (rebuild from the table).
# 2: the field matrix is stored one row per column (a field's values are contiguous).
INDEX_VERSION = 2

CODE_FIELDS = tuple(f"{f}_code" for f in DIVISION_FIELDS)
# The columns of the field matrix: one value id per record and column (-1: the record has no value).
# The matrix is stored transposed, one row per column, so that scoring a field reads contiguous values.
COLUMNS = (*FIELDS, *CODE_FIELDS)
COLUMN_INDEX = {c: j for j, c in enumerate(COLUMNS)}
_CHUNK = 20_000
# Below this many records a process pool costs more to start than it saves.
_PARALLEL_MIN = 40_000
# China's extent with a margin (CGCS2000/WGS-84 degrees): points outside it are errors in a Chinese base.
_CHINA = (73.0, 3.5, 135.5, 54.0)
_VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".fgb", ".gml", ".kml")
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet")
_SHOWN = 5  # issues of each kind printed by str(report)

# The issue lists of BaseReport in the order str() prints them, with their titles.
_ISSUE_KINDS = (
    ("empty_ids", "rows without an id (left out)"),
    ("duplicate_ids", "rows repeating an earlier id (left out; the first row is kept)"),
    ("empty_addresses", "rows with an empty address (left out)"),
    ("unparseable", "addresses in which no level was found (left out)"),
    ("bad_coordinates", "records with missing or implausible coordinates (indexed without a point)"),
    ("ambiguous", "records whose divisions are ambiguous (indexed with the levels their readings share)"),
)


@dataclass(frozen=True, slots=True)
class RecordIssue:
    """A problem with one row of the base table: its 0-based row number, its id, the value and what is wrong."""

    row: int
    address_id: str | None
    value: str
    problem: str


@dataclass(frozen=True, slots=True)
class BaseReport:
    """What building an :class:`AddressBase` found.

    Rows with an empty id, a duplicate id (the first row of an id is kept), an empty address or an
    address in which no level was found are left out of the index. Records with missing or implausible
    coordinates are indexed without coordinates. Records whose divisions are ambiguous are indexed with
    the levels their readings share.

    >>> r = BaseReport(n_rows=3, n_records=3, crs="EPSG:4490")
    >>> r.ok
    True
    >>> print(r)
    address base: 3 rows, 3 records indexed; CRS EPSG:4490
      no problems found
    """

    n_rows: int
    n_records: int
    crs: str
    empty_ids: tuple[RecordIssue, ...] = ()
    duplicate_ids: tuple[RecordIssue, ...] = ()
    empty_addresses: tuple[RecordIssue, ...] = ()
    unparseable: tuple[RecordIssue, ...] = ()
    bad_coordinates: tuple[RecordIssue, ...] = ()
    ambiguous: tuple[RecordIssue, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every row was indexed as it is."""
        return not any(getattr(self, name) for name, _ in _ISSUE_KINDS)

    @property
    def n_dropped(self) -> int:
        """Rows left out of the index."""
        return self.n_rows - self.n_records

    def __str__(self) -> str:
        lines = [f"address base: {self.n_rows:,} rows, {self.n_records:,} records indexed; CRS {self.crs}"]
        for name, title in _ISSUE_KINDS:
            issues = getattr(self, name)
            if not issues:
                continue
            lines.append(f"  {len(issues):,} {title}")
            for issue in issues[:_SHOWN]:
                ident = "" if issue.address_id is None else f" id {issue.address_id}"
                lines.append(f"    row {issue.row}{ident}: {issue.problem}: {issue.value!r:.80}")
            if len(issues) > _SHOWN:
                lines.append(f"    ... and {len(issues) - _SHOWN:,} more")
        if self.ok:
            lines.append("  no problems found")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (JSON-ready) of the counts and every issue."""
        return asdict(self)


class AddressBase:
    """A standard address base: records with an id, a parsed address and a point, indexed for matching.

    Build it with :meth:`from_file` or :meth:`from_dataframe`; save the index with :meth:`save` and
    load it again with :meth:`load` (much faster than building). ``report`` says what was found wrong
    in the table; ``crs`` is the CRS of the coordinates.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["a1", "a2"], "addr": ["鹿城区五马街道解放街12号", "鹿城区五马街道解放街14号"],
    ...                    "lon": [120.65, 120.651], "lat": [28.01, 28.011]})
    >>> base = AddressBase.from_dataframe(df, id_column="id", address_column="addr", x_column="lon", y_column="lat")
    >>> len(base), base.crs
    (2, 'EPSG:4490')
    >>> m = base.match("解放街14号")
    >>> m.address_id, m.level, m.standard
    ('a2', 'house_number', '浙江省温州市鹿城区五马街道解放街14号')
    """

    def __init__(
        self, arrays: dict[str, np.ndarray], vocab: dict[str, list[str]], *, crs: str, report: BaseReport
    ):
        # Use from_file / from_dataframe / load: the arrays must come from build_arrays or an index file.
        self._a = arrays
        self._vocab = vocab
        self.crs = crs
        self.report = report
        self._tables: Any = None  # query-side lookup tables, built by stdaddr.match on first use

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        id_column: str,
        address_column: str,
        x_column: str | None = None,
        y_column: str | None = None,
        crs: Any = None,
        layer: str | int | None = None,
        sheet: str | int = 0,
        encoding: str | None = None,
        workers: int | None = None,
    ) -> AddressBase:
        """Build a base from a CSV/TSV (encoding detected), Excel, Parquet or vector file (GeoPackage, ...).

        Tables take their coordinates from ``x_column``/``y_column`` (both or neither), in ``crs``
        (default EPSG:4490, CGCS2000). Vector files of points take them from the geometry and their CRS
        from the file; a ``crs`` that contradicts the file's raises :class:`~stdaddr.errors.CRSError`
        (GCJ-02 and BD-09, which no file can state, may be declared over a geographic file).
        """
        file = Path(path)
        if not file.exists():
            raise InputError(f'base file "{path}" does not exist')
        suffix = file.suffix.lower()
        if suffix in _VECTOR_SUFFIXES or (suffix in (".parquet", ".geoparquet") and _is_geoparquet(file)):
            if x_column is not None or y_column is not None:
                return cls.from_dataframe(
                    _read_vector(file, layer),
                    id_column=id_column,
                    address_column=address_column,
                    x_column=x_column,
                    y_column=y_column,
                    crs=crs,
                    workers=workers,
                )
            return _from_points(file, layer, id_column, address_column, crs, workers)
        if suffix not in _TABLE_SUFFIXES:
            raise InputError(
                f'base file "{path}" has suffix "{suffix}"; expected one of {", ".join(_TABLE_SUFFIXES + _VECTOR_SUFFIXES)}'
            )
        from stdaddr.io import read_table

        frame = read_table(file, encoding=encoding, sheet=sheet)
        return cls.from_dataframe(
            frame,
            id_column=id_column,
            address_column=address_column,
            x_column=x_column,
            y_column=y_column,
            crs=crs,
            workers=workers,
        )

    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        *,
        id_column: str,
        address_column: str,
        x_column: str | None = None,
        y_column: str | None = None,
        crs: Any = None,
        workers: int | None = None,
    ) -> AddressBase:
        """Build a base from a DataFrame: ids (made strings), addresses and optional coordinates.

        ``crs`` defaults to EPSG:4490 (CGCS2000). ``workers`` processes parse the addresses
        (default: the usable cores, at most 2; bases under 40,000 records are parsed in this process).
        """
        names: dict[str, str | None] = {"id_column": id_column, "address_column": address_column}
        if (x_column is None) != (y_column is None):
            raise InputError(f"x_column was {x_column!r} and y_column {y_column!r}; expected both or neither")
        if x_column is not None:
            names.update(x_column=x_column, y_column=y_column)
        for arg, column in names.items():
            if column not in df.columns:
                raise ColumnError(
                    f'{arg} was "{column}" but the table has the columns {[str(c) for c in df.columns]}'
                )
        crs_name = parse_crs("EPSG:4490" if crs is None else crs)
        x = _numbers(df[x_column]) if x_column is not None else None
        y = _numbers(df[y_column]) if y_column is not None else None
        return _build(df[id_column].tolist(), df[address_column].tolist(), x, y, crs_name, workers)

    @classmethod
    def load(cls, path: str | Path) -> AddressBase:
        """Load an index written by :meth:`save`; it holds arrays only, so loading runs no code (docs/matching.md)."""
        file = Path(path)
        if not file.exists():
            raise InputError(f'index file "{path}" does not exist')
        try:
            with np.load(file, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != INDEX_FORMAT:
                    raise DataError(
                        f'"{path}" is not a stdaddr address index (format {meta.get("format")!r})'
                    )
                if meta.get("version") != INDEX_VERSION:
                    raise DataError(
                        f'index file "{path}" has version {meta.get("version")!r} but this stdaddr reads version '
                        f"{INDEX_VERSION}; build the base again from its table and save it"
                    )
                arrays = {k[2:]: data[k] for k in data.files if k.startswith("a.")}
                vocab = {k[2:]: data[k].tolist() for k in data.files if k.startswith("v.")}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise DataError(f'cannot read index file "{path}": {exc}') from exc
        report = _report_from_dict(meta["report"])
        return cls(arrays, vocab, crs=meta["crs"], report=report)

    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` (an uncompressed ``.npz``; see docs/matching.md for its layout)."""
        from stdaddr import __version__

        meta = {
            "format": INDEX_FORMAT,
            "version": INDEX_VERSION,
            "stdaddr": __version__,
            "crs": self.crs,
            "report": self.report.to_dict(),
        }
        payload: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, ensure_ascii=False))}
        payload.update({f"a.{k}": v for k, v in self._a.items()})
        payload.update({f"v.{k}": _text_array(v) for k, v in self._vocab.items()})
        with open(path, "wb") as f:  # a file object: np.savez would append ".npz" to a path
            np.savez(f, **payload)  # type: ignore[arg-type]  # numpy's stubs mistype **arrays

    def __len__(self) -> int:
        return len(self._a["ids"])

    def __repr__(self) -> str:
        return f"<AddressBase {len(self):,} records, CRS {self.crs}>"

    @property
    def ids(self) -> NDArray[np.str_]:
        """The record ids, in index order."""
        return self._a["ids"]

    def match(self, text: Any, *, limit: int = 5, score_cutoff: float | None = None) -> Match | None:
        """The base place ``text`` names, or None when nothing is close enough. See :mod:`stdaddr.match`."""
        from stdaddr import match

        return match.match_one(self, text, limit=limit, score_cutoff=score_cutoff)

    def match_many(
        self,
        texts: Iterable[Any],
        *,
        limit: int = 5,
        score_cutoff: float | None = None,
        workers: int | None = None,
    ) -> list[Match | None]:
        """One result per input, in order, on ``workers`` processes (default: up to 2); never raises for a value."""
        from stdaddr import match

        return match.match_many(self, texts, limit=limit, score_cutoff=score_cutoff, workers=workers)

    def match_table(
        self,
        df: pd.DataFrame,
        *,
        column: str,
        limit: int = 5,
        score_cutoff: float | None = None,
        workers: int | None = None,
        prefix: str = "match_",
    ) -> pd.DataFrame:
        """A copy of ``df`` with the match of each row's ``column`` added as columns (see :func:`stdaddr.match.match_table`)."""
        from stdaddr import match

        return match.match_table(
            self, df, column=column, limit=limit, score_cutoff=score_cutoff, workers=workers, prefix=prefix
        )

    def standard(self, row: int) -> str:
        """The canonical address of the record at index position ``row``."""
        return standard_of({f: self.value(f, row) for f in FIELDS})

    def value(self, column: str, row: int) -> str | None:
        """The canonical value of one field (or ``*_code``) of the record at index position ``row``."""
        i = int(self._a["fields"][COLUMN_INDEX[column], row])
        return self._vocab[column][i] if i >= 0 else None

    def column(self, name: str) -> NDArray[np.int32]:
        """One column of the field matrix: the value id of ``name`` per record (-1: none)."""
        return self._a["fields"][COLUMN_INDEX[name]]


def standard_of(values: dict[str, str | None]) -> str:
    """An address written from its field values in level order (a municipality's city is written once)."""
    return written([values.get(f) for f in FIELDS])


def _numbers(values: pd.Series) -> NDArray[np.float64]:
    import pandas as pd

    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _text_array(values: Sequence[str]) -> np.ndarray:
    return np.array(values, dtype=str) if len(values) else np.zeros(0, dtype="<U1")


def _is_geoparquet(path: Path) -> bool:
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):
        return False
    return b"geo" in metadata


def _read_vector(path: Path, layer: str | int | None) -> Any:
    import geopandas as gpd
    import pyogrio

    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            return gpd.read_parquet(path)
        return pyogrio.read_dataframe(path, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError, ValueError) as exc:
        raise DataError(f'cannot read base file "{path}": {exc}') from exc


def _from_points(
    path: Path, layer: str | int | None, id_column: str, address_column: str, crs: Any, workers: int | None
) -> AddressBase:
    import shapely

    from stdaddr.grid.layer import resolve_crs

    frame = _read_vector(path, layer)
    for arg, column in (("id_column", id_column), ("address_column", address_column)):
        if column not in frame.columns:
            names = [str(c) for c in frame.columns if c != frame.geometry.name]
            raise ColumnError(f'{arg} was "{column}" but the layer has the columns {names}')
    crs_name = resolve_crs(frame.crs, crs, what=f'the base file "{path.name}"')
    geoms = np.asarray(frame.geometry.values)
    kinds = shapely.get_type_id(geoms)
    others = sorted({shapely.GeometryType(k).name for k in np.unique(kinds) if k not in (-1, 0)})
    if others:
        raise DataError(f'base file "{path}" has {", ".join(others)} geometries; expected points')
    points = kinds == 0
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[points] = shapely.get_x(geoms[points])
    y[points] = shapely.get_y(geoms[points])
    return _build(frame[id_column].tolist(), frame[address_column].tolist(), x, y, crs_name, workers)


def _id_text(value: Any) -> str | None:
    from stdaddr.grid.layer import code_text

    return code_text(value)


def _address_text(value: Any) -> str | None:
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return None
    return value if value.strip() else None


def _build(
    raw_ids: list[Any],
    raw_addresses: list[Any],
    x: NDArray[np.float64] | None,
    y: NDArray[np.float64] | None,
    crs: str,
    workers: int | None,
) -> AddressBase:
    """Checks → parse → index: the steps of building a base, each reporting what it left out."""
    n_rows = len(raw_ids)
    issues: dict[str, list[RecordIssue]] = {name: [] for name, _ in _ISSUE_KINDS}
    keep, ids, addresses = _check_rows(raw_ids, raw_addresses, issues)
    given = x is not None and y is not None
    if x is None or y is None:
        x = np.full(n_rows, np.nan)
        y = np.full(n_rows, np.nan)
    x, y = _check_coordinates(x[keep], y[keep], crs, keep, ids, issues, given=given)
    columns, ambiguous = parse_columns(addresses, workers=workers)
    for i in np.flatnonzero(ambiguous):
        issues["ambiguous"].append(RecordIssue(int(keep[i]), ids[i], addresses[i], "divisions are ambiguous"))
    found = np.zeros(len(ids), dtype=bool)
    for f in FIELDS:
        found |= columns[f][0] >= 0
    for i in np.flatnonzero(~found):
        issues["unparseable"].append(
            RecordIssue(int(keep[i]), ids[i], addresses[i], "no address level found")
        )
    rows = np.flatnonzero(found)
    arrays, vocab = build_arrays(
        np.array([ids[i] for i in rows], dtype=str) if len(rows) else np.zeros(0, dtype="<U1"),
        {k: (codes[rows], names) for k, (codes, names) in columns.items()},
        x[rows],
        y[rows],
    )
    report = BaseReport(
        n_rows=n_rows,
        n_records=len(rows),
        crs=crs,
        **{name: tuple(sorted(v, key=lambda i: i.row)) for name, v in issues.items()},
    )
    return AddressBase(arrays, vocab, crs=crs, report=report)


def _check_rows(
    raw_ids: list[Any], raw_addresses: list[Any], issues: dict[str, list[RecordIssue]]
) -> tuple[NDArray[np.int64], list[str], list[str]]:
    """Rows to index (the first of each id, with an address), their ids and addresses."""
    keep: list[int] = []
    ids: list[str] = []
    addresses: list[str] = []
    first: dict[str, int] = {}
    for row, (raw_id, raw_address) in enumerate(zip(raw_ids, raw_addresses, strict=True)):
        ident = _id_text(raw_id)
        if ident is None:
            issues["empty_ids"].append(RecordIssue(row, None, str(raw_address), "empty id"))
            continue
        if ident in first:
            issues["duplicate_ids"].append(
                RecordIssue(row, ident, str(raw_address), f"id already used by row {first[ident]}")
            )
            continue
        first[ident] = row
        text = _address_text(raw_address)
        if text is None:
            issues["empty_addresses"].append(RecordIssue(row, ident, str(raw_address), "empty address"))
            continue
        keep.append(row)
        ids.append(ident)
        addresses.append(text)
    return np.array(keep, dtype=np.int64), ids, addresses


def _check_coordinates(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    crs: str,
    rows: NDArray[np.int64],
    ids: list[str],
    issues: dict[str, list[RecordIssue]],
    *,
    given: bool,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The coordinates with NaN where they are missing, out of range or outside China (each reported;
    a base built without coordinate columns reports nothing).
    """
    if not given:
        return x, y
    x = x.copy()
    y = y.copy()
    missing = ~(np.isfinite(x) & np.isfinite(y))
    problem = np.full(len(x), "", dtype=object)
    problem[missing] = "missing coordinates"
    if is_geographic(crs):
        lon, lat = x, y
        out_of_range = ~missing & ((np.abs(x) > 180) | (np.abs(y) > 90))
        problem[out_of_range] = "longitude or latitude out of range"
    else:
        with np.errstate(invalid="ignore"):
            lon, lat = transform(x, y, crs, "EPSG:4326")
        out_of_range = ~missing & ~(np.isfinite(lon) & np.isfinite(lat))
        problem[out_of_range] = f"outside the area of {crs}"
    outside = ~missing & ~out_of_range & ~_in_china(lon, lat)
    problem[outside] = "outside China"
    problem[(outside | out_of_range) & _in_china(lat, lon)] = "outside China (x and y look swapped)"
    bad = missing | out_of_range | outside
    for i in np.flatnonzero(bad):
        issues["bad_coordinates"].append(RecordIssue(int(rows[i]), ids[i], f"({x[i]}, {y[i]})", problem[i]))
    x[bad] = np.nan
    y[bad] = np.nan
    return x, y


def _in_china(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    west, south, east, north = _CHINA
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def _warm_parser() -> None:
    from stdaddr.parsing import parse

    parse("浙江省温州市鹿城区五马街道解放街1号")


def parse_columns(
    texts: list[str], *, workers: int | None = None
) -> tuple[dict[str, tuple[NDArray[np.int32], list[str]]], NDArray[np.bool_]]:
    """Parse every text once; per column of :data:`COLUMNS` the value ids (-1: none) and the values.

    Also which texts have ambiguous divisions. Big inputs are parsed in chunks on ``workers`` processes.
    """
    n_workers = default_workers(workers)
    n_workers = n_workers if len(texts) >= _PARALLEL_MIN else 1
    parts = run_chunks(_parse_chunk, texts, chunk=_CHUNK, workers=n_workers, warm_up=_warm_parser)
    columns = {}
    for column in COLUMNS:
        ids: dict[str, int] = {}
        pieces = []
        for part in parts:
            codes, names = part[0][column]
            # Local ids -> global ids; the appended -1 maps "none" (index -1) to itself.
            mapping = np.array([ids.setdefault(name, len(ids)) for name in names] + [-1], dtype=np.int32)
            pieces.append(mapping[codes])
        merged = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
        columns[column] = (merged, list(ids))
    ambiguous = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=bool)
    return columns, ambiguous


def _parse_chunk(
    texts: list[str],
) -> tuple[dict[str, tuple[NDArray[np.int32], list[str]]], NDArray[np.bool_]]:
    from stdaddr.parsing import parse

    n = len(texts)
    codes = {c: np.full(n, -1, dtype=np.int32) for c in COLUMNS}
    values: dict[str, dict[str, int]] = {c: {} for c in COLUMNS}
    ambiguous = np.zeros(n, dtype=bool)
    for i, text in enumerate(texts):
        a = parse(text)
        ambiguous[i] = a.ambiguous
        for c in COLUMNS:
            v = getattr(a, c)
            if v is not None:
                seen = values[c]
                codes[c][i] = seen.setdefault(v, len(seen))
    return {c: (codes[c], list(values[c])) for c in COLUMNS}, ambiguous


def build_arrays(
    ids: NDArray[np.str_],
    columns: dict[str, tuple[NDArray[np.int32], list[str]]],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """Every array of the index: the record columns, their groupings and the division centroids."""
    fields = np.full((len(COLUMNS), len(ids)), -1, dtype=np.int32)
    vocab = {}
    for column, (codes, names) in columns.items():
        fields[COLUMN_INDEX[column]] = codes
        vocab[column] = names
    arrays: dict[str, np.ndarray] = {"ids": ids, "x": x, "y": y, "fields": fields}
    level = np.full(len(ids), -1, dtype=np.int8)
    for i, f in enumerate(MATCH_LEVELS):
        level[fields[COLUMN_INDEX[f]] >= 0] = i
    arrays["level"] = level
    c = {column: fields[j] for j, column in enumerate(COLUMNS)}
    size = {k: len(v) + 1 for k, v in vocab.items()}
    for name, key in _groupings(c, size).items():
        keys, offsets, order = group(key)
        arrays[f"g.{name}.keys"], arrays[f"g.{name}.offsets"], arrays[f"g.{name}.order"] = (
            keys,
            offsets,
            order,
        )
    for scope in ("county_code", "town_code"):
        for field in ("road", "poi"):
            keys, offsets, values = _scope_lists(c[scope], c[field], size[field])
            arrays[f"s.{scope}.{field}.keys"] = keys
            arrays[f"s.{scope}.{field}.offsets"] = offsets
            arrays[f"s.{scope}.{field}.values"] = values
    for code in CODE_FIELDS:
        arrays[f"m.{code}.x"], arrays[f"m.{code}.y"] = _centroids(c[code], len(vocab[code]), x, y)
    return arrays, vocab


def pair_key(a: NDArray[np.int32] | int, b: NDArray[np.int32] | int, size_b: int) -> Any:
    """One int64 key for a pair of value ids; -1 when either is missing."""
    a64 = np.asarray(a, dtype=np.int64)
    b64 = np.asarray(b, dtype=np.int64)
    return np.where((a64 >= 0) & (b64 >= 0), a64 * size_b + b64, -1)


def _groupings(c: dict[str, NDArray[np.int32]], size: dict[str, int]) -> dict[str, np.ndarray]:
    """The keys records are looked up by (blocking): road, door, compound, compound building, village group."""
    return {
        "road": c["road"].astype(np.int64),
        "door": pair_key(c["road"], c["house_number"], size["house_number"]),
        "poi": c["poi"].astype(np.int64),
        "poi_building": pair_key(c["poi"], c["building"], size["building"]),
        "community_group": pair_key(c["community"], c["group"], size["group"]),
        "community": c["community"].astype(np.int64),
    }


def group(key: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int32]]:
    """Records grouped by an int key (-1: not grouped): the sorted distinct keys, offsets into ``order``
    and the record positions in key order, so the records of ``keys[i]`` are ``order[offsets[i]:offsets[i + 1]]``.
    """
    valid = np.flatnonzero(key >= 0)
    order = valid[np.argsort(key[valid], kind="stable")].astype(np.int32)
    keys, starts = np.unique(key[order], return_index=True)
    offsets = np.append(starts, len(order)).astype(np.int64)
    return keys.astype(np.int64), offsets, order


def _scope_lists(
    scope: NDArray[np.int32], field: NDArray[np.int32], size: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int32]]:
    """Per scope value (a county or town code), the distinct values of ``field`` found in it."""
    pairs = np.unique(pair_key(scope, field, size))
    pairs = pairs[pairs >= 0]
    owners = pairs // size
    keys, starts = np.unique(owners, return_index=True)
    return keys, np.append(starts, len(pairs)).astype(np.int64), (pairs % size).astype(np.int32)


def _centroids(
    codes: NDArray[np.int32], n: int, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean point of the records of each value (NaN where none has coordinates)."""
    ok = (codes >= 0) & np.isfinite(x) & np.isfinite(y)
    count = np.bincount(codes[ok], minlength=n).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.bincount(codes[ok], weights=x[ok], minlength=n) / count
        my = np.bincount(codes[ok], weights=y[ok], minlength=n) / count
    return mx, my


def _report_from_dict(d: dict[str, Any]) -> BaseReport:
    lists = {name: tuple(RecordIssue(**i) for i in d.get(name, ())) for name, _ in _ISSUE_KINDS}
    return BaseReport(n_rows=d["n_rows"], n_records=d["n_records"], crs=d["crs"], **lists)
