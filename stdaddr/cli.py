"""The ``stdaddr`` command: argument parsing only; the work is done by the library modules.

    stdaddr parse "温州鹿城区五马街道解放街一百二十三号3-2-301"
    stdaddr normalize --input events.csv --column 地址 --format csv -o out.csv
    cat addresses.txt | stdaddr parse --format csv
    stdaddr geocode events.csv --column 地址 -o events.geocoded.csv
    stdaddr geocode events.xlsx --column 住址 --base base.csv --base-id-column id --base-address-column address \\
        --base-x-column lon --base-y-column lat --grid grids.gpkg --grid-code-column code -o out.gpkg
    stdaddr grid validate grids.geojson --grid-code-column code --grid-crs GCJ02
    stdaddr grid assign points.csv --x-column lon --y-column lat --crs EPSG:4326 --grid grids.gpkg \\
        --grid-code-column code -o points.grid.csv
    stdaddr demo
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, TextIO

from stdaddr import __version__
from stdaddr.errors import StdaddrError

if TYPE_CHECKING:
    from stdaddr.batch import Progress
    from stdaddr.io import Fault

__all__ = ["main", "build_parser"]


class _Source(NamedTuple):
    """The rows parse/normalize read: the input file's columns (None for texts and stdin) and, per row,
    its line (argument number for texts), its input fields, its address text and its fault."""

    columns: list[str] | None
    rows: Iterator[tuple[int, list[str], str, Fault | None]]
    close: Callable[[], None]


def _source(args: argparse.Namespace) -> _Source:
    from stdaddr.io import column_index, iter_lines, iter_rows, open_table, row_address

    if args.input:
        reader = open_table(args.input, encoding=args.encoding, header=args.header)
        try:
            if args.column is None:
                from stdaddr.batch import detect_address_column

                j = detect_address_column(reader, what=reader.name)
                print(
                    f'stdaddr: address column "{reader.columns[j]}" (detected; --column names another)',
                    file=sys.stderr,
                )
                picked = [j]
            else:
                picked = [column_index(reader.columns, c, what=reader.name) for c in args.column]
        except StdaddrError:
            reader.close()
            raise
        address = row_address(reader.columns, picked)  # several columns: their cells joined in order
        rows = ((line, fields, address(fields), fault) for line, fields, fault in iter_rows(reader))
        return _Source(reader.columns, rows, reader.close)
    if args.text:
        return _Source(None, ((n, [t], t, None) for n, t in enumerate(args.text, start=1)), lambda: None)
    lines = iter_lines(sys.stdin.buffer, encoding=args.encoding)
    return _Source(None, ((n, [t], t, fault) for n, t, fault in lines), lambda: None)


def _check_text_inputs(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors of parse/normalize: texts and a file at once, a column without a file or the reverse."""
    if args.text and args.input:
        parser.error("give address TEXTs or --input FILE, not both (the texts would be ignored)")
    if args.column and not args.input:
        parser.error("--column names a column of --input FILE; give --input too")


def _cmd_parse(args: argparse.Namespace, *, normalized_only: bool = False) -> int:
    from stdaddr.batch import FLAT_COLUMNS

    source = _source(args)
    try:
        results = ["normalized"] if normalized_only else list(FLAT_COLUMNS)
        if source.columns is None and normalized_only:
            results.insert(0, "text")
        header = [
            *(source.columns or ["line"]),
            *_unique([*results, "status", "reason"], source.columns or ["line"]),
        ]
        with _open_output(args.output) as out:
            damaged = _write_parsed(source, out, header, fmt=args.format, normalized_only=normalized_only)
    finally:
        source.close()
    for reason in damaged[:_SHOWN_FAULTS]:
        print(f"stdaddr: {reason}", file=sys.stderr)
    if len(damaged) > _SHOWN_FAULTS:
        print(f"stdaddr: ... and {len(damaged) - _SHOWN_FAULTS:,} more rows like these", file=sys.stderr)
    return 0


_SHOWN_FAULTS = 5


def _open_output(path: str | None) -> Any:
    if not path:
        return nullcontext(sys.stdout)
    if Path(path).is_dir():
        raise StdaddrError(f'output "{path}" is a directory; expected a file name')
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise StdaddrError(f'cannot write "{path}": {exc.strerror}') from None


def _unique(names: list[str], taken: list[str]) -> list[str]:
    """``names`` with those the input already has suffixed _2, _3, … (input columns are never renamed)."""
    used = set(taken)
    out = []
    for name in names:
        new, k = name, 1
        while new in used:
            k += 1
            new = f"{name}_{k}"
        used.add(new)
        out.append(new)
    return out


