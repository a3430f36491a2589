"""``stdaddr join CONFIG.toml``: argument parsing and printing only; the work is :func:`join_events`.

stdaddr join join.toml
stdaddr join join.toml -o out/city.gpkg --postgis postgresql://me@localhost:5432/city
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stdaddr.batch import Progress

__all__ = ["add_join_command", "run_join_cli"]

_DESCRIPTION = """Geocode each department's event file (re-using earlier results while a file is unchanged)
and join the events on location: a GeoPackage with the events, the standard addresses with events from
two or more departments, counts per grid cell and department (and month), and the grid cells with their
totals; a choropleth PNG and an HTML report beside it; optionally the same tables in PostGIS."""


def add_join_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``join`` subcommand to the ``stdaddr`` parser's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "join",
        help="join the departments' events on location (GeoPackage, map, report, PostGIS)",
        description=_DESCRIPTION,
    )
    p.add_argument("config", metavar="CONFIG.toml", help="the join configuration (see docs/join.md)")
    p.add_argument(
        "--output", "-o", metavar="OUT.gpkg", help="the GeoPackage to write (default: the configuration's)"
    )
    p.add_argument(
        "--postgis", metavar="URL", help="also write the tables to PostGIS: postgresql://user:pw@host:port/db"
    )
    p.add_argument(
        "--postgis-schema", metavar="SCHEMA", help='schema of the PostGIS tables (default "public")'
    )
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where geocoded files are kept (default: stdaddr-cache beside the output)",
    )
    p.add_argument("--no-map", action="store_true", help="do not draw the choropleth PNG")
    p.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    p.add_argument("--workers", type=int, metavar="N", help="geocoding processes (default: one per core)")
    p.add_argument("--json", action="store_true", help="print the result as JSON instead of text")
    p.add_argument("--quiet", "-q", action="store_true", help="print no progress lines on stderr")
    p.set_defaults(func=run_join_cli)
    return p


def run_join_cli(args: argparse.Namespace) -> int:
    """Run ``stdaddr join`` with parsed arguments: progress on stderr, the result on stdout."""
    from stdaddr.join.run import join_events

    lines = _Lines(quiet=args.quiet)
    try:
        result = join_events(
            args.config,
            out=args.output,
            postgis=args.postgis,
            postgis_schema=args.postgis_schema,
            cache_dir=args.cache_dir,
            pictures=False if args.no_map else None,
            report=False if args.no_report else None,
            workers=args.workers,
            log=None if args.quiet else lines.log,
            progress=lines.progress if lines.bars else None,
        )
    finally:
        lines.close()
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(result)
    return 0


class _Lines:
    """Step lines on stderr, and a tqdm bar for each file being geocoded when stderr is a terminal."""

    def __init__(self, *, quiet: bool):
        self.bars = not quiet and sys.stderr.isatty()
        self._bar: Any = None

    def log(self, line: str) -> None:
        self.close()  # a new step: the bar of the previous file is done
        print(line, file=sys.stderr, flush=True)

    def progress(self, p: Progress) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=p.total, unit=p.unit, unit_scale=True, file=sys.stderr, dynamic_ncols=True, leave=False
            )
        self._bar.set_postfix_str(f"{p.rows:,} rows", refresh=False)
        self._bar.update(p.done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
