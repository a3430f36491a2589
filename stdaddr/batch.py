"""Files in, files out: the work behind ``stdaddr geocode``, ``stdaddr parse`` and ``stdaddr normalize``.

:func:`geocode_file` reads a department's file in chunks (:mod:`stdaddr.io`), geocodes the address
column on worker processes forked after the base and grid are loaded (so they share them), and writes
every input row, in order, with the result columns (:data:`RESULT_COLUMNS`) added:

    read chunk k ─► workers: parse, match, point, grid cell ─► write chunk k ─► checkpoint k

Nothing is lost and nothing is half-written: every row comes out with a ``status`` (:data:`ROW_STATUSES`)
and a ``reason``; the output appears at its path only when complete; after a checkpoint (written and
fsynced after every chunk) a run killed at any moment continues with ``resume=True`` and yields the same
bytes as an uninterrupted run. See ``docs/batch.md``.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import json
import math
import os
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stdaddr.errors import ColumnError, DataError, InputError, StdaddrError
from stdaddr.io import (
    CJK,
    EXCEL_SUFFIXES,
    MAX_RECORD_LINES,
    NULL_MARKER_MAX,
    Chunk,
    CsvOutput,
    Fault,
    PartsOutput,
    Position,
    TableReader,
    address_columns,
    check_output_encoding,
    column_index,
    is_null_marker,
    open_table,
    output_lock,
    replace_atomically,
    row_address,
    writes_division,
)
from stdaddr.io import output_format as format_of
from stdaddr.models import DIVISION_FIELDS, FIELDS, GRID_LEVELS, MATCH_LEVELS, Address
from stdaddr.workers import (
    default_workers,
    end_workers,
    fewer_collections,
    frozen_for_fork,
    pool_result,
    worker_started,
)

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from stdaddr.base import AddressBase
    from stdaddr.grid import GridIndex

__all__ = [
    "ROW_STATUSES",
    "RESULT_COLUMNS",
    "MAX_ADDRESS_CHARS",
    "CHUNK_ROWS",
    "Progress",
    "BatchSummary",
    "geocode_file",
    "check_input",
    "check_output",
    "assign_file",
    "detect_address_column",
    "open_input",
    "base_and_grid",
    "load_base",
    "load_grid",
    "FLAT_COLUMNS",
    "flat_row",
]

# The status column: the match statuses (stdaddr.models.MATCH_STATUSES, "invalid" split into the
# reasons a row cannot be matched) and the faults of the row itself.
ROW_STATUSES = (
    "matched",  # a base record
    "upper_level",  # a place above the records (a road, a community, ...), with its centroid
    "ambiguous",  # records the text cannot tell apart tie
    "no_match",  # nothing in the base is close enough
    "empty_address",  # the address cell (or the whole line) is empty
    "too_long",  # the address cell or the line is too long to be an address
    "malformed_row",  # wrong number of fields, an unclosed quote, NUL bytes
    "bad_encoding",  # bytes that are not in the file's encoding (replaced with U+FFFD)
    "error",  # an unexpected error on this row (a bug: please report it)
)
# Columns added to every row, after the input's own.
RESULT_COLUMNS = (
    "normalized",
    *FIELDS,
    "address_id",
    "standard",
    "match_level",
    "score",
    "x",
    "y",
    "crs",
    "grid_code",
    "status",
    "reason",
)
# An address cell longer than this is a pasted document, not an address (the parser reads 300).
MAX_ADDRESS_CHARS = 1000


def too_long_reason(where: str, text: str) -> str:
    """Why an address cell is ``too_long``, naming its place (``line 5``)."""
    return f"{where}: the address has {len(text):,} characters; expected at most {MAX_ADDRESS_CHARS:,}"


# Rows per chunk: the unit of work of a process, of a write and of a checkpoint (each write and each
# checkpoint is fsynced: about half a second of work per chunk keeps that cost small).
CHUNK_ROWS = 1000
# Results of identical texts are reused within a worker (government data repeats itself).
_MEMO_SIZE = 1 << 15
_CHECKPOINT = "stdaddr-batch-checkpoint"
_CHECKPOINT_VERSION = 1
_TOP_REASONS = 10
_EXAMPLES = 5  # first rows listed per status other than matched


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a run is: ``done`` of ``total`` (None when unknown) in ``unit`` ("B" or "rows"), and
    ``rows`` written (including those of an interrupted run being resumed)."""

    done: int
    total: int | None
    unit: str
    rows: int


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """What a :func:`geocode_file` run did: rows per status and per match level, the commonest reasons
    rows were not matched, the first rows of each such status (input line, reason) and the speed.
    ``str()`` is the report the CLI prints; :meth:`to_dict` is the JSON written beside the output as
    ``OUTPUT.summary.json``."""

    input: str
    output: str
    input_format: str
    output_format: str
    encoding: str | None
    column: str
    rows: int
    statuses: dict[str, int]
    levels: dict[str, int]
    reasons: list[tuple[str, str, int]]
    examples: dict[str, list[tuple[int, str]]]
    base: str
    grid: str | None
    crs: str
    workers: int
    chunks: int
    resumed_at_row: int | None
    elapsed_s: float
    rows_per_s: float
    summary_path: str | None = None
    header: bool = True
    titles: list[str] = field(default_factory=list)
    sheet: str | None = None
    grid_problems: list[str] = field(default_factory=list)
    base_problems: list[str] = field(default_factory=list)  # what building the base found (its report)
    columns: list[str] = field(default_factory=list)  # the address columns, in order (``column`` joins them)

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["reasons"] = [{"status": s, "reason": r, "count": n} for s, r, n in self.reasons]
        return d

    def __str__(self) -> str:
        n = max(self.rows, 1)
        lines = [f"{self.input} -> {self.output}  ({self.rows:,} rows, {self.output_format})"]
        lines.append(f"  address column: {self.column}")
        if self.sheet is not None:
            lines.append(f"  sheet: {self.sheet}")
        if self.titles:
            lines.append(f"  title rows above the header, skipped: {' | '.join(self.titles)}")
        if not self.header:
            lines.append("  no header: the first row is data, the columns are named column_1, column_2, …")
        if self.resumed_at_row is not None:
            lines.append(f"  resumed at row {self.resumed_at_row:,}")
        lines.append("  status:")
        for status, count in self.statuses.items():
            if count:
                lines.append(f"    {status:<14} {count:>10,}  {100 * count / n:5.1f} %")
        if self.levels:
            lines.append("  match level:")
            for level, count in self.levels.items():
                lines.append(f"    {level:<14} {count:>10,}  {100 * count / n:5.1f} %")
        if self.reasons:
            lines.append("  most common reasons (rows not matched to a record):")
            for status, reason, count in self.reasons:
                lines.append(f"    {count:>8,}  {status}: {reason}")
        if self.examples:
            lines.append("  first rows by status (input line numbers):")
            for status, rows in self.examples.items():
                lines.append(f"    {status:<14} {', '.join(str(line) for line, _ in rows)}")
        for line, reason in self.examples.get("error", []):
            lines.append(f"  error on line {line} (please report it): {reason}")
        grid = self.grid or "none"
        lines.append(f"  base: {self.base}; grid: {grid}; output CRS {self.crs}")
        if self.base_problems:
            lines.append("  the base's report (AddressBase.report has every row):")
            lines.extend(f"    {problem}" for problem in self.base_problems)
        if self.grid_problems:
            lines.append(
                "  the grid layer has problems; cells may be wrong (stdaddr grid validate shows them all):"
            )
            lines.extend(f"    {problem}" for problem in self.grid_problems)
        lines.append(
            f"  {self.elapsed_s:.1f} s, {self.rows_per_s:,.0f} rows/s on {self.workers} worker process"
            f"{'es' if self.workers != 1 else ''}"
        )
        if self.summary_path:
            lines.append(f"  summary: {self.summary_path}")
        return "\n".join(lines)


