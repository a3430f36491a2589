"""stdaddr.join: the departments' events joined on location, on a hand-made base, grid and three departments.

The base has five doors on two roads, the grid two cells (G1 west of 120.67°E, G2 east of it), and the
three department files say which doors their events are at, in their own ways, so every expected
table can be written down by hand (see ``write_case``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import pytest
from small_base import workbook_with_cover

import stdaddr.batch
from stdaddr.errors import ColumnError, InputError
from stdaddr.join import JoinConfig, add_join_command, join_events, load_config
from stdaddr.join.times import TIME_STATUSES, parse_times

BASE = [
    ("A1", "浙江省温州市鹿城区五马街道解放街1号", 120.650, 28.010),
    ("A2", "浙江省温州市鹿城区五马街道解放街3号", 120.652, 28.012),
    ("A3", "浙江省温州市鹿城区五马街道解放街5号", 120.654, 28.014),
    ("B1", "浙江省温州市鹿城区五马街道人民路8号", 120.680, 28.030),
    ("B2", "浙江省温州市鹿城区五马街道人民路10号", 120.682, 28.032),
]
# department -> rows: (address text, the address id it names or None, time text)
EVENTS: dict[str, list[tuple[str, str | None, str]]] = {
    "d1": [
        ("解放街1号", "A1", "2024-03-05 10:00"),
        ("鹿城区解放街3号", "A2", "2024/04/01"),
        ("人民路8号", "B1", "20240502"),
        ("", None, "2024-05-03"),  # no address: empty_address
        ("火星路99号", None, "不详"),  # not in the base; time unparseable
    ],
    "d2": [
        ("鹿城区五马街道解放街1号", "A1", "2024年3月9日"),
        ("解放街一号", "A1", "2024年3月10日"),
        ("人民路10号", "B2", "??"),
    ],
    "d3": [("五马街道解放街3号", "A2", "2024-06-01"), ("温州市人民路8号", "B1", "2024-07-01")],
}
CONFIG = """
[output]
path = "out/joined.gpkg"

[base]
path = "base.csv"
id_column = "addr_id"
address_column = "address"
x_column = "lon"
y_column = "lat"
crs = "EPSG:4490"

[grid]
path = "grid.gpkg"
code_column = "code"

[[departments]]
name = "d1"
file = "d1.csv"
address_column = "地址"
id_column = "编号"
time_column = "时间"
type_column = "类型"

[[departments]]
name = "d2"
file = "d2.csv"
address_column = "地址"
time_column = "日期"
encoding = "gbk"

