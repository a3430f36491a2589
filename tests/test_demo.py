"""The embedded default (a synthetic base and its grid, cached on disk) and the demo built on it."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pandas as pd
import pytest

from stdaddr import default
from stdaddr.cli import main
from stdaddr.demo import DEPARTMENT_FILES, run_demo
from stdaddr.errors import InputError
from stdaddr.synth import county_polygons

SIZE = 2_000


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """An empty cache folder of its own, for tests of the cache itself."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("STDADDR_CACHE", str(folder))
    return folder


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One cache folder for the tests that only use the default data (built once for them all)."""
    with pytest.MonkeyPatch.context() as mp:
        folder = tmp_path_factory.mktemp("shared-cache")
        mp.setenv("STDADDR_CACHE", str(folder))
        yield folder


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    """STDADDR_CACHE wins, then $XDG_CACHE_HOME/stdaddr, then ~/.cache/stdaddr."""
    monkeypatch.delenv("STDADDR_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default.cache_dir() == tmp_path / "xdg" / "stdaddr"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default.cache_dir() == tmp_path / "home" / ".cache" / "stdaddr"
    monkeypatch.setenv("STDADDR_CACHE", str(tmp_path / "mine"))
    assert default.cache_dir() == tmp_path / "mine"


def test_default_base_and_grid_are_built_once_and_cached(cache):
    """The first call writes base table, index and grid into a folder named by version and parameters;
    later calls read them; the grid has one 15-digit cell per community with records, inside its county."""
    from stdaddr import __version__

    base = default.default_base(SIZE)
    grid = default.default_grid(SIZE)
    (folder,) = cache.iterdir()
    assert folder.name.startswith(f"default-{__version__}-n{SIZE}-s0-")
    assert sorted(p.name for p in folder.iterdir()) == ["base.npz", "base.parquet", "grid.parquet"]
    assert len(base) == SIZE and base.crs == "EPSG:4490"
    table = default.default_base_table(SIZE)
    layer = default.default_grid_layer(SIZE)
    assert set(layer["community_code"]) == set(table["community_code"].dropna())
    assert all(len(c) == 15 and c.isdigit() and c.endswith("001") for c in layer["code"])
    assert len(grid) == len(layer)
    polygons = county_polygons()
    # Cells are drawn in metres (EPSG:4549) and projected back: within a metre of the county outline,
    # but for slivers between the simplified outlines merged into a cell (a few hectares at most).
    for code, cell in zip(layer["code"], layer.geometry, strict=True):
        outside_m2 = cell.difference(polygons[code[:6]].buffer(1e-5)).area * 1.08e10
        assert outside_m2 < 50_000
    assert grid.report.ok
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    default.default_base_table(SIZE)
    default.default_grid_layer(SIZE)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps


def test_a_corrupt_cache_file_is_rebuilt(cache):
    default.default_base_table(SIZE)
    (folder,) = cache.iterdir()
    (folder / "base.parquet").write_bytes(b"not parquet")
    assert len(default.default_base_table(SIZE)) == SIZE
    assert (folder / "base.parquet").read_bytes()[:4] == b"PAR1"


def test_a_new_cache_folder_prunes_old_ones_of_the_same_size_and_seed(cache):
    """Each parser change gets a folder of its own: the newest two others of that size and seed are kept,
    older ones removed; other sizes, seeds and files are left alone."""
    import os

    made = []
    for i, name in enumerate(
        ["default-0.0.9-n500-s1-aaaaaaaa", "default-0.1.0-n500-s1-bbbbbbbb", "default-0.1.0-n500-s1-cccccccc"]
    ):
        (cache / name).mkdir(parents=True)
        (cache / name / "base.parquet").write_bytes(b"old")
        os.utime(cache / name, (1_000_000 + i, 1_000_000 + i))
        made.append(name)
    keep = ["default-0.1.0-n600-s1-dddddddd", "default-0.1.0-n500-s2-eeeeeeee", "notes.txt"]
    (cache / keep[0]).mkdir()
    (cache / keep[1]).mkdir()
    (cache / keep[2]).write_text("mine")
    default.default_base_table(500, seed=1)
    left = {p.name for p in cache.iterdir()}
    assert left >= set(keep) | set(made[1:])
    assert made[0] not in left
    assert len(left) == len(keep) + 3  # the two newest others and the new folder


def _build_table(_: int) -> int:
    return len(default.default_base_table(500, seed=1))


def test_two_processes_building_at_once_both_get_a_whole_file(cache):
    """Atomic writes: processes racing to build the cache each end with a complete, loadable file."""
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.map(_build_table, [0, 1]) == [500, 500]
    (folder,) = cache.iterdir()
    assert [p.name for p in folder.iterdir()] == ["base.parquet"]
    assert len(pd.read_parquet(folder / "base.parquet")) == 500


def test_default_rejects_bad_sizes():
    with pytest.raises(InputError, match=r"size was 0; expected an int from 1 to"):
        default.default_base(0)


def test_run_demo_writes_and_geocodes_every_department_file(shared_cache, tmp_path):
    """Five department files in their own encodings and formats, each geocoded, every row accounted for."""
    result = run_demo(tmp_path / "demo", rows=30, base_size=SIZE, workers=1)
    assert [f.department for f in result.files] == [d.department for d in DEPARTMENT_FILES]
    encodings = {f.path.name: f.encoding for f in result.files}
    assert encodings == {
        "public_security.csv": "utf-8",
        "hotline_12345.csv": "utf-8-sig",
        "market_regulation.csv": "gb18030",
        "education.xlsx": "xlsx",
        "fire_rescue.csv": "utf-8",
    }
    for f in result.files:
        out = pd.read_csv(f.output, dtype=str, keep_default_na=False)
        assert len(out) == f.rows == f.summary.rows
        assert out.columns[1] == f.column
    hotline = next(f for f in result.files if f.department == "hotline_12345")
    damaged = hotline.summary.statuses
    assert hotline.rows == 35
    assert damaged["empty_address"] == 1 and damaged["malformed_row"] == 2
    assert damaged["bad_encoding"] == 1 and damaged["too_long"] == 1
    text = str(result)
    assert "5 department files" in text and "geocoded/hotline_12345.csv" in text


def test_stdaddr_demo_command(shared_cache, tmp_path, capsys):
    assert (
        main(["demo", "--out", str(tmp_path / "d"), "--rows", "10", "--base-size", str(SIZE), "--quiet"]) == 0
    )
    out = capsys.readouterr().out
    assert "stdaddr demo: 5 department files" in out and "all rows: matched" in out
    assert sorted(p.name for p in Path(tmp_path / "d" / "geocoded").glob("*.csv")) == [
        "education.csv",
        "fire_rescue.csv",
        "hotline_12345.csv",
        "market_regulation.csv",
        "public_security.csv",
    ]


def test_grid_cells_contain_their_community_records(shared_cache):
    """Most records lie in a cell of their own community (cells grow from the community's mean point)."""
    table = default.default_base_table(SIZE)
    grid = default.default_grid(SIZE)
    codes = grid.assign(table["lon"].to_numpy(), table["lat"].to_numpy(), crs="EPSG:4490").codes
    own = sum(
        c is not None and c[:12] == community
        for c, community in zip(codes, table["community_code"], strict=True)
    )
    assert own / len(table) > 0.6
