"""The joined tables, from the departments' geocoded files: events, addresses shared by departments,
counts per grid cell and department (and month), and the grid cells with their totals.

Everything is columnar (pyarrow and numpy): a key is an integer code (department index, the position
of an address id or grid code in its dictionary, a month number), and a group-by is ``np.unique`` over
combined keys, so 2.8 million events take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from stdaddr.join.times import NO_COLUMN, TIME_STATUSES, parse_times

if TYPE_CHECKING:
    import geopandas as gpd
    import pyarrow as pa

    from stdaddr.join.cache import Geocoded

__all__ = [
    "EVENT_COLUMNS",
    "Events",
    "read_events",
    "multi_department_addresses",
    "cell_department_counts",
    "cell_month_counts",
    "grid_cells",
    "crosstab",
]

# The events table, in this order (see docs/join.md).
EVENT_COLUMNS = (
    "department",
    "source_id",
    "row",
    "time",
    "time_status",
    "type",
    "address_id",
    "normalized",
    "match_level",
    "score",
    "status",
    "reason",
    "grid_code",
    "x",
    "y",
)
# Result columns of the batch output read for the join (the rest stay in the cached files).
_READ = (
    "normalized",
    "address_id",
    "standard",
    "match_level",
    "score",
    "x",
    "y",
    "grid_code",
    "status",
    "reason",
)


@dataclass(frozen=True, slots=True, eq=False)
class Events:
    """All departments' events: the ``table`` (:data:`EVENT_COLUMNS`), the department names in
    config order, each event's department index, and the standard address of each event's match
    (kept apart: it is the same for all events of an address, and needed only for shared addresses)."""

    table: pa.Table
    departments: tuple[str, ...]
    department: np.ndarray
    standard: pa.ChunkedArray

    def __len__(self) -> int:
        return self.table.num_rows


def read_events(geocoded: list[Geocoded]) -> Events:
    """One events table from the geocoded files, departments in config order, rows in file order."""
    import pyarrow as pa

    names = tuple(g.spec.name for g in geocoded)
    dictionary = pa.array(names, pa.string())
    tables, standards, codes = [], [], []
    for k, g in enumerate(geocoded):
        table, standard = _department_events(g, k, dictionary)
        tables.append(table)
        standards.append(standard)
        codes.append(np.full(table.num_rows, k, dtype=np.int16))
    table = pa.concat_tables(tables)
    department = np.concatenate(codes) if codes else np.zeros(0, np.int16)
    return Events(table, names, department, pa.chunked_array(standards, pa.string()))


def _department_events(g: Geocoded, k: int, dictionary: pa.Array) -> tuple[pa.Table, pa.Array]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from stdaddr.batch import RESULT_COLUMNS

    spec = g.spec
    names = pq.read_schema(g.path).names
    # Result columns are the last ones, renamed (status_2, ...) when the input has a column of that name.
    result = dict(zip(RESULT_COLUMNS, names[len(names) - len(RESULT_COLUMNS) :], strict=True))
    wanted = [result[c] for c in _READ] + [
        c for c in (spec.id_column, spec.time_column, spec.type_column) if c
    ]
    raw = pq.read_table(g.path, columns=list(dict.fromkeys(wanted)))
    col = {c: raw.column(result[c]) for c in _READ}
    n = raw.num_rows
    row = pa.array(np.arange(1, n + 1, dtype=np.int64))
    source_id = _text_or_null(raw.column(spec.id_column)) if spec.id_column else row.cast(pa.string())
    if spec.time_column:
        times, status = parse_times(raw.column(spec.time_column), fmt=spec.time_format)
    else:
        times, status = np.full(n, np.datetime64("NaT"), "datetime64[ms]"), np.full(n, NO_COLUMN, np.int8)
    time_status = pa.DictionaryArray.from_arrays(pa.array(status), pa.array(TIME_STATUSES))
    kind = _text_or_null(raw.column(spec.type_column)) if spec.type_column else pa.nulls(n, pa.string())
    matched = pc.equal(col["status"], "matched").fill_null(False)
    table = pa.table(
        {
            "department": pa.DictionaryArray.from_arrays(pa.array(np.full(n, k, np.int16)), dictionary),
            "source_id": source_id,
            "row": row,
            "time": pa.array(times, pa.timestamp("ms")),
            "time_status": time_status,
            "type": kind,
            "address_id": col["address_id"],
            "normalized": col["normalized"],
            "match_level": col["match_level"],
            "score": col["score"],
            "status": col["status"],
            # The reason of a matched row names the record and the levels agreed on; the join needs the
            # reasons events have no standard address (every reason stays in the geocoded files).
            "reason": pc.if_else(matched, pa.scalar(None, pa.string()), col["reason"]),
            "grid_code": col["grid_code"],
            "x": col["x"],
            "y": col["y"],
        }
    )
    return table, col["standard"].combine_chunks()


def _text_or_null(column: pa.ChunkedArray) -> pa.Array:
    """Text cells with empty (or blank) ones as null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = column.combine_chunks().cast(pa.string())
    blank = pc.equal(pc.utf8_trim_whitespace(text), "")
    return pc.if_else(blank, pa.scalar(None, pa.string()), text)


