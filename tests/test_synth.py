"""The synthetic Wenzhou base and its messy queries: deterministic, consistent with the gazetteer,
spatially coherent, and with answers that exist."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

import stdaddr
from stdaddr import gazetteer
from stdaddr.models import DIVISION_FIELDS, FIELDS
from stdaddr.synth import (
    COLUMNS,
    EXPECTED_LEVELS,
    KINDS,
    LEVELS,
    TARGETS,
    county_polygons,
    generate_base,
    messy_queries,
)
from stdaddr.synth.world import written_community

N = 20_000
LEVEL_FIELDS = FIELDS
CODE_FIELDS = tuple(f"{f}_code" for f in DIVISION_FIELDS)


@pytest.fixture(scope="module")
def base() -> pd.DataFrame:
    return generate_base(N, seed=0)


@pytest.fixture(scope="module")
def queries(base: pd.DataFrame) -> pd.DataFrame:
    return messy_queries(base, 3_000, seed=0)


def test_same_seed_gives_identical_frame_and_csv(base: pd.DataFrame) -> None:
    """Generating again with the same seed gives the same frame, down to the CSV bytes."""
    again = generate_base(N, seed=0)
    pd.testing.assert_frame_equal(base, again)
    assert base.to_csv(index=False).encode() == again.to_csv(index=False).encode()


def test_different_seed_gives_different_frame() -> None:
    """Another seed lays out other roads and compounds."""
    assert set(generate_base(2_000, seed=1)["address"]) != set(generate_base(2_000, seed=0)["address"])


@pytest.mark.parametrize("n", [1, 777, 10_000])
def test_exact_size(n: int) -> None:
    """The frame has exactly the requested number of rows and the documented columns."""
    df = generate_base(n, seed=0)
    assert len(df) == n
    assert list(df.columns) == list(COLUMNS)


@pytest.mark.parametrize("n", [0, -5, 2.5, True, 10**9])
def test_bad_size_is_refused(n: object) -> None:
    """A size that is no positive int within the limit raises ValueError naming the value."""
    with pytest.raises(ValueError, match="n_records was"):
        generate_base(n)  # type: ignore[arg-type]


def test_ids_and_addresses_are_unique_and_laid_out(base: pd.DataFrame) -> None:
    """addr_id is 26 digits, unique, and starts with the record's community code; addresses are unique."""
    assert base["addr_id"].is_unique and base["address"].is_unique
    assert base["addr_id"].str.fullmatch(r"\d{26}").all()
    assert (base["addr_id"].str[:12] == base["community_code"]).all()
    assert base["addr_id"].is_monotonic_increasing


def test_levels_are_mixed_and_match_the_fields(base: pd.DataFrame) -> None:
    """Every level occurs, and a record's level is the finest of road door, building, unit, room it has."""
    assert set(base["level"]) == set(LEVELS)
    room, unit, building = (base[f].notna() for f in ("room", "unit", "building"))
    assert (base["level"] == "room").eq(room).all()
    assert (base["level"] == "unit").eq(unit & ~room).all()
    assert (base["level"] == "building").eq(building & ~unit & ~room).all()
    doors = base[base["level"] == "door"]
    assert doors["house_number"].notna().all()


def test_address_is_the_levels_in_order(base: pd.DataFrame) -> None:
    """The address string is the level columns concatenated in the model's order."""
    joined = base[LEVEL_FIELDS[0]].fillna("")
    for f in LEVEL_FIELDS[1:]:
        joined = joined + base[f].fillna("")
    assert (joined == base["address"]).all()


def test_points_lie_inside_their_county(base: pd.DataFrame) -> None:
    """Every point lies inside the polygon of its county."""
    polygons = county_polygons()
    assert sorted(polygons) == sorted(base["county_code"].unique())
    for code, polygon in polygons.items():
        rows = base[base["county_code"] == code]
        assert shapely.contains_xy(polygon, rows["lon"].to_numpy(), rows["lat"].to_numpy()).all(), code


def test_codes_and_names_agree_with_the_gazetteer(base: pd.DataFrame) -> None:
    """Community codes are real codes under the record's town and county, with the gazetteer's names."""
    g = gazetteer.load()
    units = base.drop_duplicates("community_code")
    assert len(units) > 1_000
    for r in units.itertuples(index=False):
        code = r.community_code
        assert code[:6] == r.county_code and g.name(r.county_code) == r.county
        assert written_community(g.name(code) or "") == r.community
        if r.county_code == "330383":
            continue
        assert code[:9] == r.town_code and g.name(r.town_code) == r.town
    assert (base["province_code"] == "33").all() and (base["city_code"] == "3303").all()


def test_longgang_records_have_no_town(base: pd.DataFrame) -> None:
    """龙港市 has no town level: its records carry no town, and their communities sit under 330383198."""
    lg = base[base["county_code"] == "330383"]
    assert len(lg) > 0
    assert lg["town"].isna().all() and lg["town_code"].isna().all()
    assert lg["community_code"].str.startswith("330383198").all()
    assert base.loc[base["county_code"] != "330383", "town"].notna().all()


