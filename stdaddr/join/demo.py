"""The join on the embedded default: six departments' event files, a configuration, and the join.

:func:`run_join_demo` writes into ``DEMO_DIR/join/`` six files the way six systems export them — UTF-8,
UTF-8 with BOM, GBK and GB18030 CSV, a TSV, an Excel workbook — each with its own column names, time
format, event types and addressing habits (:data:`stdaddr.synth.DEPARTMENTS`), and ``join.toml``
naming them, then runs :func:`~stdaddr.join.join_events` on it. Half of each department's events
concern one shared pool of addresses (a neighbourhood every office deals with), so many standard
addresses have events from several departments; the other half are spread over the whole base. A few
times are missing or unreadable, as in real exports. Deterministic; prints nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stdaddr.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from stdaddr.batch import Progress
    from stdaddr.join.run import JoinResult

__all__ = ["JOIN_DEMO_DEPARTMENTS", "DemoDepartment", "run_join_demo", "write_join_demo"]

DEFAULT_ROWS = 600
_SEED = 2025
_POOL = 250  # records of the shared neighbourhood
_SHARED = 0.5  # share of each department's events in it
_BAD_TIMES = ("", "不详", "待补录", "2024-02-30", "0000-00-00")
_BAD_SHARE = 0.03


@dataclass(frozen=True, slots=True)
class DemoDepartment:
    """How one demo department exports: file, encoding (None: Excel), columns, time style, event types."""

    name: str
    file: str
    encoding: str | None
    address_column: str
    id_column: str | None
    time_column: str
    time_style: str
    type_column: str
    kinds: tuple[str, ...]
    sheet: str | None = None


JOIN_DEMO_DEPARTMENTS = (
    DemoDepartment(
        "public_security",
        "public_security.csv",
        "utf-8",
        "住址",
        "登记编号",
        "登记日期",
        "compact",
        "事项",
        ("居住登记", "出租屋登记", "户籍迁入"),
    ),
    DemoDepartment(
        "hotline_12345",
        "hotline_12345.csv",
        "utf-8-sig",
        "事发地址",
        "工单号",
        "受理时间",
        "slash",
        "诉求类型",
        ("噪音扰民", "道路破损", "违章停车", "垃圾清运", "漏水"),
    ),
    DemoDepartment(
        "market_regulation",
        "market_regulation.csv",
        "gbk",
        "经营场所",
        "统一社会信用代码",
        "登记日期",
        "chinese",
        "主体类型",
        ("个体工商户", "有限责任公司", "农民专业合作社"),
    ),
    DemoDepartment(
        "education",
        "education.xlsx",
        None,
        "家庭住址",
        "学籍号",
        "入学日期",
        "excel",
        "学段",
        ("小学", "初中"),
        sheet="学籍信息",
    ),
    DemoDepartment(
        "fire_rescue",
        "fire_rescue.tsv",
        "utf-8",
        "检查地址",
        "检查编号",
        "检查时间",
        "iso",
        "检查结果",
        ("合格", "责令整改", "复查"),
    ),
    DemoDepartment(
        "housing",
        "housing.csv",
        "gb18030",
        "房屋坐落",
        None,
        "申报时间",
        "epoch_ms",
        "业务类型",
        ("租赁备案", "维修申请", "产权登记"),
    ),
)
_ID_PREFIX = {
    "public_security": "GA",
    "hotline_12345": "RX",
    "market_regulation": "9133030",
    "education": "G33",
    "fire_rescue": "XF",
}


def run_join_demo(
    demo_dir: str | Path,
    *,
    rows: int = DEFAULT_ROWS,
    workers: int | None = None,
    log: Callable[[str], None] | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> JoinResult:
    """Write the demo departments' files (``rows`` events each) and ``join.toml`` into ``demo_dir/join/``
    and join them: ``demo_dir/join/joined.gpkg``, ``joined_map.png``, ``joined_report.html``.

    A second run re-uses the geocoded files (same files, same base), so it takes seconds.
    """
    from stdaddr.join.run import join_events

    config = write_join_demo(demo_dir, rows=rows)
    return join_events(config, workers=workers, log=log, progress=progress)


def write_join_demo(demo_dir: str | Path, *, rows: int = DEFAULT_ROWS) -> Path:
    """Write the department files and the configuration; returns the path of ``join.toml``."""
    from stdaddr.default import default_base_table

    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise InputError(f"rows was {rows!r}; expected a positive int")
    folder = Path(demo_dir) / "join"
    folder.mkdir(parents=True, exist_ok=True)
    texts = _addresses(default_base_table(), rows)
    rng = np.random.default_rng(_SEED)
    for spec in JOIN_DEMO_DEPARTMENTS:
        table = _table(spec, texts[spec.name], rng)
        path = folder / spec.file
        if spec.encoding is None:
            _write_xlsx(path, table, spec.sheet or "Sheet1")
        else:
            _write_text(path, table, spec.encoding, "\t" if spec.file.endswith(".tsv") else ",")
    config = folder / "join.toml"
    _write_if_changed(config, _config_text().encode("utf-8"))
    return config


def _addresses(base: pd.DataFrame, rows: int) -> dict[str, list[str]]:
    """Each department's address texts in its own style: half about a shared pool of records, half about
    the whole base, shuffled together."""
    from stdaddr.synth import DEPARTMENTS, messy_queries

    pool = base.sample(_POOL, random_state=_SEED).sort_values("addr_id")
    n_shared = int(rows * _SHARED)
    # messy_queries spreads its rows over all its departments' styles: draw enough for each of ours.
    draw = (len(DEPARTMENTS) * 13) // 10
    shared = messy_queries(pool, n_shared * draw + 50, seed=_SEED, out_of_base_share=0.05)
    spread = messy_queries(base, (rows - n_shared) * draw + 50, seed=_SEED + 1)
    rng = np.random.default_rng(_SEED)
    out = {}
    for spec in JOIN_DEMO_DEPARTMENTS:
        own = (
            shared.loc[shared["department"] == spec.name, "query"].tolist()[:n_shared]
            + spread.loc[spread["department"] == spec.name, "query"].tolist()[: rows - n_shared]
        )
        out[spec.name] = [own[i] for i in rng.permutation(len(own))]
    return out


def _table(spec: DemoDepartment, addresses: list[str], rng: np.random.Generator) -> list[list[object]]:
    n = len(addresses)
    seconds = rng.integers(0, 366 * 86_400, size=n)  # through 2024, in China time
    kinds = rng.integers(0, len(spec.kinds), size=n)
    bad = rng.random(n) < _BAD_SHARE
    header: list[object] = [
        c for c in (spec.id_column, spec.address_column, spec.time_column, spec.type_column) if c
    ]
    body: list[list[object]] = []
    for i, (text, s, k, b) in enumerate(
        zip(addresses, seconds.tolist(), kinds.tolist(), bad.tolist(), strict=True)
    ):
        when = (
            _BAD_TIMES[i % len(_BAD_TIMES)]
            if b
            else _time(spec.time_style, dt.datetime(2024, 1, 1) + dt.timedelta(seconds=s))
        )
        row: list[object] = [text, when, spec.kinds[k]]
        if spec.id_column:
            row.insert(0, f"{_ID_PREFIX[spec.name]}{2024_000_000 + i}")
        body.append(row)
    return [header, *body]


def _time(style: str, t: dt.datetime) -> object:
    """A time as each demo department's system writes it."""
    if style == "compact":
        return t.strftime("%Y%m%d")
    if style == "slash":
        return t.strftime("%Y/%m/%d %H:%M")
    if style == "chinese":
        return f"{t.year}年{t.month}月{t.day}日"
    if style == "excel":
        return t.replace(hour=0, minute=0, second=0)  # a real date cell
    if style == "iso":
        return t.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    if style == "epoch_ms":
        return str(int((t - dt.timedelta(hours=8)).replace(tzinfo=dt.timezone.utc).timestamp() * 1000))
    raise ValueError(style)


