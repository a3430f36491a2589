"""Batch geocoding of files: every row out once, in order, with a status; outputs only when complete;
an interrupted run resumed gives the same bytes; results agree with the library's own match."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from small_base import workbook_with_cover

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
from stdaddr.errors import ColumnError, CRSError, DataError, InputError
from stdaddr.grid import GridIndex
from stdaddr.io import output_lock
from stdaddr.models import GRID_LEVELS
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
    that of GridIndex.assign on the point, for a community or finer (none for a town's or county's
    centroid, which lies in some community's cell, not the event's)."""
    out = tmp_path / "out.csv"
    geocode_file(events_csv, out, column="query", base=base, grid=grid, workers=1)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    coarse = 0
    for text, row in zip(events["query"], frame.itertuples(), strict=True):
        m = base.match(text, limit=1)
        if m is None:
            assert row.status == "no_match" and row.address_id == ""
            continue
        assert (row.address_id, row.match_level, row.status) == (m.address_id or "", m.level, m.status)
        assert float(row.score) == pytest.approx(m.score, abs=1e-4)
        if m.x is not None:
            assert float(row.x) == pytest.approx(m.x, abs=1e-7)
            if m.level in GRID_LEVELS:
                assert row.grid_code == (grid.locate(m.x, m.y, crs=base.crs) or "")
            else:
                coarse += 1
                assert row.grid_code == "" and "no grid cell for the centroid of a" in row.reason
    assert coarse, "the events hold no town- or county-level text: the rule is not tried"


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


def test_a_csv_output_keeps_the_header_as_it_came(tmp_path, base):
    """Repeated input names stay repeated in a CSV (only the other formats need unique names)."""
    path = tmp_path / "in.csv"
    path.write_text("note,note,addr\nb,c,温州市鹿城区\n", encoding="utf-8")
    geocode_file(path, tmp_path / "out.csv", column="addr", base=base, workers=1)
    assert _rows(tmp_path / "out.csv")[0][:3] == ["note", "note", "addr"]


def test_a_stray_quote_costs_its_row_and_the_rows_after_it_are_geocoded(tmp_path, base):
    """Rows in == rows out when a stray quote would be closed by a later row's quoted note."""
    a = "温州市鹿城区"
    path = tmp_path / "in.csv"
    path.write_text(
        f'id,addr,note\n1,{a},ok\n2,"{a},stray\n3,{a},ok\n4,{a},ok\n5,{a},"quoted, note"\n6,{a},ok\n',
        encoding="utf-8",
    )
    geocode_file(path, tmp_path / "out.csv", column="addr", base=base, workers=1)
    rows = _rows(tmp_path / "out.csv")[1:]
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [r[-2] for r in rows].count("malformed_row") == 1 and rows[1][-2] == "malformed_row"
    assert {r[1] for r in rows if r[0] != "2"} == {a}


