"""AddressBase: loading tables and files, the validation report, the index file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import small_base

import stdaddr.base as base_module
import stdaddr.workers as workers_module
from stdaddr.base import INDEX_VERSION, AddressBase, parse_columns
from stdaddr.errors import ColumnError, CRSError, DataError, InputError, StdaddrWarning

ROWS = [
    ("d1", "浙江省温州市鹿城区五马街道解放街123号", 120.650, 28.010),
    ("r1", "浙江省温州市鹿城区五马街道解放街123号3幢1单元301室", 120.651, 28.011),
    ("r2", "浙江省温州市鹿城区五马街道解放街123号3幢2单元301室", 120.652, 28.012),
    ("r3", "浙江省温州市鹿城区五马街道解放街125号锦绣花园5幢101室", 120.653, 28.013),
    ("r4", "浙江省温州市龙湾区永中街道解放街123号", 120.800, 27.900),
    ("r5", "浙江省温州市鹿城区五马街道人民路8号", 120.660, 28.020),
]


def frame(rows=ROWS) -> pd.DataFrame:
    return small_base.frame(rows)


def build(rows=ROWS, **kwargs) -> AddressBase:
    return small_base.build_base(rows, **kwargs)


def test_a_clean_table_is_indexed_whole_with_an_ok_report():
    base = build()
    assert len(base) == 6 and base.crs == "EPSG:4490"
    assert base.report.ok and base.report.n_dropped == 0
    assert "no problems found" in str(base.report)


def test_ids_become_strings_and_numeric_ids_lose_no_digits():
    df = pd.DataFrame({"id": [330302006001, 7.0], "addr": ["鹿城区解放街1号", "鹿城区解放街2号"]})
    base = AddressBase.from_dataframe(df, id_column="id", address_column="addr")
    assert sorted(base.ids.tolist()) == ["330302006001", "7"]


def test_report_lists_every_kind_of_problem_and_leaves_bad_rows_out():
    rows = [
        *ROWS,
        ("r1", "浙江省温州市鹿城区五马街道人民路9号", 120.66, 28.02),  # duplicate id
        ("", "浙江省温州市鹿城区五马街道人民路10号", 120.66, 28.02),  # empty id
        ("e1", "  ", 120.66, 28.02),  # empty address
        ("u1", "电话联系", 120.66, 28.02),  # nothing parseable
        ("c1", "浙江省温州市鹿城区五马街道人民路11号", float("nan"), 28.02),
        ("c2", "浙江省温州市鹿城区五马街道人民路12号", 28.02, 120.66),  # swapped
        ("c3", "浙江省温州市鹿城区五马街道人民路13号", 2.35, 48.85),  # Paris
        ("a1", "朝阳区解放街1号", 120.66, 28.02),  # ambiguous divisions
    ]
    report = build(rows).report
    assert report.n_rows == len(rows) and report.n_records == len(rows) - 4
    assert [i.address_id for i in report.duplicate_ids] == ["r1"] and "row 1" in report.duplicate_ids[
        0
    ].problem
    assert [i.row for i in report.empty_ids] == [7]
    assert [i.address_id for i in report.empty_addresses] == ["e1"]
    assert [i.address_id for i in report.unparseable] == ["u1"]
    problems = {i.address_id: i.problem for i in report.bad_coordinates}
    assert problems == {
        "c1": "missing coordinates",
        "c2": "outside China (x and y look swapped)",
        "c3": "outside China",
    }
    assert [i.address_id for i in report.ambiguous] == ["a1"]
    assert not report.ok
    text = str(report)
    for phrase in (
        "repeating an earlier id",
        "empty address",
        "no level was found",
        "implausible",
        "ambiguous",
    ):
        assert phrase in text


def test_the_first_row_of_a_duplicate_id_is_the_one_kept():
    rows = [("x", "鹿城区解放街1号", 120.65, 28.01), ("x", "鹿城区人民路2号", 120.66, 28.02)]
    base = build(rows)
    assert base.match("鹿城区解放街1号").address_id == "x"
    assert base.match("鹿城区人民路2号") is None


def test_records_with_bad_coordinates_match_without_a_point():
    base = build([("c1", "鹿城区解放街1号", np.nan, 28.0), ("c2", "鹿城区解放街3号", 120.65, 28.0)])
    m = base.match("鹿城区解放街1号")
    assert m.address_id == "c1" and m.x is None and m.y is None


def test_projected_coordinates_are_checked_after_transforming_them():
    rows = [("p1", "鹿城区解放街1号", 563936.0, 3098612.0), ("p2", "鹿城区解放街3号", 1e9, 1e9)]
    base = build(rows, crs="EPSG:4549")
    assert base.crs == "EPSG:4549"
    assert [i.address_id for i in base.report.bad_coordinates] == ["p2"]


def test_unknown_columns_raise_column_error_listing_the_columns():
    with pytest.raises(ColumnError, match=r"address_column was \"address\".*\['id', 'addr', 'lon', 'lat'\]"):
        AddressBase.from_dataframe(frame(), id_column="id", address_column="address")
    with pytest.raises(InputError, match="both or neither"):
        AddressBase.from_dataframe(frame(), id_column="id", address_column="addr", x_column="lon")


def test_csv_in_gbk_is_read_with_its_encoding(tmp_path):
    path = tmp_path / "base.csv"
    frame().to_csv(path, index=False, encoding="gbk")
    base = AddressBase.from_file(path, id_column="id", address_column="addr", x_column="lon", y_column="lat")
    assert len(base) == 6 and base.match("解放街123号3幢2单元301室").address_id == "r2"


def test_excel_and_parquet_tables_load(tmp_path):
    xlsx, parquet = tmp_path / "base.xlsx", tmp_path / "base.parquet"
    frame().to_excel(xlsx, index=False)
    frame().to_parquet(parquet)
    for path in (xlsx, parquet):
        base = AddressBase.from_file(
            path, id_column="id", address_column="addr", x_column="lon", y_column="lat"
        )
        assert len(base) == 6 and base.match("鹿城区人民路8号").x == pytest.approx(120.66)


def test_geopackage_points_take_their_crs_from_the_file(tmp_path):
    import geopandas as gpd

    df = frame()
    gdf = gpd.GeoDataFrame(
        df[["id", "addr"]], geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4490"
    )
    path = tmp_path / "base.gpkg"
    gdf.to_crs("EPSG:4549").to_file(path)
    base = AddressBase.from_file(path, id_column="id", address_column="addr")
    assert base.crs == "EPSG:4549"
    assert base.match("鹿城区人民路8号").x == pytest.approx(564_911, abs=5)
    with pytest.raises(CRSError, match=r"EPSG:4490.*EPSG:4549"):
        AddressBase.from_file(path, id_column="id", address_column="addr", crs="EPSG:4490")
    with pytest.raises(ColumnError, match="the layer has the columns"):
        AddressBase.from_file(path, id_column="nope", address_column="addr")


def test_a_geopackage_of_several_layers_gives_its_one_point_layer_or_asks_for_the_layer(tmp_path):
    """Without layer=, the records are the file's one layer of points (beside, say, the buildings'
    outlines); two point layers are refused, naming them, instead of the first being read."""
    import warnings

    import geopandas as gpd
    from shapely.geometry import box

    df = frame()
    points = gpd.GeoDataFrame(
        df[["id", "addr"]], geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4490"
    )
    path = tmp_path / "base.gpkg"
    gpd.GeoDataFrame({"name": ["b"]}, geometry=[box(120.6, 28.0, 120.7, 28.1)], crs="EPSG:4490").to_file(
        path, layer="outlines"
    )
    points.to_file(path, layer="doors")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        base = AddressBase.from_file(path, id_column="id", address_column="addr")
    assert base.match(df["addr"][0]).address_id == df["id"][0]
    points.to_file(path, layer="doors_2020")
    with pytest.raises(InputError, match=r"3 layers \(outlines, doors, doors_2020\).*--base-layer"):
        AddressBase.from_file(path, id_column="id", address_column="addr")
    assert len(AddressBase.from_file(path, id_column="id", address_column="addr", layer="doors")) == len(df)


def test_an_empty_point_in_a_geopackage_is_a_row_without_coordinates(tmp_path):
    """POINT EMPTY (and a point of NaN) is reported per row, as a missing geometry is; the rest loads."""
    import geopandas as gpd
    from shapely.geometry import Point

    df = frame()
    geometry = [Point(x, y) for x, y in zip(df["lon"], df["lat"], strict=True)]
    geometry[1], geometry[2] = Point(), Point(float("nan"), float("nan"))
    path = tmp_path / "base.gpkg"
    gpd.GeoDataFrame(df[["id", "addr"]], geometry=geometry, crs="EPSG:4490").to_file(path)
    base = AddressBase.from_file(path, id_column="id", address_column="addr")
    assert sorted(i.address_id for i in base.report.bad_coordinates) == sorted(df["id"][1:3])
    assert base.match(df["addr"][0]).x == pytest.approx(df["lon"][0])


def test_an_unknown_file_type_or_missing_file_is_refused(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        AddressBase.from_file(tmp_path / "none.csv", id_column="id", address_column="addr")
    (tmp_path / "base.doc").write_text("x")
    with pytest.raises(InputError, match=r"suffix \".doc\""):
        AddressBase.from_file(tmp_path / "base.doc", id_column="id", address_column="addr")


def test_save_and_load_round_trip_gives_the_same_matches_and_report(tmp_path):
    base = build([*ROWS, ("r1", "鹿城区人民路9号", 120.66, 28.02)])
    path = tmp_path / "base.idx"
    base.save(path)
    loaded = AddressBase.load(path)
    assert len(loaded) == len(base) and loaded.crs == base.crs
    assert loaded.report == base.report
    for text in ("解放街123号3幢2单元301室", "解放街123号3幢301室", "鹿城区解放街", "人民路9号"):
        assert loaded.match(text) == base.match(text)


def test_loading_refuses_other_versions_and_other_files(tmp_path):
    path = tmp_path / "base.npz"
    build().save(path)
    with np.load(path) as data:
        payload = {k: data[k] for k in data.files}
    meta = json.loads(str(payload["meta"]))
    meta["version"] = INDEX_VERSION + 1
    payload["meta"] = np.array(json.dumps(meta))
    with open(path, "wb") as f:
        np.savez(f, **payload)
    with pytest.raises(DataError, match=f"version {INDEX_VERSION + 1}"):
        AddressBase.load(path)
    other = tmp_path / "other.npz"
    with open(other, "wb") as f:
        np.savez(f, meta=np.array(json.dumps({"format": "something"})))
    with pytest.raises(DataError, match=r"not a stdaddr index file \(its meta says format 'something'"):
        AddressBase.load(other)
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(DataError, match=r"not a stdaddr index file \(it is not a .npz archive\)"):
        AddressBase.load(tmp_path / "junk.npz")


def test_an_index_read_by_another_parser_loads_with_a_warning_saying_to_rebuild_it(tmp_path):
    """Records read by another version of the parser may disagree with texts read now (桥墩门社区 read as
    门社区 before): the index loads, with a warning; one saved by this parser loads silently."""
    import warnings

    path = tmp_path / "base.npz"
    build().save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        AddressBase.load(path)
    with np.load(path) as data:
        payload = {k: data[k] for k in data.files}
    meta = json.loads(str(payload["meta"]))
    for parser in ("0123456789abcdef", None):
        if parser is None:
            del meta["parser"]
        else:
            meta["parser"] = parser
        payload["meta"] = np.array(json.dumps(meta))
        with open(path, "wb") as f:
            np.savez(f, **payload)
        with pytest.warns(
            StdaddrWarning, match="built by another version of the parser.*build the base again"
        ):
            loaded = AddressBase.load(path)
        assert len(loaded) == len(ROWS)


def _index_without(path, tmp_path, name, **replace):
    """A copy of the index at ``path`` without the entry ``name`` and with ``replace``d entries."""
    with np.load(path) as data:
        payload = {k: data[k] for k in data.files if k != name}
    payload.update(replace)
    out = tmp_path / "changed.npz"
    with open(out, "wb") as f:
        np.savez(f, **payload)
    return out


def test_anything_but_a_whole_index_is_refused_at_load_time_with_the_reason(tmp_path):
    """Other files, damaged and incomplete indexes all give one DataError naming what is wrong, never a
    numpy, zipfile or pickle error, and never an index that fails later at its first match."""
    path = tmp_path / "base.npz"
    build().save(path)
    meta = json.loads(str(np.load(path)["meta"]))
    np.save(tmp_path / "array.npy", np.arange(5))
    (tmp_path / "empty.npz").write_bytes(b"")
    frame().to_csv(tmp_path / "base.csv", index=False)
    frame().to_parquet(tmp_path / "base.parquet")
    (tmp_path / "cut.npz").write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    cases = {
        tmp_path / "array.npy": "not a .npz archive",
        tmp_path / "empty.npz": "not a .npz archive",
        tmp_path / "base.csv": "not a .npz archive",
        tmp_path / "base.parquet": "not a .npz archive",
        tmp_path / "cut.npz": "not a stdaddr index file",
    }
    for bad, reason in cases.items():
        with pytest.raises(DataError, match=reason) as caught:
            AddressBase.load(bad)
        assert "pickle" not in str(caught.value)
    no_report = {k: v for k, v in meta.items() if k != "report"}
    changes = [
        ("a.x", {}, "lacks a.x"),
        ("meta", {}, 'no "meta" entry'),
        ("", {"meta": np.array(json.dumps([1, 2]))}, "format 'list'"),
        ("", {"meta": np.array(json.dumps(no_report))}, "lacks \\['report'\\]"),
        ("", {"a.y": np.zeros(2)}, "a.y has shape"),
        ("", {"v.road": np.array(["x"])}, "values v.road does not have"),
    ]
    for name, replace, reason in changes:
        with pytest.raises(DataError, match=f"not a stdaddr index file.*{reason}"):
            AddressBase.load(_index_without(path, tmp_path, name, **replace))


def test_parsing_on_two_processes_gives_the_same_columns(monkeypatch):
    texts = [address for _, address, _, _ in ROWS] * 20
    serial, amb_serial, shown_serial = parse_columns(texts, workers=1)
    monkeypatch.setattr(base_module, "_PARALLEL_MIN", 10)
    monkeypatch.setattr(base_module, "_CHUNK", 16)
    parallel, amb_parallel, shown_parallel = parse_columns(texts, workers=2)
    assert (amb_serial == amb_parallel).all() and shown_serial == shown_parallel
    for column, (codes, names) in serial.items():
        other_codes, other_names = parallel[column]
        assert [names[i] if i >= 0 else None for i in codes] == [
            other_names[i] if i >= 0 else None for i in other_codes
        ]


def test_bad_workers_argument_is_refused():
    with pytest.raises(InputError, match="workers was 0"):
        build(workers=0)


def _gc_threshold(chunk: list[int]) -> list[int]:
    import gc

    return [gc.get_threshold()[0]] * len(chunk)


def test_forked_workers_collect_young_objects_less_often_and_the_caller_keeps_its_setting():
    """Worker processes raise the young-generation threshold; the calling process is left as it was."""
    import gc

    before = gc.get_threshold()
    out = workers_module.run_chunks(_gc_threshold, list(range(4)), chunk=2, workers=2, warm_up=lambda: None)
    assert [t for part in out for t in part] == [workers_module.BATCH_GC_THRESHOLD] * 4
    assert gc.get_threshold() == before


def _threshold_in_loop(chunk: list[int]) -> list[int]:
    import gc

    return [gc.get_threshold()[0]] * len(chunk)


def test_a_single_process_batch_loop_collects_less_often_and_restores_the_callers_setting():
    """Without workers, the loop runs with the batch threshold and the caller's comes back afterwards."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(500, before[1], before[2])
    try:
        out = workers_module.run_chunks(
            _threshold_in_loop, [1, 2, 3], chunk=2, workers=1, warm_up=lambda: None
        )
        assert [t for part in out for t in part] == [workers_module.BATCH_GC_THRESHOLD] * 3
        assert gc.get_threshold() == (500, before[1], before[2])
    finally:
        gc.set_threshold(*before)