def _metres(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return (df["lon"].to_numpy() - 120.6) * 98_300.0, (df["lat"].to_numpy() - 27.95) * 110_574.0


def test_records_of_a_compound_lie_near_its_entrance(base: pd.DataFrame) -> None:
    """Buildings, units and rooms of a compound lie within a few hundred metres of its entrance door."""
    in_compound = base[base["poi"].notna()]
    x, y = _metres(in_compound)
    key = in_compound["county_code"] + in_compound["poi"]
    entrance = in_compound["level"].eq("door").to_numpy()
    ex = pd.Series(x[entrance], index=key[entrance]).reindex(key).to_numpy()
    ey = pd.Series(y[entrance], index=key[entrance]).reindex(key).to_numpy()
    assert np.hypot(x - ex, y - ey).max() < 500.0


def test_doors_of_a_road_lie_close_together(base: pd.DataFrame) -> None:
    """A road's doors span at most a few kilometres, and consecutive numbers are neighbours."""
    doors = base[(base["level"] == "door") & base["road"].notna() & base["poi"].isna()]
    doors = doors.assign(
        n=doors["house_number"].str.extract(r"^(\d+)号$", expand=False).astype(float)
    ).dropna(subset=["n"])
    x, y = _metres(doors)
    doors = doors.assign(x=x, y=y).sort_values(["county_code", "road", "n"])
    span = doors.groupby(["county_code", "road"]).agg(dx=("x", np.ptp), dy=("y", np.ptp))
    assert np.hypot(span["dx"], span["dy"]).max() < 8_000.0
    same = doors.groupby(["county_code", "road"])
    step = np.hypot(same["x"].diff(), same["y"].diff()).dropna()
    assert step.median() < 60.0


def test_parse_recovers_the_fields_of_the_address(base: pd.DataFrame) -> None:
    """stdaddr.parse reads nearly every canonical address back into the record's fields and codes.

    The few known misses are parser issues listed in docs/synthetic.md; this guards the generator.
    """
    sample = base.sample(400, random_state=0)
    agree = 0
    for r in sample.to_dict("records"):
        a = stdaddr.parse(r["address"])
        agree += all(
            (r[f] if isinstance(r[f], str) else None) == getattr(a, f) for f in LEVEL_FIELDS + CODE_FIELDS
        )
    assert agree / len(sample) >= 0.95


def test_every_kind_and_target_appears(queries: pd.DataFrame) -> None:
    """Each pattern and each non-record target occurs among 3,000 queries."""
    seen = {k for kinds in queries["kind"] for k in kinds.split("+")}
    missing = (set(KINDS) | set(TARGETS)) - {"record"} - seen
    assert not missing


def test_expected_answers_exist_in_the_base(base: pd.DataFrame, queries: pd.DataFrame) -> None:
    """In-base queries name an existing record and a level; out-of-base ones name neither."""
    oob = queries["kind"].str.startswith("oob_")
    assert queries.loc[~oob, "addr_id"].isin(base["addr_id"]).all()
    assert queries.loc[~oob, "expected_level"].isin(EXPECTED_LEVELS).all()
    assert queries.loc[oob, "addr_id"].isna().all() and queries.loc[oob, "expected_level"].isna().all()
    assert oob.sum() == 300


def test_record_queries_expect_the_record_level(base: pd.DataFrame, queries: pd.DataFrame) -> None:
    """A query made from a room record expects a room, from a compound's entrance a poi, and so on."""
    level_of = base.set_index("addr_id")["level"]
    records = queries[queries["expected_level"].isin(["room", "unit", "building"])]
    assert (records["addr_id"].map(level_of) == records["expected_level"]).all()
    roads = queries[queries["kind"].str.startswith("road_only")]
    assert (roads["expected_level"] == "road").all()


def test_historical_names_are_the_former_ones(queries: pd.DataFrame) -> None:
    """Former names are 洞头县, 苍南县…龙港镇, 龙湾区灵昆街道 and 梧埏镇 (the Wenzhou rows of the history table)."""
    kind = queries["kind"]
    hist = queries[kind.str.contains("historical_name") & ~kind.str.contains("traditional|radical")]
    assert len(hist) > 0
    assert hist["query"].str.contains("洞头县|龙港镇|灵昆|梧埏").all()


def test_messy_queries_are_deterministic(base: pd.DataFrame, queries: pd.DataFrame) -> None:
    """The same seed gives the same queries; another seed other ones."""
    pd.testing.assert_frame_equal(messy_queries(base, 3_000, seed=0), queries)
    assert not messy_queries(base, 200, seed=1)["query"].equals(queries["query"].head(200))


def test_character_patterns_fold_back() -> None:
    """Full-width, traditional and radical forms the generator writes are folded back by stdaddr's cleaning."""
    from stdaddr.synth.messy import _fullwidth, _radical, _traditional
    from stdaddr.text import clean

    rng = np.random.default_rng(0)
    text = "浙江省温州市鹿城区五马街道西门社区解放街123号3-2-301室"
    for convert in (_fullwidth, _radical, _traditional):
        assert clean(convert(text, rng))[0] == clean(text)[0]