@pytest.mark.parametrize("fmt", ["gpkg", "geoparquet"])
@pytest.mark.parametrize(
    "names", [("fid", "geom"), ("FID", "Geometry"), ("geometry", "GEOMETRY"), ("Fid", "fid")]
)
def test_input_columns_named_like_the_writers_own_are_renamed(tmp_path, base, fmt, names):
    """Input columns called fid or geometry (in any case, for GeoPackage) get _2, _3 …; the file opens
    with every row, the values under the new names and the points in the geometry column."""
    import geopandas as gpd

    path = tmp_path / "in.csv"
    path.write_text(f"{names[0]},{names[1]},addr\nv1,w1,温州市鹿城区\nv2,w2,\n", encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    geocode_file(path, out, column="addr", base=base, workers=1, chunk_rows=1)
    frame = gpd.read_file(out) if fmt == "gpkg" else gpd.read_parquet(out)
    assert len(frame) == 2 and frame.geometry.name == "geometry"
    folded = [c.casefold() if fmt == "gpkg" else c for c in frame.columns]
    assert len(set(folded)) == len(folded)
    renamed = [c for c in frame.columns if c not in ("geometry", "addr", *RESULT_COLUMNS)]
    assert [frame[c].tolist() for c in renamed] == [["v1", "v2"], ["w1", "w2"]]
    assert frame.geometry.iloc[0] is not None and frame.geometry.iloc[0].x == pytest.approx(
        frame["x"].iloc[0]
    )


def test_header_names_keep_their_spaces_and_the_column_is_found_without_them(tmp_path, base):
    path = tmp_path / "in.csv"
    path.write_text(" id , addr \n1,温州市鹿城区\n", encoding="utf-8")
    geocode_file(path, tmp_path / "out.csv", column="addr", base=base, workers=1)
    assert _rows(tmp_path / "out.csv")[0][:2] == [" id ", " addr "]


def test_resume_refuses_a_checkpoint_of_other_code(tmp_path, events_csv, base, monkeypatch):
    """The checkpoint records a digest of stdaddr's files: changed code is named, not resumed into."""
    import stdaddr.batch

    out = tmp_path / "out.csv"
    with pytest.raises(Interrupt):
        geocode_file(
            events_csv, out, column="query", base=base, workers=1, chunk_rows=60, progress=_stop_after(1)
        )
    monkeypatch.setattr(stdaddr.batch, "code_digest", lambda: "other code")
    with pytest.raises(InputError, match=r"other code"):
        geocode_file(events_csv, out, column="query", base=base, workers=1, chunk_rows=60, resume=True)


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


@pytest.mark.parametrize("fmt", ["csv", "parquet", "geoparquet", "gpkg"])
def test_an_output_folder_that_does_not_exist_is_refused_for_every_format(tmp_path, events_csv, base, fmt):
    """No output format creates a missing folder; the error names the folder, not an internal file."""
    folder = tmp_path / "nodir" / "deeper"
    with pytest.raises(InputError, match=f'output folder "{folder}" does not exist'):
        geocode_file(events_csv, folder / f"o.{fmt}", column="query", base=base, workers=1)
    assert not (tmp_path / "nodir").exists()


def test_a_column_not_found_in_a_text_file_says_which_encoding_it_was_read_in(tmp_path, base):
    """A GBK file read as UTF-8 garbles its header: the error says how it was read and how to change it."""
    src = tmp_path / "gbk.csv"
    src.write_bytes("编号,事发地址\n1,鹿城区五马街道解放街1号\n".encode("gbk"))
    with pytest.raises(
        ColumnError, match=r'column was "事发地址" but .*read as utf-8 \(as given\).*--encoding'
    ):
        geocode_file(src, tmp_path / "o.csv", column="事发地址", base=base, encoding="utf-8", workers=1)
    with pytest.raises(ColumnError, match=r"read as gb18030 \(detected\)"):
        geocode_file(src, tmp_path / "o.csv", column="地址", base=base, workers=1)
    assert len(geocode_file(src, tmp_path / "o.csv", column="事发地址", base=base, workers=1).statuses) >= 1


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-32", "ascii", "nope"])
def test_output_encodings_that_cannot_write_chinese_lines_are_refused_up_front(
    tmp_path, events_csv, base, encoding
):
    with pytest.raises(
        InputError, match=f'output encoding was "{encoding}"; expected one of utf-8, utf-8-sig'
    ):
        geocode_file(events_csv, tmp_path / "o.csv", column="query", base=base, output_encoding=encoding)
    assert not list(tmp_path.glob("o.csv*"))


def test_a_character_the_output_encoding_lacks_is_an_error_naming_its_line(tmp_path, base):
    """Big5 has no simplified 区: the run stops naming the line and the character, never writing "?";
    a character the encoding has is written in it, and utf-8-sig writes one BOM only."""
    path = tmp_path / "in.csv"
    path.write_text("id,addr,note\n1,a,ok\n2,b,鹿城区\n", encoding="utf-8")
    with pytest.raises(
        DataError, match=r'line 3: "区" \(U\+533A\) in column "note" cannot be written in big5'
    ):
        geocode_file(path, tmp_path / "o.csv", column="addr", base=base, output_encoding="big5", workers=1)
    # nothing is left to resume either: a resumed run would stop at the same character
    assert not list(tmp_path.glob("o.csv*"))
    header = tmp_path / "h.csv"
    header.write_text("id,addr,备注\n1,a,ok\n", encoding="utf-8")
    with pytest.raises(DataError, match='the header: "备" .* cannot be written in big5'):
        geocode_file(header, tmp_path / "o.csv", column="addr", base=base, output_encoding="big5", workers=1)
    assert not list(tmp_path.glob("o.csv*"))
    geocode_file(path, tmp_path / "g.csv", column="addr", base=base, output_encoding="gbk", chunk_rows=1)
    assert (tmp_path / "g.csv").read_bytes().decode("gbk").splitlines()[2].startswith("2,b,鹿城区,")
    geocode_file(
        path, tmp_path / "u.csv", column="addr", base=base, output_encoding="utf-8-sig", chunk_rows=1
    )
    assert (tmp_path / "u.csv").read_bytes().count(b"\xef\xbb\xbf") == 1


def test_a_gbk_file_with_an_undecodable_byte_can_be_written_back_in_gbk(tmp_path, base):
    """The byte the input could not decode is U+FFFD in the row (flagged bad_encoding), which GBK lacks:
    it is written "?", the run goes on."""
    path = tmp_path / "in.csv"
    path.write_bytes("id,addr,note\n1,鹿城区解放街12号,好\n2,鹿城区解放街13号,".encode("gbk") + b"\x81\x20\n")
    geocode_file(path, tmp_path / "g.csv", column="addr", base=base, output_encoding="gbk", workers=1)
    rows = (tmp_path / "g.csv").read_bytes().decode("gbk").splitlines()
    assert len(rows) == 3 and rows[2].startswith("2,鹿城区解放街13号,? ,")
    assert "bad_encoding" in rows[2]


_EVENT_ROWS = [
    ("1", "温州市某某电器有限公司", "鹿城区五马街道解放街12号", "张三", "放前台"),
    ("2", "温州市某某鞋业有限公司", "温州市龙湾区永中街道永宁西路100号", "李四", ""),
    ("3", "瓯海区某某五金厂", "瓯海区娄桥街道东耕村3组8号", "王五", "急"),
    ("4", "温州市某某餐饮店", "乐清市柳市镇长虹路36号柳市花园2幢2单元402室", "赵六", "电话联系"),
]


def _table_file(path, header, rows):
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_address_column_is_detected_when_none_is_named(tmp_path, base):
    """Among a company name (温州市…有限公司: a division, no place below it), a person, a note and the
    address, the address column reads best; the summary names it."""
    path = _table_file(tmp_path / "in.csv", ["编号", "单位名称", "发生在", "联系人", "备注"], _EVENT_ROWS)
    summary = geocode_file(path, tmp_path / "o.csv", base=base)
    assert summary.column == "发生在"
    assert "address column: 发生在" in str(summary)
    named = geocode_file(path, tmp_path / "named.csv", column="发生在", base=base)
    assert (tmp_path / "o.csv").read_bytes() == (tmp_path / "named.csv").read_bytes()
    assert named.statuses == summary.statuses


def test_two_address_columns_are_told_apart_only_by_a_header_naming_an_address(tmp_path, base):
    rows = [(r[2], r[2]) for r in _EVENT_ROWS]
    both = _table_file(tmp_path / "both.csv", ["收件信息", "寄件信息"], rows)
    with pytest.raises(
        ColumnError, match=r'several columns .* read as addresses \("收件信息" \(\d+%\), "寄件信息"'
    ):
        geocode_file(both, tmp_path / "o.csv", base=base)
    named = _table_file(tmp_path / "named.csv", ["收件信息", "事发地址"], rows)
    assert geocode_file(named, tmp_path / "o2.csv", base=base).column == "事发地址"


def test_a_one_column_table_or_a_header_alone_needs_no_values_to_find_its_column(tmp_path, base):
    one = _table_file(tmp_path / "one.csv", ["text"], [("Main Street 1",)])
    assert geocode_file(one, tmp_path / "o1.csv", base=base).column == "text"
    header = _table_file(tmp_path / "header.csv", ["编号", "地址"], [])
    summary = geocode_file(header, tmp_path / "o2.csv", base=base)
    assert (summary.column, summary.rows) == ("地址", 0)


def test_no_address_column_is_an_error_listing_the_columns(tmp_path, base):
    path = _table_file(tmp_path / "in.csv", ["联系人", "备注"], [(r[3], r[4]) for r in _EVENT_ROWS])
    with pytest.raises(
        ColumnError, match=r"no column of the input \"in.csv\" reads as addresses .* \['联系人', '备注'\]"
    ):
        geocode_file(path, tmp_path / "o.csv", base=base)
    assert not (tmp_path / "o.csv").exists()


def test_an_address_column_named_twice_is_an_error(tmp_path, base):
    path = tmp_path / "in.csv"
    path.write_text("id,地址,地址\n1,鹿城区,瓯海区\n", encoding="utf-8")
    with pytest.raises(
        ColumnError, match=r'column was "地址" but the input "in.csv" has 2 columns of that name'
    ):
        geocode_file(path, tmp_path / "o.csv", column="地址", base=base)


def test_a_missing_column_in_a_workbook_of_several_sheets_names_the_sheets(tmp_path, base):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["填表说明"])
    book.create_sheet("数据").append(["id", "地址"])
    book.save(tmp_path / "in.xlsx")
    with pytest.raises(
        ColumnError,
        match=r"""column was "事发地址" but sheet "说明" of the input "in.xlsx" has the columns \['填表说明'\]; the workbook has the sheets \['说明', '数据'\]: choose one with sheet/--sheet""",
    ):
        geocode_file(tmp_path / "in.xlsx", tmp_path / "o.csv", column="事发地址", base=base)


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