# A worker of run_chunks that dies on the chunk starting at 0: killed outright, or while sending its
# result (half the message written), which leaves the pool's reader waiting for the rest.
_DYING_WORKER_SCRIPT = """
import os, signal, struct, sys
from multiprocessing import connection
from stdaddr.workers import run_chunks

def _half_then_die(self, buf):
    self._send(struct.pack("!i", len(buf)) + bytes(buf[: len(buf) // 2]))
    os.kill(os.getpid(), signal.SIGKILL)

def work(chunk):
    if chunk[0] == 0:
        if sys.argv[1] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        connection.Connection._send_bytes = _half_then_die
    return [str(i) * 20 for i in chunk]

run_chunks(work, list(range(20000)), chunk=5000, workers=2, warm_up=lambda: None)
"""


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="kills a process")
@pytest.mark.parametrize("how", ["kill", "half_sent"])
def test_a_batch_whose_worker_dies_ends_with_an_error_instead_of_waiting_for_ever(tmp_path, how):
    """match_many, parse_many and the base's build run on run_chunks: a worker killed (by the kernel
    when memory runs out, say) made them wait for ever, also when it died half-way through its result."""
    import subprocess
    import sys

    (tmp_path / "run.py").write_text(_DYING_WORKER_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(tmp_path / "run.py"), how], capture_output=True, text=True, timeout=30
    )
    assert done.returncode != 0 and "StdaddrError: a worker process died" in done.stderr


