"""Shared helpers of the benchmark scripts: data paths, readers, timing, memory, tables.

Evaluation data is read from ``../shared/data`` (beside the project) and never copied into the project;
every script says so and exits 0 when it is absent.
"""

from __future__ import annotations

import csv
import importlib
import resource
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CCKS_TRAIN = DATA_DIR / "parsing" / "ccks2021_train.conll"
NAACL_TRAIN = DATA_DIR / "parsing" / "naacl2019_train.txt"
NAACL_DEV = DATA_DIR / "parsing" / "naacl2019_dev.txt"
MESSY = DATA_DIR / "messy" / "raw_company_addresses.csv"


def require(*paths: Path) -> None:
    """Exit 0 with a clear message when evaluation data is missing (a user's fresh checkout has none)."""
    missing = [p for p in paths if not p.is_file()]
    if missing:
        listed = "\n  ".join(str(p) for p in missing)
        print(
            f"skipped: evaluation data not found:\n  {listed}\n(expected in {DATA_DIR}; see bench/README.md)"
        )
        sys.exit(0)


class Span(NamedTuple):
    """A tagged span ``text[start:end]`` with the dataset's own label (``prov``, ``roadno``, ``O`` ...)."""

    label: str
    start: int
    end: int


@dataclass(frozen=True)
class TaggedText:
    """One annotated address: its text and its spans in order, untagged runs as label ``O``."""

    text: str
    spans: tuple[Span, ...]


def read_tagged(path: Path, *, limit: int | None = None) -> list[TaggedText]:
    """Read ``token TAG`` lines (BIO or BIOES), a blank line between addresses.

    A token that is just ``_`` stands for a space of the original query and becomes ``" "``, so that
    parsers see the separator they would see in real input. Tokens may be longer than one character
    (NAACL 2019 keeps digit runs as one token); offsets count characters of the rebuilt text.
    """
    out: list[TaggedText] = []
    tokens: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.strip():
                token, tag = line.rsplit(" ", 1)
                tokens.append((" " if token == "_" else token, tag))
                continue
            if tokens:
                out.append(_decode(tokens))
                tokens = []
                if limit is not None and len(out) >= limit:
                    return out
    if tokens and (limit is None or len(out) < limit):
        out.append(_decode(tokens))
    return out


def _decode(tokens: list[tuple[str, str]]) -> TaggedText:
    # Lenient: I-/E- continue an open span of the same label, anything else opens a new one;
    # E-/S- close it. Untagged tokens form ``O`` spans.
    spans: list[list[Any]] = []
    open_span: list[Any] | None = None
    pos = 0
    for token, tag in tokens:
        prefix, _, label = tag.partition("-")
        if not label:
            prefix, label = "O", "O"
        end = pos + len(token)
        if open_span is not None and open_span[0] == label and prefix in ("I", "E", "O"):
            open_span[2] = end
        else:
            open_span = [label, pos, end]
            spans.append(open_span)
        if prefix in ("E", "S"):
            open_span = None
        pos = end
    text = "".join(t for t, _ in tokens)
    return TaggedText(text, tuple(Span(label, s, e) for label, s, e in spans))


def read_messy(path: Path = MESSY) -> list[str]:
    """The first column (原始地址) of the messy company addresses, header skipped."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        next(rows, None)
        return [row[0] if row else "" for row in rows]


def clear_parse_cache() -> bool:
    """Empty stdaddr's cache of parse results (for cold-cache figures); False if no cache was found.

    The parser module is ``stdaddr.parsing`` (formerly ``stdaddr.parse``); it offers ``clear_cache()``
    or at least the ``functools.lru_cache``-wrapped ``_parse_cached``.
    """
    for name in ("stdaddr.parsing", "stdaddr.parse"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        clear = getattr(module, "clear_cache", None)
        if callable(clear):
            clear()
            return True
        cached = getattr(module, "_parse_cached", None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()
            return True
    return False


def timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    """``fn(*args, **kwargs)`` and the seconds it took (wall clock, perf_counter)."""
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def timed_cpu(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float, float]:
    """``fn(*args, **kwargs)``, wall seconds and CPU seconds of this process (steadier on a busy machine)."""
    c0, t0 = time.process_time(), time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0, time.process_time() - c0


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (``ru_maxrss`` is KiB on Linux)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 1024 / 1024


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0 when undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def width(s: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """An aligned text table: numbers right-aligned (floats with 3 decimals), text left-aligned."""
    rows = [list(r) for r in rows]
    numeric = [all(isinstance(r[i], (int, float)) or r[i] is None for r in rows) for i in range(len(headers))]
    cells = [[_cell(v) for v in r] for r in rows]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = [_line(list(headers), widths, numeric), "  ".join("-" * w for w in widths)]
    lines += [_line(r, widths, numeric) for r in cells]
    return "\n".join(lines)


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _line(values: list[str], widths: list[int], numeric: list[bool]) -> str:
    parts = []
    for v, w, num in zip(values, widths, numeric, strict=True):
        pad = " " * (w - width(v))
        parts.append(pad + v if num else v + pad)
    return "  ".join(parts).rstrip()