def test_assign_file_writes_parquet_when_a_chunk_has_no_point_in_any_cell(tmp_path, table, grid):
    """A chunk whose grid codes are all null has the same schema as the others: strings stay strings."""
    points = table[["addr_id", "lon", "lat"]].head(6).astype(str)
    points.loc[:2, ["lon", "lat"]] = ["0.5", "0.5"]  # far outside the grid: the first chunk has no code
    points.loc[4, "addr_id"] = ""
    points.to_csv(tmp_path / "p.csv", index=False)
    out = tmp_path / "p.parquet"
    counts = assign_file(
        tmp_path / "p.csv", out, grid=grid, x_column="lon", y_column="lat", crs="EPSG:4490", chunk_rows=3
    )
    read = pq.read_table(out)
    assert read.num_rows == 6 and counts["outside"] == 3
    assert str(read.schema.field("grid_code").type) == "string"
    assert str(read.schema.field("grid_distance_m").type) == "double"
    assert read.column("grid_code").to_pylist()[:3] == [None] * 3
    assert all(code is not None for code in read.column("grid_code").to_pylist()[3:])


_WORKER_SCRIPT = """
import multiprocessing, sys, time
import pandas as pd
from stdaddr.base import AddressBase
from stdaddr.batch import geocode_file

df = pd.DataFrame({"id": ["a"], "addr": ["浙江省温州市鹿城区五马街道解放街12号"], "lon": [120.65], "lat": [28.01]})
base = AddressBase.from_dataframe(df, id_column="id", address_column="addr", x_column="lon", y_column="lat")

def stop(progress):
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    time.sleep(600)

geocode_file(sys.argv[1], sys.argv[2], column="addr", base=base, workers=2, chunk_rows=10, progress=stop)
"""


