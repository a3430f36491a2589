"""Files and streams in, files and streams out: the work behind ``stdaddr parse`` and ``stdaddr normalize``."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from stdaddr.models import DIVISION_FIELDS, FIELDS, Address
from stdaddr.parsing import parse_many

__all__ = ["FLAT_COLUMNS", "flat_row", "write_parsed", "iter_column", "iter_lines"]

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


def iter_lines(stream: IO[str]) -> Iterator[str]:
    """Lines of a text stream without their line ends (an empty line stays an empty address)."""
    for line in stream:
        yield line.rstrip("\r\n")


def iter_column(path: str, column: str, *, encoding: str | None = None) -> Iterator[str]:
    """The values of one column of a CSV/Excel/Parquet file, in row order."""
    from stdaddr.errors import ColumnError
    from stdaddr.io import read_table

    table = read_table(path, encoding=encoding)
    if column not in table.columns:
        raise ColumnError(f'column "{column}" is not in {path}; its columns are {list(table.columns)}')
    yield from table[column].astype(str).tolist()


def write_parsed(texts: Iterable[str], out: IO[str], *, fmt: str = "jsonl", normalized_only: bool = False) -> int:
    """Parse ``texts`` and write one JSON line or CSV row each; returns the number of rows written."""
    writer = None
    n = 0
    chunk: list[str] = []

    def flush() -> None:
        nonlocal writer, n
        for a in parse_many(chunk):
            if normalized_only:
                out.write((json.dumps(a.normalized, ensure_ascii=False) if fmt == "jsonl" else a.normalized) + "\n")
            elif fmt == "jsonl":
                out.write(json.dumps(a.to_dict(), ensure_ascii=False) + "\n")
            else:
                if writer is None:
                    writer = csv.DictWriter(out, fieldnames=FLAT_COLUMNS, lineterminator="\n")
                    writer.writeheader()
                writer.writerow(flat_row(a))
            n += 1
        chunk.clear()

    for text in texts:
        chunk.append(text)
        if len(chunk) >= 10_000:
            flush()
    flush()
    return n