def _codes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Integer codes of a text column (-1 for null) and the distinct values they index, sorted."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = (
            encoded.combine_chunks()
            if encoded.num_chunks
            else pa.array([], pa.dictionary(pa.int32(), pa.string()))
        )
    values = encoded.dictionary
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    # Sorted values make every output deterministic whatever the order the events came in.
    order = pc.sort_indices(values).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    codes = np.full(len(indices), -1, dtype=np.int64)
    valid = indices >= 0
    codes[valid] = rank[indices[valid]]
    return codes, values.take(pa.array(order))


def multi_department_addresses(events: Events, *, min_departments: int = 2) -> pa.Table:
    """Standard addresses with events from ``min_departments`` or more departments: ``address_id``,
    ``standard``, ``x``, ``y``, ``n_departments``, ``n_events``, ``departments`` (names joined by "|",
    in config order); most departments first, then most events, then address id."""
    import pyarrow as pa

    codes, ids = _codes(events.table.column("address_id"))
    has = codes >= 0
    address, department = codes[has], events.department[has].astype(np.int64)
    n_dept = len(events.departments)
    pairs, _ = _unique_counts(address * n_dept + department)
    pair_address, pair_department = pairs // n_dept, pairs % n_dept
    n_departments = np.bincount(pair_address, minlength=len(ids))
    n_events = np.bincount(address, minlength=len(ids))
    keep = np.flatnonzero(n_departments >= min_departments)
    order = np.lexsort((keep, -n_events[keep], -n_departments[keep]))  # ids are sorted, so keep breaks ties
    keep = keep[order]
    # Any event of an address will do: its point and standard address are those of every event there.
    some = np.zeros(len(ids), dtype=np.int64)
    some[address] = np.flatnonzero(has)
    take = pa.array(some[keep])
    lists = _department_lists(pair_address, pair_department, keep, events.departments)
    table = events.table
    return pa.table(
        {
            "address_id": ids.take(pa.array(keep)),
            "standard": events.standard.take(take),
            "x": table.column("x").take(take),
            "y": table.column("y").take(take),
            "n_departments": pa.array(n_departments[keep].astype(np.int32)),
            "n_events": pa.array(n_events[keep].astype(np.int64)),
            "departments": pa.array(lists, pa.string()),
        }
    )