[[departments]]
name = "d3"
file = "d3.xlsx"
address_column = "住址"
time_column = "登记"
"""


def write_case(folder: Path) -> Path:
    """The base, the grid, the three department files (UTF-8 CSV, GBK CSV, Excel) and join.toml."""
    import geopandas as gpd
    import openpyxl
    import shapely

    with open(folder / "base.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("addr_id", "address", "lon", "lat"), *BASE])
    cells = [shapely.box(120.64, 28.0, 120.67, 28.05), shapely.box(120.67, 28.0, 120.70, 28.05)]
    gpd.GeoDataFrame({"code": ["G1", "G2"]}, geometry=cells, crs="EPSG:4490").to_file(folder / "grid.gpkg")
    d1 = [("编号", "地址", "时间", "类型")] + [
        (f"X{i}", a, t, "噪音") for i, (a, _, t) in enumerate(EVENTS["d1"], 1)
    ]
    _write_csv(folder / "d1.csv", d1, "utf-8")
    _write_csv(folder / "d2.csv", [("地址", "日期")] + [(a, t) for a, _, t in EVENTS["d2"]], "gbk")
    book = openpyxl.Workbook()
    for row in [("住址", "登记")] + [(a, t) for a, _, t in EVENTS["d3"]]:
        book.active.append(row)
    book.save(folder / "d3.xlsx")
    (folder / "join.toml").write_text(CONFIG, encoding="utf-8")
    return folder / "join.toml"


def _write_csv(path: Path, rows: Sequence[Sequence[str]], encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_case(tmp_path_factory.mktemp("join"))


@pytest.fixture(scope="module")
def joined(case: Path):
    return join_events(case, workers=1)


def layer(result, name: str) -> pd.DataFrame:
    frame = pyogrio.read_dataframe(result.output, layer=name)
    if name == "events":  # stored in spatial order; department and row give back the files' order
        frame = frame.sort_values(
            ["department", "row"], key=lambda c: c.map(list(EVENTS).index) if c.name == "department" else c
        )
    return frame.reset_index(drop=True)


def test_config_names_a_missing_file_in_its_error(tmp_path, monkeypatch):
    config = write_case(tmp_path)
    config.write_text(CONFIG.replace('file = "d2.csv"', 'file = "nowhere.csv"'), encoding="utf-8")
    with pytest.raises(InputError, match=r'department "d2" was "nowhere.csv".*does not exist') as info:
        load_config(config)
    assert f"({(tmp_path / 'nowhere.csv').resolve()})" in str(info.value)
    monkeypatch.chdir(tmp_path)  # a configuration named relatively still names the file absolutely
    with pytest.raises(InputError, match=re.escape(f"({(tmp_path / 'nowhere.csv').resolve()})")):
        load_config(config.name)


def test_a_column_named_twice_in_a_file_is_a_column_error_naming_both(tmp_path):
    """A configured column the file has twice is ambiguous: an error, not the first one silently."""
    config = write_case(tmp_path)
    _write_csv(tmp_path / "d2.csv", [("地址", "日期", "日期"), ("鹿城区五马街道", "2024-06-01", "x")], "gbk")
    with pytest.raises(ColumnError, match=r'time_column was "日期" but .*"d2" has 2 columns of that name'):
        join_events(config, workers=1)


def test_an_unknown_column_is_a_column_error_listing_the_files_columns(tmp_path):
    config = write_case(tmp_path)
    config.write_text(CONFIG.replace('time_column = "日期"', 'time_column = "受理时间"'), encoding="utf-8")
    with pytest.raises(ColumnError) as info:
        join_events(config, workers=1)
    message = str(info.value)
    assert 'time_column was "受理时间"' in message and '"d2"' in message and "['地址', '日期']" in message


def test_a_failed_check_creates_no_output_or_cache_folder(tmp_path):
    """Configuration and column mistakes are found before anything is written."""
    config = write_case(tmp_path)
    config.write_text(CONFIG.replace('time_column = "日期"', 'time_column = "受理时间"'), encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ColumnError):
        join_events(config, out=tmp_path / "new" / "joined.gpkg", workers=1)
    with pytest.raises(ColumnError):
        join_events(config, cache_dir=tmp_path / "geocoded", workers=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_bad_toml_is_an_input_error_with_the_parsers_position(tmp_path):
    config = tmp_path / "join.toml"
    config.write_text('[[departments]]\nname = "d1\nfile = "d1.csv"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"is not valid TOML: .*line 2"):
        load_config(config)


def test_a_misspelt_key_is_named_with_the_keys_expected(tmp_path):
    write_case(tmp_path)
    data = {"departments": [{"name": "d1", "file": "d1.csv", "adress_column": "地址"}]}
    with pytest.raises(InputError, match=r"unknown key\(s\) \['adress_column'\]; expected some of \['name'"):
        JoinConfig.from_dict(data, root=tmp_path)


@pytest.mark.parametrize(
    ("departments", "message"),
    [
        ([], r"expected one or more \[\[departments\]\]"),
        ([{"name": "d1", "file": "d1.csv"}], r"has no address_column"),
        (
            [{"name": "a b", "file": "d1.csv", "address_column": "地址"}],
            r"name .* was 'a b'; expected letters",
        ),
        (
            [{"name": "d1", "file": "d1.csv", "address_column": "地址"}] * 2,
            r'department name "d1" is used twice',
        ),
        (
            [{"name": "d1", "file": "d1.csv", "address_column": "地址", "encoding": "klingon"}],
            r'encoding was "klingon"',
        ),
        (
            [
                {"name": "d1", "file": "d1.csv", "address_column": "地址"},
                {"name": "D1", "file": "d1.csv", "address_column": "地址"},
            ],
            r'"d1" and "D1" differ only in case',
        ),
        (
            [{"name": "events", "file": "d1.csv", "address_column": "地址"}],
            r'was "events"; its count column n_events would be the grid_cells column n_events',
        ),
        (
            [{"name": "Departments", "file": "d1.csv", "address_column": "地址"}],
            r"n_departments of all departments",
        ),
    ],
)
def test_department_tables_are_checked(tmp_path, departments, message):
    """Mistakes in the departments are InputErrors naming them, found before anything is geocoded:
    also names that would collide with the fixed columns of grid_cells or with each other in a GeoPackage."""
    write_case(tmp_path)
    with pytest.raises(InputError, match=message):
        JoinConfig.from_dict({"departments": departments}, root=tmp_path)


def test_a_base_of_ones_own_needs_a_grid_of_ones_own(tmp_path):
    write_case(tmp_path)
    data = {
        "base": {"path": "base.csv"},
        "departments": [{"name": "d1", "file": "d1.csv", "address_column": "地址"}],
    }
    with pytest.raises(InputError, match=r"the embedded grid covers only the embedded base"):
        JoinConfig.from_dict(data, root=tmp_path)


def test_the_output_must_be_a_geopackage(case):
    with pytest.raises(InputError, match=r'output was "out.csv"; expected a GeoPackage path ending in .gpkg'):
        join_events(case, out="out.csv")


def test_every_row_of_every_file_is_an_event_with_a_status(joined):
    from stdaddr.batch import ROW_STATUSES

    events = layer(joined, "events")
    assert joined.n_events == len(events) == sum(len(rows) for rows in EVENTS.values())
    assert events.groupby("department").size().to_dict() == {k: len(v) for k, v in EVENTS.items()}
    assert not events.duplicated(["department", "row"]).any()
    assert set(events["status"]) <= set(ROW_STATUSES) and events["status"].notna().all()
    assert set(events["time_status"]) <= set(TIME_STATUSES)
    d1 = events[events["department"] == "d1"].set_index("row")
    assert d1.loc[4, "status"] == "empty_address" and d1.loc[5, "status"] == "no_match"
    assert d1.loc[5, "time_status"] == "unparseable" and pd.isna(d1.loc[5, "time"])


def test_events_carry_the_configured_id_or_the_row_number_and_the_address_they_name(joined):
    events = layer(joined, "events")
    expected = [
        (dept, i, text_id) for dept, rows in EVENTS.items() for i, (_, text_id, _) in enumerate(rows, 1)
    ]
    got = [
        (d, r, None if pd.isna(a) else a)
        for d, r, a in events[["department", "row", "address_id"]].itertuples(index=False)
    ]
    assert got == expected
    assert events.loc[events["department"] == "d1", "source_id"].tolist() == ["X1", "X2", "X3", "X4", "X5"]
    assert events.loc[events["department"] == "d2", "source_id"].tolist() == ["1", "2", "3"]
    assert events.loc[events["department"] == "d1", "type"].tolist() == ["噪音"] * 5


def test_times_in_each_departments_format_are_read(joined):
    events = layer(joined, "events")
    times = [None if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M") for t in events["time"]]
    assert times == [
        "2024-03-05 10:00", "2024-04-01 00:00", "2024-05-02 00:00", "2024-05-03 00:00", None,
        "2024-03-09 00:00", "2024-03-10 00:00", None,
        "2024-06-01 00:00", "2024-07-01 00:00",
    ]  # fmt: skip


def test_addresses_shared_by_departments_are_listed_with_their_departments(joined):
    multi = layer(joined, "multi_department_addresses")
    rows = multi[["address_id", "n_departments", "n_events", "departments"]].values.tolist()
    # B2 has events from d2 only, A3 from nobody: neither is listed.
    assert rows == [["A1", 2, 3, "d1|d2"], ["A2", 2, 2, "d1|d3"], ["B1", 2, 2, "d1|d3"]]
    assert multi["standard"].tolist()[0] == "浙江省温州市鹿城区五马街道解放街1号"
    assert [(p.x, p.y) for p in multi.geometry] == [(120.650, 28.010), (120.652, 28.012), (120.680, 28.030)]


def test_counts_per_cell_and_department_equal_a_groupby_of_the_events(joined):
    events = layer(joined, "events")
    placed = events[events["grid_code"].notna()]
    expected = placed.groupby(["grid_code", "department"]).size().rename("n_events").reset_index()
    counts = layer(joined, "cell_department_counts")
    pd.testing.assert_frame_equal(counts, expected, check_dtype=False)
    months = layer(joined, "cell_month_counts")
    dated = placed[placed["time"].notna()].assign(month=lambda f: f["time"].dt.to_period("M").dt.start_time)
    expected = dated.groupby(["grid_code", "department", "month"]).size().rename("n_events").reset_index()
    assert months.assign(month=pd.to_datetime(months["month"])).values.tolist() == expected.values.tolist()
    assert counts.set_index(["grid_code", "department"])["n_events"].to_dict() == {
        ("G1", "d1"): 2, ("G1", "d2"): 2, ("G1", "d3"): 1, ("G2", "d1"): 1, ("G2", "d2"): 1, ("G2", "d3"): 1,
    }  # fmt: skip


def test_grid_cells_hold_the_totals_of_every_cell(joined):
    cells = layer(joined, "grid_cells")
    assert cells[["grid_code", "n_events", "n_departments", "n_d1", "n_d2", "n_d3"]].values.tolist() == [
        ["G1", 5, 3, 2, 2, 1],
        ["G2", 3, 3, 1, 1, 1],
    ]
    assert set(cells.geom_type) == {"MultiPolygon"}
    assert (joined.n_cells, joined.n_cells_with_events, joined.n_events_in_cells) == (2, 2, 8)


def test_geopackage_layers_are_readable_and_declare_the_base_crs(joined):
    listed = {name: kind for name, kind in pyogrio.list_layers(joined.output)}
    assert listed == {
        "events": "Point",
        "multi_department_addresses": "Point",
        "cell_department_counts": None,
        "cell_month_counts": None,
        "grid_cells": "MultiPolygon",
    }
    for name in ("events", "multi_department_addresses", "grid_cells"):
        assert pyogrio.read_info(joined.output, layer=name)["crs"] == "EPSG:4490"
    assert set(joined.layers) == set(listed)


def test_a_second_run_reuses_the_geocoded_files_and_an_edited_file_is_geocoded_again(tmp_path, monkeypatch):
    config = write_case(tmp_path)
    calls: list[str] = []
    real = stdaddr.batch.geocode_file

    def counting(path, *args, **kwargs):
        calls.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(stdaddr.batch, "geocode_file", counting)
    first = join_events(config, workers=1, pictures=False, report=False)
    assert calls == ["d1.csv", "d2.csv", "d3.xlsx"] and not any(d.cached for d in first.departments)
    written = first.output.read_bytes()
    calls.clear()
    second = join_events(config, workers=1, pictures=False, report=False)
    assert calls == [] and all(d.cached for d in second.departments)
    assert layer(second, "events").equals(layer(first, "events"))
    assert second.output.read_bytes() == written  # the same bytes: no time of writing in the file
    with open(tmp_path / "d2.csv", "ab") as f:
        f.write("人民路8号,2024年8月1日\r\n".encode("gbk"))
    third = join_events(config, workers=1, pictures=False, report=False)
    assert calls == ["d2.csv"] and third.n_events == first.n_events + 1
    assert len(list((tmp_path / "out" / "stdaddr-cache").glob("d2-*.parquet"))) == 1  # the old one is gone


def test_the_report_is_one_self_contained_html_file(joined):
    text = joined.report_html.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
    assert not re.search(r"<(script|link|iframe)\b", text) and "url(" not in text
    assert text.count('src="data:image/png;base64,') == 1
    assert "A1" in text and "d1, d2" in text  # the shared addresses are listed


def test_the_map_is_a_png(joined):
    import matplotlib.image

    data = joined.map_png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    height, width, _ = matplotlib.image.imread(joined.map_png).shape
    assert width > 800 and height > 300


def test_the_result_is_json_ready(joined):
    d = json.loads(json.dumps(joined.to_dict()))
    assert d["n_events"] == 10 and [x["name"] for x in d["departments"]] == ["d1", "d2", "d3"]
    assert d["statuses"]["matched"] == 8


def test_the_command_prints_the_summary(case, capsys):
    parser = argparse.ArgumentParser(prog="stdaddr")
    add_join_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["join", str(case), "--workers", "1", "--no-map", "--no-report", "--quiet"])
    assert args.func(args) == 0
    out = capsys.readouterr()
    assert "3 departments, 10 events" in out.out and out.err == ""


def test_the_library_prints_nothing(case, capsys):
    join_events(case, workers=1, out=case.parent / "quiet" / "q.gpkg")
    out = capsys.readouterr()
    assert (out.out, out.err) == ("", "")


def test_a_department_named_in_chinese_is_joined_and_drawn_without_a_word_printed(tmp_path, capsys):
    config = write_case(tmp_path)
    config.write_text(CONFIG.replace('name = "d1"', 'name = "消防-救援"'), encoding="utf-8")
    result = join_events(config, workers=1)
    assert result.departments[0].name == "消防-救援" and result.map_png.stat().st_size > 0
    assert "n_消防-救援" in layer(result, "grid_cells").columns
    out = capsys.readouterr()
    assert (out.out, out.err) == ("", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05 14:22:31", "2024-03-05T14:22:31"),
        ("2024/3/5", "2024-03-05T00:00:00"),
        ("２０２４年３月５日", "2024-03-05T00:00:00"),
        ("2024年3月5日 14:22", "2024-03-05T14:22:00"),
        ("20240305", "2024-03-05T00:00:00"),
        ("1709619720", "2024-03-05T14:22:00"),  # Unix seconds, in China time
        ("1709619720123", "2024-03-05T14:22:00"),
        ("45356", "2024-03-05T00:00:00"),  # an Excel day number
        ("2024-03-05T06:22:31Z", "2024-03-05T14:22:31"),
        ("2024-03-05T14:22:31+08:00", "2024-03-05T14:22:31"),
        ("2024-03", "2024-03-01T00:00:00"),
        ("2024.03.05", "2024-03-05T00:00:00"),
        ("2024-03-05 14:22:31.0", "2024-03-05T14:22:31"),
        ("2024/3/5 下午 2:22:31", "2024-03-05T14:22:31"),  # twelve-hour clocks of Chinese exports
        ("2024年3月5日上午9点30分", "2024-03-05T09:30:00"),
        ("2024年3月5日 下午3点半", "2024-03-05T15:30:00"),
        ("2024年3月5号中午1点", "2024-03-05T13:00:00"),
        ("2024-03-05 12:05 AM", "2024-03-05T00:05:00"),
        ("2024/03/05 pm 3:00", "2024-03-05T15:00:00"),
        ("2024年3月5日下午14点", "2024-03-05T14:00:00"),
        ("2024年3月5日 8时", "2024-03-05T08:00:00"),
    ],
)
def test_times_are_read_in_the_formats_departments_write(text, expected):
    times, status = parse_times(pa.array([text]))
    assert TIME_STATUSES[status[0]] == "parsed"
    assert str(times[0].astype("datetime64[s]")) == expected


@pytest.mark.parametrize(("text", "status"), [("", "empty"), (None, "empty"), ("不详", "unparseable"),
                                             ("2024-02-30", "unparseable"), ("1800-01-01", "unparseable"),
                                             ("1234567", "unparseable"), ("2024/3/5 上午 15:00", "unparseable"),
                                             ("2024年3月5日晚上12点", "unparseable"),
                                             ("2024年2月30日 下午3点", "unparseable")])  # fmt: skip
def test_a_time_that_cannot_be_read_is_nat_with_a_status(text, status):
    times, codes = parse_times(pa.array([text], pa.string()))
    assert np.isnat(times[0]) and TIME_STATUSES[codes[0]] == status


def test_a_configured_time_format_is_used_besides_iso_dates_of_excel_cells():
    """05/03/2024 day first as configured; an Excel date cell (read as 2024-06-01 08:00:00) is a date
    anyway; other formats are not guessed."""
    values = ["05/03/2024", "2024-06-01 08:00:00", "2024年3月5日", "2024/3/5 8:05", "20240305"]
    times, codes = parse_times(pa.array(values), fmt="%d/%m/%Y")
    assert [str(t.astype("datetime64[m]")) for t in times[:2]] == ["2024-03-05T00:00", "2024-06-01T08:00"]
    assert [TIME_STATUSES[c] for c in codes] == [
        "parsed",
        "parsed",
        "unparseable",
        "unparseable",
        "unparseable",
    ]


def test_a_time_format_with_a_bad_directive_is_refused_before_geocoding(tmp_path):
    config = write_case(tmp_path)
    config.write_text(CONFIG.replace('time_column = "日期"', 'time_column = "日期"\ntime_format = "%Q"', 1))
    with pytest.raises(InputError, match=r"time_format was \"%Q\" \('Q' is a bad directive"):
        load_config(config)


@pytest.mark.slow
def test_the_demo_writes_its_config_and_finds_addresses_shared_by_departments(tmp_path):
    from stdaddr.join import run_join_demo

    result = run_join_demo(tmp_path, rows=60, workers=1)
    config = load_config(tmp_path / "join" / "join.toml")
    assert len(config.departments) >= 5
    assert {d.file.suffix for d in config.departments} >= {".csv", ".tsv", ".xlsx"}
    assert result.n_events == 60 * len(config.departments)
    assert result.n_multi_department_addresses >= 5
    assert all(d.time_statuses.get("parsed", 0) > 50 for d in result.departments)


def test_the_cell_layer_has_one_cell_per_code_and_no_lines_and_its_problems_are_told(tmp_path):
    """A cell split over two rows (an exploded multipolygon) is one cell, so its events count once; a
    line is no cell; the layer's problems are told."""
    import geopandas as gpd
    from shapely import LineString, box

    from stdaddr.join.config import GridSpec
    from stdaddr.join.run import grid_layer

    x, y = 500_000, 3_100_000  # in 温州
    layer = gpd.GeoDataFrame(
        {"code": ["A", "A", "B", "C"]},
        geometry=[
            box(x, y, x + 100, y + 100),
            box(x + 100, y, x + 200, y + 100),
            box(x, y + 100, x + 200, y + 200),
            LineString([(x, y), (x + 5, y + 5)]),
        ],
        crs="EPSG:4549",
    )
    layer.to_file(tmp_path / "g.gpkg")
    told: list[str] = []
    cells = grid_layer(GridSpec(tmp_path / "g.gpkg", "code"), "EPSG:4549", told.append)
    assert list(cells["grid_code"]) == ["A", "B"]
    assert cells.geometry.area.round().tolist() == [20_000, 20_000]
    assert "problems" in told[0] and any("duplicate codes" in line for line in told)


