"""The standard address base: load a table of records, validate it, parse and index it, save the index.

:class:`AddressBase` is built once from the user's table (CSV, Excel, Parquet, GeoPackage or a
DataFrame) and then answers :meth:`AddressBase.match` queries (the algorithm is in :mod:`stdaddr.match`).

Building parses every address once (on both cores for big bases) and keeps only compact columns: one
int32 column per address field pointing into that field's vocabulary, the coordinates, and sorted keys
that group the records by road, door, compound and division. The index file written by
:meth:`AddressBase.save` holds exactly these arrays (``docs/matching.md`` describes the format).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from stdaddr.crs import in_china, is_geographic, no_point_in_china, parse_crs, transform
from stdaddr.errors import ColumnError, CRSError, DataError, InputError, StdaddrWarning
from stdaddr.models import DIVISION_FIELDS, FIELDS, MATCH_LEVELS, NUMBERED_LANE, Address, Component, written
from stdaddr.workers import default_workers, run_chunks

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from stdaddr.io import Fault
    from stdaddr.models import Match

__all__ = ["AddressBase", "BaseReport", "RecordIssue", "INDEX_FORMAT", "INDEX_VERSION"]

INDEX_FORMAT = "stdaddr-address-index"
# Bump when the arrays or their meaning change; load() refuses other versions (rebuild from the table).
# 2: the field matrix is stored one row per column (a field's values are contiguous).
# 3: a zone or natural village without a road is the record's road, a community written before a
#    building its compound (matching_values).
INDEX_VERSION = 5

CODE_FIELDS = tuple(f"{f}_code" for f in DIVISION_FIELDS)
# The columns of the field matrix: one value id per record and column (-1: the record has no value).
# The matrix is stored transposed, one row per column, so that scoring a field reads contiguous values.
COLUMNS = (*FIELDS, *CODE_FIELDS)
COLUMN_INDEX = {c: j for j, c in enumerate(COLUMNS)}
_CHUNK = 20_000
# Below this many records a process pool costs more to start than it saves.
_PARALLEL_MIN = 40_000
_VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".fgb", ".gml", ".kml")
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet")
_SHOWN = 5  # issues of each kind printed by str(report)

# The issue lists of BaseReport in the order str() prints them, with their titles. Problems change
# what is indexed (report.ok is False); notes keep every record as it is.
_PROBLEM_KINDS = (
    ("bad_encoding", "rows with bytes not in the file's encoding (left out)"),
    ("malformed_rows", "rows with a wrong number of fields or a broken quote (left out)"),
    ("empty_ids", "rows without an id (left out)"),
    ("duplicate_ids", "rows repeating an earlier id (left out; the first row is kept)"),
    ("empty_addresses", "rows with an empty or placeholder address (left out)"),
    ("unparseable", "addresses that are not text or in which no level was found (left out)"),
    ("bad_coordinates", "records with missing or implausible coordinates (indexed without a point)"),
    ("ambiguous", "records whose divisions are ambiguous (indexed with the levels their readings share)"),
)
_NOTE_KINDS = (
    ("duplicate_addresses", "addresses shared by several ids (all indexed)"),
    (
        "inexact_ids",
        "ids stored as floats beyond 2**53 (indexed with the digits the float holds, then zeros)",
    ),
    ("long_addresses", "addresses longer than the parser reads (indexed as their first characters read)"),
)
_ISSUE_KINDS = _PROBLEM_KINDS + _NOTE_KINDS


@dataclass(frozen=True, slots=True)
class RecordIssue:
    """A problem with one row of the base table: its 0-based row number, its id, the value and what is
    wrong; ``line`` is the row's line in a CSV file or row in an Excel sheet (the header's is 1), which
    blank lines before it make differ from ``row + 2`` (None for a DataFrame, Parquet or a vector file)."""

    row: int
    address_id: str | None
    value: str
    problem: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class BaseReport:
    """What building an :class:`AddressBase` found.

    Rows in a wrong encoding, with a wrong number of fields, with an empty id, a duplicate id (the
    first row of an id is kept), an empty or placeholder address (``NULL``, ``不详``, see
    :data:`stdaddr.io.NULL_MARKERS`), an address that is not text or in which no level was found are
    left out of the index. Records with missing or implausible coordinates are indexed without
    coordinates. Records whose divisions are ambiguous are indexed with the levels their readings share.
    Notes change nothing (``ok`` stays True): ids that share one address, ids stored as floats too
    large to hold every integer, and addresses longer than the parser reads (``stdaddr.parsing.MAX_LENGTH``
    characters), indexed as far as read.

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
    bad_encoding: tuple[RecordIssue, ...] = ()
    malformed_rows: tuple[RecordIssue, ...] = ()
    duplicate_addresses: tuple[RecordIssue, ...] = ()
    inexact_ids: tuple[RecordIssue, ...] = ()
    long_addresses: tuple[RecordIssue, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every row was indexed as it is (notes aside)."""
        return not any(getattr(self, name) for name, _ in _PROBLEM_KINDS)

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
                where = f"row {issue.row}" if issue.line is None else f"row {issue.row} (line {issue.line})"
                lines.append(f"    {where}{ident}: {issue.problem}: {issue.value!r:.80}")
            if len(issues) > _SHOWN:
                lines.append(f"    ... and {len(issues) - _SHOWN:,} more")
        if self.ok:
            lines.append("  no problems found")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (JSON-ready) of the counts and every issue."""
        return asdict(self)

    def summary_lines(self) -> list[str]:
        """One line per kind of issue found, with its count (none when the table was clean): what a
        batch run's summary repeats of the base it used."""
        return [
            f"{len(getattr(self, name)):,} {title}" for name, title in _ISSUE_KINDS if getattr(self, name)
        ]


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
        self,
        arrays: dict[str, np.ndarray],
        vocab: dict[str, list[str]],
        *,
        crs: str,
        report: BaseReport,
        shown: dict[str, list[str]] | None = None,
    ):
        # Use from_file / from_dataframe / load: the arrays must come from build_arrays or an index file.
        self._a = arrays
        self._vocab = vocab
        # Keyed columns' values as the base writes them, where any differs (parse_columns).
        self._shown = shown or {}
        self.crs = crs
        self.report = report
        self._tables: Any = None  # query-side lookup tables, built by stdaddr.match on first use

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        id_column: str,
        address_column: str | Sequence[str],
        x_column: str | None = None,
        y_column: str | None = None,
        crs: Any = None,
        layer: str | int | None = None,
        sheet: str | int | None = 0,
        encoding: str | None = None,
        workers: int | None = None,
    ) -> AddressBase:
        """Build a base from a CSV/TSV (encoding detected), Excel, Parquet or vector file (GeoPackage, ...).

        Tables take their coordinates from ``x_column``/``y_column`` (both or neither), in ``crs``
        (default EPSG:4490, CGCS2000). Vector files of points take them from the geometry and their CRS
        from the file; a ``crs`` that contradicts the file's raises :class:`~stdaddr.errors.CRSError`
        (GCJ-02 and BD-09, which no file can state, may be declared over a geographic file).

        CSV files are read as the batch reads them (delimiter sniffed, each line decoded on its own):
        rows in another encoding or with a wrong number of fields are reported and left out. An
        ``encoding`` in which most rows do not decode, or a table without a usable record, raises
        :class:`~stdaddr.errors.DataError`.
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

        try:
            table = read_table(file, encoding=encoding, sheet=sheet)
        except InputError as exc:  # an empty file, an unknown sheet, UTF-16: a base file not usable as it is
            raise DataError(str(exc)) from exc
        return _from_frame(
            table.frame,
            _columns(id_column, address_column, x_column, y_column),
            crs,
            workers,
            faults=table.faults,
            lines=table.lines,
            name=table.name,
        )

    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        *,
        id_column: str,
        address_column: str | Sequence[str],
        x_column: str | None = None,
        y_column: str | None = None,
        crs: Any = None,
        workers: int | None = None,
    ) -> AddressBase:
        """Build a base from a DataFrame: ids (made strings), addresses and optional coordinates.

        ``address_column`` may name several columns (区县, 街道, 街路巷, 门牌号, 小区, 楼栋, 单元, 室), read
        as one address per row: their cells joined in order, a bare number taking its column's mark
        (:func:`stdaddr.io.join_address`). ``from_file`` takes them alike.

        ``crs`` defaults to EPSG:4490 (CGCS2000). ``workers`` processes parse the addresses
        (default: the usable cores, at most 2; bases under 40,000 records are parsed in this process).
        """
        return _from_frame(df, _columns(id_column, address_column, x_column, y_column), crs, workers)

    @classmethod
    def load(cls, path: str | Path) -> AddressBase:
        """Load an index written by :meth:`save`; it holds arrays only, so loading runs no code (docs/matching.md).

        Anything else (another file, a damaged or incomplete index) is a DataError saying "not a
        stdaddr index file" and why; an index of another version says to build it again.
        """
        if not isinstance(path, (str, os.PathLike)):
            raise InputError(f"path was {path!r:.80}; expected the path of an index file")
        file = Path(path)
        if not file.exists():
            raise InputError(f'index file "{path}" does not exist')
        if file.is_dir():
            raise InputError(f'index file "{path}" is a directory')
        with open(file, "rb") as f:
            if f.read(4) != b"PK\x03\x04":
                _not_an_index(path, "it is not a .npz archive")
        try:
            with np.load(file, allow_pickle=False) as data:
                meta = _index_meta(path, data)
                arrays = {k[2:]: data[k] for k in data.files if k.startswith("a.")}
                vocab = {k[2:]: data[k].tolist() for k in data.files if k.startswith("v.")}
                shown = {k[2:]: data[k].tolist() for k in data.files if k.startswith("w.")}
        except DataError:
            raise
        except Exception as exc:  # a damaged archive: zipfile, zlib, numpy raise many kinds
            _not_an_index(path, f"{type(exc).__name__}: {exc}")
        _check_index(path, arrays, vocab, shown)
        _check_parser(path, meta)
        try:
            report = _report_from_dict(meta["report"])
        except (KeyError, TypeError) as exc:
            _not_an_index(path, f"its report is incomplete ({type(exc).__name__}: {exc})")
        return cls(arrays, vocab, crs=str(meta["crs"]), report=report, shown=shown)

    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` (an uncompressed ``.npz``; see docs/matching.md for its layout)."""
        from stdaddr import __version__
        from stdaddr.parsing import parser_digest

        meta = {
            "format": INDEX_FORMAT,
            "version": INDEX_VERSION,
            "stdaddr": __version__,
            "parser": parser_digest(),
            "crs": self.crs,
            "report": self.report.to_dict(),
        }
        payload: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, ensure_ascii=False))}
        payload.update({f"a.{k}": v for k, v in self._a.items()})
        payload.update({f"v.{k}": _text_array(v) for k, v in self._vocab.items()})
        payload.update({f"w.{k}": _text_array(v) for k, v in self._shown.items()})
        if not isinstance(path, (str, os.PathLike)):
            raise InputError(f"path was {path!r:.80}; expected the path to write the index to")
        try:
            with open(path, "wb") as f:  # a file object: np.savez would append ".npz" to a path
                np.savez(f, **payload)  # type: ignore[arg-type]  # numpy's stubs mistype **arrays
        except (IsADirectoryError, FileNotFoundError, NotADirectoryError, PermissionError) as error:
            raise InputError(f'cannot write the index to "{path}": {error.strerror or error}') from error

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
        """One result per input, in order, on ``workers`` processes (default: up to 2); never raises for a value.

        ``texts`` is a list (or any iterable) of texts: one text, or a DataFrame of several columns, is
        an InputError (pass ``[text]``, the column, or use :meth:`match_table`).
        """
        from stdaddr import match

        return match.match_many(self, texts, limit=limit, score_cutoff=score_cutoff, workers=workers)

    def match_table(
        self,
        df: pd.DataFrame,
        *,
        column: str | Sequence[str],
        limit: int = 5,
        score_cutoff: float | None = None,
        workers: int | None = None,
        prefix: str = "match_",
    ) -> pd.DataFrame:
        """A copy of ``df`` with the match of each row's ``column`` (or columns, joined) added as columns
        (see :func:`stdaddr.match.match_table`)."""
        from stdaddr import match

        return match.match_table(
            self, df, column=column, limit=limit, score_cutoff=score_cutoff, workers=workers, prefix=prefix
        )

    def standard(self, row: int) -> str:
        """The canonical address of the record at index position ``row``."""
        return standard_of({f: self.shown_value(f, row) for f in FIELDS})

    def value(self, column: str, row: int) -> str | None:
        """The canonical value of one field (or ``*_code``) of the record at index position ``row``."""
        i = int(self._a["fields"][COLUMN_INDEX[column], row])
        return self._vocab[column][i] if i >= 0 else None

    def shown_value(self, column: str, row: int) -> str | None:
        """The value of one field of the record at ``row`` as the base writes it: :meth:`value` for most,
        阳光花园2期 where matching reads 阳光花园二期."""
        i = int(self._a["fields"][COLUMN_INDEX[column], row])
        return self.shown(column)[i] if i >= 0 else None

    def shown(self, column: str) -> list[str]:
        """The values of a column as the base writes them, in the order of its vocabulary."""
        return self._shown.get(column) or self._vocab[column]

    def column(self, name: str) -> NDArray[np.int32]:
        """One column of the field matrix: the value id of ``name`` per record (-1: none)."""
        return self._a["fields"][COLUMN_INDEX[name]]