def _write_text(path: Path, table: list[list[object]], encoding: str, delimiter: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(table)
    text = buffer.getvalue()
    if encoding == "gbk":
        # A GBK system cannot hold radical forms (⻄) and the like: it stored the ordinary character.
        text = "".join(c if _in_gbk(c) else unicodedata.normalize("NFKC", c) for c in text)
    _write_if_changed(path, text.encode(encoding, errors="replace"))


def _in_gbk(c: str) -> bool:
    try:
        c.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _write_xlsx(path: Path, table: list[list[object]], sheet: str) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    for row in table:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    # An .xlsx is a zip with timestamps inside; keep the old file when its cells are the same, so the
    # cache (keyed by the file's bytes) is not invalidated by a rewrite of the same data.
    if path.exists() and _xlsx_rows(path) == _xlsx_rows(buffer):
        return
    path.write_bytes(buffer.getvalue())


def _xlsx_rows(source: Path | io.BytesIO) -> list[tuple[object, ...]]:
    import openpyxl

    book = openpyxl.load_workbook(source, read_only=True)
    try:
        return [tuple(r) for ws in book.worksheets for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()


def _write_if_changed(path: Path, data: bytes) -> None:
    """Write unless the file already holds these bytes (its mtime then stays as it was)."""
    if path.exists() and path.read_bytes() == data:
        return
    path.write_bytes(data)


def _config_text() -> str:
    lines = [
        "# stdaddr join: which departments' events to join on location. Edit and run: stdaddr join join.toml",
        "# Paths are relative to this file. Optional per department: id_column (else the row number),",
        "# time_column, time_format (a strptime format, when the times should not be guessed), type_column,",
        "# encoding (else detected) and sheet (Excel).",
        "",
        "[output]",
        'path = "joined.gpkg"            # also joined_map.png and joined_report.html beside it',
        '# cache_dir = "stdaddr-cache"  # geocoded files, re-used while the input files are the same',
        '# map_departments = ["hotline_12345", "fire_rescue"]  # panels of the map (default: all)',
        "",
        "# No [base] and [grid]: the embedded synthetic Wenzhou base and its community grid. Your own:",
        "# [base]",
        '# path = "base.csv"',
        '# id_column = "addr_id"',
        '# address_column = "address"',
        '# x_column = "lon"',
        '# y_column = "lat"',
        '# crs = "EPSG:4490"',
        "# [grid]",
        '# path = "grids.gpkg"',
        '# code_column = "grid_code"',
        '# crs = "GCJ02"               # GCJ-02/BD-09 must be declared: no file states them',
        "",
        "# [postgis]                    # also write the tables to PostgreSQL/PostGIS",
        '# url = "postgresql://user:password@localhost:5432/city"',
        '# schema = "public"',
    ]
    for spec in JOIN_DEMO_DEPARTMENTS:
        lines += ["", "[[departments]]", f'name = "{spec.name}"', f'file = "{spec.file}"']
        lines.append(f'address_column = "{spec.address_column}"')
        if spec.id_column:
            lines.append(f'id_column = "{spec.id_column}"')
        lines += [f'time_column = "{spec.time_column}"', f'type_column = "{spec.type_column}"']
        if spec.encoding:
            lines.append(f'encoding = "{spec.encoding}"')
        if spec.sheet:
            lines.append(f'sheet = "{spec.sheet}"')
    return "\n".join(lines) + "\n"
