"""The stdaddr command: geocode, grid assign/validate, parse/normalize; errors name the bad value; a run
killed with SIGKILL and resumed writes the same bytes as an uninterrupted one."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from stdaddr.base import AddressBase
from stdaddr.batch import RESULT_COLUMNS
from stdaddr.cli import main
from stdaddr.default import base_grid_layer
from stdaddr.synth import generate_base, messy_queries


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A saved base index, a grid layer and an events file, in one folder."""
    folder = tmp_path_factory.mktemp("cli")
    table = generate_base(3_000, seed=5)
    base = AddressBase.from_dataframe(
        table, id_column="addr_id", address_column="address", x_column="lon", y_column="lat", crs="EPSG:4490"
    )
    base.save(folder / "base.npz")
    table.to_csv(folder / "base.csv", index=False)
    base_grid_layer(table).to_file(folder / "grid.gpkg")
    events = messy_queries(table, 1_500, seed=9)[["query", "department"]]
    events.insert(0, "编号", [f"E{i:05d}" for i in range(len(events))])
    events.to_csv(folder / "events.csv", index=False, encoding="gb18030")
    return folder


def test_geocode_writes_the_output_and_prints_the_summary(files, tmp_path, capsys):
    out = tmp_path / "out.csv"
    code = main(
        [
            "geocode",
            str(files / "events.csv"),
            "--column",
            "query",
            "--base",
            str(files / "base.npz"),
            "--grid",
            str(files / "grid.gpkg"),
            "--grid-code-column",
            "code",
            "-o",
            str(out),
            "--workers",
            "1",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "1,500 rows" in printed and "status:" in printed and "rows/s" in printed
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["编号", "query", "department", *RESULT_COLUMNS]
    assert len(frame) == 1_500 and (frame["grid_code"] != "").any()
    assert (
        json.loads((tmp_path / "out.csv.summary.json").read_text(encoding="utf-8"))["encoding"] == "gb18030"
    )


def test_geocode_reads_an_address_from_several_columns(files, tmp_path, capsys):
    """-c repeated joins the cells of the columns, for events and for a base table alike."""
    table = pd.read_csv(files / "base.csv", dtype=str)
    doors = table[table["level"] == "door"].head(30)
    split_base = tmp_path / "base.csv"
    doors.assign(门牌号=doors["house_number"].str.removesuffix("号")).to_csv(split_base, index=False)
    events = tmp_path / "ev.csv"
    pd.DataFrame({"区县": doors["county"], "详细地址": doors["road"] + doors["house_number"]}).to_csv(
        events, index=False
    )
    base = ["--base", str(split_base), "--base-id-column", "addr_id"]
    columns = ["--base-address-column", "county", "--base-address-column", "road"]
    columns += ["--base-address-column", "门牌号"]
    code = main(
        ["geocode", str(events), "-c", "区县", "-c", "详细地址", *base, *columns, "--quiet", "--workers", "1"]
    )
    assert code == 0
    out = pd.read_csv(tmp_path / "ev.geocoded.csv", dtype=str, keep_default_na=False)
    assert out["address_id"].tolist() == doors["addr_id"].tolist()
    summary = json.loads((tmp_path / "ev.geocoded.csv.summary.json").read_text(encoding="utf-8"))
    assert summary["column"] == "区县 + 详细地址"


def test_geocode_with_a_base_table_and_quiet(files, tmp_path, capsys):
    """A base given as a table with its columns; --quiet prints nothing; the default output name."""
    events = tmp_path / "ev.csv"
    events.write_bytes((files / "events.csv").read_bytes())
    code = main(
        [
            "geocode",
            str(events),
            "-c",
            "query",
            "--base",
            str(files / "base.csv"),
            "--base-id-column",
            "addr_id",
            "--base-address-column",
            "address",
            "--base-x-column",
            "lon",
            "--base-y-column",
            "lat",
            "--quiet",
            "--workers",
            "1",
            "--crs",
            "BD09",
        ]
    )
    assert code == 0 and capsys.readouterr().out == ""
    frame = pd.read_csv(tmp_path / "ev.geocoded.csv", dtype=str, keep_default_na=False)
    assert set(frame.loc[frame["x"] != "", "crs"]) == {"BD09"}
    assert (frame["grid_code"] == "").all()  # a base of one's own comes without the default grid


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--column", "地址"],
            r'column was "地址" but the input "events.csv" has the columns \[\'编号\', \'query\', \'department\'\]',
        ),
        (["--column", "query", "-o", "out.xlsx"], r'suffix "\.xlsx"; expected one of \.csv, \.parquet'),
        (["--column", "query", "--crs", "EPSG:0"], r"EPSG:0"),
        (["--column", "query", "--base", "base.csv"], r"--base-id-column"),
    ],
)
def test_geocode_errors_exit_2_and_name_the_bad_value(files, tmp_path, capsys, monkeypatch, args, message):
    import re

    monkeypatch.chdir(tmp_path)
    args = [str(files / a) if a == "base.csv" else a for a in args]
    base = [] if "--base" in args else ["--base", str(files / "base.npz")]
    code = main(["geocode", str(files / "events.csv"), *base, *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("stdaddr: error: ") and re.search(message, err), err


@pytest.mark.parametrize("suffix", ["csv", "parquet", "gpkg"])
def test_output_mistakes_are_found_before_the_base_is_loaded(files, tmp_path, capsys, suffix):
    """A missing output folder, an output that is the input and an output encoding that cannot write
    Chinese are errors (exit 2) before the base is read: a base that does not exist is not reached."""
    missing = tmp_path / "nodir"
    cases = [
        (
            [str(files / "events.csv"), "-o", str(missing / f"o.{suffix}")],
            f'output folder "{missing}" does not exist',
        ),
        ([str(files / "events.csv"), "-o", str(files / "events.csv"), "-f", suffix], "the input file itself"),
        (
            [str(files / "events.csv"), "-o", str(tmp_path / "o.csv"), "--output-encoding", "latin-1"],
            "latin-1",
        ),
    ]
    for args, message in cases:
        code = main(["geocode", *args, "--column", "query", "--base", str(tmp_path / "none.npz")])
        err = capsys.readouterr().err
        assert code == 2 and message in err, err
    assert not missing.exists()


def test_input_and_grid_mistakes_are_found_before_the_base_is_loaded(files, tmp_path, capsys):
    """A missing input, a column the input lacks, an unknown output CRS or a bad cutoff, a grid that does not
    exist or lacks its code column: each is the error (exit 2), though the base given could not be read (a
    large base takes minutes to load; the mistake must not wait for it)."""
    unreadable = tmp_path / "base.csv"
    unreadable.write_bytes(b"\x00\x01 not a base")
    events = str(files / "events.csv")
    cases = [
        ([str(tmp_path / "missing.csv"), "-c", "query"], "does not exist"),
        ([events, "-c", "住址"], '"住址"'),
        ([events, "-c", "query", "--crs", "EPSG:99999"], "EPSG:99999"),
        ([events, "-c", "query", "--score-cutoff", "2"], "score_cutoff"),
        (
            [events, "-c", "query", "--grid", str(tmp_path / "none.gpkg"), "--grid-code-column", "code"],
            "none.gpkg",
        ),
        ([events, "-c", "query", "--grid", str(files / "grid.gpkg"), "--grid-code-column", "编码"], "编码"),
    ]
    for args, message in cases:
        code = main(
            [
                "geocode",
                *args,
                "--base",
                str(unreadable),
                "--base-id-column",
                "id",
                "-o",
                str(tmp_path / "o.csv"),
            ]
        )
        err = capsys.readouterr().err
        assert code == 2 and message in err and "base.csv" not in err, err


def test_a_grid_crs_contradicting_the_file_names_both(files, tmp_path, capsys):
    code = main(
        [
            "geocode",
            str(files / "events.csv"),
            "-c",
            "query",
            "--base",
            str(files / "base.npz"),
            "--grid",
            str(files / "grid.gpkg"),
            "--grid-code-column",
            "code",
            "--grid-crs",
            "EPSG:4549",
            "-o",
            str(tmp_path / "o.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "EPSG:4549" in err and "EPSG:4490" in err


def test_grid_validate_and_assign(files, tmp_path, capsys):
    """validate prints the report (exit 1 when it lists problems); assign adds the grid columns."""
    code = main(["grid", "validate", str(files / "grid.gpkg"), "--grid-code-column", "code"])
    out = capsys.readouterr().out
    assert out.startswith("grid layer: ") and code in (0, 1)
    points = tmp_path / "pts.csv"
    pd.DataFrame({"id": ["a", "b"], "lon": ["120.65", "x"], "lat": ["28.0", "28.0"]}).to_csv(
        points, index=False
    )
    code = main(
        [
            "grid",
            "assign",
            str(points),
            "--x-column",
            "lon",
            "--y-column",
            "lat",
            "--crs",
            "EPSG:4490",
            "--grid",
            str(files / "grid.gpkg"),
            "--grid-code-column",
            "code",
            "-o",
            str(tmp_path / "g.parquet"),
        ]
    )
    assert code == 0 and "2 rows" in capsys.readouterr().out
    frame = pd.read_parquet(tmp_path / "g.parquet")
    assert frame["grid_status"].tolist()[1] == "invalid" and list(frame.columns)[:3] == ["id", "lon", "lat"]
    assert main(["grid", "validate", str(files / "grid.gpkg"), "--grid-code-column", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_parse_and_normalize_still_work(capsys):
    assert main(["normalize", "温州鹿城区五马街道解放街一百二十三号3-2-301"]) == 0
    assert capsys.readouterr().out.strip() == "浙江省温州市鹿城区五马街道解放街123号3幢2单元301室"
    assert main(["parse", "解放街1号"]) == 0
    assert json.loads(capsys.readouterr().out)["road"] == "解放街"


def test_python_dash_m_is_the_same_program():
    done = subprocess.run(
        [sys.executable, "-m", "stdaddr", "geocode", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "--resume" in done.stdout and "--grid-code-column" in done.stdout


def test_sigkill_half_way_then_resume_gives_the_same_bytes(files, tmp_path):
    """kill -9 of the command (and its workers) mid-run leaves no output; --resume finishes it, and the file
    equals that of an uninterrupted run byte for byte."""
    args = [
        "geocode",
        str(files / "events.csv"),
        "--column",
        "query",
        "--base",
        str(files / "base.npz"),
        "--grid",
        str(files / "grid.gpkg"),
        "--grid-code-column",
        "code",
        "--chunk-rows",
        "50",
        "--quiet",
    ]
    (tmp_path / "whole").mkdir()
    assert main([*args, "-o", str(tmp_path / "whole" / "out.csv"), "--workers", "1"]) == 0
    out = tmp_path / "out.csv"
    checkpoint = tmp_path / "out.csv.checkpoint"
    process = subprocess.Popen(
        [sys.executable, "-m", "stdaddr", *args, "-o", str(out), "--workers", "2"], start_new_session=True
    )
    deadline = time.monotonic() + 120
    chunks = 0
    while time.monotonic() < deadline and process.poll() is None:
        try:
            chunks = json.loads(checkpoint.read_text(encoding="utf-8"))["chunks"]
        except (OSError, ValueError):
            chunks = 0
        if chunks >= 3:
            break
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert 3 <= chunks < 30, "the run must be killed half-way"
    assert not out.exists()
    assert (tmp_path / "out.csv.partial").exists()
    assert main([*args, "-o", str(out), "--resume", "--workers", "1"]) == 0
    assert out.read_bytes() == (tmp_path / "whole" / "out.csv").read_bytes()
    summary = json.loads((tmp_path / "out.csv.summary.json").read_text(encoding="utf-8"))
    assert summary["rows"] == 1_500 and summary["resumed_at_row"] >= 150
    assert not checkpoint.exists() and not (tmp_path / "out.csv.partial").exists()


def _stdin(monkeypatch, data: bytes) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


GBK_LINES = "温州市鹿城区解放街1号\n鹿城区人民路8号\n".encode("gbk")


@pytest.mark.parametrize("encoding", [None, "gbk"])
def test_stdin_in_gbk_is_decoded_not_lost(capsys, monkeypatch, encoding):
    """stdin is read as bytes: GBK is detected (or taken from --encoding), one canonical string per line."""
    _stdin(monkeypatch, GBK_LINES)
    assert main(["normalize", *(["--encoding", encoding] if encoding else [])]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "浙江省温州市鹿城区解放街1号",
        "浙江省温州市鹿城区人民路8号",
    ]


def test_lines_not_in_the_given_encoding_are_flagged_not_printed_as_mojibake(capsys, monkeypatch, tmp_path):
    _stdin(monkeypatch, GBK_LINES)
    assert main(["normalize", "--encoding", "utf-8"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["", ""] and "\ufffd" not in captured.out
    assert "line 1: bytes" in captured.err and "are not utf-8" in captured.err
    path = tmp_path / "events.csv"
    path.write_bytes(b"id,addr\n1," + GBK_LINES.splitlines()[0] + b"\n")
    assert main(["parse", "-i", str(path), "-c", "addr", "--encoding", "utf-8", "-f", "csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert (
        rows[0]["status"] == "bad_encoding" and "line 2" in rows[0]["reason"] and rows[0]["normalized"] == ""
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["normalize", "解放街1号", "--input", "x.csv", "--column", "a"], "not both"),
        (["normalize", "--column", "a"], "give --input too"),
    ],
)
def test_contradictory_text_inputs_are_usage_errors(capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_an_input_without_column_has_its_address_column_detected_and_named(capsys, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "id,发生在,备注\n7,鹿城区解放街12号,放前台\n8,瓯海区娄桥街道东耕村3组8号,急\n", encoding="utf-8"
    )
    assert main(["normalize", "-i", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "浙江省温州市鹿城区解放街12号",
        "浙江省温州市瓯海区娄桥街道东耕村3组8号",
    ]
    assert 'address column "发生在" (detected' in captured.err
    path.write_text("id,备注\n7,放前台\n", encoding="utf-8")
    assert main(["parse", "-i", str(path)]) == 2
    assert "no column of" in capsys.readouterr().err


def test_normalize_joins_the_cells_of_several_columns(capsys, tmp_path):
    path = tmp_path / "split.csv"
    path.write_text("区县,街路巷,门牌号\n鹿城区,解放街,12\n瓯海区,,\n", encoding="utf-8")
    assert main(["normalize", "-i", str(path), "-c", "区县", "-c", "街路巷", "-c", "门牌号"]) == 0
    assert capsys.readouterr().out.splitlines() == ["浙江省温州市鹿城区解放街12号", "浙江省温州市瓯海区"]


def test_stdaddr_warnings_are_one_plain_line_on_stderr(capsys):
    import warnings

    from stdaddr.cli import _plain_warnings
    from stdaddr.errors import StdaddrWarning

    with _plain_warnings(), warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(
            "index file x.npz was built by another version of the parser", StdaddrWarning, stacklevel=1
        )
    err = capsys.readouterr().err.splitlines()
    assert err == ["stdaddr: warning: index file x.npz was built by another version of the parser"]


def test_files_that_cannot_be_opened_are_errors_not_tracebacks(capsys, tmp_path):
    assert main(["normalize", "解放街1号", "-o", str(tmp_path / "none" / "o.txt")]) == 2
    assert 'cannot write "' in capsys.readouterr().err
    assert main(["normalize", "--input", str(tmp_path), "--column", "a"]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_a_cell_too_long_to_be_an_address_is_too_long_as_geocode_says(capsys, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("地址\n" + "鹿城区" + "解放街" * 400 + "\n解放街12号\n", encoding="utf-8")
    assert main(["normalize", "-i", str(path), "-c", "地址", "-f", "csv"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.reader(captured.out.splitlines()))
    assert rows[1][1:3] == ["", "too_long"] and "1,203 characters" in rows[1][3]
    assert rows[2][1:3] == ["解放街12号", "ok"]
    assert "line 2: the address has 1,203 characters" in captured.err


def test_csv_output_has_a_header_and_the_input_row_and_marks_malformed_rows(capsys, tmp_path):
    """normalize/parse -f csv: a header, every input column (result columns renamed on a clash), a
    status; a row with extra fields is a malformed_row, not an address with the extra text in it."""
    path = tmp_path / "events.csv"
    path.write_text("id,地址,status\n7,解放街12号,x\n8,解放街,14号,y\n", encoding="utf-8")
    assert main(["normalize", "-i", str(path), "-c", "地址", "-f", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[:2] == [
        "id,地址,status,normalized,status_2,reason",
        "7,解放街12号,x,解放街12号,ok,",
    ]
    last = list(csv.reader(captured.out.splitlines()))[2]
    assert last[:2] == ["8", "解放街"] and last[3:5] == ["", "malformed_row"] and "line 3" in last[5]
    assert "line 3: 4 fields" in captured.err
    assert main(["parse", "解放街1号", "-f", "csv"]) == 0
    header, row = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert header[:3] == ["line", "text", "normalized"] and header[-2:] == ["status", "reason"]
    assert row[0] == "1" and row[header.index("road")] == "解放街"


def test_header_options_decide_what_the_first_line_is(capsys, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("温州市鹿城区解放街1号\n温州市鹿城区解放街2号\n", encoding="utf-8")
    assert main(["normalize", "-i", str(path)]) == 0
    assert capsys.readouterr().out.split() == ["浙江省温州市鹿城区解放街1号", "浙江省温州市鹿城区解放街2号"]
    assert main(["normalize", "-i", str(path), "--header"]) == 0
    assert capsys.readouterr().out.split() == ["浙江省温州市鹿城区解放街2号"]


def test_base_and_grid_options_without_their_file_are_refused(capsys, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("地址\n解放街1号\n", encoding="utf-8")
    assert main(["geocode", str(path), "--base-crs", "EPSG:4326", "-q"]) == 2
    assert "base_crs (--base-crs)" in capsys.readouterr().err
    assert main(["geocode", str(path), "--grid-code-column", "code", "-q"]) == 2
    assert "no grid was given" in capsys.readouterr().err
    assert not (tmp_path / "e.geocoded.csv").exists()


def test_a_grid_layer_with_problems_is_told_when_used(tmp_path, capsys):
    import geopandas as gpd
    from shapely import box

    x, y = 500_000, 3_100_000  # in 温州
    layer = gpd.GeoDataFrame(
        {"code": ["A", "B"]},
        geometry=[box(x, y, x + 200, y + 200), box(x + 100, y, x + 300, y + 200)],
        crs="EPSG:4549",
    )
    layer.to_file(tmp_path / "g.gpkg")
    points = tmp_path / "pts.csv"
    points.write_text(f"x,y\n{x + 50},{y + 50}\n", encoding="utf-8")
    args = ["grid", "assign", str(points), "--x-column", "x", "--y-column", "y", "--crs", "EPSG:4549"]
    assert main([*args, "--grid", str(tmp_path / "g.gpkg"), "--grid-code-column", "code"]) == 0
    assert "the grid layer has problems" in capsys.readouterr().err
