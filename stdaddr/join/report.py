"""The HTML summary of a join: one self-contained file (inline style, the map as a base64 PNG, no
scripts, no links), readable offline and attachable to an e-mail."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from stdaddr.join.run import JoinResult

__all__ = ["render_report"]

_TOP = 20
_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: 1200px;
       color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; } th { background: #f4f4f4; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
p.note { color: #555; font-size: 0.9em; } img { max-width: 100%; }
"""


def render_report(
    result: JoinResult,
    *,
    multi: pa.Table,
    cells: pd.DataFrame | None,
    months: pd.DataFrame | None,
    png: bytes | None,
) -> str:
    """The report as HTML text: ``multi`` (shared addresses, most departments first), ``cells`` (grid
    cells with their counts), ``months`` (events per month and department) and the map."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(_title(result))}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(_title(result))}</h1>",
        _summary(result),
        "<h2>Departments</h2>",
        _departments(result),
        "<h2>Status of the events</h2>",
        '<p class="note">matched: a standard address; upper_level: a road, compound or community, no single '
        "address; ambiguous: several addresses fit equally; no_match: not in the base; the other statuses are "
        "damaged rows of the file. Every row of every file is here.</p>",
        _crosstab({d.name: d.statuses for d in result.departments}),
        "<h2>Match level</h2>",
        _crosstab({d.name: d.match_levels for d in result.departments}),
    ]
    if any(d.time_statuses.get("no_column", 0) < d.rows for d in result.departments):
        parts += ["<h2>Event times</h2>", _crosstab({d.name: d.time_statuses for d in result.departments})]
    parts += [
        f"<h2>Standard addresses with events from two or more departments (top {_TOP})</h2>",
        _multi(result, multi),
    ]
    if cells is not None:
        parts += [f"<h2>Grid cells with the most events (top {_TOP})</h2>", _cells(cells, result)]
    if months is not None and len(months):
        parts += [
            "<h2>Events in grid cells per month</h2>",
            _months(months, [d.name for d in result.departments]),
        ]
    if png is not None:
        data = base64.b64encode(png).decode("ascii")
        parts += [
            "<h2>Events per grid cell</h2>",
            f'<img alt="choropleth of events per grid cell" src="data:image/png;base64,{data}">',
        ]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _title(result: JoinResult) -> str:
    return f"stdaddr join: {len(result.departments)} departments, {result.n_events:,} events"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Sequence[bool]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header) if any(header) else ""
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="n">{v:,}</td>'
            if isinstance(v, int) and n
            else f'<td class="n">{_e(v)}</td>'
            if n
            else f"<td>{_e(v)}</td>"
            for v, n in zip(row, numeric, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    return f"<table>{thead}<tbody>{''.join(body)}</tbody></table>"


def _summary(r: JoinResult) -> str:
    placed = r.statuses.get("matched", 0)
    rows = [
        ("events (rows of all files)", r.n_events),
        ("at a standard address (matched)", placed),
        ("standard addresses with events from 2+ departments", r.n_multi_department_addresses),
        ("events in a grid cell", r.n_events_in_cells),
        ("grid cells with events / all cells", f"{r.n_cells_with_events:,} / {r.n_cells:,}"),
        ("coordinate reference system", r.crs),
        ("GeoPackage", r.output.name),
        ("PostGIS", r.postgis or "not written"),
        (
            "geocoding",
            f"{sum(not d.cached for d in r.departments)} files geocoded, "
            f"{sum(d.cached for d in r.departments)} re-used from the cache",
        ),
    ]
    return _table(("", ""), rows, (False, True))


def _departments(r: JoinResult) -> str:
    rows = []
    for d in r.departments:
        s = d.statuses
        damaged = d.rows - sum(s.get(k, 0) for k in ("matched", "upper_level", "ambiguous", "no_match"))
        with_time = d.time_statuses.get("parsed", 0)
        rows.append(
            (
                d.name,
                d.file.name,
                d.rows,
                f"{100 * s.get('matched', 0) / max(d.rows, 1):.1f} %",
                s.get("upper_level", 0),
                s.get("ambiguous", 0),
                s.get("no_match", 0),
                damaged,
                "—" if d.time_statuses.get("no_column") else f"{100 * with_time / max(d.rows, 1):.1f} %",
                "cache" if d.cached else f"geocoded in {d.geocode_s:.1f} s",
            )
        )
    header = (
        "department",
        "file",
        "rows",
        "matched",
        "upper level",
        "ambiguous",
        "no match",
        "damaged rows",
        "with a time",
        "geocoding",
    )
    return _table(header, rows, (False, False, True, True, True, True, True, True, True, False))


def _crosstab(counts: dict[str, dict[str, int]]) -> str:
    values: list[str] = []
    for row in counts.values():
        values += [v for v in row if v not in values]
    header = ("department", *(v or "(none)" for v in values), "total")
    rows = [(name, *(row.get(v, 0) for v in values), sum(row.values())) for name, row in counts.items()]
    totals = (
        "all",
        *(sum(row.get(v, 0) for row in counts.values()) for v in values),
        sum(sum(row.values()) for row in counts.values()),
    )
    return _table(header, [*rows, totals], (False, *([True] * (len(values) + 1))))


def _multi(r: JoinResult, multi: pa.Table) -> str:
    if multi.num_rows == 0:
        return '<p class="note">No standard address has events from two departments.</p>'
    top = multi.slice(0, _TOP).to_pylist()
    rows = [
        (
            m["address_id"],
            m["standard"],
            m["n_departments"],
            m["n_events"],
            m["departments"].replace("|", ", "),
        )
        for m in top
    ]
    note = f'<p class="note">{multi.num_rows:,} such addresses in all (layer multi_department_addresses).</p>'
    return note + _table(
        ("address id", "standard address", "departments", "events", "which"),
        rows,
        (False, False, True, True, False),
    )


def _cells(cells: pd.DataFrame, r: JoinResult) -> str:
    names = [d.name for d in r.departments]
    top = cells.sort_values(["n_events", "grid_code"], ascending=[False, True], kind="stable").head(_TOP)
    top = top[top["n_events"] > 0]
    if top.empty:
        return '<p class="note">No event lies in a grid cell.</p>'
    rows = []
    for _, c in top.iterrows():
        per = {name: int(c[f"n_{name}"]) for name in names}
        leader = max(per, key=lambda k: per[k])
        rows.append(
            (c["grid_code"], int(c["n_events"]), int(c["n_departments"]), f"{leader} ({per[leader]:,})")
        )
    return _table(
        ("grid code", "events", "departments", "most events from"), rows, (False, True, True, False)
    )


def _months(months: pd.DataFrame, names: list[str]) -> str:
    table = months.pivot_table(
        index="month", columns="department", values="n_events", aggfunc="sum", fill_value=0
    )
    table = table.reindex(columns=[n for n in names if n in table.columns]).sort_index()
    header = ("month", *table.columns, "total")
    rows = [
        (str(month)[:7], *(int(v) for v in row), int(sum(row)))
        for month, row in zip(table.index, table.to_numpy().tolist(), strict=True)
    ]
    return _table(header, rows, (False, *([True] * (len(table.columns) + 1))))
