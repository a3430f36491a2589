"""Command line: argument parsing only; the work is done by the library modules."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    raise SystemExit("stdaddr: no commands yet")