def _alive(pid):
    """Whether a process runs (a zombie waiting to be reaped has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_workers_end_when_the_main_process_is_killed(tmp_path, signal_name):
    """kill -9 or SIGTERM of a running geocode leaves no worker process behind; SIGTERM exits like
    Ctrl-C (status 143) and keeps the checkpoint for resume."""
    import signal
    import subprocess
    import sys

    path = tmp_path / "in.csv"
    path.write_text("id,addr\n" + "".join(f"{i},解放街{i}号\n" for i in range(200)), encoding="utf-8")
    (tmp_path / "run.py").write_text(_WORKER_SCRIPT, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(tmp_path / "run.py"), str(path), str(tmp_path / "out.csv")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        workers = [int(pid) for pid in proc.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
        proc.send_signal(getattr(signal, signal_name))
        status = proc.wait(timeout=20)
        assert _all_gone(workers, within_s=5)
    finally:
        proc.kill()
        proc.wait()
    if signal_name == "SIGTERM":
        assert status == 143
        assert (tmp_path / "out.csv.checkpoint").exists() and not (tmp_path / "out.csv").exists()


_ONE_PROCESS_SIGTERM_SCRIPT = """
import os, signal, sys
import pandas as pd
from stdaddr.base import AddressBase
from stdaddr.batch import geocode_file

df = pd.DataFrame({"id": ["a"], "addr": ["浙江省温州市鹿城区五马街道解放街12号"], "lon": [120.65], "lat": [28.01]})
base = AddressBase.from_dataframe(df, id_column="id", address_column="addr", x_column="lon", y_column="lat")

def stop(progress):
    os.kill(os.getpid(), signal.SIGTERM)

geocode_file(sys.argv[1], sys.argv[2], column="addr", base=base, workers=1, chunk_rows=10, progress=stop)
"""


def test_sigterm_stops_a_one_process_run_as_it_stops_one_with_workers(tmp_path):
    """Without workers SIGTERM killed the process mid-run (status -15, the lock file left behind); it
    exits with status 143 now, the checkpoint kept for resume and the lock released, as with workers."""
    import subprocess
    import sys

    path = tmp_path / "in.csv"
    path.write_text("id,addr\n" + "".join(f"{i},解放街{i}号\n" for i in range(100)), encoding="utf-8")
    (tmp_path / "run.py").write_text(_ONE_PROCESS_SIGTERM_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(tmp_path / "run.py"), str(path), str(tmp_path / "out.csv")],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 143
    assert (tmp_path / "out.csv.checkpoint").exists() and not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "out.csv.lock").exists()


def test_a_ctrl_c_whose_exception_was_lost_still_stops_the_run(tmp_path, events_csv, base):
    """A KeyboardInterrupt raised inside a finalizer is reported and dropped by Python (Ctrl-C was
    ignored about once in twenty runs with one worker): the run notes the signal and stops at the next
    chunk, its checkpoint kept."""
    import os
    import signal

    lost = []

    def interrupt_and_lose_it(progress):
        if not lost:
            try:
                os.kill(os.getpid(), signal.SIGINT)
                signal.sigtimedwait([], 0)  # let the handler run here
            except KeyboardInterrupt:
                lost.append(True)  # as a finalizer would drop it

    out = tmp_path / "out.csv"
    # (a suite started in the background without job control inherits Ctrl-C ignored: Python's own
    # handling is what a user at a terminal has)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            geocode_file(
                events_csv,
                out,
                column="query",
                base=base,
                workers=1,
                chunk_rows=2,
                progress=interrupt_and_lose_it,
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert lost and not out.exists() and (tmp_path / "out.csv.checkpoint").exists()


def test_a_lone_carriage_return_in_a_cell_is_quoted_so_the_row_reads_back_whole(tmp_path, base):
    """The csv module quotes only its line terminator's characters: a CR in a cell (甲\\r乙) was written
    bare with LF line ends, and readers split the row there."""
    path = tmp_path / "in.csv"
    path.write_bytes(
        '编号,地址,备注\n1,温州市鹿城区解放街12号,"甲\r乙"\n2,温州市鹿城区解放街14号,好\n'.encode()
    )
    out = tmp_path / "out.csv"
    geocode_file(path, out, column="地址", base=base, workers=1)
    rows = _rows(out)
    assert len(rows) == 3 and rows[1][:3] == ["1", "温州市鹿城区解放街12号", "甲\r乙"] and rows[2][2] == "好"


def _all_gone(pids: list[int], within_s: float) -> bool:
    """Whether every process of ``pids`` has ended within ``within_s`` seconds."""
    import time

    deadline = time.monotonic() + within_s
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_alive(pid) for pid in pids)


_KILL_WORKER_SCRIPT = """
import multiprocessing, os, signal, sys
import pandas as pd
from stdaddr.base import AddressBase
from stdaddr.batch import geocode_file

