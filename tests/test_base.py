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
from stdaddr.errors import ColumnError, CRSError, DataError, InputError

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
        ("u1", "。。。", 120.66, 28.02),  # nothing parseable
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
    with pytest.raises(DataError, match="not a stdaddr address index"):
        AddressBase.load(other)
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(DataError, match="cannot read"):
        AddressBase.load(tmp_path / "junk.npz")


def test_parsing_on_two_processes_gives_the_same_columns(monkeypatch):
    texts = [address for _, address, _, _ in ROWS] * 20
    serial, amb_serial = parse_columns(texts, workers=1)
    monkeypatch.setattr(base_module, "_PARALLEL_MIN", 10)
    monkeypatch.setattr(base_module, "_CHUNK", 16)
    parallel, amb_parallel = parse_columns(texts, workers=2)
    assert (amb_serial == amb_parallel).all()
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