def _write_parsed(
    source: _Source, out: IO[str], header: list[str], *, fmt: str, normalized_only: bool
) -> list[str]:
    """Parse each row's address and write it (text: the canonical string; csv: the input row or line
    number, the result and a status; jsonl: one object, or for normalize one string). Rows that were
    not read as written (bad bytes, a wrong number of fields, a cut line) are not parsed: their status
    and reason say why. Returns those reasons."""
    import itertools
    import json

    from stdaddr.batch import MAX_ADDRESS_CHARS, flat_row, too_long_reason
    from stdaddr.io import CsvOut, Fault
    from stdaddr.parsing import parse_many

    damaged: list[str] = []
    writer = CsvOut(out)
    if fmt == "csv":
        writer.writerow(header)
    rows = source.rows
    while chunk := list(itertools.islice(rows, 10_000)):
        # A cell longer than an address can be is not parsed, as `stdaddr geocode` does not match it.
        chunk = [
            (line, fields, text, fault)
            if fault is not None or text is None or len(text) <= MAX_ADDRESS_CHARS
            else (line, fields, text, Fault("too_long", too_long_reason(f"line {line}", text), False))
            for line, fields, text, fault in chunk
        ]
        usable = [fault is None or (fault.readable and fault.status != "bad_encoding") for *_, fault in chunk]
        parsed = iter(parse_many([text for (_, _, text, _), ok in zip(chunk, usable, strict=True) if ok]))
        for (line, fields, text, fault), ok in zip(chunk, usable, strict=True):
            a = next(parsed) if ok else None
            status, reason = (fault.status, fault.reason) if fault else ("ok", "")
            if fault is not None and fault.status != "empty_address":
                damaged.append(reason)
            if fmt == "text":
                out.write((a.normalized if a else "") + "\n")
            elif fmt == "jsonl" and normalized_only:
                out.write(json.dumps(a.normalized if a else None, ensure_ascii=False) + "\n")
            elif fmt == "jsonl":
                result = a.to_dict() if a else {"text": text}
                out.write(
                    json.dumps(
                        {"line": line, **result, "status": status, "reason": reason}, ensure_ascii=False
                    )
                    + "\n"
                )
            else:
                prefix = fields if source.columns is not None else [str(line)]
                if normalized_only:
                    values = ([] if source.columns is not None else [text]) + [a.normalized if a else ""]
                else:
                    values = (
                        list(flat_row(a).values()) if a else [text] + [""] * (len(header) - len(prefix) - 3)
                    )
                writer.writerow([*prefix, *values, status, reason])
    return damaged


def _progress_bar(quiet: bool) -> tuple[Callable[[Progress], None] | None, Callable[[], None]]:
    """A tqdm bar on stderr (share of the input, rate and ETA; rows and rows/s after it), or nothing when
    ``quiet`` or stderr is not a terminal. The bar starts with the first chunk written."""
    if quiet or not sys.stderr.isatty():
        return None, lambda: None
    import time

    from tqdm import tqdm

    bars: list[Any] = []
    first: list[tuple[int, float]] = []

    def update(p: Progress) -> None:
        now = time.perf_counter()
        if not bars:
            bars.append(
                tqdm(
                    total=p.total,
                    unit=p.unit,
                    unit_scale=True,
                    file=sys.stderr,
                    dynamic_ncols=True,
                    leave=False,
                )
            )
            first.append((p.rows, now))
        rows0, t0 = first[0]
        rate = f", {(p.rows - rows0) / (now - t0):,.0f} rows/s" if now > t0 else ""
        bars[0].set_postfix_str(f"{p.rows:,} rows{rate}", refresh=False)
        bars[0].update(p.done - bars[0].n)

    def close() -> None:
        if bars:
            bars[0].close()

    return update, close


def _note(args: argparse.Namespace, text: str) -> None:
    """A line on stderr about a slow step, for a person watching (not with --quiet, not into a file)."""
    if not args.quiet and sys.stderr.isatty():
        print(f"stdaddr: {text}", file=sys.stderr)