def standard_of(values: dict[str, str | None]) -> str:
    """An address written from its field values in level order (a municipality's city is written once)."""
    return written([values.get(f) for f in FIELDS])


def _numbers(values: Sequence[Any]) -> NDArray[np.float64]:
    import pandas as pd

    series = pd.Series(values, dtype=object)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)


def _columns(
    id_column: str, address_column: str | Sequence[str], x_column: str | None, y_column: str | None
) -> dict[str, tuple[str, ...]]:
    """The columns the caller named, by argument name (coordinates both or neither); the address may
    be read from several columns."""
    from stdaddr.io import address_columns

    if (x_column is None) != (y_column is None):
        raise InputError(f"x_column was {x_column!r} and y_column {y_column!r}; expected both or neither")
    names = {
        "id_column": (str(id_column),),
        "address_column": address_columns(address_column, key="address_column"),
    }
    if x_column is not None and y_column is not None:
        names.update(x_column=(str(x_column),), y_column=(str(y_column),))
    return names


def _check_columns(columns: Sequence[Any], names: dict[str, tuple[str, ...]], table: str) -> None:
    """ColumnError for a named column the table lacks or has more than once, listing its columns."""
    from stdaddr.io import column_index

    have = [str(c) for c in columns]
    for arg, named in names.items():
        for column in named:
            column_index(have, column, what=table, key=arg, loose=False)


