"""``stdaddr demo``: the whole job on the embedded default, on a machine with no data of its own.

:func:`run_demo` builds (or loads from the cache) the default base and grid (:mod:`stdaddr.default`),
writes the event files of five departments the way their systems export them — UTF-8, UTF-8 with BOM
and GB18030 CSV, an Excel workbook, each with its own column names and a few damaged rows — and
geocodes each with :func:`stdaddr.batch.geocode_file`. It returns a :class:`DemoResult` with the
paths of the department files, of their geocoded outputs and the summaries; it prints nothing.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from stdaddr.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from stdaddr.batch import BatchSummary, Progress
    from stdaddr.join import JoinResult

__all__ = [
    "DEPARTMENT_FILES",
    "DepartmentFile",
    "DemoFile",
    "DemoResult",
    "run_demo",
    "sample_addresses",
    "write_department_files",
]

DEFAULT_OUT = "stdaddr-demo"
DEFAULT_ROWS = 1_000
_SEED = 2024
# Small files: small chunks keep both workers busy to the end.
_CHUNK_ROWS = 250
_SAMPLES = 2  # sample addresses shown normalized before the files
_DAMAGED = ("empty_address", "too_long", "malformed_row", "bad_encoding", "error")


@dataclass(frozen=True, slots=True)
class DepartmentFile:
    """How one department's system exports its events: file name, encoding, address column, other columns."""

    department: str
    name: str
    encoding: str | None  # None: an Excel workbook
    address_column: str
    id_column: str
    extra_columns: tuple[str, ...]


DEPARTMENT_FILES = (
    DepartmentFile(
        "public_security", "public_security.csv", "utf-8", "住址", "登记编号", ("登记日期", "事项")
    ),
    DepartmentFile(
        "hotline_12345", "hotline_12345.csv", "utf-8-sig", "事发地址", "工单号", ("受理时间", "诉求类型")
    ),
    DepartmentFile(
        "market_regulation",
        "market_regulation.csv",
        "gb18030",
        "经营场所",
        "统一社会信用代码",
        ("登记日期", "主体类型"),
    ),
    DepartmentFile("education", "education.xlsx", None, "家庭住址", "学籍号", ("入学年份", "学段")),
    DepartmentFile(
        "fire_rescue", "fire_rescue.csv", "utf-8", "检查地址", "检查编号", ("检查日期", "检查结果")
    ),
)
_KINDS = {
    "public_security": ("户籍迁入", "居住登记", "出租屋登记"),
    "hotline_12345": ("噪音扰民", "道路破损", "违章停车", "垃圾清运"),
    "market_regulation": ("个体工商户", "有限责任公司", "农民专业合作社"),
    "education": ("小学", "初中"),
    "fire_rescue": ("合格", "责令整改", "复查"),
}