def _cmd_geocode(args: argparse.Namespace) -> int:
    from stdaddr.batch import check_input, check_output, geocode_file

    output = args.output or str(Path(args.input).with_name(Path(args.input).stem + ".geocoded.csv"))
    check_output(args.input, output, output_format=args.format, output_encoding=args.output_encoding)
    # How the input is read and matched: checked before the base is loaded, then used to geocode.
    reading: dict[str, Any] = {
        "column": _one_or_several(args.column),
        "crs": args.crs,
        "encoding": args.encoding,
        "sheet": _sheet(args.sheet),
        "score_cutoff": args.score_cutoff,
        "chunk_rows": args.chunk_rows,
        "max_record_lines": args.max_record_lines,
        "header": args.header,
    }
    check_input(args.input, **reading)
    base, grid = _base_and_grid(args)
    _note(args, f"geocoding {args.input}")
    update, close = _progress_bar(args.quiet)
    try:
        summary = geocode_file(
            args.input,
            output,
            base=base,
            grid=grid,
            output_format=args.format,
            output_encoding=args.output_encoding,
            resume=args.resume,
            workers=args.workers,
            progress=update,
            **reading,
        )
    finally:
        close()
    if not args.quiet:
        print(summary)
    return 0


def _base_and_grid(args: argparse.Namespace) -> tuple[Any, Any]:
    from stdaddr.batch import base_and_grid

    if args.base:
        _note(args, f"loading the base {args.base}")
    else:
        _note(args, "loading the embedded default base and grid (built and cached on first use, about 10 s)")
    return base_and_grid(
        args.base,
        args.grid,
        base_id_column=args.base_id_column,
        base_address_column=_one_or_several(args.base_address_column),
        base_x_column=args.base_x_column,
        base_y_column=args.base_y_column,
        base_crs=args.base_crs,
        base_layer=args.base_layer,
        grid_code_column=args.grid_code_column,
        grid_crs=args.grid_crs,
        grid_layer=args.grid_layer,
        grid_encoding=args.grid_encoding,
    )


def _sheet(value: str | None) -> str | int | None:
    return int(value) if value is not None and value.isdigit() else value


def _one_or_several(columns: list[str] | None) -> str | list[str] | None:
    """A repeated column option: one name, several (joined in order), or None when not given."""
    return columns[0] if columns and len(columns) == 1 else columns


def _grid_file(args: argparse.Namespace) -> dict[str, Any]:
    """How the grid file of ``stdaddr grid`` is read, from its options."""
    return {
        "code_column": args.grid_code_column,
        "crs": args.grid_crs,
        "layer": args.grid_layer,
        "encoding": args.grid_encoding,
    }


def _cmd_grid_validate(args: argparse.Namespace) -> int:
    from stdaddr.grid import validate_file

    report = validate_file(args.grid, **_grid_file(args))
    print(report)
    return 0 if report.ok else 1


def _cmd_grid_assign(args: argparse.Namespace) -> int:
    from stdaddr.batch import assign_file, load_grid

    grid = load_grid(args.grid, **_grid_file(args))
    if not grid.report.ok:
        problems = "".join(f"\n  {problem}" for problem in grid.report.problems)
        print(
            f"stdaddr: the grid layer has problems; cells may be wrong (stdaddr grid validate shows them all):{problems}",
            file=sys.stderr,
        )
    output = args.output or str(Path(args.input).with_name(Path(args.input).stem + ".grid.csv"))
    counts = assign_file(
        args.input,
        output,
        grid=grid,
        x_column=args.x_column,
        y_column=args.y_column,
        crs=args.crs,
        tolerance_m=args.tolerance,
        encoding=args.encoding,
        output_format=args.format,
    )
    if not args.quiet:
        shown = ", ".join(f"{status} {n:,}" for status, n in counts.items() if n)
        print(f"{args.input} -> {output}: {sum(counts.values()):,} rows ({shown})")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from stdaddr.demo import run_demo

    say = None if args.quiet else (lambda line: print(line, file=sys.stderr))
    result = run_demo(args.out, rows=args.rows, base_size=args.base_size, workers=args.workers, log=say)
    print(result)
    return 0