def _from_frame(
    df: pd.DataFrame,
    names: dict[str, tuple[str, ...]],
    crs: Any,
    workers: int | None,
    *,
    faults: Sequence[Fault | None] | None = None,
    lines: Sequence[int] | None = None,
    name: str = "the table",
) -> AddressBase:
    import pandas as pd

    from stdaddr.io import table_addresses

    if not isinstance(df, pd.DataFrame):
        raise InputError(f"the table was a {type(df).__name__}; expected a pandas DataFrame")
    _check_columns(df.columns, names, name)
    crs_name = parse_crs("EPSG:4490" if crs is None else crs)
    frame = df.set_axis([str(c) for c in df.columns], axis=1)

    def values(arg: str) -> list[Any] | None:
        return table_addresses(frame, names[arg]) if arg in names else None

    return _build(
        _Rows(
            values("id_column") or [],
            values("address_column") or [],
            values("x_column"),
            values("y_column"),
            faults,
            lines,
        ),
        crs_name,
        workers,
        name=name,
    )


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
        if layer is None:
            from stdaddr.grid.layer import one_layer_of

            layer = one_layer_of(path, "Point", "base", "--base-layer")
        return pyogrio.read_dataframe(path, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise DataError(f'cannot read base file "{path}": {exc}') from exc


def _from_points(
    path: Path,
    layer: str | int | None,
    id_column: str,
    address_column: str | Sequence[str],
    crs: Any,
    workers: int | None,
) -> AddressBase:
    import shapely

    from stdaddr.grid.layer import resolve_crs
    from stdaddr.io import table_addresses

    frame = _read_vector(path, layer)
    named = _columns(id_column, address_column, None, None)
    for arg, columns in named.items():
        for column in columns:
            if column not in frame.columns:
                names = [str(c) for c in frame.columns if c != frame.geometry.name]
                raise ColumnError(f'{arg} was "{column}" but the layer has the columns {names}')
    crs_name = resolve_crs(frame.crs, crs, what=f'the base file "{path.name}"')
    geoms = np.asarray(frame.geometry.values)
    kinds = shapely.get_type_id(geoms)
    others = sorted({shapely.GeometryType(k).name for k in np.unique(kinds) if k not in (-1, 0)})
    if others:
        raise DataError(f'base file "{path}" has {", ".join(others)} geometries; expected points')
    points = (kinds == 0) & ~shapely.is_empty(geoms)  # POINT EMPTY: no coordinates, as a missing one
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[points] = shapely.get_x(geoms[points])
    y[points] = shapely.get_y(geoms[points])
    rows = _Rows(
        frame[named["id_column"][0]].tolist(),
        table_addresses(frame, named["address_column"]),
        x.tolist(),
        y.tolist(),
    )
    return _build(rows, crs_name, workers, name=f'"{path}"')


@dataclass(frozen=True, slots=True)
class _Rows:
    """The cells of a base table as read: ids, addresses, coordinates (None: no coordinate columns)
    and what the reader found wrong with each row (None: nothing)."""

    ids: list[Any]
    addresses: list[Any]
    x: list[Any] | None = None
    y: list[Any] | None = None
    faults: Sequence[Fault | None] | None = None
    lines: Sequence[int] | None = None  # each row's line in the file (CSV, Excel)


def _build(rows: _Rows, crs: str, workers: int | None, *, name: str) -> AddressBase:
    """Checks → parse → index: the steps of building a base, each reporting what it left out.

    A table without one usable record is a DataError saying why, with the report's counts."""
    n_rows = len(rows.ids)
    issues: dict[str, list[RecordIssue]] = {kind: [] for kind, _ in _ISSUE_KINDS}
    keep, ids, addresses = _check_rows(rows, issues)
    x, y, given = _check_coordinates(rows, crs, keep, ids, issues)
    columns, ambiguous, shown = parse_columns(addresses, workers=workers)
    for i in np.flatnonzero(ambiguous):
        issues["ambiguous"].append(RecordIssue(int(keep[i]), ids[i], addresses[i], "divisions are ambiguous"))
    found = np.zeros(len(ids), dtype=bool)
    for f in FIELDS:
        found |= columns[f][0] >= 0
    for i in np.flatnonzero(~found):
        issues["unparseable"].append(
            RecordIssue(int(keep[i]), ids[i], addresses[i], "no address level found")
        )
    indexed = np.flatnonzero(found)
    if given is not None and len(given[0]) and len(indexed) and np.isnan(x[indexed]).all():
        # 40,000 lon/lat records declared EPSG:3857: every point would be lost without an error.
        raise CRSError(no_point_in_china(crs, given[0], given[1], f"{len(given[0])} records'"))
    arrays, vocab = build_arrays(
        np.array([ids[i] for i in indexed], dtype=str) if len(indexed) else np.zeros(0, dtype="<U1"),
        {k: (codes[indexed], names) for k, (codes, names) in columns.items()},
        x[indexed],
        y[indexed],
    )
    issues["duplicate_addresses"] = _shared_addresses(arrays, vocab, keep[indexed])
    report = BaseReport(
        n_rows=n_rows,
        n_records=len(indexed),
        crs=crs,
        **{
            kind: tuple(sorted(_with_lines(v, rows.lines), key=lambda i: i.row)) for kind, v in issues.items()
        },
    )
    if not len(indexed):
        _no_records(report, name)
    return AddressBase(arrays, vocab, crs=crs, report=report, shown=shown)


def _with_lines(issues: list[RecordIssue], lines: Sequence[int] | None) -> list[RecordIssue]:
    """The issues with the line of their row in the file, when it was read from one."""
    if not lines:
        return issues
    return [dataclasses.replace(i, line=lines[i.row]) if 0 <= i.row < len(lines) else i for i in issues]


def _no_records(report: BaseReport, name: str) -> None:
    if report.n_rows == 0:
        why = "it has no data rows"
    elif len(report.empty_ids) + len(report.empty_addresses) == report.n_rows:
        why = "no row has both an id and an address"
    else:
        why = "no row has an id and an address in which an address level was found"
    error = DataError(f"{name} gives no record to index: {why}\n{report}")
    error.report = report  # type: ignore[attr-defined]
    raise error


def _shared_addresses(
    arrays: dict[str, np.ndarray], vocab: dict[str, list[str]], rows: NDArray[np.int64]
) -> list[RecordIssue]:
    """One note per address that several ids have (same value in every field): its first row and id,
    the address, and the other ids."""
    fields = arrays["fields"][[COLUMN_INDEX[f] for f in FIELDS]]
    if fields.shape[1] < 2:
        return []
    _, inverse, counts = np.unique(fields, axis=1, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    shared = np.flatnonzero(counts[inverse] > 1)
    groups: dict[int, list[int]] = {}
    for i in shared:
        groups.setdefault(int(inverse[i]), []).append(int(i))
    notes = []
    ids = arrays["ids"]
    for members in groups.values():
        members.sort(key=lambda i: rows[i])
        first, others = members[0], [str(ids[i]) for i in members[1:]]
        address = written(
            [vocab[f][v] if (v := int(fields[j, first])) >= 0 else None for j, f in enumerate(FIELDS)]
        )
        more = f" and {len(others) - 10:,} more" if len(others) > 10 else ""
        notes.append(
            RecordIssue(
                int(rows[first]),
                str(ids[first]),
                address,
                f"also the address of ids {', '.join(others[:10])}{more}",
            )
        )
    return notes


def _check_rows(
    rows: _Rows, issues: dict[str, list[RecordIssue]]
) -> tuple[NDArray[np.int64], list[str], list[str]]:
    """Rows to index (read whole, the first of each id, with an address), their ids and addresses."""
    from stdaddr.io import id_text, inexact_id
    from stdaddr.parsing import MAX_LENGTH

    keep: list[int] = []
    ids: list[str] = []
    addresses: list[str] = []
    first: dict[str, int] = {}
    faults = rows.faults or [None] * len(rows.ids)
    for row, (raw_id, raw_address, fault) in enumerate(zip(rows.ids, rows.addresses, faults, strict=True)):
        ident = id_text(raw_id)
        if fault is not None:
            kind = "bad_encoding" if fault.status == "bad_encoding" else "malformed_rows"
            issues[kind].append(RecordIssue(row, ident, _cell(raw_address), fault.reason))
            continue
        if ident is None:
            issues["empty_ids"].append(RecordIssue(row, None, _cell(raw_address), "empty id"))
            continue
        if ident in first:
            issues["duplicate_ids"].append(
                RecordIssue(row, ident, _cell(raw_address), f"id already used by row {first[ident]}")
            )
            continue
        first[ident] = row
        text, problem = _address_text(raw_address)
        if text is None:
            kind = "empty_addresses" if problem.startswith(("empty", "placeholder")) else "unparseable"
            issues[kind].append(RecordIssue(row, ident, _cell(raw_address), problem))
            continue
        if inexact_id(raw_id):
            issues["inexact_ids"].append(
                RecordIssue(
                    row,
                    ident,
                    str(raw_id) if isinstance(raw_id, str) else repr(raw_id),
                    "a float holds integers exactly only up to 2**53",
                )
            )
        if len(text) > MAX_LENGTH:
            issues["long_addresses"].append(
                RecordIssue(
                    row,
                    ident,
                    text[:MAX_LENGTH],
                    f"only the first {MAX_LENGTH} of {len(text):,} characters read",
                )
            )
        keep.append(row)
        ids.append(ident)
        addresses.append(text)
    return np.array(keep, dtype=np.int64), ids, addresses


def _address_text(value: Any) -> tuple[str | None, str]:
    """The address in a cell, or None and why there is none."""
    from stdaddr.io import is_missing, is_null_marker

    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", errors="replace")
    if value is None or (not isinstance(value, str) and is_missing(value)):
        return None, "empty address"
    if not isinstance(value, str):
        return None, f"not text but a {type(value).__name__}"
    if not value.strip():
        return None, "empty address"
    if is_null_marker(value):
        return None, "placeholder for no address"
    return value, ""


def _cell(value: Any) -> str:
    """A cell as the report shows it: its text, or "" when it is empty."""
    from stdaddr.io import is_missing

    if value is None or (not isinstance(value, str) and is_missing(value)):
        return ""
    return value if isinstance(value, str) else str(value)


def _check_coordinates(
    rows: _Rows,
    crs: str,
    keep: NDArray[np.int64],
    ids: list[str],
    issues: dict[str, list[RecordIssue]],
) -> tuple[NDArray[np.float64], NDArray[np.float64], tuple[NDArray[np.float64], NDArray[np.float64]] | None]:
    """The coordinates of the rows kept, NaN where they are missing, not numbers, out of range or outside
    China; each reported with the cells as written (a base built without coordinate columns reports nothing).
    Also the coordinates given, as numbers (None without coordinate columns)."""
    if rows.x is None or rows.y is None:
        return np.full(len(keep), np.nan), np.full(len(keep), np.nan), None
    raw_x = [rows.x[i] for i in keep]
    raw_y = [rows.y[i] for i in keep]
    x, y = _numbers(raw_x), _numbers(raw_y)
    missing = ~(np.isfinite(x) & np.isfinite(y))
    problem = np.full(len(x), "", dtype=object)
    problem[missing] = "missing coordinates"
    blank = np.array(
        [_cell(a).strip() == "" or _cell(b).strip() == "" for a, b in zip(raw_x, raw_y, strict=True)],
        dtype=bool,
    )
    bad_x, bad_y = ~np.isfinite(x), ~np.isfinite(y)
    problem[missing & ~blank & bad_x & bad_y] = "coordinates are not numbers"
    problem[missing & ~blank & bad_x & ~bad_y] = "x is not a number"
    problem[missing & ~blank & ~bad_x & bad_y] = "y is not a number"
    if is_geographic(crs):
        lon, lat = x, y
        out_of_range = ~missing & ((np.abs(x) > 180) | (np.abs(y) > 90))
        problem[out_of_range] = "longitude or latitude out of range"
    else:
        with np.errstate(invalid="ignore"):
            lon, lat = transform(x, y, crs, "EPSG:4326")
        out_of_range = ~missing & ~(np.isfinite(lon) & np.isfinite(lat))
        problem[out_of_range] = f"outside the area of {crs}"
    outside = ~missing & ~out_of_range & ~in_china(lon, lat)
    problem[outside] = "outside China"
    problem[(outside | out_of_range) & in_china(lat, lon)] = "outside China (x and y look swapped)"
    bad = missing | out_of_range | outside
    for i in np.flatnonzero(bad):
        value = f"({_cell(raw_x[i]) or 'empty'}, {_cell(raw_y[i]) or 'empty'})"
        issues["bad_coordinates"].append(RecordIssue(int(keep[i]), ids[i], value, problem[i]))
    refused = (x[~missing], y[~missing])
    x[bad] = np.nan
    y[bad] = np.nan
    return x, y, refused


def _warm_parser() -> None:
    from stdaddr.parsing import parse

    parse("浙江省温州市鹿城区五马街道解放街1号")


def parse_columns(
    texts: list[str], *, workers: int | None = None
) -> tuple[dict[str, tuple[NDArray[np.int32], list[str]]], NDArray[np.bool_], dict[str, list[str]]]:
    """Parse every text once; per column of :data:`COLUMNS` the value ids (-1: none) and the values.

    Also which texts have ambiguous divisions, and per keyed column whose values the base writes
    otherwise (see :func:`_keys`) its values as shown, in the order of the values. Big inputs are parsed
    in chunks on ``workers`` processes.
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
    shown = {}
    for column in _keys():
        first: dict[str, str] = {}
        for part in parts:
            for key, as_read in part[2][column].items():
                first.setdefault(key, as_read)
        if first:
            shown[column] = [first.get(name, name) for name in columns[column][1]]
    return columns, ambiguous, shown


def _parse_chunk(
    texts: list[str], *, shortcut: bool = True
) -> tuple[dict[str, tuple[NDArray[np.int32], list[str]]], NDArray[np.bool_], dict[str, dict[str, str]]]:
    """The column values of each text, parsed. Most records of a base are rooms, and the rooms of one
    unit differ only in their number (…3幢2单元301室, …302室): a text that ends with a room number, after a
    text with the same opening whose parse read that number as its room and nothing else, takes that
    parse with its own room (``shortcut``; the same values as a parse, which the tests check). Also the
    values of keyed fields as the base writes them (see :func:`_keys`)."""
    from stdaddr.parsing import MAX_LENGTH, parse

    n = len(texts)
    codes = {c: np.full(n, -1, dtype=np.int32) for c in COLUMNS}
    values: dict[str, dict[str, int]] = {c: {} for c in COLUMNS}
    ambiguous = np.zeros(n, dtype=bool)
    # Opening of a text that ends with a room -> its parse's column values (None: no shortcut for it).
    openings: dict[str, tuple[list[str | None], bool] | None] = {}
    # Per keyed field: key -> the value as the first text that gave it was read (see _keys).
    shown: dict[str, dict[str, str]] = {c: {} for c in _keys()}
    for i, text in enumerate(texts):
        m = _ROOM_END.search(text) if shortcut and len(text) <= MAX_LENGTH else None
        known = openings.get(text[: m.start()]) if m is not None else None
        if known is not None and m is not None:
            row = known[0].copy()
            row[_ROOM] = m.group(1) + "室"
            ambiguous[i] = known[1]
        else:
            a = parse(text)
            ambiguous[i] = a.ambiguous
            read = dict(zip(MATCHING_FIELDS, matching_values(a), strict=True))
            row = [read[c] if c in read else getattr(a, c) for c in COLUMNS]
            if m is not None:
                openings.setdefault(text[: m.start()], (row, a.ambiguous) if _room_ends(a, m) else None)
            for c, key in _keys().items():
                v, as_read = read[c], getattr(a, c)
                if (
                    v is not None
                    and as_read is not None
                    and v != as_read
                    and v not in shown[c]
                    and key(as_read) == v
                ):
                    shown[c][v] = as_read
        for c, v in zip(COLUMNS, row, strict=True):
            if v is not None:
                seen = values[c]
                codes[c][i] = seen.setdefault(v, len(seen))
    return {c: (codes[c], list(values[c])) for c in COLUMNS}, ambiguous, shown


@functools.cache
def _keys() -> dict[str, Callable[[str], str]]:
    """The fields stored as matching reads them, with the function that reads them so: a record's answer
    shows its value as the base writes it (少先21号街坊, 阳光花园2期, 24-1号), not the key (少先二十一街坊)."""
    return {"road": _road_key(), "house_number": door_key, "poi": compound_number_key}


# A room number at the end of a text: 1 to 5 digits without a leading zero, after no digit, letter or dash.
_ROOM_END = re.compile(r"(?<![0-9A-Za-z-])([1-9][0-9]{0,4})室$")
_ROOM = COLUMNS.index("room")


def _room_ends(a: Address, m: re.Match[str]) -> bool:
    """Whether the parse read the number at the end as its room, in one last component of its own."""
    last = a.components[-1] if a.components else None
    return (
        last is not None
        and (last.field, last.start, last.end, last.text) == ("room", m.start(), m.end(), m.group())
        and not last.repeated
        and a.room == m.group(1) + "室"
    )


# The fields matching_values gives, in its order.
MATCHING_FIELDS = ("town", "road", "house_number", "poi")
# A door with a sub-number after a dash (24-1号): the same door as 24号附1, as records write it.
_DASHED_DOOR = re.compile("([甲乙丙丁]?[A-Z]?[0-9]+[A-Z]?)-([0-9]+)号")


def door_key(door: str) -> str:
    """A door as matching and ``compare`` read it: one numbered with a dash is the sub-door (24-1号 is
    24号附1, as records write it).

    >>> door_key("24-1号"), door_key("24号附1"), door_key("24号")
    ('24号附1', '24号附1', '24号')
    """
    if (dashed := _DASHED_DOOR.fullmatch(door)) is not None:
        return f"{dashed.group(1)}号附{dashed.group(2)}"
    return door


def matching_values(a: Address) -> tuple[str | None, str | None, str | None, str | None]:
    """The town, road, door and compound of an address as matching reads them.

    A door numbered with a dash (24-1号) is the sub-door 24号附1.

    A zone (工业园区, 开发区, 科技城…) the parser kept as a town component without a code numbers its doors
    as a road does when the text names no road (娄桥街道|娄桥工业园区|5号, 苏吕工业区|5号|某某公司): it is
    the road then, and the company at the door stays the compound (without a door, the compound alone
    is: 高新区|中海城南一号|3栋); a zone read as the town itself,
    with no code, is then no town (瓯海|娄桥工业区|12号). A zone that holds the road read is neither
    (苏吕工业区|兴旺路6号). So does a natural village inside the administrative one (东垟村|下垟自然村|5号:
    the road 下垟), also when the parser read it as a compound (江浦村|篁社自然村|7号). A community
    written without its mark before a building is also the compound it is named after (罗东锦苑|1幢),
    and its committee (钱家垟村|村委会) the compound 村民委员会, so that the committee's own record is
    found, also when written with the village again (梅家坞村|梅家坞村村民委员会). A compound's part numbered
    in Arabic digits is read in Chinese (阳光花园2期 as 阳光花园二期); a zone read as the compound of its
    buildings (福永街道|凤凰第一工业区|A栋) numbers them as a zone read as a zone does."""
    town, road, poi = a.town, a.road, a.poi
    door = None if a.house_number is None else door_key(a.house_number)
    poi = (_compound_named_community(a) or _committee(a)) if poi is None else _committee_named(a, poi)
    if poi is not None:
        poi = compound_number_key(poi)
    zone = zone_of(a)
    if zone is not None and town == zone and a.town_code is None:
        town = None  # 瑞安|韩田工业区|汽摩配路29号: a zone read as the town is no town of the base
    if road is not None:
        numbered = numbered_lane(road)
        village = natural_village(a) if numbered else None
        street = _street_before(a) if numbered else None
        if street is not None:
            # 冼村北约大街|3巷|5号, 大塘街|6巷: a lane numbered within the street written before it (冼村南约大街
            # has a 3巷 too)
            road = street + road
        elif village is not None and not _namesake(village, a.community):
            # 乌沙社区|江贝村|3巷12号: a natural village numbers its own lanes (李屋村 has a 3巷 too); not
            # the community's namesake village (上白石社区|上白石村|二坊3巷), whose lanes are the community's
            road = lane_of_village(village, road)
        return town, _road_key()(road), door, poi
    if zone is not None and (door is not None or poi is None):
        road = zone
    elif zone is not None:
        # 高新区|中海城南一号|3栋, 柳市|新光工业区|某某公司: without a door the zone numbers nothing; the
        # compound in it is found by its own name, wherever its road is.
        road = None
    elif poi is not None and is_zone_name(poi):
        # 福永街道|凤凰第一工业区|A栋: a zone read as the compound numbers as one read as a zone does
        road, poi = poi, None
    else:
        road = natural_village(a)
        if road is None and poi is not None and len(poi) > 4 and poi.endswith("自然村"):
            road, poi = poi.removesuffix("自然村"), None  # 江浦村|篁社自然村|7号, read as a compound
    return town, road, door, poi


# A lane named by its number alone (3巷, 二坊3巷, 5坊): each village numbers its own.


def numbered_lane(road: str) -> bool:
    """Whether a road is a lane named by its number alone (3巷, 二坊三巷): a village's own."""
    return NUMBERED_LANE.fullmatch(road) is not None


def _street_before(a: Address) -> str | None:
    """The street written right before the text's road (冼村北约大街 before 3巷, also 北约大街 3巷), or None."""
    lane = next((c for c in reversed(a.components) if c.field == "road" and not c.repeated), None)
    if lane is None:
        return None
    return next(
        (
            c.value
            for c in a.components
            if c.field == "road"
            and c is not lane
            and c.end <= lane.start
            and not a.text[c.end : lane.start].strip(" ,，")
        ),
        None,
    )


def _village_stem(village: str) -> str:
    """A natural village's name as its lanes are keyed: without 村 (江贝村, 江贝自然村 -> 江贝)."""
    return village[:-1] if village.endswith("村") and len(village) > 2 else village


def lane_of_village(village: str, lane: str) -> str:
    """The key of a natural village's numbered lane (江贝村, 3巷 -> 江贝3巷)."""
    return _village_stem(village) + lane


def _namesake(village: str, community: str | None) -> bool:
    """Whether a natural village is named after its community (白石洲上白石村 in 上白石社区)."""
    stem = without_community_mark(community or "")
    return len(stem) >= 2 and stem in village


def zone_of(a: Address) -> str | None:
    """The zone (工业园区, 开发区, 科技城…) the parser kept as a town component without a code, if any."""
    return next(
        (c.value for c in a.components if c.field == "town" and c.code is None and is_zone_name(c.value)),
        None,
    )


@functools.cache
def _road_key() -> Callable[[str], str]:
    from stdaddr.parsing.tail import road_number_key  # not at import: the parser is loaded on first use

    return road_number_key


def natural_village(a: Address) -> str | None:
    """The natural village written inside the administrative one (东垟村|下垟自然村|5号 -> 下垟, 板新村委会|
    那旺屯 -> 那旺屯), which numbers its own doors as a road does and belongs to that village; None when
    the text writes none."""
    c = next(
        (c for c in a.components if c.field == "community" and c.repeated and c.value != a.community), None
    )
    if c is None:
        return None  # (那眉村委会|那眉村: the village written again, as the base writes it once)
    name = c.value.removesuffix("自然村")
    if name.endswith("自然屯"):
        name = name[:-3] + "屯"  # 刘家自然屯 is 刘家屯
    return name if len(name) >= 2 else None


def _committee(a: Address) -> str | None:
    """村民委员会 or 居民委员会 when the text names a community's committee (钱家垟村|村委会, 墨池社区|居委会),
    which the base may list as a record of its own (its seat, a place as a compound is), else None; not
    when a road or door follows it (新华街居委会|建设路14号: a door of the community, no seat)."""
    if a.road is not None or a.house_number is not None or natural_village(a) is not None:
        return None  # (望齐村委会|那辣屯: the village written formally, then its natural village)
    c = next((c for c in a.components if c.field == "community" and not c.repeated), None)
    if c is None or (m := _community_ends()[1].search(c.text)) is None:
        return None
    return "居民委员会" if m.group().startswith("居") else "村民委员会"


# A part of a compound numbered in Arabic digits (和平里7区, 阳光花园2期, 5组团; 华润24城): matched as written in Chinese
# (和平里七区, 阳光花园二期), the form names are mostly given in.
_COMPOUND_PART = re.compile("(?<![0-9A-Za-z])([0-9]{1,2})(?=期|区|小区|组团|号院|[号#]?街坊|城)")
# A quarter's number written with or without 号 (包头's 少先21号街坊, 阿尔丁12街坊).
_QUARTER_MARK = re.compile("(?<=[零〇一二三四五六七八九十百])[号#](?=街坊$)")


def compound_number_key(poi: str) -> str:
    """A compound's name with its parts numbered in Chinese, as matching and ``compare`` read it.

    >>> compound_number_key("阳光花园2期"), compound_number_key("和平里7区"), compound_number_key("华润24城")
    ('阳光花园二期', '和平里七区', '华润二十四城')
    >>> compound_number_key("少先21号街坊"), compound_number_key("少先二十一街坊")
    ('少先二十一街坊', '少先二十一街坊')
    """
    if any(c.isdigit() for c in poi):
        from stdaddr.text import chinese_numeral

        poi = _COMPOUND_PART.sub(lambda m: chinese_numeral(int(m.group(1))), poi)
    return _QUARTER_MARK.sub("", poi) if poi.endswith("街坊") else poi


def _committee_named(a: Address, poi: str) -> str:
    """The compound as matching reads it: a community's committee named with the community
    (梅家坞村|梅家坞村村民委员会) is the committee alone, as when the text names the community once
    (梅家坞村村委会)."""
    if a.community is None or (m := _community_ends()[1].search(poi)) is None or m.end() != len(poi):
        return poi
    name = poi[: m.start()]
    if name and (a.community.startswith(name) or name.startswith(a.community.removesuffix("村"))):
        return "居民委员会" if m.group().startswith("居") else "村民委员会"
    return poi


def _compound_named_community(a: Address) -> str | None:
    """The compound a community is named after, when the text writes the community's name without its
    mark and goes on to a building (罗东锦苑|1幢: the compound 罗东锦苑 of 罗东锦苑社区) or ends the text with
    an estate's kind (江北区|洋河花园), else None.
    A residents' community written as the village or estate it was named after (梅林一村|3栋 for
    梅林一村社区, 桃源村|12栋 for 桃源社区) is that estate."""
    c = next((c for c in a.components if c.field == "community" and not c.repeated), None)
    if c is None or not c.value.endswith("社区"):
        return None
    if a.building is None and a.unit is None and not _estate_named_last(a, c):
        return None
    if _community_ends()[0].search(c.text) is None:
        return c.value.removesuffix("社区")
    written = c.text.strip()
    return written if written.endswith("村") and not written.endswith(("社区", "村委", "村委会")) else None


# A name's last word that estates end with (洋河花园, 上海城, 东方小区): a community so named, written without
# its mark and as the last of the text, is as likely the estate meant.
_ESTATE_END = re.compile("(?:花园|小区|家园|嘉园|新村|花苑|[苑庭邸府城])$")


def _estate_named_last(a: Address, c: Component) -> bool:
    """Whether the text ends with a community written without its mark by an estate's name (江北区|洋河花园
    for 洋河花园社区, whose estate 洋河花园 the base may have), with no street part but notes after it."""
    if a.road is not None or a.house_number is not None or a.poi is not None or a.group is not None:
        return False
    written = c.text.strip()
    return (
        _ESTATE_END.search(written) is not None
        and _community_ends()[0].search(written) is None
        and all(o.field == "extra" for o in a.components if o.start >= c.end)
    )


@functools.cache
def _community_ends() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What a community's name ends with when the text writes its mark (社区, 村, or a committee), and
    the committee alone: from the parser's own committee words."""
    from stdaddr.parsing.tail import COMMITTEE_WORDS  # not at import: the parser is loaded on first use

    return re.compile(f"(?:社区|村|{COMMITTEE_WORDS})$"), re.compile(f"(?:{COMMITTEE_WORDS})$")


def without_community_mark(name: str) -> str:
    """A community's name without the mark or committee it is written with (茅山社区 -> 茅山)."""
    return _community_ends()[0].sub("", name)


def same_zone(a: str | None, b: str | None) -> bool:
    """Whether two zone names are one zone written in full and short: one kind (高新区 for 高新技术产业开发区,
    经开区 for 经济技术开发区) and one place named, or none on one side (成都高新区 / 成都高新技术产业开发区,
    宁波国家高新区 / 宁波市高新区, 高新区 / 西安高新技术产业开发区 after the same city).

    >>> same_zone("成都高新区", "成都高新技术产业开发区"), same_zone("成都高新区", "西安高新区")
    (True, False)
    """
    if not a or not b:
        return False
    # (not at import: the parser is loaded on first use)
    from stdaddr.parsing.assemble import zone_kind_and_stem

    ka, kb = zone_kind_and_stem(a), zone_kind_and_stem(b)
    if ka is None or kb is None or ka[0] != kb[0]:
        return False
    sa, sb = (stem.replace("国家", "").removesuffix("市") for stem in (ka[1], kb[1]))
    return sa == sb or not sa or not sb


def is_zone_name(name: str) -> bool:
    """Whether ``name`` ends with a zone's word (工业园区, 开发区, 科技城…)."""
    return _zone_end().search(name) is not None


@functools.cache
def _zone_end() -> re.Pattern[str]:
    from stdaddr.parsing.divisions import ZONE  # not at import: the parser is loaded on first use

    return re.compile(f"(?:{ZONE.pattern})$")


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


def _not_an_index(path: str | Path, why: str) -> NoReturn:
    raise DataError(f'"{path}" is not a stdaddr index file ({why}); write one with AddressBase.save')


def _check_parser(path: str | Path, meta: dict[str, Any]) -> None:
    """Warn when the index's records were read by another version of the parser than the one that
    reads texts now: they may disagree on a level (a community read one way in the base and another in
    the text), and matches are lost without an error."""
    from stdaddr.parsing import parser_digest

    if meta.get("parser") != parser_digest():
        warnings.warn(
            f'index file "{path}" was built by another version of the parser than this stdaddr has'
            f" ({meta.get('parser') or 'not recorded'}, now {parser_digest()}): its records may be read"
            " differently from the texts matched now; build the base again from its table and save it",
            StdaddrWarning,
            stacklevel=3,
        )


def _index_meta(path: str | Path, data: Any) -> dict[str, Any]:
    """The index's description, checked: a JSON object of this format and version, with a CRS and a report."""
    if "meta" not in data.files:
        _not_an_index(path, 'it has no "meta" entry')
    meta = json.loads(str(data["meta"][()]))
    if not isinstance(meta, dict) or meta.get("format") != INDEX_FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        _not_an_index(path, f"its meta says format {found!r}, not {INDEX_FORMAT!r}")
    if meta.get("version") != INDEX_VERSION:
        raise DataError(
            f'index file "{path}" has version {meta.get("version")!r} but this stdaddr reads version '
            f"{INDEX_VERSION}; build the base again from its table and save it"
        )
    missing = [k for k in ("crs", "report") if k not in meta]
    if missing or not isinstance(meta.get("report"), dict):
        _not_an_index(path, f"its meta lacks {missing or ['report']}")
    return meta


@functools.cache
def _index_layout() -> tuple[frozenset[str], frozenset[str]]:
    """The array and vocabulary names every index has: those of an index of no record."""
    none: list[str] = []
    columns = {c: (np.zeros(0, dtype=np.int32), none) for c in COLUMNS}
    empty = np.zeros(0)
    arrays, vocab = build_arrays(np.zeros(0, dtype="<U1"), columns, empty, empty)
    return frozenset(arrays), frozenset(vocab)


def _check_index(
    path: str | Path, arrays: dict[str, np.ndarray], vocab: dict[str, list[str]], shown: dict[str, list[str]]
) -> None:
    """DataError unless every array is there, with the shapes and value ranges the matcher relies on."""
    names, columns = _index_layout()
    missing = sorted(f"a.{k}" for k in names - arrays.keys()) + sorted(
        f"v.{k}" for k in columns - vocab.keys()
    )
    if missing:
        _not_an_index(path, f"it lacks {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}")
    ids, fields = arrays["ids"], arrays["fields"]
    n = len(ids) if ids.ndim == 1 else -1
    problems = [f"w.{k} is no column matching keys" for k in shown if k not in _keys()]
    problems += [
        f"w.{k} has {len(v)} values, not the {len(vocab[k])} of v.{k}"
        for k, v in shown.items()
        if k in _keys() and len(v) != len(vocab.get(k, ()))
    ]
    if ids.ndim != 1 or ids.dtype.kind != "U":
        problems.append("a.ids is not a list of texts")
    for k in ("x", "y", "level"):
        if arrays[k].shape != (n,):
            problems.append(f"a.{k} has shape {arrays[k].shape}, not ({n},)")
    if fields.shape != (len(COLUMNS), n) or fields.dtype.kind != "i":
        problems.append(
            f"a.fields has shape {fields.shape} ({fields.dtype}), not ({len(COLUMNS)}, {n}) integers"
        )
    elif n > 0:
        top = fields.max(axis=1)
        for j, column in enumerate(COLUMNS):
            if top[j] >= len(vocab[column]) or fields[j].min() < -1:
                problems.append(f"a.fields refers to values v.{column} does not have")
                break
    if problems:
        _not_an_index(path, "; ".join(problems))


def _report_from_dict(d: dict[str, Any]) -> BaseReport:
    lists = {name: tuple(RecordIssue(**i) for i in d.get(name, ())) for name, _ in _ISSUE_KINDS}
    return BaseReport(n_rows=d["n_rows"], n_records=d["n_records"], crs=d["crs"], **lists)