def load_base(
    path: str | Path,
    *,
    id_column: str | None = None,
    address_column: str | Sequence[str] | None = None,
    x_column: str | None = None,
    y_column: str | None = None,
    crs: Any = None,
    layer: str | int | None = None,
) -> AddressBase:
    """A base from an index file written by :meth:`AddressBase.save` (``.npz``) or from a table
    (CSV/Excel/Parquet/GeoPackage, ...) with its id and address columns (and coordinates)."""
    from stdaddr.base import AddressBase

    file = Path(path)
    if file.suffix.lower() == ".npz":
        return AddressBase.load(file)
    if id_column is None or address_column is None:
        raise InputError(
            f'base "{path}" is a table; name its id and address columns (id_column/--base-id-column and '
            "address_column/--base-address-column), or give an index file (.npz) written by AddressBase.save"
        )
    return AddressBase.from_file(
        file,
        id_column=id_column,
        address_column=address_column,
        x_column=x_column,
        y_column=y_column,
        crs=crs,
        layer=layer,
    )


def load_grid(
    path: str | Path,
    *,
    code_column: str | None,
    crs: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
) -> GridIndex:
    """A grid layer (GeoPackage, GeoJSON, Shapefile, GeoParquet) with its code column; ``crs`` declares
    its CRS (needed for GCJ02/BD09), ``encoding`` a Shapefile's text encoding its .cpg does not say."""
    from stdaddr.grid import GridIndex

    if code_column is None:
        raise InputError(f'grid "{path}" needs its code column (code_column/--grid-code-column)')
    return GridIndex.from_file(path, code_column=code_column, crs=crs, layer=layer, encoding=encoding)


def base_and_grid(
    base: str | Path | None,
    grid: str | Path | None,
    *,
    base_id_column: str | None = None,
    base_address_column: str | Sequence[str] | None = None,
    base_x_column: str | None = None,
    base_y_column: str | None = None,
    base_crs: Any = None,
    base_layer: str | int | None = None,
    grid_code_column: str | None = None,
    grid_crs: Any = None,
    grid_layer: str | int | None = None,
    grid_encoding: str | None = None,
) -> tuple[AddressBase, GridIndex | None]:
    """The base and grid of ``stdaddr geocode``: the embedded default (:mod:`stdaddr.default`) when
    neither path is given; a base of one's own comes without a grid unless one is given (the default
    grid belongs to the default base); a grid alone is used with the default base."""
    from stdaddr import default

    described = {
        "base": {
            "base_id_column": base_id_column,
            "base_address_column": base_address_column,
            "base_x_column": base_x_column,
            "base_y_column": base_y_column,
            "base_crs": base_crs,
            "base_layer": base_layer,
        },
        "grid": {
            "grid_code_column": grid_code_column,
            "grid_crs": grid_crs,
            "grid_layer": grid_layer,
            "grid_encoding": grid_encoding,
        },
    }
    for what, path in (("base", base), ("grid", grid)):
        given = [name for name, value in described[what].items() if value is not None]
        if path is None and given:
            options = ", ".join(f"{name} (--{name.replace('_', '-')})" for name in given)
            raise InputError(
                f"{options} describe a {what} file, but no {what} was given; give the {what} too "
                f"(the embedded default {what} needs none of them)"
            )
    for what, path in (("base", base), ("grid", grid)):
        if path is not None and not Path(path).exists():
            raise InputError(f'{what} file "{path}" does not exist')
    # The grid first: a base of a million records takes minutes, a grid's mistakes are found in seconds.
    loaded_grid = (
        None
        if grid is None
        else load_grid(
            grid, code_column=grid_code_column, crs=grid_crs, layer=grid_layer, encoding=grid_encoding
        )
    )
    if base is None:
        return default.default_base(), default.default_grid() if loaded_grid is None else loaded_grid
    loaded_base = load_base(
        base,
        id_column=base_id_column,
        address_column=base_address_column,
        x_column=base_x_column,
        y_column=base_y_column,
        crs=base_crs,
        layer=base_layer,
    )
    return loaded_base, loaded_grid