df = pd.DataFrame({"id": ["a"], "addr": ["浙江省温州市鹿城区五马街道解放街12号"], "lon": [120.65], "lat": [28.01]})
base = AddressBase.from_dataframe(df, id_column="id", address_column="addr", x_column="lon", y_column="lat")
killed = []

def kill_one(progress):
    if not killed:
        workers = [p.pid for p in multiprocessing.active_children()]
        print(" ".join(map(str, workers)), flush=True)
        os.kill(workers[0], signal.SIGKILL)
        killed.append(workers[0])

geocode_file(sys.argv[1], sys.argv[2], column="addr", base=base, workers=2, chunk_rows=300, progress=kill_one)
"""


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_stops_the_run_promptly_and_leaves_no_worker(tmp_path):
    """kill -9 of one worker while the others are busy ends the run within seconds with an error,
    leaves no worker behind and keeps the checkpoint for resume."""
    import subprocess
    import sys

    path = tmp_path / "in.csv"
    rows = "".join(f"{i},浙江省温州市鹿城区五马街道解放街{i}号{i % 7}幢\n" for i in range(6000))
    path.write_text("id,addr\n" + rows, encoding="utf-8")
    (tmp_path / "run.py").write_text(_KILL_WORKER_SCRIPT, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(tmp_path / "run.py"), str(path), str(tmp_path / "out.csv")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        workers = [int(pid) for pid in proc.stdout.readline().split()]
        assert len(workers) == 2
        status = proc.wait(timeout=15)
        assert _all_gone(workers, within_s=5)
    finally:
        proc.kill()
        proc.wait()
    assert status != 0 and "a worker process died" in proc.stderr.read()
    assert (tmp_path / "out.csv.checkpoint").exists() and not (tmp_path / "out.csv").exists()


# The worker geocoding the chunk with row 900 dies while sending its result (half the message written).
_HALF_SENT_SCRIPT = """
import os, signal, struct, sys
from multiprocessing import connection
import pandas as pd
import stdaddr.batch as batch
from stdaddr.base import AddressBase

geocode_texts = batch._geocode_texts