def test_a_department_with_its_address_over_two_columns(tmp_path):
    """address_column = ["区县", "详细地址"] reads each row's cells as one address; a missing one of the
    columns is named with its position."""
    config = write_case(tmp_path)
    rows = [("区县", "详细地址"), ("鹿城区", "解放街1号"), ("鹿城区", "人民路10号"), ("", "")]
    _write_csv(tmp_path / "d4.csv", rows, "utf-8")
    extra = '\n[[departments]]\nname = "d4"\nfile = "d4.csv"\naddress_column = ["区县", "详细地址"]\n'
    config.write_text(CONFIG + extra, encoding="utf-8")
    result = join_events(config, workers=1)
    events = pyogrio.read_dataframe(result.output, layer="events")
    d4 = events[events["department"] == "d4"].sort_values("row")
    assert [None if pd.isna(a) else a for a in d4["address_id"]] == ["A1", "B2", None]
    assert d4["status"].tolist()[2] == "empty_address"
    config.write_text(CONFIG + extra.replace('"详细地址"]', '"地址"]'), encoding="utf-8")
    with pytest.raises(ColumnError, match=r'address_column\[1\] was "地址" but .*"d4"'):
        join_events(config, workers=1)
    config.write_text(CONFIG + extra.replace('"详细地址"]', '"区县"]'), encoding="utf-8")
    with pytest.raises(InputError, match=r"d4.address_column was \['区县', '区县'\]"):
        join_events(config, workers=1)