KW = {"id_column": "id", "address_column": "addr", "x_column": "lon", "y_column": "lat"}


def _write_csv(path, rows, encoding="utf-8", sep=","):
    text = "".join(sep.join(map(str, r)) + "\n" for r in [("id", "addr", "lon", "lat"), *rows])
    path.write_bytes(text.encode(encoding))
    return path


def test_a_gbk_base_whose_first_rows_are_ascii_is_read_as_gbk(tmp_path):
    """Detection is decided by the lines with Chinese, however late they come: no mojibake."""
    ascii_rows = [(f"A{i}", f"No.{i} Main Street", 120.65, 28.01) for i in range(3000)]
    path = _write_csv(tmp_path / "base.csv", [*ascii_rows, *ROWS], encoding="gbk")
    base = AddressBase.from_file(path, **KW)
    assert base.match("解放街123号3幢2单元301室").address_id == "r2"
    assert not base.report.bad_encoding


def test_rows_in_another_encoding_are_reported_and_left_out(tmp_path):
    """A UTF-8 base with a few GBK rows appended: those rows are bad_encoding with their line, not '�…' records."""
    path = tmp_path / "base.csv"
    _write_csv(path, ROWS)
    path.write_bytes(path.read_bytes() + "g1,鹿城区人民路99号,120.66,28.02\n".encode("gbk"))
    base = AddressBase.from_file(path, **KW)
    assert len(base) == len(ROWS) and "g1" not in base.ids.tolist()
    [issue] = base.report.bad_encoding
    assert issue.address_id == "g1" and "line 8" in issue.problem and "utf-8" in issue.problem
    assert not base.report.ok and "encoding" in str(base.report)


