"""The ``stdaddr`` command: argument parsing only; the work is done by the library modules.

    stdaddr parse "温州鹿城区五马街道解放街一百二十三号3-2-301"
    stdaddr normalize --input events.csv --column 地址 --format csv -o out.csv
    cat addresses.txt | stdaddr parse --format csv
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from typing import Any

from stdaddr import __version__
from stdaddr.errors import StdaddrError

__all__ = ["main", "build_parser"]


def _texts(args: argparse.Namespace) -> Iterable[str]:
    from stdaddr.batch import iter_column, iter_lines

    if args.text:
        return args.text
    if args.input:
        if not args.column:
            raise StdaddrError("--input needs --column: the name of the address column")
        return iter_column(args.input, args.column, encoding=args.encoding)
    return iter_lines(sys.stdin)


def _cmd_parse(args: argparse.Namespace, *, normalized_only: bool = False) -> int:
    from stdaddr.batch import write_parsed

    with open(args.output, "w", encoding="utf-8", newline="") if args.output else nullcontext(sys.stdout) as out:
        write_parsed(_texts(args), out, fmt=args.format, normalized_only=normalized_only)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from stdaddr.demo import run_demo

    return run_demo(out=sys.stdout)


def _add_text_inputs(p: argparse.ArgumentParser, default_format: str) -> None:
    p.add_argument("text", nargs="*", help="address texts (default: read one per line from stdin)")
    p.add_argument("--input", "-i", metavar="FILE", help="a CSV/TSV/Excel/Parquet file to read a column of")
    p.add_argument("--column", "-c", metavar="COL", help="the address column of --input")
    p.add_argument("--encoding", help="encoding of a CSV input (default: detected)")
    p.add_argument("--format", "-f", choices=("jsonl", "csv"), default=default_format, help="output format")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stdaddr", description="Chinese addresses to standard addresses, points and grid cells.")
    parser.add_argument("--version", action="version", version=f"stdaddr {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="split addresses into their levels (JSON lines or CSV)")
    _add_text_inputs(p, "jsonl")
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("normalize", help="print the canonical form of addresses")
    _add_text_inputs(p, "csv")
    p.set_defaults(func=lambda a: _cmd_parse(a, normalized_only=True))

    p = sub.add_parser("demo", help="run the pipeline on the embedded sample data")
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[Any], int] = args.func
    try:
        return func(args)
    except StdaddrError as exc:
        print(f"stdaddr: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
