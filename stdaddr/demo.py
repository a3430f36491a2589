"""``stdaddr demo``: the pipeline on the embedded sample data, on a machine with no data of its own."""

from __future__ import annotations

from importlib import resources
from typing import IO

from stdaddr.parsing import parse_many

__all__ = ["sample_addresses", "run_demo"]


def sample_addresses() -> list[str]:
    """The messy sample addresses shipped with the package."""
    text = resources.files("stdaddr").joinpath("data", "sample_addresses.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def run_demo(out: IO[str]) -> int:
    """Parse and normalize the sample addresses and print what was found; returns an exit code."""
    texts = sample_addresses()
    for a in parse_many(texts):
        flags = []
        if a.ambiguous:
            flags.append("ambiguous: " + " / ".join(f"{d.city or d.province}{d.county or ''}" for d in a.candidates))
        if a.inferred:
            flags.append("inferred: " + ",".join(sorted(a.inferred)))
        if a.extra:
            flags.append("extra: " + " ".join(a.extra))
        flags.extend(a.notes)
        out.write(f"{a.text}\n  -> {a.normalized}  [{a.code or '-'}]\n")
        for f in flags:
            out.write(f"     {f}\n")
    out.write(f"\n{len(texts)} sample addresses parsed.\n")
    return 0