def test_a_wrong_explicit_encoding_is_a_data_error_naming_file_and_encoding(tmp_path):
    path = _write_csv(tmp_path / "base.csv", ROWS, encoding="gbk")
    with pytest.raises(DataError, match=r'base.csv" is not in utf-8: 6 of 6 rows.*detected'):
        AddressBase.from_file(path, encoding="utf-8", **KW)
    assert len(AddressBase.from_file(path, encoding="gbk", **KW)) == len(ROWS)


def test_rows_with_a_wrong_number_of_fields_are_reported_and_the_others_read_in_place(tmp_path):
    """No column is ever taken as the index: a 5-field row is a malformed row, the rest keep their columns."""
    rows = [ROWS[0], (*ROWS[1], "extra"), *ROWS[2:], ("short", "鹿城区人民路1号")]
    path = _write_csv(tmp_path / "base.csv", rows)
    report = AddressBase.from_file(path, **KW).report
    assert report.n_records == len(ROWS) - 1
    assert [(i.address_id, i.problem) for i in report.malformed_rows] == [
        ("r1", "line 3: 5 fields, expected 4; the extra ones are kept in the last column"),
        ("short", "line 8: 2 fields, expected 4"),
    ]


def test_semicolon_and_tab_separated_bases_are_read_like_the_batch_reads_them(tmp_path):
    for name, sep in (("base.csv", ";"), ("base.tsv", "\t"), ("pipes.txt", "|")):
        path = _write_csv(tmp_path / name, ROWS, sep=sep)
        base = AddressBase.from_file(path, **KW)
        assert len(base) == len(ROWS) and base.report.ok