def _half_then_die(self, buf):
    self._send(struct.pack("!i", len(buf)) + bytes(buf[: len(buf) // 2]))
    os.kill(os.getpid(), signal.SIGKILL)

def _geocode_texts(texts):
    out = geocode_texts(texts)
    if any(isinstance(t, str) and t.endswith("解放街900号") for t in texts):
        connection.Connection._send_bytes = _half_then_die
    return out

_geocode_texts.__module__, _geocode_texts.__qualname__ = "stdaddr.batch", "_geocode_texts"
batch._geocode_texts = _geocode_texts
df = pd.DataFrame({"id": ["a"], "addr": ["浙江省温州市鹿城区五马街道解放街12号"], "lon": [120.65], "lat": [28.01]})
base = AddressBase.from_dataframe(df, id_column="id", address_column="addr", x_column="lon", y_column="lat")
batch.geocode_file(sys.argv[1], sys.argv[2], column="addr", base=base, workers=2, chunk_rows=300)
"""


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="kills a process")
def test_a_worker_dying_while_sending_its_result_stops_the_run_instead_of_hanging(tmp_path):
    """The pool's reader waits for the rest of a half-sent result for ever; the run notices the dead
    worker, ends with the same error as for any dead worker and keeps the checkpoint for resume."""
    import subprocess
    import sys

    path = tmp_path / "in.csv"
    path.write_text(
        "id,addr\n" + "".join(f"{i},温州市鹿城区解放街{i}号\n" for i in range(3000)), encoding="utf-8"
    )
    (tmp_path / "run.py").write_text(_HALF_SENT_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(tmp_path / "run.py"), str(path), str(tmp_path / "out.csv")],
        capture_output=True,
        text=True,
        timeout=40,
    )
    assert done.returncode != 0 and "a worker process died" in done.stderr
    assert (tmp_path / "out.csv.checkpoint").exists() and not (tmp_path / "out.csv").exists()


def test_a_second_run_on_an_output_being_written_is_refused(tmp_path, events_csv, base):
    """Two runs on one output would share its .partial file and checkpoint: the second is refused."""
    out = tmp_path / "out.csv"
    with output_lock(out), pytest.raises(InputError, match="another run is writing"):
        geocode_file(events_csv, out, column="query", base=base, workers=1)
    assert not out.exists()
    geocode_file(events_csv, out, column="query", base=base, workers=1)  # the lock is free again
    assert out.exists() and not (tmp_path / "out.csv.lock").exists()


def test_hidden_temporary_files_a_killed_run_left_are_removed(tmp_path, events_csv, base):
    out = tmp_path / "out.gpkg"
    stale = tmp_path / ".out.gpkg.12345-deadbeef.gpkg"
    stale.write_bytes(b"half an assembly")
    other = tmp_path / ".other.gpkg.12345-deadbeef.gpkg"
    other.write_bytes(b"another output's")
    geocode_file(events_csv, out, column="query", base=base, workers=1)
    assert not stale.exists() and other.exists()


@pytest.mark.parametrize("fmt", ["parquet", "geoparquet", "gpkg"])
def test_points_in_every_format_are_rounded_as_the_csv_writes_them(tmp_path, events_csv, base, fmt):
    csv_out, other = tmp_path / "p.csv", tmp_path / f"p.{fmt}"
    for out in (csv_out, other):
        geocode_file(events_csv, out, column="query", base=base, workers=1, crs="EPSG:4549")
    a = pd.read_csv(csv_out).dropna(subset=["x"])
    b = (pq.read_table(other).to_pandas() if fmt != "gpkg" else _read_gpkg(other)).dropna(subset=["x"])
    assert list(b["x"].astype(float)) == list(a["x"]) and list(b["y"].astype(float)) == list(a["y"])


def _read_gpkg(path):
    import geopandas as gpd

    return pd.DataFrame(gpd.read_file(path).drop(columns="geometry"))


def test_detection_reads_past_a_column_empty_in_its_first_rows(tmp_path, base, table):
    """事发地址 is empty in its first 300 rows: its first 200 values come later."""
    addresses = list(table["address"][:200])
    frame = pd.DataFrame(
        {
            "编号": [f"{i:05d}" for i in range(500)],
            "事发地址": [""] * 300 + addresses,
            "说明": ["巡查发现"] * 500,
        }
    )
    path = tmp_path / "sparse.csv"
    frame.to_csv(path, index=False)
    summary = geocode_file(path, tmp_path / "out.csv", base=base, workers=1)
    assert summary.column == "事发地址"


def test_a_file_without_a_header_comes_out_whole(tmp_path, base):
    """Every line of a headerless list of addresses is a row; the summary says the file had no header."""
    path = tmp_path / "list.csv"
    path.write_text("温州市鹿城区五马街道解放街12号\n温州市鹿城区解放街14号\n", encoding="utf-8")
    summary = geocode_file(path, tmp_path / "out.csv", base=base, workers=1)
    header, *rows = _rows(tmp_path / "out.csv")
    assert header[0] == "column_1" and [r[0] for r in rows] == [
        "温州市鹿城区五马街道解放街12号",
        "温州市鹿城区解放街14号",
    ]
    assert summary.rows == 2 and not summary.header and "no header" in str(summary)


def test_resume_refuses_an_input_changed_in_place_with_its_size_and_mtime_kept(tmp_path, events_csv, base):
    import os

    out = tmp_path / "out.csv"
    with pytest.raises(Interrupt):
        geocode_file(
            events_csv, out, column="query", base=base, workers=1, chunk_rows=60, progress=_stop_after(1)
        )
    stat = events_csv.stat()
    data = bytearray(events_csv.read_bytes())
    i = data.rindex(b"1")  # one digit near the end changes, the size does not
    data[i : i + 1] = b"2"
    events_csv.write_bytes(bytes(data))
    os.utime(events_csv, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(InputError, match=r"input_digest"):
        geocode_file(events_csv, out, column="query", base=base, workers=1, chunk_rows=60, resume=True)


def test_a_title_row_above_the_header_is_named_in_the_summary(tmp_path, base):
    path = tmp_path / "t.csv"
    path.write_text("2024年工单明细表,,\nid,addr,note\n1,温州市鹿城区解放街14号,急\n", encoding="utf-8")
    summary = geocode_file(path, tmp_path / "out.csv", column="addr", base=base, workers=1)
    header, row = _rows(tmp_path / "out.csv")
    assert header[:3] == ["id", "addr", "note"] and row[:3] == ["1", "温州市鹿城区解放街14号", "急"]
    assert summary.titles == ["2024年工单明细表"] and "2024年工单明细表" in str(summary)


def test_a_cover_sheet_before_the_data_is_passed_over(tmp_path, base):
    """Without a named sheet, a workbook whose first sheet lacks the column is read from the one sheet
    that has it; when two have it, the error names both."""
    path = tmp_path / "book.xlsx"
    workbook_with_cover(path, "工单", [["id", "事发地址"], ["1", "温州市鹿城区解放街14号"]])
    for column in ("事发地址", None):
        summary = geocode_file(path, tmp_path / "out.csv", column=column, base=base, workers=1)
        assert summary.sheet == "工单" and summary.rows == 1 and "sheet: 工单" in str(summary)
    import openpyxl

    book = openpyxl.load_workbook(path)
    book.copy_worksheet(book["工单"]).title = "工单2"
    book.save(path)
    with pytest.raises(ColumnError, match=r"工单.*工单2"):
        geocode_file(path, tmp_path / "out.csv", column="事发地址", base=base, workers=1)


def test_a_cover_sheet_of_instructions_gives_way_without_a_named_column(tmp_path, base):
    """填表说明 with two lines of instructions (a one-column table) before 工单 and a 统计 sheet: without
    --column the data sheet, whose column is named an address, is read (the instructions were geocoded)."""
    import openpyxl

    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    for row in (["填表说明：请按模板填写，地址请写到门牌号。"], ["联系人：李四"]):
        book.active.append(row)
    data = book.create_sheet("工单")
    for row in (["id", "事发地址"], ["1", "温州市鹿城区解放街14号"], ["2", "温州市鹿城区解放街16号"]):
        data.append(row)
    stats = book.create_sheet("统计")
    for row in (["区县", "件数"], ["鹿城区", 2]):
        stats.append(row)
    book.save(path)
    summary = geocode_file(path, tmp_path / "out.csv", base=base, workers=1)
    assert summary.sheet == "工单" and summary.rows == 2


def test_a_byte_order_mark_alone_is_an_empty_file(tmp_path, base):
    """Excel's "CSV UTF-8" of an empty sheet (the three bytes of the BOM): the empty-file error, not a crash."""
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(InputError, match="is empty"):
        geocode_file(path, tmp_path / "out.csv", column="addr", base=base, workers=1)


def test_an_empty_first_sheet_is_passed_over_as_a_cover_sheet_is(tmp_path, base):
    import openpyxl

    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "填表说明"  # left blank
    data = book.create_sheet("工单")
    for row in (["id", "事发地址"], ["1", "温州市鹿城区解放街14号"]):
        data.append(row)
    book.save(path)
    summary = geocode_file(path, tmp_path / "out.csv", column="事发地址", base=base, workers=1)
    assert summary.sheet == "工单" and summary.rows == 1
    with pytest.raises(InputError, match="empty sheet"):
        geocode_file(path, tmp_path / "out.csv", column="事发地址", base=base, workers=1, sheet=0)


def test_the_summary_tells_the_problems_of_the_grid_layer(tmp_path, events_csv, base):
    from shapely import box

    x, y = 500_000, 3_100_000  # in 温州
    grid = GridIndex(
        [box(x, y, x + 200, y + 200), box(x + 100, y, x + 300, y + 200)], ["A", "B"], crs="EPSG:4549"
    )
    summary = geocode_file(events_csv, tmp_path / "o.csv", column="query", base=base, grid=grid, workers=1)
    assert summary.grid_problems and summary.grid_problems[0].startswith("overlaps: 1")
    assert "the grid layer has problems" in str(summary)


def test_a_grid_with_a_base_without_points_is_said_in_the_summary(tmp_path, events_csv, table, grid):
    """A base built without its x/y columns gives no row a point: a grid given beside it is said to be of no
    use (it was silent, every cell empty), and not with a base that has points."""
    pointless = AddressBase.from_dataframe(table.head(200), id_column="addr_id", address_column="address")
    summary = geocode_file(
        events_csv, tmp_path / "o.csv", column="query", base=pointless, grid=grid, workers=1
    )
    assert any("the base has no point" in line for line in summary.base_problems)
    assert "the base has no point" in str(summary)
    with_points = AddressBase.from_dataframe(
        table.head(200),
        id_column="addr_id",
        address_column="address",
        x_column="lon",
        y_column="lat",
        crs="EPSG:4490",
    )
    summary = geocode_file(
        events_csv, tmp_path / "p.csv", column="query", base=with_points, grid=grid, workers=1
    )
    assert not any("no point" in line for line in summary.base_problems)


def test_cells_that_stand_for_no_address_are_empty_addresses(tmp_path, base):
    path = tmp_path / "e.csv"
    path.write_text("id,addr\n1,NULL\n2,不详\n3,温州市鹿城区解放街14号\n4,无锡市\n", encoding="utf-8")
    geocode_file(path, tmp_path / "o.csv", column="addr", base=base, workers=1)
    status = {r[0]: (r[-2], r[-1]) for r in _rows(tmp_path / "o.csv")[1:]}
    assert (
        status["1"][0] == status["2"][0] == "empty_address"
        and "'不详' stands for no address" in status["2"][1]
    )
    assert status["3"][0] != "empty_address" and status["4"][0] != "empty_address"


def test_a_register_column_named_zhusuo_is_taken_for_the_address(tmp_path, base):
    """住所 (the register's word) names an address column, which breaks a tie with shop names."""
    path = tmp_path / "r.csv"
    rows = [
        f"9133030{i:011d},瑞安市莘塍街道金岭路{i}号五金店,瑞安市莘塍街道金岭路{i}号" for i in range(1, 30)
    ]
    path.write_text("统一社会信用代码,名称,住所\n" + "\n".join(rows) + "\n", encoding="utf-8")
    summary = geocode_file(path, tmp_path / "o.csv", base=base, workers=1)
    assert summary.column == "住所"


def test_an_address_split_over_columns_is_geocoded_as_one(tmp_path, base, table):
    """区县 / 街道 / 详细地址 columns (a department's export) are read as one address, joined in order;
    every column is kept, and the summary names the columns."""
    sample = table[table["level"] == "door"].head(40)
    whole = tmp_path / "whole.csv"
    pd.DataFrame(
        {
            "编号": range(len(sample)),
            "区县": sample["county"],
            "详细地址": sample["road"] + sample["house_number"],
        }
    ).to_csv(whole, index=False)
    summary = geocode_file(whole, tmp_path / "o.csv", column=["区县", "详细地址"], base=base)
    assert summary.column == "区县 + 详细地址" and summary.columns == ["区县", "详细地址"]
    out = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)
    assert list(out.columns[:3]) == ["编号", "区县", "详细地址"]
    assert out["address_id"].tolist() == sample["addr_id"].tolist()
    with pytest.raises(ColumnError, match='column was "街道"'):
        geocode_file(whole, tmp_path / "o2.csv", column=["区县", "街道"], base=base)
    with pytest.raises(InputError, match=r"'区县' and ' 区县 ' are both the column \"区县\""):
        geocode_file(whole, tmp_path / "o3.csv", column=["区县", " 区县 ", "详细地址"], base=base)


def test_split_columns_with_empty_cells_and_placeholders(tmp_path, base, table):
    row = table[table["level"] == "door"].iloc[0]
    rows = [
        (row["county"], row["road"], row["house_number"].removesuffix("号")),
        ("", "", ""),
        ("不详", row["road"], row["house_number"].removesuffix("号")),
    ]
    path = _table_file(tmp_path / "in.csv", ["区县", "街路巷", "门牌号"], rows)
    geocode_file(path, tmp_path / "o.csv", column=["区县", "街路巷", "门牌号"], base=base, workers=1)
    out = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)
    assert out["status"].tolist()[:2] == ["matched", "empty_address"]
    assert out["address_id"][0] == row["addr_id"] and out["house_number"][0] == row["house_number"]
    assert out["road"][2] == row["road"]


def test_the_summary_tells_what_building_the_base_found(tmp_path, events_csv):
    """A base table with a duplicate id and an empty address: the summary repeats the report's counts."""
    from stdaddr.base import AddressBase

    df = pd.DataFrame(
        {
            "id": ["a", "a", "b", "c"],
            "addr": ["温州市鹿城区解放街14号", "温州市鹿城区解放街16号", "", "温州市鹿城区解放街18号"],
        }
    )
    built = AddressBase.from_dataframe(df, id_column="id", address_column="addr", workers=1)
    summary = geocode_file(events_csv, tmp_path / "o.csv", column="query", base=built, workers=1)
    assert any("repeating an earlier id" in line for line in summary.base_problems)
    assert "the base's report" in str(summary) and summary.to_dict()["base_problems"]


def test_reasons_count_together_without_the_places_they_name():
    from stdaddr.batch import _reason_kind

    one = _reason_kind("town level: the base has no record of 下店村3组12号 there; no grid cell")
    two = _reason_kind("town level: the base has no record of 上店村5组1号 there; no grid cell")
    assert one == two == "town level: the base has no record of … there; no grid cell"
    assert _reason_kind("fuzzy road 东西路~0.86") == "fuzzy road …~N"
    # (a record's id, letters and digits, varies from row to row too)
    ids = {_reason_kind(f"matched: record {i} at room level") for i in ("SXYC001261", "SXYC000007", "42")}
    assert ids == {"matched: record … at room level"}


def test_nul_bytes_in_a_parquet_cell_are_removed_and_the_row_flagged(tmp_path, base, grid):
    """As a CSV line's are: a NUL written into the output would break its readers (COPY). (An .xlsx cannot
    hold one: openpyxl refuses to write it.)"""
    source = pd.DataFrame({"地址": ["鹿城区解放\x00街14号", "鹿城区解放街12号"], "note": ["b\x00c", "d"]})
    for name in ("in.parquet",):
        path = tmp_path / name
        source.to_parquet(path)
        out = tmp_path / f"{name}.csv"
        geocode_file(path, out, column="地址", base=base, grid=grid, workers=1)
        text = out.read_text(encoding="utf-8")
        assert "\x00" not in text
        frame = pd.read_csv(out, dtype=str)
        assert frame["note"].tolist() == ["bc", "d"]
        assert frame["status"].iloc[0] == "malformed_row" and "NUL" in frame["reason"].iloc[0]
        assert frame["status"].iloc[1] != "malformed_row"