@dataclass(frozen=True, slots=True)
class DemoFile:
    """One department file of the demo and its geocoded output."""

    department: str
    path: Path
    encoding: str
    column: str
    rows: int
    output: Path
    summary: BatchSummary


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What :func:`run_demo` wrote: the department files and their outputs, and how long it took."""

    out_dir: Path
    base_records: int
    grid_cells: int
    files: tuple[DemoFile, ...]
    elapsed_s: float
    samples: tuple[tuple[str, str], ...] = ()
    join: JoinResult | None = None

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def __str__(self) -> str:
        lines = [f"normalize: {text}\n        -> {normalized}" for text, normalized in self.samples]
        lines.append(
            f"stdaddr demo: {len(self.files)} department files, {self.rows:,} rows, in {self.out_dir}/"
        )
        width = max(len(f.path.name) for f in self.files)
        for f in self.files:
            s = f.summary.statuses
            placed = s["matched"] + s["upper_level"]
            lines.append(
                f"  {f.path.name:<{width}}  {f.encoding:<9} {f.rows:>6,} rows: {placed / max(f.rows, 1):6.1%} placed, "
                f"{s['ambiguous']:,} ambiguous, {s['no_match']:,} not in the base, "
                f"{sum(s[k] for k in _DAMAGED):,} damaged -> {f.output.relative_to(self.out_dir)}"
            )
        totals = {
            status: sum(f.summary.statuses[status] for f in self.files)
            for status in self.files[0].summary.statuses
        }
        shown = ", ".join(f"{status} {n:,}" for status, n in totals.items() if n)
        lines.append(f"  all rows: {shown}")
        lines.append(
            f"  base: {self.base_records:,} synthetic Wenzhou records; grid: {self.grid_cells:,} community cells; "
            f"{self.elapsed_s:.1f} s in all"
        )
        lines.append(f"  summaries (statuses, match levels, reasons): {self.out_dir}/geocoded/*.summary.json")
        if self.join is not None:
            lines.append(str(self.join))
        return "\n".join(lines)


def sample_addresses() -> list[str]:
    """The messy sample addresses shipped with the package."""
    text = (resources.files("stdaddr") / "data" / "sample_addresses.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def run_demo(
    out_dir: str | Path = DEFAULT_OUT,
    *,
    rows: int = DEFAULT_ROWS,
    base_size: int | None = None,
    workers: int | None = None,
    log: Callable[[str], None] | None = None,
    progress: Callable[[Progress], None] | None = None,
    with_join: bool = True,
) -> DemoResult:
    """Write the department files (``rows`` each) into ``out_dir`` and geocode each into ``out_dir/geocoded/``;
    then (``with_join``) join the events of six departments on location (:func:`stdaddr.join.run_join_demo`).

    ``base_size`` is the number of records of the synthetic base (default
    :data:`stdaddr.default.DEFAULT_SIZE`). ``log`` is called with a line for each step; ``progress``
    is passed to every geocoding run.
    """
    from stdaddr.batch import geocode_file
    from stdaddr.default import DEFAULT_SIZE, default_base, default_base_table, default_grid
    from stdaddr.parsing import normalize

    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise InputError(f"rows was {rows!r}; expected a positive int")
    say = log or (lambda _: None)
    started = time.perf_counter()
    folder = Path(out_dir)
    (folder / "geocoded").mkdir(parents=True, exist_ok=True)
    size = DEFAULT_SIZE if base_size is None else base_size
    say(f"loading the embedded default base ({size:,} synthetic records) and grid (built on first use)")
    base, grid = default_base(size), default_grid(size)
    say(f"writing {len(DEPARTMENT_FILES)} department files of {rows:,} rows to {folder}/")
    files = write_department_files(folder, default_base_table(size), rows)
    done = []
    for spec, path in files:
        output = folder / "geocoded" / f"{Path(spec.name).stem}.csv"
        say(f"geocoding {path.name} (column {spec.address_column})")
        summary = geocode_file(
            path,
            output,
            column=spec.address_column,
            base=base,
            grid=grid,
            workers=workers,
            chunk_rows=_CHUNK_ROWS,
            progress=progress,
        )
        done.append(
            DemoFile(
                spec.department,
                path,
                summary.encoding or "xlsx",
                spec.address_column,
                summary.rows,
                output,
                summary,
            )
        )
    samples = tuple((text, normalize(text)) for text in sample_addresses()[:_SAMPLES])
    join = None
    if with_join:
        from stdaddr.join import run_join_demo

        say("joining the departments' events on standard address and grid cell (config: join/join.toml)")
        join = run_join_demo(folder, workers=workers, log=log, progress=progress)
    elapsed = round(time.perf_counter() - started, 2)
    return DemoResult(folder, len(base), len(grid), tuple(done), elapsed, samples, join)


def write_department_files(
    folder: Path, base_table: pd.DataFrame, rows: int
) -> list[tuple[DepartmentFile, Path]]:
    """The department files of the demo, from messy queries in each department's style (deterministic)."""
    import numpy as np

    from stdaddr.synth import DEPARTMENTS, messy_queries

    # messy_queries spreads its rows over all departments; draw enough for each of ours.
    queries = messy_queries(base_table, int(rows * len(DEPARTMENTS) * 1.25) + 50, seed=_SEED)
    rng = np.random.default_rng(_SEED)
    out = []
    for spec in DEPARTMENT_FILES:
        own = queries.loc[queries["department"] == spec.department, "query"].tolist()[:rows]
        table = _event_table(spec, own, rng)
        path = folder / spec.name
        if spec.encoding is None:
            _write_xlsx(path, table)
        else:
            _write_csv(path, table, spec.encoding, damaged=spec.department == "hotline_12345")
        out.append((spec, path))
    return out


def _event_table(spec: DepartmentFile, addresses: list[str], rng: np.random.Generator) -> list[list[str]]:
    n = len(addresses)
    days = rng.integers(0, 365, size=n)
    kinds = _KINDS[spec.department]
    picks = rng.integers(0, len(kinds), size=n)
    header = [spec.id_column, spec.address_column, *spec.extra_columns]
    body = [
        [f"{spec.department[:2].upper()}{2024_000000 + i}", text, _date(int(d)), kinds[int(k)]]
        for i, (text, d, k) in enumerate(zip(addresses, days, picks, strict=True))
    ]
    return [header, *body]


def _date(day: int) -> str:
    import datetime

    return (datetime.date(2024, 1, 1) + datetime.timedelta(days=day)).isoformat()


def _write_csv(path: Path, table: list[list[str]], encoding: str, *, damaged: bool) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(table)
    data = buffer.getvalue().encode(encoding)
    if damaged:
        data += _damaged_lines(encoding)
    path.write_bytes(data)


def _damaged_lines(encoding: str) -> bytes:
    """Rows as real exports damage them: an empty address, an unquoted comma, a quote never closed,
    bytes of another encoding, a pasted document."""
    lines = [
        "HO2024999001,,2024-06-01,噪音扰民".encode(encoding),
        "HO2024999002,鹿城区五马街道,解放街12号,2024-06-02,道路破损".encode(encoding),
        'HO2024999003,"瓯海区娄桥街道古岸头村(靠近河边,2024-06-03,垃圾清运'.encode(encoding),
        "HO2024999004,".encode(encoding)
        + b"\xff\xfe"
        + "龙湾区永中街道,2024-06-04,噪音扰民".encode(encoding),
        ("HO2024999005," + "详见附件材料。" * 200 + ",2024-06-05,违章停车").encode(encoding),
    ]
    return b"".join(line + b"\r\n" for line in lines)


def _write_xlsx(path: Path, table: list[list[str]]) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("学籍信息")
    for row in table:
        sheet.append(row)
    book.save(path)