def test_duplicate_column_names_are_a_column_error_naming_them(tmp_path):
    df = pd.DataFrame([["a", "鹿城区解放街1号", "b"]], columns=["id", "addr", "id"])
    with pytest.raises(ColumnError, match=r'id_column was "id" but the table has 2 columns of that name'):
        AddressBase.from_dataframe(df, id_column="id", address_column="addr")
    path = tmp_path / "base.csv"
    path.write_text("id,addr,addr\n1,鹿城区解放街1号,x\n", encoding="utf-8")
    with pytest.raises(ColumnError, match=r'address_column was "addr" but "[^"]*base.csv" has 2 columns'):
        AddressBase.from_file(path, id_column="id", address_column="addr")


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("id,addr,lon,lat\n", "it has no data rows"),
        ("id,addr,lon,lat\n\n\n,,,\n", "no row has both an id and an address"),
        ("id,addr,lon,lat\n1,NULL,1,2\n2,电话联系,1,2\n", "no row has an id and an address in which"),
    ],
)
def test_a_base_without_a_usable_record_is_a_data_error_saying_why(tmp_path, content, why):
    path = tmp_path / "base.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=why) as caught:
        AddressBase.from_file(path, **KW)
    assert "records indexed" in str(caught.value) and caught.value.report.n_records == 0
    with pytest.raises(DataError, match="it has no data rows"):
        AddressBase.from_dataframe(frame([]), **KW)


def test_a_problem_row_names_its_line_in_the_file(tmp_path):
    """Blank lines of a CSV are no rows of the base, so a problem row's number would not find it in the
    file: the report gives its line too (the header's is 1)."""
    path = tmp_path / "b.csv"
    path.write_text(
        "id,addr,x,y\na,温州市鹿城区解放街1号,120.65,28.01\n\n\nb,,120.65,28.01\nc,温州市鹿城区解放街3号,abc,28.01\n",
        encoding="utf-8",
    )
    report = AddressBase.from_file(
        path, id_column="id", address_column="addr", x_column="x", y_column="y"
    ).report
    assert [(i.row, i.line) for i in report.empty_addresses] == [(1, 5)]
    assert [(i.row, i.line, i.problem) for i in report.bad_coordinates] == [(2, 6, "x is not a number")]
    assert "row 1 (line 5)" in str(report)
    df = pd.DataFrame({"id": ["a", "b"], "addr": ["温州市鹿城区解放街1号", ""]})
    assert [
        i.line
        for i in AddressBase.from_dataframe(df, id_column="id", address_column="addr").report.empty_addresses
    ] == [None]