def _unique_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys, sorted, and how often each occurs (a sort beats ``np.unique``'s hashing here)."""
    ordered = np.sort(keys)
    if not len(ordered):
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return ordered[starts], np.diff(np.r_[starts, len(ordered)])


def _department_lists(
    pair_address: np.ndarray, pair_department: np.ndarray, keep: np.ndarray, names: tuple[str, ...]
) -> list[str]:
    """ "a|b|c" for each kept address. Addresses share few distinct sets of departments: each set is a
    bit mask, written out once."""
    if len(names) > 62:
        starts = np.searchsorted(pair_address, keep, side="left")
        ends = np.searchsorted(pair_address, keep, side="right")
        return [
            "|".join(names[d] for d in pair_department[s:e])
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
    masks = np.zeros(int(pair_address.max()) + 1 if len(pair_address) else 0, dtype=np.int64)
    np.bitwise_or.at(masks, pair_address, np.left_shift(1, pair_department))
    distinct, which = np.unique(masks[keep], return_inverse=True)
    texts = ["|".join(n for d, n in enumerate(names) if int(m) >> d & 1) for m in distinct.tolist()]
    return [texts[k] for k in which.tolist()]


def cell_department_counts(events: Events) -> pa.Table:
    """Events per grid cell and department (events without a grid code are not counted): ``grid_code``,
    ``department``, ``n_events``; by grid code, then department in config order."""
    import pyarrow as pa

    codes, cells = _codes(events.table.column("grid_code"))
    has = codes >= 0
    n_dept = len(events.departments)
    keys, counts = _unique_counts(codes[has] * n_dept + events.department[has])
    return pa.table(
        {
            "grid_code": cells.take(pa.array(keys // n_dept)),
            "department": pa.array([events.departments[d] for d in (keys % n_dept).tolist()], pa.string()),
            "n_events": pa.array(counts.astype(np.int64)),
        }
    )


def cell_month_counts(events: Events) -> pa.Table:
    """Events per grid cell, department and month, for events with a grid code and a time: ``grid_code``,
    ``department``, ``month`` (its first day), ``n_events``."""
    import pyarrow as pa

    codes, cells = _codes(events.table.column("grid_code"))
    times = events.table.column("time").to_numpy().astype("datetime64[M]")
    has = (codes >= 0) & ~np.isnat(times)
    month = times[has].astype(np.int64)  # months since 1970-01
    low = int(month.min()) if len(month) else 0
    span = int(month.max()) - low + 1 if len(month) else 1
    n_dept = len(events.departments)
    key = (codes[has] * n_dept + events.department[has]) * span + (month - low)
    keys, counts = _unique_counts(key)
    months = (keys % span + low).astype("datetime64[M]").astype("datetime64[D]")
    pairs = keys // span
    return pa.table(
        {
            "grid_code": cells.take(pa.array(pairs // n_dept)),
            "department": pa.array([events.departments[d] for d in (pairs % n_dept).tolist()], pa.string()),
            "month": pa.array(months, pa.date32()),
            "n_events": pa.array(counts.astype(np.int64)),
        }
    )


def grid_cells(layer: gpd.GeoDataFrame, counts: pa.Table, departments: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Every cell of the grid ``layer`` (columns ``grid_code``, ``geometry``) with ``n_events`` (all
    departments), ``n_departments`` and ``n_<department>`` per department: zero where there are none,
    so a choropleth shows the empty cells too."""
    import geopandas as gpd
    import pandas as pd

    frame = counts.to_pandas()
    wide = frame.pivot_table(
        index="grid_code", columns="department", values="n_events", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(columns=list(departments), fill_value=0)
    codes = layer["grid_code"].astype(str)
    per = wide.reindex(pd.Index(codes, name="grid_code"), fill_value=0).astype("int64")
    out = pd.DataFrame({"grid_code": codes.to_numpy()})
    out["n_events"] = per.sum(axis=1).to_numpy()
    out["n_departments"] = (per > 0).sum(axis=1).astype("int32").to_numpy()
    for name in departments:
        out[f"n_{name}"] = per[name].to_numpy()
    return gpd.GeoDataFrame(out, geometry=layer.geometry.to_numpy(), crs=layer.crs)


def crosstab(events: Events, column: str, values: tuple[str, ...] | None = None) -> dict[str, dict[str, int]]:
    """Counts of ``column``'s values per department: {department: {value: n}} (values in the given
    order, then any others sorted; null counted as "")."""
    codes, distinct = _codes(events.table.column(column))
    names = ["" if v is None else v for v in distinct.to_pylist()]
    labels = [*names, ""]  # code -1 (null) -> the last label
    n = len(labels)
    counts = np.bincount(
        events.department.astype(np.int64) * n + np.where(codes >= 0, codes, n - 1),
        minlength=len(events.departments) * n,
    ).reshape(len(events.departments), n)
    order = list(values or ())
    order += sorted(set(labels) - set(order))
    out = {}
    for k, dept in enumerate(events.departments):
        row: dict[str, int] = dict.fromkeys(order, 0)
        for j, label in enumerate(labels):
            row[label] += int(counts[k, j])
        out[dept] = {v: c for v, c in row.items() if c or v in (values or ())}
    return out
