"""stdaddr.geocode: the record's point or the upper level's centroid, in the CRS asked for."""

from __future__ import annotations

import math

import pandas as pd
import pyproj
import pytest
from small_base import build_base

import stdaddr
from stdaddr.base import AddressBase
from stdaddr.crs import transform
from stdaddr.errors import CRSError, InputError
from stdaddr.geocoding import geocode, geocode_many, geocode_table

ROWS = [
    ("d1", "浙江省温州市鹿城区五马街道解放街123号", 120.650, 28.010),
    ("r1", "浙江省温州市鹿城区五马街道解放街123号3幢1单元301室", 120.651, 28.011),
    ("r5", "浙江省温州市鹿城区五马街道人民路8号", 120.660, 28.020),
    ("r6", "浙江省温州市鹿城区五马街道人民路10号", 120.662, 28.022),
]


@pytest.fixture(scope="module")
def base() -> AddressBase:
    return build_base(ROWS)


def test_a_record_geocodes_to_its_own_point_in_the_base_crs(base):
    g = geocode("解放街123号3幢1单元301室", base=base)
    assert (g.x, g.y, g.crs, g.level, g.address_id, g.status) == (
        120.651,
        28.011,
        "EPSG:4490",
        "room",
        "r1",
        "matched",
    )
    assert g.confidence > 0.9 and g.standard.endswith("301室")


def test_an_upper_level_geocodes_to_its_centroid_and_says_so(base):
    g = geocode("鹿城区人民路", base=base)
    assert (g.level, g.address_id, g.status) == ("road", None, "upper_level")
    assert (g.x, g.y) == pytest.approx((120.661, 28.021))


def test_epsg_output_agrees_with_pyproj(base):
    g = geocode("鹿城区人民路8号", base=base, crs="EPSG:4549")
    expected = pyproj.Transformer.from_crs(4490, 4549, always_xy=True).transform(120.660, 28.020)
    assert (g.x, g.y) == pytest.approx(expected, abs=1e-3)
    assert g.crs == "EPSG:4549"


@pytest.mark.parametrize("crs", ["GCJ02", "gcj-02", "BD09"])
def test_chinese_pseudo_crs_output_goes_through_stdaddr_crs(base, crs):
    g = geocode("鹿城区人民路8号", base=base, crs=crs)
    assert (g.x, g.y) == pytest.approx(transform(120.660, 28.020, "EPSG:4490", crs), abs=1e-9)
    assert g.crs in ("GCJ02", "BD09")
    back = transform(g.x, g.y, g.crs, "EPSG:4490")
    assert back == pytest.approx((120.660, 28.020), abs=1e-8)


def test_no_match_and_bad_input_give_a_pointless_geocode_with_a_status(base):
    none = geocode("鹿城区幸福路1号", base=base)
    assert (none.x, none.y, none.level, none.confidence, none.status) == (None, None, None, 0.0, "no_match")
    bad = geocode(None, base=base)
    assert bad.status == "invalid" and bad.explanation == "missing value"


def test_an_unknown_output_crs_is_an_error(base):
    with pytest.raises(CRSError, match="Mars"):
        geocode("鹿城区人民路8号", base=base, crs="Mars")


def test_batches_convert_every_point_and_keep_order(base):
    out = geocode_many(["鹿城区人民路8号", 7, "鹿城区人民路10号"], base=base, crs=4326)
    assert [g.status for g in out] == ["matched", "invalid", "matched"]
    assert out[2].x == pytest.approx(120.662)
    df = pd.DataFrame({"text": ["鹿城区人民路8号", "鹿城区幸福路1号"]})
    table = geocode_table(df, column="text", base=base, crs="GCJ02")
    assert table["geo_status"].tolist() == ["matched", "no_match"]
    assert table["geo_id"].tolist() == ["r5", None] and math.isnan(table["geo_x"][1])


def test_stdaddr_geocode_is_the_function_after_its_module_is_imported(base):
    assert stdaddr.geocode("鹿城区人民路8号", base=base).address_id == "r5"


def test_which_grid_chains_match_geocode_and_locate_to_the_cell_of_the_record(base):
    """A cell boundary between the two roads' points sends each address to its own cell."""
    from shapely.geometry import box

    from stdaddr.grid import GridIndex

    cells = [box(120.64, 28.00, 120.655, 28.03), box(120.655, 28.00, 120.67, 28.03)]
    grid = GridIndex(cells, ["330302006001001", "330302006001002"], crs="EPSG:4490")
    assert stdaddr.which_grid("解放街123号3幢1单元301室", base=base, grid=grid) == "330302006001001"
    assert stdaddr.which_grid("人民路10号", base=base, grid=grid) == "330302006001002"
    assert stdaddr.which_grid("火星基地1号", base=base, grid=grid) is None
    assert stdaddr.which_grid(None, base=base, grid=grid) is None


def test_which_grid_gives_no_cell_for_a_town_or_county_centroid(base):
    """A text naming only a town or county geocodes to its centroid, which lies in some community's
    cell, not the event's: no cell. A road's centroid still gets one."""
    from shapely.geometry import box

    from stdaddr.grid import GridIndex

    grid = GridIndex([box(120.60, 27.90, 120.70, 28.10)], ["330302006001001"], crs="EPSG:4490")
    assert geocode("鹿城区五马街道", base=base).level == "town"
    assert stdaddr.which_grid("鹿城区五马街道", base=base, grid=grid) is None
    assert geocode("鹿城区", base=base).level == "county"
    assert stdaddr.which_grid("鹿城区", base=base, grid=grid) is None
    assert stdaddr.which_grid("鹿城区人民路", base=base, grid=grid) == "330302006001001"


@pytest.mark.parametrize("bad", [None, "base.csv", 5])
def test_a_base_or_grid_that_is_not_loaded_is_an_input_error(base, bad):
    with pytest.raises(InputError, match=f"base was {bad!r}; expected an AddressBase"):
        stdaddr.geocode("解放街123号", base=bad)
    with pytest.raises(InputError, match="expected an AddressBase"):
        stdaddr.which_grid("解放街123号", base=bad, grid=None)
    with pytest.raises(InputError, match=f"grid was {bad!r}; expected a GridIndex"):
        stdaddr.which_grid("解放街123号", base=base, grid=bad)
    with pytest.raises(InputError, match="expected an AddressBase"):
        geocode_many(["解放街123号"], base=bad)
    with pytest.raises(InputError, match=f"the table was {bad!r}; expected a pandas DataFrame"):
        geocode_table(bad, column="a", base=base)