def test_ids_are_normalised_the_same_way_from_every_format(tmp_path):
    """Int64 NA is an empty id; whole floats (Parquet, DataFrame) lose their .0 at any size; floats past
    2**53 are noted, since a float cannot hold every such integer."""
    df = pd.DataFrame(
        {
            "id": pd.array([330302006001, None, 7], dtype="Int64"),
            "addr": ["鹿城区解放街1号", "鹿城区解放街2号", "鹿城区解放街3号"],
        }
    )
    report = AddressBase.from_dataframe(df, id_column="id", address_column="addr").report
    assert [i.row for i in report.empty_ids] == [1]
    floats = pd.DataFrame({"id": [330302006001.0, 2.0**60, 7.5], "addr": df["addr"]})
    floats.to_parquet(tmp_path / "base.parquet")
    for base in (
        AddressBase.from_dataframe(floats, id_column="id", address_column="addr"),
        AddressBase.from_file(tmp_path / "base.parquet", id_column="id", address_column="addr"),
    ):
        assert sorted(base.ids.tolist()) == ["1152921504606847000", "330302006001", "7.5"]
        assert [i.address_id for i in base.report.inexact_ids] == ["1152921504606847000"]
        assert base.report.ok
    # an Excel cell of an ID card number stored as a number: the text of the digits the float holds, noted
    floats.assign(id=[330302006001, 3.303021980010113e17, 7.5]).to_excel(tmp_path / "base.xlsx", index=False)
    base = AddressBase.from_file(tmp_path / "base.xlsx", id_column="id", address_column="addr")
    assert sorted(base.ids.tolist()) == ["330302006001", "330302198001011300", "7.5"]
    assert [i.address_id for i in base.report.inexact_ids] == ["330302198001011300"]
    # the same float from a DataFrame is the same id as from the sheet
    same = AddressBase.from_dataframe(
        floats.assign(id=[330302006001, 3.303021980010113e17, 7.5]), id_column="id", address_column="addr"
    )
    assert sorted(same.ids.tolist()) == sorted(base.ids.tolist())


def test_an_address_longer_than_the_parser_reads_is_indexed_and_noted(tmp_path):
    """A 200,000-character cell (a pasted document) is indexed as far as the parser reads it, and the
    report says so: nothing is cut silently."""
    from stdaddr.parsing import MAX_LENGTH

    long = "温州市鹿城区解放街1号" + "备注" * 100_000
    df = pd.DataFrame({"id": ["a", "b"], "addr": [long, "温州市鹿城区解放街2号"]})
    base = AddressBase.from_dataframe(df, id_column="id", address_column="addr")
    assert len(base) == 2 and base.report.ok
    (note,) = base.report.long_addresses
    assert (note.row, note.address_id, len(note.value)) == (0, "a", MAX_LENGTH)
    assert f"{len(long):,}" in note.problem and "addresses longer than" in str(base.report)
    base.save(tmp_path / "base.idx")
    assert AddressBase.load(tmp_path / "base.idx").report.long_addresses == base.report.long_addresses
    m = base.match("解放街1号")
    assert m is not None and m.address_id == "a"


@pytest.mark.parametrize(
    "marker",
    [
        "NULL",
        " null ",
        "None",
        "nan",
        "N/A",
        "#N/A",
        "-",
        "--",
        "/",
        "无",
        "不详",
        "详见附件",
        "Ｎ／Ａ",
        "——",
    ],
)
def test_placeholder_addresses_are_empty_addresses(marker):
    base = build([*ROWS, ("p1", marker, 120.66, 28.02)])
    [issue] = base.report.empty_addresses
    assert (
        issue.address_id == "p1" and issue.problem == "placeholder for no address" and issue.value == marker
    )


def test_an_address_that_is_not_text_and_coordinates_that_are_not_numbers_are_shown_as_written():
    rows = [
        *ROWS,
        ("n1", 12345, 120.66, 28.02),
        ("c1", "鹿城区人民路11号", "120.65度", "28,01"),
        ("c2", "鹿城区人民路12号", None, 28.0),
    ]
    report = build(rows).report
    assert [(i.address_id, i.value, i.problem) for i in report.unparseable] == [
        ("n1", "12345", "not text but a int")
    ]
    assert [(i.address_id, i.value, i.problem) for i in report.bad_coordinates] == [
        ("c1", "(120.65度, 28,01)", "coordinates are not numbers"),
        ("c2", "(empty, 28.0)", "missing coordinates"),
    ]


