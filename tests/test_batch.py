"""Batch geocoding of files: every row out once, in order, with a status; outputs only when complete;
an interrupted run resumed gives the same bytes; results agree with the library's own match."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from stdaddr.base import AddressBase
from stdaddr.batch import (
    RESULT_COLUMNS,
    ROW_STATUSES,
    assign_file,
    geocode_file,
    load_base,
    load_grid,
)
from stdaddr.crs import transform
from stdaddr.default import base_grid_layer
from stdaddr.errors import ColumnError, CRSError, InputError
from stdaddr.grid import GridIndex
from stdaddr.synth import generate_base, messy_queries


@pytest.fixture(scope="module")
def table():
    return generate_base(5_000, seed=3)


@pytest.fixture(scope="module")
def base(table):
    return AddressBase.from_dataframe(
        table, id_column="addr_id", address_column="address", x_column="lon", y_column="lat", crs="EPSG:4490"
    )


@pytest.fixture(scope="module")
def grid(table):
    return GridIndex.from_geodataframe(base_grid_layer(table), code_column="code")


@pytest.fixture(scope="module")
def events(table):
    q = messy_queries(table, 300, seed=7)
    q.insert(0, "event_id", [f"E{i:04d}" for i in range(len(q))])
    return q[["event_id", "query", "department"]]


@pytest.fixture()
def events_csv(tmp_path, events):
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    return path


def _rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_every_row_comes_out_in_order_with_the_result_columns(tmp_path, events_csv, events, base, grid):
    """Rows in == rows out, in input order; input columns first, then RESULT_COLUMNS; a summary beside it."""
    out = tmp_path / "out.csv"
    summary = geocode_file(events_csv, out, column="query", base=base, grid=grid, workers=1, chunk_rows=70)
    rows = _rows(out)
    assert rows[0] == ["event_id", "query", "department", *RESULT_COLUMNS]
    assert [r[0] for r in rows[1:]] == events["event_id"].tolist()
    assert [r[1] for r in rows[1:]] == events["query"].tolist()
    assert summary.rows == len(events) == sum(summary.statuses.values())
    assert set(summary.statuses) == set(ROW_STATUSES)
    saved = json.loads((tmp_path / "out.csv.summary.json").read_text(encoding="utf-8"))
    assert saved["statuses"] == summary.statuses and saved["rows"] == len(events)
    status = rows[0].index("status")
    assert {r[status] for r in rows[1:]} <= set(ROW_STATUSES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "out.csv", "out.csv.summary.json"]


def test_results_agree_with_base_match(tmp_path, events_csv, events, base, grid):
    """address_id, level, score and point of each row are those of AddressBase.match; the grid code is
    that of GridIndex.assign on the point."""
    out = tmp_path / "out.csv"
    geocode_file(events_csv, out, column="query", base=base, grid=grid, workers=1)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    for text, row in zip(events["query"], frame.itertuples(), strict=True):
        m = base.match(text, limit=1)
        if m is None:
            assert row.status == "no_match" and row.address_id == ""
            continue
        assert (row.address_id, row.match_level, row.status) == (m.address_id or "", m.level, m.status)
        assert float(row.score) == pytest.approx(m.score, abs=1e-4)
        if m.x is not None:
            assert float(row.x) == pytest.approx(m.x, abs=1e-7)
            assert row.grid_code == (grid.locate(m.x, m.y, crs=base.crs) or "")


def test_two_workers_write_the_same_bytes_as_one(tmp_path, events_csv, base, grid):
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    geocode_file(events_csv, one, column="query", base=base, grid=grid, workers=1, chunk_rows=50)
    geocode_file(events_csv, two, column="query", base=base, grid=grid, workers=2, chunk_rows=50)
    assert one.read_bytes() == two.read_bytes()


FAULTY = (
    b"id,addr,note\n"
    b"1,\xe6\xb8\xa9\xe5\xb7\x9e,ok\n"  # 温州
    b"2,,empty address\n"
    b"3,   ,blank address\n"
    b"4,a,b,c,d\n"
    b"5\n"
    b"\n"
    b"6,x\x00y,nul\n"
    b"7,\xff\xfe,bad bytes\n"
    b'8,"never closed,x\n'
    b"9," + "解放街".encode() * 400 + b",long address\n"
    b"10,\xe6\xb8\xa9\xe5\xb7\x9e,last\n"
)


def test_each_fault_gets_its_status_and_the_run_goes_on(tmp_path, base):
    """Empty and blank addresses, wrong field counts, blank lines, NUL bytes, bad bytes, an unclosed
    quote and a huge cell each give their row a status and a reason; no row is lost."""
    path = tmp_path / "faulty.csv"
    path.write_bytes(FAULTY)
    out = tmp_path / "out.csv"
    summary = geocode_file(
        path, out, column="addr", base=base, workers=1, encoding="utf-8", max_record_lines=3
    )
    rows = _rows(out)[1:]
    status = {r[0]: (r[-2], r[-1]) for r in rows}
    assert len(rows) == 11 and summary.rows == 11
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5", "", "6", "7", "8", "9", "10"]
    assert status["2"][0] == status["3"][0] == status[""][0] == "empty_address"
    assert status["4"] == (
        "malformed_row",
        "line 5: 5 fields, expected 3; the extra ones are kept in the last column",
    )
    assert rows[3][:3] == ["4", "a", "b,c,d"]
    assert status["5"] == ("malformed_row", "line 6: 1 field, expected 3")
    assert status["6"][0] == "malformed_row" and status["6"][1].startswith("line 8: NUL bytes removed; ")
    assert status["7"][0] == "bad_encoding" and "line 9" in status["7"][1]
    assert status["8"][0] == "malformed_row" and "quoted field is not closed" in status["8"][1]
    assert status["9"][0] == "too_long" and "1,200 characters" in status["9"][1]
    assert status["1"][0] in ("upper_level", "ambiguous", "no_match", "matched")
    assert status["10"][0] == status["1"][0]


def test_column_clashes_get_a_suffix(tmp_path, base):
    """An input that already has result column names keeps them; the results get _2."""
    path = tmp_path / "in.csv"
    path.write_text("status,x,addr\nold,1,温州市鹿城区\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    geocode_file(path, out, column="addr", base=base, workers=1)
    header, row = _rows(out)
    assert header[:3] == ["status", "x", "addr"]
    assert "status_2" in header and "x_2" in header and header.count("status") == 1
    assert row[:2] == ["old", "1"]


def test_setup_mistakes_raise_with_the_bad_value(tmp_path, events_csv, base):
    with pytest.raises(ColumnError, match=r'"地址".*\[\'event_id\', \'query\', \'department\'\]'):
        geocode_file(events_csv, tmp_path / "o.csv", column="地址", base=base)
    with pytest.raises(InputError, match=r'"\.xlsx"'):
        geocode_file(events_csv, tmp_path / "o.xlsx", column="query", base=base)
    with pytest.raises(InputError, match="the input file itself"):
        geocode_file(events_csv, events_csv, column="query", base=base)
    with pytest.raises(CRSError, match="EPSG:99999"):
        geocode_file(events_csv, tmp_path / "o.csv", column="query", base=base, crs="EPSG:99999")
    with pytest.raises(InputError, match="chunk_rows was 0"):
        geocode_file(events_csv, tmp_path / "o.csv", column="query", base=base, chunk_rows=0)
    assert not (tmp_path / "o.csv").exists()


def test_output_crs_converts_the_points(tmp_path, events_csv, base):
    """--crs GCJ02 gives the base points shifted by the GCJ-02 formula; crs says so on every point row."""
    plain, gcj = tmp_path / "plain.csv", tmp_path / "gcj.csv"
    geocode_file(events_csv, plain, column="query", base=base, workers=1)
    geocode_file(events_csv, gcj, column="query", base=base, workers=1, crs="GCJ02")
    a = pd.read_csv(plain, dtype={"crs": str}).dropna(subset=["x"])
    b = pd.read_csv(gcj, dtype={"crs": str}).dropna(subset=["x"])
    x, y = transform(a["x"].to_numpy(), a["y"].to_numpy(), "EPSG:4490", "GCJ02")
    assert b["x"].to_numpy() == pytest.approx(x, abs=2e-7)
    assert b["y"].to_numpy() == pytest.approx(y, abs=2e-7)
    assert set(b["crs"]) == {"GCJ02"}


@pytest.mark.parametrize("fmt", ["parquet", "geoparquet", "gpkg"])
def test_parquet_and_geopackage_outputs(tmp_path, events_csv, events, base, grid, fmt):
    """Same rows and columns as the CSV; score, x, y as numbers; points with the CRS for the geo formats."""
    import geopandas as gpd

    out = tmp_path / f"out.{fmt}"
    geocode_file(events_csv, out, column="query", base=base, grid=grid, workers=1, chunk_rows=100)
    if fmt == "parquet":
        frame = pd.read_parquet(out)
    elif fmt == "geoparquet":
        frame = gpd.read_parquet(out)
    else:
        frame = gpd.read_file(out)
    assert len(frame) == len(events)
    assert frame["event_id"].tolist() == events["event_id"].tolist()
    assert frame["score"].dtype == "float64"
    if fmt != "parquet":
        assert frame.crs.to_epsg() == 4490
        points = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
        assert len(points) == frame["x"].notna().sum()
        assert points.geometry.x.to_numpy() == pytest.approx(points["x"].to_numpy())
    assert not (tmp_path / f"out.{fmt}.parts").exists()


class Interrupt(Exception):
    pass


def _stop_after(k):
    seen = []

    def progress(p):
        seen.append(p)
        if len(seen) == k:
            raise Interrupt

    return progress


@pytest.mark.parametrize("fmt", ["csv", "parquet", "gpkg"])
def test_an_interrupted_run_resumes_to_the_same_bytes(tmp_path, events_csv, base, grid, fmt):
    """Stopped after 2 chunks the output path stays empty; resumed, the file equals an uninterrupted
    run byte for byte, and the summary counts every row once. A torn write after the checkpoint is cut."""
    (tmp_path / "whole").mkdir()
    whole, out = tmp_path / "whole" / f"out.{fmt}", tmp_path / f"out.{fmt}"  # same name: GeoPackage layer
    expected = geocode_file(events_csv, whole, column="query", base=base, grid=grid, workers=1, chunk_rows=60)
    with pytest.raises(Interrupt):
        geocode_file(
            events_csv,
            out,
            column="query",
            base=base,
            grid=grid,
            workers=1,
            chunk_rows=60,
            progress=_stop_after(2),
        )
    assert not out.exists()
    state = json.loads((tmp_path / f"out.{fmt}.checkpoint").read_text(encoding="utf-8"))
    assert state["chunks"] == 2 and state["rows"] == 120
    if fmt == "csv":
        with open(tmp_path / "out.csv.partial", "ab") as f:
            f.write(b"half a row,")
    resumed = geocode_file(
        events_csv, out, column="query", base=base, grid=grid, workers=1, chunk_rows=60, resume=True
    )
    assert out.read_bytes() == whole.read_bytes()
    assert resumed.resumed_at_row == 120
    assert resumed.statuses == expected.statuses and resumed.levels == expected.levels
    assert not (tmp_path / f"out.{fmt}.checkpoint").exists()


def test_resume_refuses_other_options_and_starts_afresh_without_a_checkpoint(tmp_path, events_csv, base):
    out = tmp_path / "out.csv"
    with pytest.raises(Interrupt):
        geocode_file(
            events_csv, out, column="query", base=base, workers=1, chunk_rows=60, progress=_stop_after(1)
        )
    with pytest.raises(InputError, match=r"other chunk_rows, crs"):
        geocode_file(
            events_csv, out, column="query", base=base, workers=1, chunk_rows=50, crs="GCJ02", resume=True
        )
    fresh = tmp_path / "fresh.csv"
    summary = geocode_file(events_csv, fresh, column="query", base=base, workers=1, resume=True)
    assert summary.resumed_at_row is None and summary.rows == 300


def test_excel_gbk_and_utf8_inputs_give_the_same_results(tmp_path, events, base):
    """The same rows exported as UTF-8 CSV, GBK CSV and .xlsx geocode to the same result columns."""
    events.to_csv(tmp_path / "u.csv", index=False)
    events.to_csv(tmp_path / "g.csv", index=False, encoding="gb18030")
    events.to_excel(tmp_path / "x.xlsx", index=False)
    results = []
    for name in ("u.csv", "g.csv", "x.xlsx"):
        summary = geocode_file(
            tmp_path / name, tmp_path / f"{name}.out.csv", column="query", base=base, workers=1
        )
        results.append(pd.read_csv(tmp_path / f"{name}.out.csv", dtype=str, keep_default_na=False))
        assert summary.encoding == {"u.csv": "utf-8", "g.csv": "gb18030", "x.xlsx": None}[name]
    assert results[0].equals(results[1]) and results[0].equals(results[2])


def test_a_header_only_file_gives_a_header_only_output(tmp_path, base):
    path = tmp_path / "empty.csv"
    path.write_text("id,addr\n", encoding="utf-8")
    summary = geocode_file(path, tmp_path / "o.csv", column="addr", base=base)
    assert summary.rows == 0
    assert _rows(tmp_path / "o.csv") == [["id", "addr", *RESULT_COLUMNS]]
    geocode_file(path, tmp_path / "o.parquet", column="addr", base=base)
    assert pq.read_table(tmp_path / "o.parquet").num_rows == 0


def test_load_base_reads_an_index_or_a_table(tmp_path, table, base):
    """An .npz index loads as it is; a table needs its id and address columns."""
    base.save(tmp_path / "base.npz")
    assert len(load_base(tmp_path / "base.npz")) == len(base)
    table.head(50).to_csv(tmp_path / "base.csv", index=False)
    with pytest.raises(InputError, match="--base-id-column"):
        load_base(tmp_path / "base.csv")
    small = load_base(
        tmp_path / "base.csv", id_column="addr_id", address_column="address", x_column="lon", y_column="lat"
    )
    assert len(small) == 50
    with pytest.raises(InputError, match="--grid-code-column"):
        load_grid(tmp_path / "grid.gpkg", code_column=None)


def test_assign_file_adds_the_grid_columns(tmp_path, table, grid):
    """grid assign: every row kept, grid_code/grid_status/grid_distance_m added, bad coordinates invalid."""
    points = table[["addr_id", "lon", "lat"]].head(40).astype(str)
    points.loc[3, "lon"] = "abc"
    points.to_csv(tmp_path / "p.csv", index=False)
    counts = assign_file(
        tmp_path / "p.csv",
        tmp_path / "p.grid.csv",
        grid=grid,
        x_column="lon",
        y_column="lat",
        crs="EPSG:4490",
    )
    out = pd.read_csv(tmp_path / "p.grid.csv", dtype=str, keep_default_na=False)
    assert len(out) == 40 and list(out.columns[-3:]) == ["grid_code", "grid_status", "grid_distance_m"]
    assert out["grid_status"][3] == "invalid" and counts["invalid"] == 1
    lon, lat = float(out["lon"][0]), float(out["lat"][0])
    assert out["grid_code"][0] == grid.locate(lon, lat, crs="EPSG:4490")
    assert sum(counts.values()) == 40
    with pytest.raises(ColumnError, match="lng"):
        assign_file(
            tmp_path / "p.csv", tmp_path / "q.csv", grid=grid, x_column="lng", y_column="lat", crs=4490
        )