def _add_text_inputs(p: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    p.add_argument("text", nargs="*", help="address texts (default: read one per line from stdin)")
    p.add_argument("--input", "-i", metavar="FILE", help="a CSV/TSV/Excel/Parquet file to read a column of")
    p.add_argument(
        "--column",
        "-c",
        metavar="COL",
        action="append",
        help="the address column of --input (default: detected from its values); repeated, the cells of "
        "the columns are joined in order",
    )
    p.add_argument("--encoding", help="encoding of a CSV input or of stdin (default: detected)")
    _add_header(p)
    p.add_argument(
        "--format",
        "-f",
        choices=formats,
        default=formats[0],
        help="output format (csv: a header, the input's columns or line number, the result, status and reason)",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(check=lambda args: _check_text_inputs(p, args))


def _add_header(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--header",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="whether the first row of a CSV/Excel input names the columns (default: it does, unless it "
        "reads as an address; --no-header names the columns column_1, column_2, …)",
    )


def _add_grid_layer(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument("--grid-code-column", metavar="COL", required=required, help="the column of cell codes")
    p.add_argument(
        "--grid-crs",
        metavar="CRS",
        help="CRS of the grid layer (needed for GCJ02/BD09 or when the file states none)",
    )
    p.add_argument("--grid-layer", metavar="LAYER", help="layer of a multi-layer file (GeoPackage)")
    p.add_argument(
        "--grid-encoding",
        metavar="ENC",
        help="text encoding of a Shapefile grid whose .cpg does not say it (e.g. GBK; GBK is recognised "
        "without it)",
    )


def _add_geocode(sub: Any) -> None:
    from stdaddr.batch import CHUNK_ROWS
    from stdaddr.io import MAX_RECORD_LINES, OUTPUT_FORMATS

    p = sub.add_parser(
        "geocode",
        help="add the standard address, point and grid cell to every row of a CSV/Excel/Parquet file",
        description="Geocode the address column of a CSV (any common encoding), Excel or Parquet file: every "
        "row comes out, in order, with the parsed levels, address_id, match level, score, x, y, crs, "
        "grid_code, status and reason. Without --base and --grid the embedded synthetic Wenzhou base and "
        "grid are used. See docs/batch.md.",
    )
    p.add_argument("input", metavar="INPUT", help="the file to geocode (.csv/.tsv/.txt, .xlsx, .parquet)")
    p.add_argument(
        "--column",
        "-c",
        metavar="COL",
        action="append",
        help="the address column (default: detected: the column whose first 200 values read best as "
        "addresses); repeated (-c 区县 -c 详细地址), the cells of the columns are joined in order",
    )
    p.add_argument(
        "--output",
        "-o",
        metavar="OUTPUT",
        help="the result file (default: INPUT.geocoded.csv); .csv, .parquet, .geoparquet or .gpkg",
    )
    p.add_argument("--format", "-f", choices=OUTPUT_FORMATS, help="output format (default: from the suffix)")
    p.add_argument("--encoding", help="encoding of a CSV input (default: detected; e.g. utf-8, gbk, gb18030)")
    p.add_argument("--sheet", help="Excel sheet name or 0-based number (default: the first)")
    _add_header(p)
    p.add_argument(
        "--output-encoding",
        default="utf-8",
        metavar="ENC",
        help="encoding of a CSV output (default utf-8; utf-8-sig for Excel, gb18030)",
    )
    p.add_argument("--crs", help="CRS of x, y in the output: EPSG code, GCJ02 or BD09 (default: the base's)")
    p.add_argument(
        "--base",
        metavar="BASE",
        help="the standard address base: an index file (.npz, AddressBase.save) "
        "or a table (CSV/Excel/Parquet/GeoPackage) with the --base-*-column options",
    )
    p.add_argument("--base-id-column", metavar="COL", help="id column of a base table")
    p.add_argument(
        "--base-address-column",
        metavar="COL",
        action="append",
        help="address column of a base table; repeated, the cells of the columns are joined in order",
    )
    p.add_argument("--base-x-column", metavar="COL", help="x (longitude/easting) column of a base table")
    p.add_argument("--base-y-column", metavar="COL", help="y (latitude/northing) column of a base table")
    p.add_argument("--base-crs", metavar="CRS", help="CRS of the base's coordinates (default EPSG:4490)")
    p.add_argument("--base-layer", metavar="LAYER", help="layer of a multi-layer base file")
    p.add_argument("--grid", metavar="GRID", help="grid cells (GeoPackage, GeoJSON, Shapefile, GeoParquet)")
    _add_grid_layer(p, required=False)
    p.add_argument("--score-cutoff", type=float, metavar="S", help="lowest score accepted as a match (0-1)")
    p.add_argument(
        "--resume", action="store_true", help="continue an interrupted run (same input and options)"
    )
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: cores, at most 2)")
    p.add_argument(
        "--chunk-rows",
        type=int,
        default=CHUNK_ROWS,
        metavar="N",
        help=f"rows per chunk (default {CHUNK_ROWS})",
    )
    p.add_argument(
        "--max-record-lines",
        type=int,
        default=MAX_RECORD_LINES,
        metavar="N",
        help=f"lines a quoted field may span before it counts as unclosed (default {MAX_RECORD_LINES})",
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help="no progress bar and no summary on the terminal"
    )
    p.set_defaults(func=_cmd_geocode)


def _add_grid(sub: Any) -> None:
    from stdaddr.grid.index import DEFAULT_TOLERANCE_M

    g = sub.add_parser("grid", help="validate a grid layer or assign points of a table to its cells")
    gsub = g.add_subparsers(dest="grid_command", required=True)

    p = gsub.add_parser(
        "validate", help="check a grid layer: invalid, empty, duplicate, overlapping cells, gaps"
    )
    p.add_argument("grid", metavar="GRID", help="grid cells (GeoPackage, GeoJSON, Shapefile, GeoParquet)")
    _add_grid_layer(p, required=True)
    p.set_defaults(func=_cmd_grid_validate)

    p = gsub.add_parser(
        "assign", help="add grid_code, grid_status and grid_distance_m to every row of a table"
    )
    p.add_argument("input", metavar="INPUT", help="a CSV/Excel/Parquet table with coordinate columns")
    p.add_argument("--x-column", required=True, metavar="COL", help="x (longitude/easting) column")
    p.add_argument("--y-column", required=True, metavar="COL", help="y (latitude/northing) column")
    p.add_argument("--crs", required=True, help="CRS of the coordinates: EPSG code, GCJ02 or BD09")
    p.add_argument("--grid", required=True, metavar="GRID", help="grid cells")
    _add_grid_layer(p, required=True)
    p.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE_M,
        metavar="M",
        help=f"metres to the nearest cell for points in none (default {DEFAULT_TOLERANCE_M:g}; 0: off)",
    )
    p.add_argument(
        "--output", "-o", metavar="OUTPUT", help="the result file (default: INPUT.grid.csv); .csv or .parquet"
    )
    p.add_argument(
        "--format", "-f", choices=("csv", "parquet"), help="output format (default: from the suffix)"
    )
    p.add_argument("--encoding", help="encoding of a CSV input (default: detected)")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing")
    p.set_defaults(func=_cmd_grid_assign)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stdaddr", description="Chinese addresses to standard addresses, points and grid cells."
    )
    parser.add_argument("--version", action="version", version=f"stdaddr {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="split addresses into their levels (JSON lines or CSV)")
    _add_text_inputs(p, ("jsonl", "csv"))
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("normalize", help="print the canonical form of addresses (text: one per line)")
    _add_text_inputs(p, ("text", "csv", "jsonl"))
    p.set_defaults(func=lambda a: _cmd_parse(a, normalized_only=True))

    _add_geocode(sub)
    _add_grid(sub)

    from stdaddr.default import DEFAULT_SIZE
    from stdaddr.demo import DEFAULT_OUT, DEFAULT_ROWS

    p = sub.add_parser("demo", help="geocode department files made from the embedded default data")
    p.add_argument(
        "--out", default=DEFAULT_OUT, metavar="DIR", help=f"folder for the files (default ./{DEFAULT_OUT})"
    )
    p.add_argument(
        "--rows",
        type=int,
        default=DEFAULT_ROWS,
        metavar="N",
        help=f"rows per department file (default {DEFAULT_ROWS:,})",
    )
    p.add_argument(
        "--base-size",
        type=int,
        metavar="N",
        help=f"records of the synthetic base (default {DEFAULT_SIZE:,}; each size is cached)",
    )
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: cores, at most 2)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only the result")
    p.set_defaults(func=_cmd_demo)
    from stdaddr.join.cli import add_join_command

    add_join_command(sub)
    return parser


@contextmanager
def _plain_warnings() -> Iterator[None]:
    """stdaddr's own warnings as one line on stderr ("stdaddr: warning: …"), without the source line."""
    import warnings

    from stdaddr.errors import StdaddrWarning

    shown = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, StdaddrWarning):
            print(f"stdaddr: warning: {message}", file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    check = getattr(args, "check", None)
    if check is not None:
        check(args)
    func: Callable[[Any], int] = args.func
    try:
        with _plain_warnings():
            return func(args)
    except StdaddrError as exc:
        print(f"stdaddr: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file the command cannot open or write: say which, no traceback
        where = f' "{exc.filename}"' if exc.filename else ""
        print(f"stdaddr: error:{where} {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stdaddr: interrupted", file=sys.stderr)
        return 130