def test_ids_sharing_one_address_are_noted_and_all_indexed():
    rows = [*ROWS, ("d2", "温州市鹿城区五马街道解放街123号", 120.65, 28.01)]
    base = build(rows)
    [note] = base.report.duplicate_addresses
    assert (note.address_id, note.problem) == ("d1", "also the address of ids d2")
    assert note.value == "浙江省温州市鹿城区五马街道解放街123号"
    assert len(base) == len(rows) and base.report.ok
    assert "addresses shared by several ids" in str(base.report)


def test_excel_and_parquet_problems_name_the_file_and_the_sheets(tmp_path):
    book = tmp_path / "two.xlsx"
    with pd.ExcelWriter(book) as writer:
        frame().to_excel(writer, sheet_name="records", index=False)
        frame().rename(columns={"addr": "地址"}).to_excel(writer, sheet_name="其他", index=False)
    assert len(AddressBase.from_file(book, sheet=None, **KW)) == len(ROWS)
    with pytest.raises(
        DataError, match=r"sheet was 'nope' but \"[^\"]*two.xlsx\" has the sheets \['records', '其他'\]"
    ):
        AddressBase.from_file(book, sheet="nope", **KW)
    with pytest.raises(
        ColumnError, match=r'address_column was "addr" but sheet "其他" of "[^"]*two.xlsx" has'
    ):
        AddressBase.from_file(book, sheet="其他", **KW)
    (tmp_path / "fake.xlsx").write_text("id,addr\n1,x\n")
    (tmp_path / "cut.xlsx").write_bytes(book.read_bytes()[:300])
    (tmp_path / "fake.parquet").write_text("id,addr\n1,x\n")
    for name, what in (
        ("fake.xlsx", "an Excel workbook"),
        ("cut.xlsx", "an Excel workbook"),
        ("fake.parquet", "Parquet"),
    ):
        with pytest.raises(DataError, match=f'cannot read "[^"]*{name}" as {what}'):
            AddressBase.from_file(tmp_path / name, **KW)


def test_match_many_refuses_one_text_and_a_wide_table():
    base = build()
    with pytest.raises(InputError, match="pass a list of texts, not one text"):
        base.match_many("解放街123号")
    with pytest.raises(InputError, match=r"columns \['id', 'addr', 'lon', 'lat'\].*match_table"):
        base.match_many(frame())
    [m] = base.match_many(frame()[["addr"]].head(1))
    assert m.address_id == "d1"


def test_rooms_sharing_an_opening_take_its_parse_with_their_own_number():
    """The build parses the opening of a unit's rooms once (…2单元301室, …302室): the values equal a parse
    of every text, whatever comes before the room."""
    from stdaddr.base import _parse_chunk
    from stdaddr.parsing import clear_cache
    from stdaddr.synth import generate_base

    openings = [
        "浙江省温州市鹿城区五马街道解放街123号3幢2单元",
        "鹿城区解放街12号",
        "锦绣花园3-2-",
        "瑞安市塘下镇鲍七村5组",
        "人民路8号5楼",
        "温州大学城A",
        "杭州市西湖区文三路90号东部软件园1号楼",
        "解放街12号3幢2单元0",
        "13812345678转",
    ]
    texts = [o + r for o in openings for r in ("301室", "1502室", "8室", "0301室", "12345室")]
    texts += generate_base(3_000, seed=11)["address"].tolist()

    def values(shortcut: bool) -> list:
        clear_cache()
        columns, ambiguous, _ = _parse_chunk(texts, shortcut=shortcut)
        rows = [[names[k] if k >= 0 else None for k in ids.tolist()] for ids, names in columns.values()]
        return [*rows, ambiguous.tolist()]

    assert values(shortcut=True) == values(shortcut=False)


def test_a_base_of_split_columns_reads_as_the_same_records():
    """A standard address base kept in one column per level (区县, 街路巷, 门牌号 12, 楼栋 A, 室号 301) is
    read as the same records as from its full addresses: the columns are joined in order, a bare
    number taking the mark its header names."""
    from stdaddr.synth import generate_base

    table = generate_base(5_000, seed=3)
    full = AddressBase.from_dataframe(table, id_column="addr_id", address_column="address")
    split = table.rename(
        columns={"county": "区县", "town": "乡镇街道", "community": "社区村", "road": "街路巷"}
    )
    split = split.rename(columns={"group": "组", "poi": "小区", "unit": "单元名"})
    for column, source, mark in (("门牌号", "house_number", "号"), ("楼栋", "building", "幢")):
        split[column] = table[source].str.removesuffix(mark)
    split["楼层"] = table["floor"].str.removesuffix("层")
    split["室号"] = table["room"].str.removesuffix("室")
    columns = [
        "区县",
        "乡镇街道",
        "社区村",
        "组",
        "街路巷",
        "门牌号",
        "小区",
        "楼栋",
        "单元名",
        "楼层",
        "室号",
    ]
    assert split["楼栋"].str.fullmatch("[A-Z]").any() and split["门牌号"].str.fullmatch("[0-9]+").any()
    base = AddressBase.from_dataframe(split, id_column="addr_id", address_column=columns)
    assert [base.standard(r) for r in range(len(base))] == [full.standard(r) for r in range(len(full))]
    with pytest.raises(ColumnError, match='address_column was "门牌"'):
        AddressBase.from_dataframe(split, id_column="addr_id", address_column=["区县", "门牌"])