def test_other_stdaddr_code_geocodes_the_files_again(tmp_path, monkeypatch):
    """Results of other code (an upgrade, a development install) are not re-used."""
    config = write_case(tmp_path)
    join_events(config, workers=1, pictures=False, report=False)
    monkeypatch.setattr(stdaddr.batch, "code_digest", lambda: "other code")
    again = join_events(config, workers=1, pictures=False, report=False)
    assert not any(d.cached for d in again.departments)


def test_a_workbook_with_a_cover_sheet_is_read_from_the_sheet_with_the_address(tmp_path):
    """A department's workbook whose first sheet is its instructions (填表说明): the join reads the data
    sheet, as `stdaddr geocode` does, instead of refusing the address column."""
    config = write_case(tmp_path)
    workbook_with_cover(tmp_path / "d2.xlsx", "数据", [["地址", "日期"], ["鹿城区五马街道", "2024-06-01"]])
    config.write_text(
        CONFIG.replace('file = "d2.csv"', 'file = "d2.xlsx"').replace('encoding = "gbk"\n', ""),
        encoding="utf-8",
    )
    result = join_events(config, workers=1)
    d2 = next(d for d in result.departments if d.name == "d2")
    assert d2.rows == 1 and d2.file.name == "d2.xlsx"


def test_a_sheet_not_in_a_department_s_workbook_is_an_input_error_naming_the_department(tmp_path):
    config = write_case(tmp_path)
    workbook_with_cover(tmp_path / "d2.xlsx", "数据", [["地址", "日期"], ["鹿城区五马街道", "2024-06-01"]])
    config.write_text(
        CONFIG.replace('file = "d2.csv"', 'file = "d2.xlsx"\nsheet = "二月"').replace(
            'encoding = "gbk"\n', ""
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r'^department "d2": sheet was \'二月\' but .* has the sheets'):
        join_events(config, workers=1)
    assert not (tmp_path / "out").exists()


def test_a_killed_run_s_leftovers_go_and_a_damaged_cache_entry_is_geocoded_again(tmp_path):
    """A hidden temporary GeoPackage a killed join left beside the output is removed by the next run; a
    cached geocoded file cut short (no Parquet footer) is geocoded again, not read (it crashed every
    run with ArrowInvalid)."""
    config = write_case(tmp_path)
    first = join_events(config, workers=1)
    out = Path(first.output)
    left = out.with_name(f".{out.name}.99999-deadbeef.gpkg")
    left.write_bytes(b"half a GeoPackage")
    cached = sorted((out.parent / "stdaddr-cache").glob("d1-*.parquet"))
    assert cached
    data = cached[0].read_bytes()
    cached[0].write_bytes(data[: len(data) // 2])
    again = join_events(config, workers=1)
    assert not left.exists()
    assert again.n_events == first.n_events
    assert not next(d for d in again.departments if d.name == "d1").cached


def test_an_interrupted_geocoding_left_under_an_older_key_does_not_break_the_next_run(tmp_path):
    """An interrupted run leaves a department's checkpoint and .parts folder in the cache; once that
    department's file changes (another key), the next run removed the older files with unlink and
    stopped on the folder ("... .parquet.parts" Is a directory)."""
    config = write_case(tmp_path)
    join_events(config, workers=1, pictures=False, report=False)
    cache = tmp_path / "out" / "stdaddr-cache"
    older = "0" * len(next(cache.glob("d1-*.parquet")).stem.split("-")[-1])
    (cache / f"d1-{older}.parquet.parts").mkdir()
    (cache / f"d1-{older}.parquet.parts" / "part-0.parquet").write_bytes(b"half")
    (cache / f"d1-{older}.parquet.checkpoint").write_text("{}", encoding="utf-8")
    d1 = tmp_path / "d1.csv"
    d1.write_bytes(d1.read_bytes() + b"\n")  # the file changed: another key
    again = join_events(config, workers=1, pictures=False, report=False)
    assert not next(d for d in again.departments if d.name == "d1").cached
    assert not list(cache.glob(f"d1-{older}*"))


def test_a_second_join_to_the_same_output_is_refused_before_it_geocodes(tmp_path):
    """The output's lock is taken when a run starts: a second run refused only when it came to write
    had geocoded every department a second time, into the same cache files."""
    from stdaddr.io import output_lock

    config = write_case(tmp_path)
    (tmp_path / "out").mkdir()
    with output_lock(tmp_path / "out" / "joined.gpkg"), pytest.raises(InputError, match="another run"):
        join_events(config, workers=1, pictures=False, report=False)
    assert not (tmp_path / "out" / "stdaddr-cache").exists() or not list(
        (tmp_path / "out" / "stdaddr-cache").iterdir()
    )


_SIGTERM_JOIN_SCRIPT = """
import os, signal, sys
from stdaddr.join import join_events

seen = []

def log(line):
    seen.append(line)
    if any(s.startswith("joining") for s in seen[:-1]):  # a step inside the GeoPackage's writing
        os.kill(os.getpid(), signal.SIGTERM)

join_events(sys.argv[1], workers=1, log=log, pictures=False)
"""


def test_sigterm_stops_a_join_with_status_143_and_no_file_left(tmp_path):
    """SIGTERM outside a department's geocoding killed the join (status -15), its hidden temporary
    GeoPackage left beside the output; it exits with status 143 now, nothing left behind."""
    import subprocess
    import sys

    config = write_case(tmp_path)
    (tmp_path / "run.py").write_text(_SIGTERM_JOIN_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(tmp_path / "run.py"), str(config)], capture_output=True, timeout=300
    )
    assert done.returncode == 143, done.stderr.decode(errors="replace")[-2000:]
    out = tmp_path / "out"
    assert not (out / "joined.gpkg").exists()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".joined.gpkg.") or p.suffix == ".lock"]