def geocode_file(
    input: str | Path,
    output: str | Path,
    *,
    column: str | Sequence[str] | None = None,
    base: AddressBase,
    grid: GridIndex | None = None,
    crs: Any = None,
    output_format: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    output_encoding: str = "utf-8",
    score_cutoff: float | None = None,
    resume: bool = False,
    workers: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    max_record_lines: int = MAX_RECORD_LINES,
    header: bool | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> BatchSummary:
    """Geocode the ``column`` of a CSV/Excel/Parquet file into a CSV, Parquet, GeoParquet or GeoPackage file.

    Every input row comes out once, in input order, with its columns (as text) followed by
    :data:`RESULT_COLUMNS`: the parsed levels, the match (``address_id``, ``standard``, ``match_level``,
    ``score``), the point in ``crs`` (default: the base's), the ``grid_code`` of ``grid`` (if given),
    a ``status`` (:data:`ROW_STATUSES`) and a ``reason``. A result column whose name the input already
    uses gets a ``_2`` suffix.

    ``column`` None detects the address column (:func:`detect_address_column`); the summary names it.
    Several columns (区县, 街道, 详细地址) are read as one address, their cells joined in order
    (:func:`stdaddr.io.join_address`).
    ``encoding`` overrides the detected encoding of a CSV; ``sheet`` picks an Excel sheet;
    ``output_encoding`` is that of a CSV output ("utf-8-sig" adds the BOM Excel wants, "gb18030").
    ``header`` says whether the first row of a CSV or sheet names the columns; None (the default) takes
    it for data when it reads as an address (:func:`stdaddr.io.reads_as_data`), and the columns are
    then named column_1, column_2, … in the output.
    ``resume`` continues an interrupted run with the same arguments (or starts afresh when there is
    none). ``progress`` is called after each chunk is written. Raises for setup mistakes (missing file
    or column, bad format, CRS) but never for a row. Returns the summary, also written as JSON to
    ``OUTPUT.summary.json``.
    """
    from stdaddr.crs import parse_crs

    started = time.perf_counter()
    src, dst = Path(input), Path(output)
    fmt = check_output(src, dst, output_format=output_format, output_encoding=output_encoding)
    out_crs = base.crs if crs is None else parse_crs(crs)
    cutoff = _check_options(score_cutoff, chunk_rows, max_record_lines)
    n_workers = default_workers(workers)
    with output_lock(dst):  # a second run on the same output is refused
        reader, address = open_input(src, column, encoding, sheet, max_record_lines, header)
        run = None
        try:
            column = " + ".join(reader.columns[j] for j in address)
            names = _output_names(reader.columns, fmt)
            fingerprint = _fingerprint(
                src,
                reader,
                column,
                base,
                grid,
                out_crs,
                fmt,
                output_encoding,
                score_cutoff,
                chunk_rows,
                max_record_lines,
            )
            run = _Run(reader, names, _sink(dst, fmt, names, out_crs, output_encoding), fingerprint)
            resumed_at = run.resume() if resume else None
            job = _Job(base, grid, out_crs, cutoff)
            if resumed_at is None:
                run.start()
            # (closed when the loop ends for any reason, so that a stop ends the workers at once, not when
            # the collector finds the generator)
            geocoded = _geocoded(reader, run.position, chunk_rows, address, job, n_workers)
            with stop_signals() as stop, contextlib.closing(geocoded):
                for chunk, results in geocoded:
                    run.write(chunk, results)
                    stop.check()
                    if progress is not None:
                        progress(Progress(_done(reader, chunk.end), reader.total, reader.unit, run.rows))
                stop.check()  # (a signal noted while the last chunk's progress was shown)
            run.finish()
        finally:
            reader.close()
            if run is not None:
                run.close()
        elapsed = time.perf_counter() - started
        summary = BatchSummary(
            input=str(src),
            output=str(dst),
            input_format=reader.format,
            output_format=fmt,
            encoding=reader.encoding,
            column=column,
            columns=[reader.columns[j] for j in address],
            header=reader.header,
            titles=list(reader.titles),
            sheet=reader.sheet if len(reader.sheets) > 1 else None,
            grid_problems=[] if grid is None else grid.report.problems,
            base_problems=base.report.summary_lines() + _no_points_for_the_grid(base, grid),
            rows=run.rows,
            statuses={s: run.statuses.get(s, 0) for s in ROW_STATUSES},
            levels={lv: run.levels[lv] for lv in reversed(MATCH_LEVELS) if run.levels.get(lv)},
            reasons=run.top_reasons(),
            examples={
                s: [(line, r) for line, r in run.examples[s]] for s in ROW_STATUSES if s in run.examples
            },
            base=f"{len(base):,} records, {base.crs}",
            grid=None if grid is None else f"{len(grid):,} cells, {grid.crs}",
            crs=out_crs,
            workers=n_workers,
            chunks=run.chunks,
            resumed_at_row=resumed_at,
            elapsed_s=round(elapsed, 3),
            rows_per_s=round((run.rows - (resumed_at or 0)) / elapsed, 1) if elapsed > 0 else 0.0,
            summary_path=str(dst.with_name(dst.name + ".summary.json")),
        )
        text = json.dumps(summary.to_dict(), ensure_ascii=False, indent=2) + "\n"
        replace_atomically(dst.with_name(dst.name + ".summary.json"), text.encode("utf-8"))
        return summary


def check_output(
    input: str | Path, output: str | Path, *, output_format: str | None = None, output_encoding: str = "utf-8"
) -> str:
    """The output format of a run from ``input`` to ``output``, after checking what can be checked before
    any work (the CLI does so before loading the base): the format, the encoding of a CSV output, that
    the output folder exists (no format creates it) and that the output is not the input. InputError."""
    src, dst = Path(input), Path(output)
    fmt = format_of(dst, output_format)
    if fmt == "csv":
        check_output_encoding(output_encoding)
    folder = dst.parent
    if not folder.is_dir():
        raise InputError(f'output folder "{folder}" does not exist; create it first or choose another output')
    if dst.is_dir():
        raise InputError(f'output "{output}" is a folder; expected a file name')
    if src.resolve() == dst.resolve() or (src.exists() and dst.exists() and os.path.samefile(src, dst)):
        raise InputError(f'output was "{output}", the input file itself; expected another path')
    return fmt


def check_input(
    input: str | Path,
    *,
    column: str | Sequence[str] | None = None,
    crs: Any = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    score_cutoff: float | None = None,
    chunk_rows: int = CHUNK_ROWS,
    max_record_lines: int = MAX_RECORD_LINES,
    header: bool | None = None,
) -> None:
    """Check what :func:`geocode_file` would refuse of its input and options, before a base is loaded (a
    large base takes minutes): the file, its encoding, sheet and address column, the output CRS and the
    options. InputError or ColumnError, as geocode_file raises them."""
    from stdaddr.crs import parse_crs

    if crs is not None:
        parse_crs(crs)
    _check_options(score_cutoff, chunk_rows, max_record_lines)
    reader, _ = open_input(Path(input), column, encoding, sheet, max_record_lines, header)
    reader.close()


# A header naming an address column (事发地址, 家庭住址, 房屋坐落, 经营场所, 发生地点, 所在位置, Address).
_ADDRESS_HEADER = re.compile("地址|住址|住所|坐落|场所|地点|位置|所在地|户籍地|居住地|addr", re.IGNORECASE)

# Values sampled per column, the least share of address points the best column must reach, and how far
# ahead of the next it must be unless only it has an address header.
_DETECT_MAX_ROWS = 5_000
_DETECT_ROWS = 200
_DETECT_MIN = 0.4
_DETECT_MARGIN = 0.1


def detect_address_column(reader: TableReader, what: str = "the input") -> int:
    """The position of the address column of a table when none is named.

    Each column's first 200 non-empty values (read from at most the first 5,000 rows) are parsed; a value earns a
    point for a division (province to community) and one for a place below it (a road, door, village
    group, building or room), so addresses score near 2 and company names (温州市某某有限公司) near 1.
    The best column must average at least 0.8 and lead the next by 0.2, unless it is the only one of
    the near ones whose header names an address (地址, 住址, 坐落, 场所, 地点, 位置, address). The one
    column of a one-column table is taken as it is, and of a table without rows the one column whose
    header names an address. Raises ColumnError naming the columns when none or several read as
    addresses.
    """
    from stdaddr.parsing import parse

    if len(reader.columns) == 1:
        return 0
    rows = _sample_rows(reader)
    if not rows:  # a header alone: its names are all there is to go by
        named = [j for j, name in enumerate(reader.columns) if _ADDRESS_HEADER.search(name)]
        if len(named) == 1:
            return named[0]
    scores = []
    for j in range(len(reader.columns)):
        values = [v for row in rows if (v := row[j].strip())][:_DETECT_ROWS]
        if not values or sum(CJK.search(v) is not None for v in values) < len(values) / 2:
            scores.append(0.0)
            continue
        points = 0
        for v in values:
            a = parse(v[:MAX_ADDRESS_CHARS])
            points += writes_division(a)
            points += any((a.road, a.house_number, a.group, a.building, a.room))
        scores.append(points / (2 * len(values)))
    ranked = sorted(range(len(scores)), key=lambda j: -scores[j])
    shown = ", ".join(f'"{reader.columns[j]}" ({scores[j]:.0%})' for j in ranked[:4] if scores[j] > 0)
    if not ranked or scores[ranked[0]] < _DETECT_MIN:
        raise ColumnError(
            f"no column of {what} reads as addresses ({shown or 'no value does'}); "
            f"name the address column (column/--column); the columns are {list(reader.columns)}"
        )
    near = [j for j in ranked if scores[j] >= scores[ranked[0]] - _DETECT_MARGIN]
    if len(near) > 1:
        named = [j for j in near if _ADDRESS_HEADER.search(reader.columns[j])]
        if len(named) != 1:
            raise ColumnError(
                f"several columns of {what} read as addresses ({shown}); "
                "name the address column (column/--column)"
            )
        return named[0]
    return ranked[0]


def _sample_rows(reader: TableReader) -> list[list[str]]:
    """The first rows of a table, until every column has _DETECT_ROWS non-empty values or
    _DETECT_MAX_ROWS rows are read (a column empty in its first rows: 事发地址 filled from row 300 on)."""
    rows: list[list[str]] = []
    filled = [0] * len(reader.columns)
    position = reader.start
    while len(rows) < _DETECT_MAX_ROWS and min(filled) < _DETECT_ROWS:
        chunk = reader.read(position, _DETECT_ROWS)
        if chunk is None or not chunk.rows:
            break
        rows.extend(chunk.rows)
        position = chunk.end
        for row in chunk.rows:
            for j, v in enumerate(row[: len(filled)]):
                filled[j] += bool(v.strip())
    return rows


def open_input(
    src: Path,
    column: str | Sequence[str] | None,
    encoding: str | None,
    sheet: str | int | None,
    max_record_lines: int,
    header: bool | None,
) -> tuple[TableReader, tuple[int, ...]]:
    """The input's reader and the positions of its address columns. A workbook read without a named
    sheet whose first sheet lacks the column or has no rows (a cover sheet, 填表说明, before the data)
    is read from the one other sheet that has it; with none or several, the first sheet's ColumnError
    stands. Without a named column a first sheet named as a cover (填表说明, 说明, 封面) gives way too, to
    the one other sheet with an address column: its one column of instructions is no table of addresses."""
    try:
        reader = open_table(
            src, encoding=encoding, sheet=sheet, max_record_lines=max_record_lines, header=header
        )
    except InputError as exc:
        # 填表说明 left blank before the data: an empty first sheet gives way as one without the column does.
        if sheet is not None or src.suffix.lower() not in EXCEL_SUFFIXES or "empty sheet" not in str(exc):
            raise
        found = _sheets_with_column(src, column, range(1, _sheet_count(src)), max_record_lines, header)
        if len(found) == 1:
            return found[0]
        for candidate, _ in found:
            candidate.close()
        raise
    here: tuple[int, ...] | None = None
    error: ColumnError | None = None
    try:
        here = _address_column(reader, column, src)
    except ColumnError as exc:
        error = exc
    cover = column is None and _COVER_SHEET.search(reader.sheet or "") is not None
    if (
        sheet is not None
        or len(reader.sheets) < 2
        or (here is not None and not cover and reader.read(reader.start, 1))
    ):
        if error is not None:
            reader.close()
            raise _read_as(error, reader.encoding, given=encoding is not None)
        assert here is not None
        return reader, here
    found = _sheets_with_column(src, column, range(1, len(reader.sheets)), max_record_lines, header)
    if column is None and len(found) > 1:
        # 工单 (事发地址) and 统计 (区县, 件数) after the cover: the sheet whose column is named an address
        named = [f for f in found if _ADDRESS_NAMED.search(str(f[0].columns[f[1][0]]))]
        if len(named) == 1:
            for candidate, _ in found:
                if candidate is not named[0][0]:
                    candidate.close()
            found = named
    if len(found) == 1:
        reader.close()
        return found[0]
    for candidate, _ in found:
        candidate.close()
    if here is not None:  # the first sheet has the column but no rows, and no other sheet decides
        return reader, here
    reader.close()
    if found:
        raise ColumnError(f"{error}; the sheets {[c.sheet for c, _ in found]} all have it") from None
    assert error is not None
    raise error


# The names of a workbook's cover sheet: instructions before the data (填表说明, 说明, 封面, 目录).
_COVER_SHEET = re.compile("说明|须知|封面|目录|注意事项|填报要求|README|(?i:instructions?)")
_ADDRESS_NAMED = re.compile("地址|住址|地点|位置|坐落|(?i:address)")


def _sheets_with_column(
    src: Path, column: str | Sequence[str] | None, sheets: range, max_record_lines: int, header: bool | None
) -> list[tuple[TableReader, tuple[int, ...]]]:
    """Readers of the workbook's sheets (by number) that have the address column, with its positions."""
    found = []
    for other in sheets:
        try:
            candidate = open_table(src, sheet=other, max_record_lines=max_record_lines, header=header)
        except InputError:  # an empty sheet
            continue
        try:
            found.append((candidate, _address_column(candidate, column, src)))
        except (ColumnError, InputError):
            candidate.close()
    return found


def _sheet_count(src: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(src, read_only=True)
    try:
        return len(book.sheetnames)
    finally:
        book.close()


def _read_as(error: ColumnError, read_as: str | None, *, given: bool) -> ColumnError:
    """``error`` saying which encoding a text file was read in: a wrong one garbles the header's names."""
    if read_as is None:  # a workbook or Parquet file: its names are stored as text
        return error
    how = "as given" if given else "detected"
    return ColumnError(
        f"{error}; the file was read as {read_as} ({how}): if the names look garbled, give the file's "
        "encoding (encoding/--encoding: gb18030, utf-8, utf-16 ...)"
    )


def _address_column(reader: TableReader, column: str | Sequence[str] | None, src: Path) -> tuple[int, ...]:
    """The positions of the address columns (one detected when ``column`` is None); a ColumnError for a
    workbook of several sheets names the sheet read and the others, since the column may well be on
    another one."""
    if column is None:
        return (detect_address_column(reader, what=f'the input "{src.name}"'),)
    names = address_columns(column)
    if len(reader.sheets) < 2:
        return _distinct(
            reader,
            names,
            tuple(column_index(reader.columns, c, what=f'the input "{src.name}"') for c in names),
        )
    try:
        what = f'sheet "{reader.sheet}" of the input "{src.name}"'
        return _distinct(reader, names, tuple(column_index(reader.columns, c, what=what) for c in names))
    except ColumnError as exc:
        raise ColumnError(
            f"{exc}; the workbook has the sheets {list(reader.sheets)}: choose one with sheet/--sheet "
            "(a name, or a number from 0)"
        ) from None


def _distinct(reader: TableReader, names: tuple[str, ...], found: tuple[int, ...]) -> tuple[int, ...]:
    """The positions of the address columns, when no column is named twice (" 区县 " and "区县" both
    find the header " 区县 ")."""
    if len(set(found)) < len(found):
        twice = next(j for j in found if found.count(j) > 1)
        same = [n for n, j in zip(names, found, strict=True) if j == twice]
        raise InputError(
            f"column was {list(names)}: {' and '.join(repr(n) for n in same)} are both the column "
            f'"{reader.columns[twice]}"; expected each address column once'
        )
    return found


def _check_options(score_cutoff: float | None, chunk_rows: int, max_record_lines: int) -> float:
    """The score cutoff to use (the matcher's default for None); InputError for a bad value."""
    from stdaddr.match import DEFAULT_SCORE_CUTOFF

    for name, value in (("chunk_rows", chunk_rows), ("max_record_lines", max_record_lines)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{name} was {value!r}; expected a positive int")
    if score_cutoff is None:
        return DEFAULT_SCORE_CUTOFF
    if (
        isinstance(score_cutoff, bool)
        or not isinstance(score_cutoff, (int, float))
        or not 0 <= score_cutoff <= 1
    ):
        raise InputError(f"score_cutoff was {score_cutoff!r}; expected a number from 0 to 1 or None")
    return float(score_cutoff)


# Names an output format keeps for itself: the geometry column (a GeoPackage's is "geom" in the file,
# "geometry" on its way there) and GeoPackage's feature id.
_RESERVED_NAMES = {
    "csv": (),
    "parquet": (),
    "geoparquet": ("geometry",),
    "gpkg": ("fid", "geom", "geometry"),
}


def _output_names(columns: list[str], fmt: str) -> list[str]:
    """The input's names followed by the result columns; a result column whose name is taken gets
    ``_2``. A CSV keeps the input's header as it came; the other formats need unique names, so there
    repeated input names and those the format reserves (``geometry``; GeoPackage's ``fid``, ``geom``) are
    numbered too (``a``, ``a_2``; ``fid_2``), in GeoPackage ignoring case as its field names do."""
    fold = str.casefold if fmt == "gpkg" else str
    taken = {fold(name) for name in _RESERVED_NAMES[fmt]}
    names: list[str] = []
    for j, name in enumerate([*columns, *RESULT_COLUMNS]):
        unique, k = name, 1
        kept = fmt == "csv" and j < len(columns)
        while fold(unique) in taken and not kept:
            k += 1
            unique = f"{name}_{k}"
        taken.add(fold(unique))
        names.append(unique)
    return names


def _sink(path: Path, fmt: str, names: list[str], crs: str, encoding: str) -> CsvOutput | PartsOutput:
    if fmt == "csv":
        return CsvOutput(path, encoding=encoding, columns=names)
    width = len(names) - len(RESULT_COLUMNS)
    return PartsOutput(path, fmt, point=(names[width + _X], names[width + _Y]), crs=crs)


def _done(reader: TableReader, position: Position) -> int:
    return position.offset - reader.start.offset if reader.unit == "rows" else position.offset


def _fingerprint(
    src: Path,
    reader: TableReader,
    column: str,
    base: AddressBase,
    grid: GridIndex | None,
    crs: str,
    fmt: str,
    output_encoding: str,
    score_cutoff: float | None,
    chunk_rows: int,
    max_record_lines: int,
) -> dict[str, Any]:
    """What a resumed run must share with the interrupted one for their outputs to be the same bytes."""
    from stdaddr import __version__

    stat = src.stat()
    return {
        "stdaddr": __version__,
        "code": code_digest(),
        "input": str(src.resolve()),
        "input_size": stat.st_size,
        "input_mtime_ns": stat.st_mtime_ns,
        "input_digest": _digest_file(src),
        "encoding": reader.encoding,
        "header": reader.header,
        "column": column,
        "base": _digest_base(base),
        "grid": None if grid is None else _digest_grid(grid),
        "crs": crs,
        "format": fmt,
        "output_encoding": output_encoding,
        "score_cutoff": score_cutoff,
        "chunk_rows": chunk_rows,
        "max_record_lines": max_record_lines,
    }


@functools.cache
def code_digest() -> str:
    """A digest of the stdaddr package's files (code and data): a resumed run must have read and
    geocoded its first rows with the same code as the rest, which the version alone does not promise
    (a development install changes without a new version)."""
    package = Path(__file__).parent
    h = hashlib.sha1()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(f"{path.relative_to(package).as_posix()}\n".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _digest_file(path: Path) -> str:
    """A digest of a file's bytes: an input changed in place keeps its size, and may keep its mtime
    (copied with ``cp -p``), yet a run resumed on it would join two inputs' rows."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _digest_base(base: AddressBase) -> str:
    h = hashlib.sha1(f"{len(base)} {base.crs}\n{base.report}".encode())
    h.update(base.ids.tobytes())
    return h.hexdigest()


def _digest_grid(grid: GridIndex) -> str:
    h = hashlib.sha1(f"{len(grid)} {grid.crs}".encode())
    h.update("\n".join(grid.codes).encode())
    h.update(str(grid.report).encode())
    return h.hexdigest()


@dataclass(slots=True)
class _Run:
    """The state of one output being written: position in the input, counts, the checkpoint."""

    reader: TableReader
    names: list[str]
    sink: CsvOutput | PartsOutput
    fingerprint: dict[str, Any]
    position: Position = Position(0, 0)
    chunks: int = 0
    rows: int = 0
    length: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    levels: Counter[str] = field(default_factory=Counter)
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[str, list[list[Any]]] = field(default_factory=dict)  # status -> [[line, reason], ...]

    @property
    def checkpoint(self) -> Path:
        return self.sink.path.with_name(self.sink.path.name + ".checkpoint")

    def top_reasons(self) -> list[tuple[str, str, int]]:
        """The commonest (status, reason) pairs of rows not matched to a record; ties in name order."""
        ranked = sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
        return [(s, r, n) for (s, r), n in ranked[:_TOP_REASONS]]

    def start(self) -> None:
        self.position = self.reader.start
        if isinstance(self.sink, CsvOutput):
            self.length = self._written(self.sink.start, self.names)
        else:
            self.sink.start()
        self._save()

    def resume(self) -> int | None:
        """Continue from the checkpoint: the row to resume at, or None when there is nothing to resume."""
        try:
            state = json.loads(self.checkpoint.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if state.get("format") != _CHECKPOINT or state.get("version") != _CHECKPOINT_VERSION:
            return None
        if state["fingerprint"] != self.fingerprint:
            differ = sorted(k for k in self.fingerprint if state["fingerprint"].get(k) != self.fingerprint[k])
            raise InputError(
                f'the checkpoint "{self.checkpoint}" is of a run with other {", ".join(differ)}; '
                "run with the same input and options to resume, or without resume to start again"
            )
        if isinstance(self.sink, CsvOutput):
            ok = self.sink.resume(state["length"])
        else:
            ok = self.sink.resume(state["chunks"])
        if not ok:
            return None
        self.position = Position(*state["position"])
        self.chunks, self.rows, self.length = state["chunks"], state["rows"], state["length"]
        self.statuses = Counter(state["statuses"])
        self.levels = Counter(state["levels"])
        self.reasons = Counter({(s, r): n for s, r, n in state["reasons"]})
        self.examples = state["examples"]
        return self.rows

    def write(self, chunk: Chunk, results: list[tuple[Any, ...]]) -> None:
        """Write one chunk's rows, then record in the checkpoint that it is done."""
        if isinstance(self.sink, CsvOutput):
            self.length = self._written(
                self.sink.write,
                [cells + _csv_cells(r) for cells, r in zip(chunk.rows, results, strict=True)],
                lines=chunk.lines,
                where=self.reader.where,
            )
        else:
            self.sink.write(self.chunks, _arrow_table(self.names, chunk.rows, results))
        for r, line in zip(results, chunk.lines, strict=True):
            status = r[-2]
            self.statuses[status] += 1
            if r[_LEVEL]:
                self.levels[r[_LEVEL]] += 1
            if status != "matched":
                shown = self.examples.setdefault(status, [])
                if len(shown) < _EXAMPLES:
                    shown.append([line, r[-1]])
                key = (status, _reason_kind(r[-1]))
                if key not in self.reasons and len(self.reasons) >= _MAX_REASON_KINDS:
                    key = (status, "other")
                self.reasons[key] += 1
        self.rows += len(results)
        self.chunks += 1
        self.position = chunk.end
        self._save()

    def finish(self) -> None:
        if isinstance(self.sink, CsvOutput):
            self.sink.finish()
        else:
            self.sink.finish(self.chunks, _arrow_table(self.names, [], []))
        self.checkpoint.unlink(missing_ok=True)

    def close(self) -> None:
        if isinstance(self.sink, CsvOutput):
            self.sink.close()

    def _written(self, write: Callable[..., int], *args: Any, **kwargs: Any) -> int:
        """A CSV write; a character the output encoding lacks (DataError) would stop a resumed run at the
        same row again, so the partial file and the checkpoint are removed before the error goes on."""
        try:
            return write(*args, **kwargs)
        except DataError:
            self.close()
            assert isinstance(self.sink, CsvOutput)
            self.sink.partial.unlink(missing_ok=True)
            self.checkpoint.unlink(missing_ok=True)
            raise

    def _save(self) -> None:
        state = {
            "format": _CHECKPOINT,
            "version": _CHECKPOINT_VERSION,
            "fingerprint": self.fingerprint,
            "chunks": self.chunks,
            "position": list(self.position),
            "length": self.length,
            "rows": self.rows,
            "statuses": dict(self.statuses),
            "levels": dict(self.levels),
            "reasons": [[s, r, n] for (s, r), n in sorted(self.reasons.items())],
            "examples": self.examples,
        }
        replace_atomically(self.checkpoint, json.dumps(state, ensure_ascii=False).encode("utf-8"))


_REASON_NUMBERS = re.compile(r"(?<![\w-])\d+(?:[.,]\d+)*")  # 12, 1,200, 0.86; not utf-8
_REASON_BYTES = re.compile(r"b'[^']*'|b\"[^\"]*\"")
# A record's id in a reason (matched: record SXYC001261 at room level), whatever its characters.
_REASON_IDS = re.compile(r"(?<=record )(?!of )[^\s;,:]+")
# A place's name in a reason (fuzzy road 东西路~0.86, no record of 下店村3组12号 there), digits and all.
_REASON_NAMES = re.compile(
    "[0-9\u3400-\u9fff\U00020000-\U0003ffff]*[\u3400-\u9fff\U00020000-\U0003ffff][0-9\u3400-\u9fff\U00020000-\U0003ffff]*"
)
# Distinct reasons counted; later new ones count as "other" (the checkpoint holds them all).
_MAX_REASON_KINDS = 1000


def _reason_kind(reason: str) -> str:
    """A reason without what varies from row to row — numbers, byte values, record ids and the names of
    places (``fuzzy road 东西路~0.86`` counts as ``fuzzy road …~N``) — so rows failing the same way count
    together."""
    reason = _REASON_IDS.sub("…", _REASON_BYTES.sub("b'…'", reason))
    return _REASON_NUMBERS.sub("N", _REASON_NAMES.sub("…", reason))


# Positions in a result tuple (RESULT_COLUMNS order).
_X = RESULT_COLUMNS.index("x")
_Y = RESULT_COLUMNS.index("y")
_SCORE = RESULT_COLUMNS.index("score")
_LEVEL = RESULT_COLUMNS.index("match_level")
_GRID = RESULT_COLUMNS.index("grid_code")
_CRS = RESULT_COLUMNS.index("crs")
_N_PARSED = 1 + len(FIELDS)


def _csv_cells(r: tuple[Any, ...]) -> list[str]:
    cells = ["" if v is None else v for v in r]
    score, x, y = r[_SCORE], r[_X], r[_Y]
    cells[_SCORE] = "" if score is None else f"{score:.4f}"
    geographic = r[_CRS] in _GEOGRAPHIC
    cells[_X] = "" if x is None else (f"{x:.7f}" if geographic else f"{x:.3f}")
    cells[_Y] = "" if y is None else (f"{y:.7f}" if geographic else f"{y:.3f}")
    return cells


class _Geographic:
    """Membership test for CRSs in degrees (x, y written with 7 decimals, about 1 cm), cached."""

    def __init__(self) -> None:
        self._known: dict[str, bool] = {}

    def __contains__(self, crs: object) -> bool:
        if not isinstance(crs, str):
            return False
        if crs not in self._known:
            from stdaddr.crs import is_geographic

            self._known[crs] = is_geographic(crs)
        return self._known[crs]


_GEOGRAPHIC = _Geographic()


def _arrow_table(names: list[str], rows: list[list[str]], results: list[tuple[Any, ...]]) -> pa.Table:
    import pyarrow as pa

    width = len(names) - len(RESULT_COLUMNS)
    arrays = [pa.array([row[j] for row in rows], pa.string()) for j in range(width)]
    for j, name in enumerate(RESULT_COLUMNS):
        if name in ("x", "y"):
            # Rounded as the CSV writes them: 7 decimals in degrees, 3 in metres.
            values = [
                None if r[j] is None else round(r[j], 7 if r[_CRS] in _GEOGRAPHIC else 3) for r in results
            ]
            arrays.append(pa.array(values, pa.float64()))
        else:
            kind = pa.float64() if name == "score" else pa.string()
            arrays.append(pa.array([r[j] for r in results], kind))
    return pa.Table.from_arrays(arrays, names=names)


@dataclass(slots=True)
class _Job:
    """What workers need: set before the pool forks, so the base and the grid are shared, not copied."""

    base: AddressBase
    grid: GridIndex | None
    crs: str
    cutoff: float
    memo: dict[str, tuple[Any, ...]] = field(default_factory=dict)


_JOB: _Job | None = None


def _geocoded(
    reader: TableReader, start: Position, chunk_rows: int, address: tuple[int, ...], job: _Job, workers: int
) -> Generator[tuple[Chunk, list[tuple[Any, ...]]], None, None]:
    """Chunks from ``start`` with one result tuple per row, in input order.

    The reading stays a few chunks ahead of the workers, never more, so memory does not grow with the file.
    """
    global _JOB
    chunks = _chunks(reader, start, chunk_rows)
    address_of = row_address(reader.columns, address)
    if workers < 2:
        _JOB = job
        try:
            for chunk in chunks:
                texts, fixed = _plan(chunk, address_of, reader.where)
                with fewer_collections():
                    results = _geocode_texts(texts)
                yield chunk, _merge(fixed, results, job.crs)
        finally:
            _JOB = None
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    _warm(job)
    _JOB = job
    pending: deque[Any] = deque()
    try:
        pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=_worker_started)
        try:
            # the workers fork on the first submit and inherit the freeze
            with frozen_for_fork():
                for chunk in chunks:
                    texts, fixed = _plan(chunk, address_of, reader.where)
                    pending.append((chunk, fixed, pool.submit(_geocode_texts, texts)))
                    if len(pending) > 2 * workers:
                        done, fixed_done, future = pending.popleft()
                        yield done, _merge(fixed_done, pool_result(future, pool), job.crs)
                while pending:
                    done, fixed_done, future = pending.popleft()
                    yield done, _merge(fixed_done, pool_result(future, pool), job.crs)
        except BaseException:
            # Interrupted (Ctrl-C, a failing write, a dead worker): do not wait for the chunks queued
            # behind, and end the workers now, or the interpreter's exit waits on the pool's threads,
            # which may wait on a worker blocked writing to a pipe nobody reads any more.
            end_workers(pool)
            raise
        pool.shutdown()
    except BrokenProcessPool as exc:
        if _ACTIVE_STOP is not None:
            # Ctrl-C while a worker was being forked ended it: the run is interrupted, no worker crashed.
            _ACTIVE_STOP.check()
        raise StdaddrError(
            f"a worker process died ({exc}); the rows written so far are kept: run again with resume to continue"
        ) from exc
    finally:
        _JOB = None


def _worker_started() -> None:
    """Run first in every geocoding worker: as :func:`worker_started`, and SIGTERM back to its default
    action (the workers fork inside :func:`stop_signals`; a worker that turned SIGTERM into
    SystemExit would try to send it back to the parent instead of ending)."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Ctrl-C reaches the whole process group: the parent stops the run and ends the workers; a worker
    # that raised KeyboardInterrupt itself would only print its traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_started()


class _Stop:
    """The stop signal (SIGINT, SIGTERM) received during a run, if any."""

    def __init__(self) -> None:
        self.signal: int | None = None

    def check(self) -> None:
        """Raise for a signal received whose exception was lost on its way (see :func:`stop_signals`)."""
        if self.signal is None:
            return
        import signal

        if self.signal == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + self.signal)


@contextlib.contextmanager
def stop_signals() -> Iterator[_Stop]:
    """Ctrl-C (KeyboardInterrupt) and SIGTERM (SystemExit, status 143) stop the run inside the block, the
    checkpoint kept, and are noted too: an exception a signal raises inside a finalizer (a ``__del__``
    run by the garbage collector) is reported and dropped by Python, so the run checks the note after
    each chunk (Ctrl-C was ignored about once in twenty with one worker). SIGTERM no longer ends a
    one-process run mid-write. Only where the signals have Python's default handling and in the main
    thread; a program that handles them keeps its handlers. A command made of several runs (``stdaddr
    join``) holds one block over them all: the runs inside share its note."""
    import signal
    import threading

    global _ACTIVE_STOP
    if _ACTIVE_STOP is not None:
        yield _ACTIVE_STOP  # inside another run's block (a join geocoding its departments): its note
        return
    stop = _Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    ours = [s for s, h in previous.items() if h is signal.default_int_handler or h is signal.SIG_DFL]

    def noted(signum: int, frame: Any) -> None:
        stop.signal = signum
        stop.check()

    for s in ours:
        signal.signal(s, noted)
    _ACTIVE_STOP = stop
    try:
        yield stop
    finally:
        _ACTIVE_STOP = None
        for s in ours:
            signal.signal(s, previous[s])


# The note of the stop signals of the run in progress (see stop_signals), shared by runs inside it.
_ACTIVE_STOP: _Stop | None = None


def _chunks(reader: TableReader, start: Position, chunk_rows: int) -> Iterator[Chunk]:
    position = start
    while (chunk := reader.read(position, chunk_rows)) is not None:
        yield chunk
        position = chunk.end


# Texts whose parsing loads every lazy table of the parser: the gazetteer and its automaton, and the
# nationwide community index (needed when a community comes without divisions, about 3 s to build).
_WARM_TEXTS = ("浙江省温州市鹿城区五马街道解放街1号", "府前社区解放街1号")


def _warm(job: _Job) -> None:
    """Load what parsing, matching and grid lookups load lazily, once, before the workers fork."""
    for text in _WARM_TEXTS:
        job.base.match(text)
    if job.grid is not None:
        job.grid.assign([math.nan], [math.nan], crs=job.base.crs)


def _plan(
    chunk: Chunk, address_of: Callable[[Sequence[str]], str], where: str = "line"
) -> tuple[list[str | None], list[tuple[str, str] | Fault | None]]:
    """The texts to geocode (None: not geocoded) and what is known about each row beforehand; reasons
    name the row by its input ``where`` ("line" of a text file, "row" of a sheet), as the reader does.
    ``address_of`` gives a row's address from its cells (:func:`stdaddr.io.row_address`)."""
    texts: list[str | None] = []
    fixed: list[tuple[str, str] | Fault | None] = []
    for cells, fault, line in zip(chunk.rows, chunk.faults, chunk.lines, strict=True):
        text = address_of(cells)
        if fault is not None and not fault.readable:
            texts.append(None)
            fixed.append(fault)
        elif not text.strip() or (fault is None and len(text) <= NULL_MARKER_MAX and is_null_marker(text)):
            # NULL, 不详, 无, -: a cell that stands for no address is an empty address, not one the base lacks.
            texts.append(None)
            said = f" ({text.strip()!r} stands for no address)" if text.strip() else ""
            reason = f"{where} {line}: the address is empty{said}" + (f"; {fault.reason}" if fault else "")
            fixed.append(("empty_address", reason))
        elif len(text) > MAX_ADDRESS_CHARS:
            texts.append(None)
            fixed.append(("too_long", too_long_reason(f"{where} {line}", text)))
        else:
            texts.append(text)
            fixed.append(fault)
    return texts, fixed


def _merge(
    fixed: list[tuple[str, str] | Fault | None], results: list[tuple[Any, ...] | None], crs: str
) -> list[tuple[Any, ...]]:
    """One full result tuple per row: the geocode, or the row's own status; a readable fault's status
    wins over the match status, and both reasons are kept."""
    out = []
    blank = (None,) * len(RESULT_COLUMNS)
    for known, r in zip(fixed, results, strict=True):
        if r is None:
            status, reason = known[0], known[1]  # type: ignore[index]
            out.append((*blank[:_CRS], None, None, status, reason))
            continue
        r = (*r[:_CRS], crs if r[_X] is not None else None, *r[_CRS:])
        if isinstance(known, Fault):
            r = (*r[:-2], known.status, f"{known.reason}; {r[-2]}: {r[-1]}")
        out.append(r)
    return out


def _geocode_texts(texts: list[str | None]) -> list[tuple[Any, ...] | None]:
    """Worker: the geocode of each text (None stays None), as plain tuples (RESULT_COLUMNS without
    ``crs``): small to send back, unlike Address or Match objects."""
    import numpy as np

    from stdaddr.crs import transform

    job = _JOB
    assert job is not None
    from stdaddr.match import parse_ahead

    rows = [None if t is None else _geocode_one(job, t) for part in parse_ahead(texts) for t in part]
    found = [i for i, r in enumerate(rows) if r is not None and r[_X] is not None]
    if not found:
        return rows
    x = np.array([rows[i][_X] for i in found], dtype=np.float64)  # type: ignore[index]
    y = np.array([rows[i][_Y] for i in found], dtype=np.float64)  # type: ignore[index]
    celled = [k for k, i in enumerate(found) if rows[i][_LEVEL] in GRID_LEVELS]  # type: ignore[index]
    codes: list[str | None] = [None] * len(found)
    for k, code in zip(celled, _cells(job, x[celled], y[celled]), strict=True):
        codes[k] = code
    if job.crs != job.base.crs:
        x, y = transform(x, y, job.base.crs, job.crs)
    for k, i in enumerate(found):
        r = rows[i]
        assert r is not None
        reason = r[-1]
        if job.grid is not None and codes[k] is None:
            if r[_LEVEL] in GRID_LEVELS:
                reason = f"{reason}; the point is in no grid cell"
            else:
                reason = f"{reason}; no grid cell for the centroid of a {r[_LEVEL] or 'place'}"
        xi, yi = float(x[k]), float(y[k])
        point = math.isfinite(xi) and math.isfinite(yi)
        rows[i] = (*r[:_X], xi if point else None, yi if point else None, codes[k], r[-2], reason)
    return rows


def _cells(job: _Job, x: np.ndarray, y: np.ndarray) -> list[str | None]:
    if job.grid is None:
        return [None] * len(x)
    return job.grid.assign(x, y, crs=job.base.crs).codes.tolist()


def _geocode_one(job: _Job, text: str) -> tuple[Any, ...]:
    """(normalized, levels…, address_id, standard, level, score, x, y, grid_code, status, reason) in the
    base's CRS, grid code still None. Never raises."""
    memo = job.memo
    hit = memo.get(text)
    if hit is not None:
        return hit
    from stdaddr.match import match_safe
    from stdaddr.parsing import parse

    try:
        a = parse(text)
        m, status, reason = match_safe(job.base, text, 1, job.cutoff, candidates=False)
    except Exception as exc:  # batch contract: one row never stops the run; its row says why
        return (
            *((None,) * _N_PARSED),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "error",
            f"{type(exc).__name__}: {exc}",
        )
    if status == "invalid":
        status = "error"
    parsed = (a.normalized or None, *(getattr(a, f) for f in FIELDS))
    if m is None:
        result = (*parsed, None, None, None, None, None, None, None, status, reason)
    else:
        result = (*parsed, m.address_id, m.standard, m.level, m.score, m.x, m.y, None, status, reason)
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[text] = result
    return result


def assign_file(
    input: str | Path,
    output: str | Path,
    *,
    grid: GridIndex,
    x_column: str,
    y_column: str,
    crs: Any,
    tolerance_m: float | None = None,
    encoding: str | None = None,
    output_format: str | None = None,
    chunk_rows: int = 10 * CHUNK_ROWS,
) -> dict[str, int]:
    """Add ``grid_code``, ``grid_status`` and ``grid_distance_m`` to every row of a CSV/Excel/Parquet
    table (:func:`stdaddr.grid.assign_table`, ``chunk_rows`` rows at a time) and write it as CSV or
    Parquet (input columns as strings, ``grid_distance_m`` as float64), atomically. Returns the number
    of rows per grid status."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from stdaddr.grid import STATUSES, assign_table
    from stdaddr.grid.index import DEFAULT_TOLERANCE_M
    from stdaddr.io import temp_beside

    src, dst = Path(input), Path(output)
    fmt = format_of(dst, output_format)
    if fmt not in ("csv", "parquet"):
        raise InputError(f'output format was "{fmt}"; expected csv or parquet for grid assign')
    _check_options(None, chunk_rows, MAX_RECORD_LINES)
    reader = open_table(src, encoding=encoding)
    tmp = temp_beside(dst)
    counts: Counter[str] = Counter()
    writer: Any = None
    try:
        x_column, y_column = (
            reader.columns[column_index(reader.columns, name, what=f'the input "{src.name}"')]
            for name in (x_column, y_column)
        )
        # One schema for every chunk: a chunk with no point in any cell has grid codes that are all
        # null, which pandas would type as null and Parquet refuse to append.
        schema = pa.schema(
            [
                *((name, pa.string()) for name in reader.columns),
                ("grid_code", pa.string()),
                ("grid_status", pa.string()),
                ("grid_distance_m", pa.float64()),
            ]
        )
        with open(tmp, "wb") as f:
            try:
                for chunk in _chunks(reader, reader.start, chunk_rows):
                    frame = _frame(reader.columns, chunk.rows)
                    out = assign_table(
                        frame,
                        x_column=x_column,
                        y_column=y_column,
                        crs=crs,
                        grid=grid,
                        tolerance_m=DEFAULT_TOLERANCE_M if tolerance_m is None else tolerance_m,
                    )
                    counts.update(out["grid_status"].tolist())
                    if fmt == "csv":
                        text = out.to_csv(index=False, header=writer is None, lineterminator="\n")
                        if "\r" in text:  # a lone CR in a cell: quoted, or readers end the row there
                            text = out.to_csv(
                                index=False, header=writer is None, lineterminator="\n", quoting=csv.QUOTE_ALL
                            )
                        f.write(text.encode("utf-8"))
                        writer = True
                    else:
                        writer = writer or pq.ParquetWriter(f, schema)
                        writer.write_table(pa.Table.from_pandas(out, schema=schema, preserve_index=False))
                if writer is None:  # no rows: the header (CSV) or the schema (Parquet) alone
                    if fmt == "csv":
                        empty = _frame([*reader.columns, "grid_code", "grid_status", "grid_distance_m"], [])
                        f.write(empty.to_csv(index=False, lineterminator="\n").encode("utf-8"))
                    else:
                        pq.write_table(schema.empty_table(), f)
            finally:
                if isinstance(writer, pq.ParquetWriter):  # closed while its file is open, also on errors
                    writer.close()
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dst)
    finally:
        reader.close()
        tmp.unlink(missing_ok=True)
    return {status: counts.get(status, 0) for status in STATUSES}


def _frame(columns: list[str], rows: list[list[str]]) -> Any:
    import pandas as pd

    return pd.DataFrame(rows, columns=columns, dtype=object)


FLAT_COLUMNS = (
    "text",
    "normalized",
    *FIELDS,
    *(f"{f}_code" for f in DIVISION_FIELDS),
    "ambiguous",
    "inferred",
    "extra",
    "notes",
)


def flat_row(a: Address) -> dict[str, Any]:
    """One CSV row of a parsed address: every level, the codes, flags; lists joined with '|'."""
    d = a.to_dict()
    row = {k: d[k] for k in ("text", "normalized", *FIELDS, *(f"{f}_code" for f in DIVISION_FIELDS))}
    row["ambiguous"] = "true" if a.ambiguous else "false"
    row["inferred"] = "|".join(d["inferred"])
    row["extra"] = "|".join(a.extra)
    row["notes"] = "|".join(a.notes)
    return {k: ("" if v is None else v) for k, v in row.items()}


def _no_points_for_the_grid(base: AddressBase, grid: GridIndex | None) -> list[str]:
    """The summary's line for a grid given with a base that has no point at all (built without its
    coordinate columns): no row can get a point or a cell."""
    import numpy as np

    if grid is None or len(base) == 0 or np.isfinite(base._a["x"]).any():
        return []
    return ["the base has no point (built without its x/y columns): no row gets a point or a grid cell"]