def test_a_base_file_that_is_empty_or_of_nul_bytes_is_a_data_error_naming_it(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match=r'input file ".*empty.csv" is empty'):
        AddressBase.from_file(empty, id_column="id", address_column="addr")
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"\0" * 1000)
    with pytest.raises(DataError, match=r'".*nul.csv" has an empty header line'):
        AddressBase.from_file(nul, id_column="id", address_column="addr")


@pytest.mark.parametrize(
    "crs, rows, hint",
    [
        ("EPSG:3857", [(120.65, 28.0), (120.66, 28.01)], "longitude/latitude"),
        ("EPSG:4490", [(28.0, 120.65)], "swapped"),
        ("EPSG:4490", [(563936.0, 3098612.0)], "metres"),
        ("EPSG:4549", [(3098612.0, 563936.0)], "northing"),  # X (north) given as x, as surveyors name it
    ],
)
def test_a_crs_that_puts_every_record_outside_china_is_a_crs_error(crs, rows, hint):
    """Lon/lat declared as EPSG:3857 lost every point without a word (every match had no x, y); one bad
    record among good ones is only reported."""
    table = [(f"r{i}", f"浙江省温州市鹿城区解放街{i + 1}号", x, y) for i, (x, y) in enumerate(rows)]
    with pytest.raises(CRSError, match=hint):
        build(table, crs=crs)
    if crs == "EPSG:4549":
        return
    mixed = build([*table, ("ok", "浙江省温州市鹿城区解放街99号", 120.65, 28.0)], crs="EPSG:4490")
    assert len(mixed.report.bad_coordinates) == (0 if crs == "EPSG:3857" else len(rows))


def test_a_column_named_by_a_number_is_found_for_the_address_as_for_the_id():
    import pandas as pd

    df = pd.DataFrame({0: ["r1"], 1: ["浙江省温州市鹿城区解放街12号"], "lon": [120.65], "lat": [28.0]})
    base = AddressBase.from_dataframe(df, id_column=0, address_column=1, x_column="lon", y_column="lat")
    assert base.match("鹿城区解放街12号").address_id == "r1"
    table = base.match_table(pd.DataFrame({0: ["鹿城区解放街12号"]}), column=0)
    assert table["match_id"].tolist() == ["r1"]


def test_saving_or_loading_an_index_at_no_path_or_an_unwritable_one_is_an_input_error(tmp_path):
    base = build([("a", "浙江省温州市鹿城区解放街1号", 120.65, 28.0)])
    for path in (None, tmp_path, tmp_path / "missing" / "base.idx"):
        with pytest.raises(InputError):
            base.save(path)
    with pytest.raises(InputError):
        AddressBase.load(None)


def test_answers_show_a_record_as_the_base_writes_it_not_as_matching_keys_it(tmp_path):
    """10号街坊 is matched as 十街坊 and 阳光花园2期 as 阳光花园二期, 24-1号 as 24号附1; the answers
    (and candidates) show the base's own forms, also from a saved index."""
    rows = [
        ("q", "河南省洛阳市涧西区重庆路街道10号街坊7幢", 112.4, 34.66),
        ("g", "浙江省温州市鹿城区五马街道阳光花园2期3幢201室", 120.65, 28.01),
        ("d", "浙江省温州市鹿城区五马街道解放街24-1号", 120.66, 28.02),
    ]
    built = build(rows)
    saved = tmp_path / "shown.npz"
    built.save(saved)
    for base in (built, AddressBase.load(saved)):
        for query, expected, shown in (
            ("洛阳市涧西区十号街坊7栋", "q", "10号街坊7幢"),
            ("鹿城区阳光花园二期3幢201室", "g", "阳光花园2期3幢201室"),
            ("鹿城区解放街24号附1", "d", "解放街24-1号"),
        ):
            m = base.match(query)
            assert m is not None and m.address_id == expected, query
            assert m.standard.endswith(shown) and m.candidates[0].standard == m.standard, m.standard
        assert [base.standard(r) for r in range(len(base))] == [r[1] for r in rows]
