"""AddressBase.match: levels, ties, upper levels, bad input, batches, and agreement with brute force."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from small_base import build_base

import stdaddr
from stdaddr import match as match_module
from stdaddr.base import AddressBase
from stdaddr.errors import ColumnError, InputError
from stdaddr.models import MATCH_STATUSES
from stdaddr.parsing import parse

ROWS = [
    ("d1", "浙江省温州市鹿城区五马街道解放街123号", 120.650, 28.010),
    ("r1", "浙江省温州市鹿城区五马街道解放街123号3幢1单元301室", 120.651, 28.011),
    ("r2", "浙江省温州市鹿城区五马街道解放街123号3幢2单元301室", 120.652, 28.012),
    ("r3", "浙江省温州市鹿城区五马街道解放街125号锦绣花园5幢101室", 120.653, 28.013),
    ("r4", "浙江省温州市龙湾区永中街道解放街123号", 120.800, 27.900),
    ("r5", "浙江省温州市鹿城区五马街道人民路8号", 120.660, 28.020),
    ("r6", "浙江省温州市鹿城区五马街道人民路10号", 120.662, 28.022),
]


@pytest.fixture(scope="module")
def base() -> AddressBase:
    return build_base(ROWS)


@pytest.fixture(scope="module")
def synthetic():
    synth = pytest.importorskip("stdaddr.synth")
    df = synth.generate_base(3_000, seed=7)
    queries = synth.messy_queries(df, 300, seed=8)
    built = AddressBase.from_dataframe(
        df, id_column="addr_id", address_column="address", x_column="lon", y_column="lat"
    )
    return df, queries, built


def test_a_full_address_matches_its_room_record(base):
    m = base.match("温州鹿城区解放街一百二十三号3-2-301")
    assert (m.address_id, m.level, m.ambiguous, m.status) == ("r2", "room", False, "matched")
    assert m.standard == "浙江省温州市鹿城区五马街道解放街123号3幢2单元301室"
    assert (m.x, m.y) == (120.652, 28.012)
    assert 0.9 <= m.score <= 1.0


def test_a_door_matches_the_door_record_not_its_rooms(base):
    m = base.match("鹿城区解放街123号")
    assert (m.address_id, m.level) == ("d1", "house_number")


def test_a_missing_unit_that_tells_two_rooms_apart_is_an_honest_tie(base):
    m = base.match("鹿城区解放街123号3幢301室")
    assert m.ambiguous and m.status == "ambiguous"
    assert (m.address_id, m.level) == (None, "building")
    assert {c.address_id for c in m.candidates[:2]} == {"r1", "r2"}
    assert m.candidates[0].score == m.candidates[1].score
    assert m.x == pytest.approx((120.651 + 120.652) / 2)


def test_a_door_between_two_doors_of_the_base_is_the_road_not_a_tie(base):
    """人民路9号 between 8号 and 10号: the text meant neither, so the road is the answer, not a tie."""
    m = base.match("鹿城区人民路9号")
    assert (m.address_id, m.level, m.ambiguous, m.status) == (None, "road", False, "upper_level")


def test_gbk_bytes_are_read_as_text(base):
    text = "鹿城区解放街123号"
    assert base.match(text.encode("gbk")).address_id == "d1"
    assert stdaddr.geocode(text.encode("gbk"), base=base).text == text


def test_the_same_door_in_two_counties_ties_without_a_point(base):
    m = base.match("解放街123号")
    assert m.ambiguous and m.address_id is None and m.x is None
    assert {c.address_id for c in m.candidates} == {"d1", "r4"}


def test_an_address_listed_twice_under_two_ids_is_a_tie():
    twice = build_base(
        [
            ("W001", "浙江省温州市鹿城区五马街道解放街123号", 120.650, 28.010),
            ("W011", "温州市鹿城区五马街道解放街123号", 120.652, 28.012),
            ("W002", "浙江省温州市鹿城区五马街道解放街125号", 120.660, 28.020),
        ]
    )
    m = twice.match("解放街123号")
    assert m.ambiguous and m.status == "ambiguous" and m.address_id is None
    assert {c.address_id for c in m.candidates[:2]} == {"W001", "W011"}
    assert (m.x, m.y) == (pytest.approx(120.651), pytest.approx(28.011))
    assert "under different ids" in m.explanation
    assert twice.match("解放街125号").address_id == "W002"


def test_a_leading_name_of_a_place_far_away_is_read_as_the_town_of_the_base():
    """南汇 is also the former 南汇区 of 上海, 安阳 also 安阳市 of 河南: in a Wenzhou base they are its towns."""
    towns = build_base(
        [
            ("n1", "浙江省温州市鹿城区南汇街道繁荣路1号", 120.650, 28.010),
            ("a1", "浙江省温州市瑞安市安阳街道建业街1号", 120.640, 27.780),
        ]
    )
    assert parse("南汇繁荣路1号").county_code == "310115"
    assert towns.match("南汇繁荣路1号").address_id == "n1"
    assert towns.match("安阳建业街1号").address_id == "a1"
    assert towns.match("上海市浦东新区繁荣路1号") is None  # divisions written in full are not re-read


def test_a_county_picks_the_door_of_that_county(base):
    assert base.match("龙湾区解放街123号").address_id == "r4"


def test_a_road_alone_matches_the_road_with_its_centroid(base):
    m = base.match("鹿城区人民路")
    assert (m.address_id, m.level, m.standard) == (None, "road", "浙江省温州市鹿城区五马街道人民路")
    assert m.status == "upper_level"
    assert (m.x, m.y) == pytest.approx((120.661, 28.021))


def test_a_door_not_in_the_base_matches_its_road(base):
    m = base.match("鹿城区人民路9号")
    assert (m.address_id, m.level) == (None, "road")
    assert "differs in house_number" in m.explanation


def test_a_room_not_in_the_base_matches_its_unit(base):
    m = base.match("鹿城区解放街123号3幢2单元309室")
    assert (m.address_id, m.level) == (None, "unit")
    assert m.standard.endswith("3幢2单元")


def test_a_compound_without_its_road_matches(base):
    m = base.match("锦绣花园5幢101室")
    assert (m.address_id, m.level) == ("r3", "room")


def test_a_compound_name_with_a_wrong_character_matches_but_a_shifted_one_does_not(base):
    """锦华花园 mistypes 锦绣花园; 华锦花园 shares as many characters, moved: another compound."""
    typo = base.match("锦华花园5幢101室", score_cutoff=0.0)
    assert (typo.address_id, typo.level) == ("r3", "room") and typo.score < 1.0
    assert base.match("华锦花园5幢101室", score_cutoff=0.0) is None


def test_a_typo_in_the_road_still_matches_but_less_surely(base):
    exact = base.match("鹿城区解放街123号3幢2单元301室")
    typo = base.match("鹿城区解方街123号3幢2单元301室", score_cutoff=0.0)
    assert typo.address_id == "r2" and typo.score < exact.score
    assert "fuzzy road 解方街" in typo.explanation


def test_a_road_of_another_direction_is_another_road():
    """永宁东路 and 永宁西路 are two roads; 邮电东路 may be 邮电路 with a direction added, never surely."""
    roads = build_base(
        [
            ("w1", "浙江省温州市鹿城区五马街道永宁西路88号", 120.650, 28.010),
            ("w2", "浙江省温州市鹿城区五马街道邮电路5号", 120.651, 28.011),
        ]
    )
    other = roads.match("鹿城区永宁东路88号", score_cutoff=0.0)
    assert other is None or other.address_id is None
    added = roads.match("鹿城区邮电东路5号", score_cutoff=0.0)
    assert added is None or added.address_id is None or added.score < 0.9
    assert match_module.name_similarity("永宁东路", "永宁西路") < match_module.name_similarity(
        "永宁东路", "永宁东路"
    )


def test_roads_numbered_in_a_row_are_different_roads():
    """鞋都一路 and 鞋都四路 are two streets: no number slip finds the other; 鞋都1路 is 鞋都一路."""
    roads = build_base(
        [
            ("x1", "浙江省温州市鹿城区双屿街道鞋都一路88号", 120.60, 28.01),
            ("x2", "浙江省温州市鹿城区双屿街道鞋都二路60号", 120.61, 28.01),
        ]
    )
    for query in ("鹿城区鞋都四路88号", "鹿城区鞋都三路88号", "鞋都五路60号"):
        m = roads.match(query, score_cutoff=0.0)
        assert m is None or m.address_id is None, query
    assert roads.match("鞋都1路88号").address_id == "x1"
    assert roads.match("鹿城区鞋都2路60号").score == 1.0
    assert match_module.name_similarity("鞋都路", "鞋都一路") < match_module.name_similarity(
        "鞋部一路", "鞋都一路"
    )
    assert match_module.name_similarity("纬十二路", "纬十一路") < 0.6


def test_parts_of_a_road_numbered_on_their_own_are_different_roads():
    """黄埔大道西 and 黄埔大道东, 人民南路三段 and 人民南路四段: each part numbers its own doors."""
    assert match_module.name_similarity("黄埔大道西", "黄埔大道东") < 0.6
    assert match_module.name_similarity("人民南路三段", "人民南路四段") < 0.6
    assert 0.6 <= match_module.name_similarity("黄埔大道西", "黄埔大道") < 0.9
    roads = build_base([("h1", "广东省广州市天河区黄埔大道西100号", 113.33, 23.13)])
    m = roads.match("广州市天河区黄埔大道东100号", score_cutoff=0.0)
    assert m is None or m.address_id is None
    assert roads.match("天河区黄埔大道西100号").address_id == "h1"


def test_a_text_naming_only_divisions_matches_the_finest_one(base):
    m = base.match("鹿城区五马街道")
    assert (m.address_id, m.level, m.candidates) == (None, "town", ())
    assert m.x == pytest.approx(np.mean([r[2] for r in ROWS if "鹿城区" in r[1]]))


def test_contradicting_divisions_or_unknown_roads_give_none(base):
    assert base.match("瓯海区解放街123号") is None
    assert base.match("鹿城区幸福路1号") is None
    assert base.match("北京市朝阳区") is None


def test_a_road_the_base_lacks_in_a_town_the_text_names_matches_the_town(base):
    """Only the town agrees: its centroid, at town level, the road named in the explanation (a county alone
    is too wide, above)."""
    m = base.match("鹿城区五马街道幸福路1号")
    assert (m.address_id, m.level, m.status) == (None, "town", "upper_level")
    assert "幸福路1号" in m.explanation and m.x == base.match("鹿城区五马街道").x
    assert base.match("温州五马街道幸福路1号").level == "town"  # the county inferred from the town


@pytest.mark.parametrize(
    "bad", [None, float("nan"), "", "   ", b"\xff\xfe\x00", 123, ["解放街"], "。。。", "NULL", "不详"]
)
def test_bad_queries_give_none_and_never_raise(base, bad):
    assert base.match(bad) is None


def test_tuning_arguments_are_checked(base):
    with pytest.raises(InputError, match="limit was 0"):
        base.match("解放街123号", limit=0)
    with pytest.raises(InputError, match="score_cutoff was 2"):
        base.match("解放街123号", score_cutoff=2)


def test_candidates_are_limited_and_explain_each_field(base):
    m = base.match("鹿城区解放街123号3幢2单元301室", limit=2)
    assert len(m.candidates) == 2
    best = m.candidates[0]
    by_field = {f.field: f for f in best.fields}
    assert by_field["room"].status == "agree" and by_field["room"].similarity == 1.0
    assert by_field["town"].status == "record_only" and by_field["town"].record == "五马街道"
    second = {f.field: f for f in m.candidates[1].fields}
    assert second["unit"].status == "differ" and (second["unit"].input, second["unit"].record) == (
        "2单元",
        "1单元",
    )


def test_match_many_keeps_order_and_survives_bad_values(base):
    texts = ["鹿城区人民路8号", None, "鹿城区解放街123号", 5, "鹿城区幸福路1号"]
    out = base.match_many(texts)
    assert [m.address_id if m else None for m in out] == ["r5", None, "d1", None, None]


def test_match_table_adds_status_and_reason_columns(base):
    df = pd.DataFrame({"text": ["鹿城区人民路8号", None, "鹿城区人民路", "鹿城区幸福路1号", "解放街123号"]})
    out = base.match_table(df, column="text")
    assert out["match_id"].tolist() == ["r5", None, None, None, None]
    assert out["match_status"].tolist() == ["matched", "invalid", "upper_level", "no_match", "ambiguous"]
    assert set(out["match_status"]) <= set(MATCH_STATUSES)
    assert out["match_reason"][1] == "missing value" and math.isnan(out["match_x"][3])
    with pytest.raises(ColumnError, match="'text'"):
        base.match_table(df, column="address")


def test_match_table_reads_an_address_split_over_columns(base):
    df = pd.DataFrame(
        {"区县": ["鹿城区", "鹿城区", None], "路": ["人民路", "人民路", None], "门牌号": ["8", None, None]}
    )
    out = base.match_table(df, column=["区县", "路", "门牌号"])
    assert out["match_id"].tolist() == ["r5", None, None]
    assert out["match_status"].tolist() == ["matched", "upper_level", "invalid"]


def test_match_many_on_two_processes_equals_one(synthetic, monkeypatch):
    _, queries, built = synthetic
    texts = queries["query"].tolist()
    monkeypatch.setattr(match_module, "_CHUNK", 50)
    assert built.match_many(texts, workers=2) == built.match_many(texts, workers=1)


def brute_force(built: AddressBase, text: str):
    """The reference: the same field-wise scorer over every record of the base, no blocking; a text it
    finds no record or place for is matched at the town or community it names, as match does."""
    return _brute_force(built, text) or match_module._named_divisions(
        built, parse(text), match_module.DEFAULT_SCORE_CUTOFF
    )


def _brute_force(built: AddressBase, text: str):
    t = match_module._tables(built)
    q = match_module._query(t, parse(text))
    if q is None:
        return None
    if match_module._block(t, q) is None:
        return match_module._division_match(built, q, match_module.DEFAULT_SCORE_CUTOFF)
    s = match_module.field_scores(built, q, np.arange(len(built), dtype=np.int32))
    if s is None:
        return None
    return match_module._decide(built, q, s, 5, match_module.DEFAULT_SCORE_CUTOFF)


def test_the_indexed_matcher_agrees_with_brute_force_scoring(synthetic):
    _, queries, built = synthetic
    same = 0
    texts = queries["query"].tolist()
    for text in texts:
        fast, slow = built.match(text), brute_force(built, text)
        key = lambda m: None if m is None else (m.address_id, m.level, m.standard)  # noqa: E731
        same += key(fast) == key(slow)
    # Blocking may only leave out records that score no better than those it finds.
    assert same / len(texts) >= 0.99


def test_messy_synthetic_queries_mostly_find_their_record(synthetic):
    _, queries, built = synthetic
    targets = ("oob_", "road_only", "compound_only", "community_only", "town_only")
    records = queries[~queries["kind"].str.startswith(targets)]
    found = [built.match(q) for q in records["query"]]
    right = [m is not None and m.address_id == a for m, a in zip(found, records["addr_id"], strict=True)]
    assert np.mean(right) >= 0.9


@pytest.mark.parametrize(
    ("records", "query", "expected"),
    [
        (("金马路57号", "金马路59号"), "岭头金马路57号", "r0"),
        (("锦绣花园3幢2单元301室", "锦绣花园5幢1单元101室"), "岭头锦绣花园3幢2单元301室", "r0"),
    ],
)
def test_a_leading_name_that_is_a_town_elsewhere_but_a_village_here_still_matches(records, query, expected):
    """岭头 opens the text before its road or compound: the parser reads the town 岭头乡 of another
    province; the base has 岭头村, whose road or compound takes the name when the town finds nothing."""
    village = build_base(
        [(f"r{i}", f"浙江省温州市平阳县怀溪镇岭头村{rest}", 120.3, 27.6) for i, rest in enumerate(records)]
    )
    assert parse(query).town is not None
    m = village.match(query, score_cutoff=0.0)
    assert m is not None and m.address_id == expected


# A village, a zone and a compound of one town, written as department records write them.
PLACES = [
    ("v19", "浙江省温州市瓯海区泽雅镇纸源村19号", 120.50, 28.00),
    ("v21", "浙江省温州市瓯海区泽雅镇纸源村21号", 120.51, 28.00),
    ("g1", "浙江省温州市瓯海区泽雅镇五凤垟村1组9号", 120.52, 28.01),
    ("g2", "浙江省温州市瓯海区泽雅镇五凤垟村2组9号", 120.53, 28.01),
    ("z5", "浙江省温州市瓯海区娄桥街道娄桥工业园区5号", 120.60, 27.95),
    ("z7", "浙江省温州市瓯海区娄桥街道娄桥工业园区7号", 120.61, 27.95),
    ("c1", "浙江省温州市鹿城区南汇街道锦绣路88号锦绣花园3幢2单元501室", 120.68, 28.00),
    ("c2", "浙江省温州市鹿城区南汇街道锦绣路88号锦绣花园3幢2单元502室", 120.68, 28.00),
    ("t1", "浙江省温州市瑞安市塘下镇人民路18号", 120.62, 27.87),
    ("t2", "浙江省温州市瑞安市塘下镇人民路20号", 120.62, 27.87),
    ("s23", "浙江省温州市鹿城区五马街道解放街23号", 120.65, 28.02),
    ("h158", "浙江省温州市鹿城区五马街道解放街158号温州市中医院", 120.66, 28.02),
    ("y202", "浙江省温州市龙湾区永中街道永中路66号永昌花苑2幢1单元202室", 120.81, 27.93),
]


@pytest.fixture(scope="module")
def places() -> AddressBase:
    return build_base(PLACES)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("浙江省温州市瓯海区泽雅镇纸源村19号", "v19"),
        ("泽雅镇纸源村21号", "v21"),
        ("瓯海区泽雅镇五凤垟村2组9号", "g2"),
        ("娄桥工业园区5号", "z5"),
        ("瓯海区娄桥街道娄桥工业园区7号", "z7"),
    ],
)
def test_doors_of_a_village_or_zone_without_a_road_match_their_record(places, query, expected):
    """纸源村19号, 娄桥工业园区5号: a door written after a village or zone, with no road, is a record."""
    m = places.match(query)
    assert m is not None and m.address_id == expected and m.score >= 0.9


def test_a_village_door_in_two_groups_is_a_tie_not_a_guess(places):
    m = places.match("瓯海区泽雅镇五凤垟村9号")
    assert m is not None and m.ambiguous and m.address_id is None
    assert {c.address_id for c in m.candidates[:2]} == {"g1", "g2"}


@pytest.mark.parametrize("query", ["锦绣小区3幢2单元501室", "鹿城区锦绣花园小区3幢2单元501室"])
def test_a_compound_written_with_the_generic_kind_is_the_same_compound(places, query):
    m = places.match(query)
    assert m is not None and m.address_id == "c1"


def test_only_the_generic_kind_makes_two_compound_names_one():
    assert match_module.name_similarity("锦绣花园", "锦绣小区") == match_module._SAME_STEM
    assert match_module.name_similarity("锦绣花园小区", "锦绣花园") == match_module._SAME_STEM
    assert match_module.name_similarity("锦绣花园", "锦绣公寓") <= match_module._OTHER_KIND  # two estates
    assert match_module.name_similarity("锦江花园", "锦绣小区") <= match_module._OTHER_KIND
    # a kind leaving one character keeps it (榄苑小区 is 榄苑); a name of one character has no stem
    assert match_module.compound_stem("华苑小区") == match_module.compound_stem("华苑") == "华苑"
    assert match_module.name_similarity("华苑", "华苑小区") == match_module._SAME_STEM
    assert match_module.name_similarity("华苑", "华苑花园") <= match_module._OTHER_KIND
    assert match_module.compound_stem("苑小区") is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("鹿城区锦绣苑3幢2单元501室", "c1"),
        ("锦绣花苑3幢2单元502室", "c2"),
        ("永中街道永昌花园2幢1单元202室", "y202"),
    ],
)
def test_an_estate_written_with_another_garden_word_matches_below_a_sure_score(places, query, expected):
    """锦绣苑 for 锦绣花园, 永昌花园 for 永昌花苑: department data swap the garden words of one estate. The
    match is found, but the score stays below 0.9: the two may be neighbouring estates."""
    m = places.match(query)
    assert m is not None and m.address_id == expected
    assert 0.6 <= m.score < 0.9


def test_garden_words_and_kinds_of_one_sound_drift_other_kinds_do_not():
    similarity = match_module.name_similarity
    assert (
        similarity("锦绣苑", "锦绣花园") == similarity("永昌花园", "永昌花苑") == match_module._GARDEN_DRIFT
    )
    assert similarity("幸福家园", "幸福嘉园") == match_module._GARDEN_DRIFT  # 家园 / 嘉园: one sound
    # 华园 / 花园, 华苑 / 花苑: the garden words typed by their sound
    assert (
        similarity("金都华园", "金都花园") == similarity("锦绣华苑", "锦绣花园") == match_module._GARDEN_DRIFT
    )
    assert similarity("金都华苑", "金都花苑") >= match_module._GARDEN_DRIFT  # one kind, a homophone
    assert similarity("锦绣花园", "锦绣家园") <= match_module._OTHER_KIND
    assert similarity("锦绣花园", "锦绣新村") <= match_module._OTHER_KIND
    assert similarity("华苑", "华花园") <= match_module._OTHER_KIND  # a stem of one character


def test_a_character_typed_by_its_place_names_reading_is_a_homophone():
    """夏禾路 for 厦禾路 (厦 reads xia in 厦门), 越清 for 乐清 (yue): a slip of the sound, as 解方街 for 解放街."""
    similarity = match_module.name_similarity
    assert similarity("夏禾路", "厦禾路") == similarity("解方街", "解放街") >= match_module._SLIP
    assert similarity("越清路", "乐清路") >= match_module._SLIP
    assert similarity("夏禾路", "春禾路") < match_module._SLIP


def test_a_slip_in_an_estate_ending_in_flower_garden_is_still_a_slip():
    """莲花苑 is 莲花 + 苑, not 莲 + 花苑: a slip (莲中苑) or a swap (花莲苑) is compared as before, and the
    stem keeps its 花; 永昌花苑 is 永昌 + 花苑, so 永昌小区 is the same estate."""
    similarity = match_module.name_similarity
    assert match_module._NAME_AGREE <= similarity("莲花苑", "莲中苑") < match_module._GARDEN_DRIFT
    assert similarity("莲花苑", "花莲苑") == match_module._SWAP_SIMILARITY
    assert match_module.compound_stem("莲花苑") == "莲花"
    assert match_module.compound_stem("永昌花苑") == "永昌"
    assert similarity("永昌花苑", "永昌小区") == match_module._SAME_STEM


def test_the_generic_kind_after_two_names_does_not_hide_their_own_kinds():
    """塘下新村小区 and 塘下新城小区 are two estates (新村, 城), though one character apart."""
    assert match_module.name_similarity("塘下新村小区", "塘下新城小区") <= match_module._OTHER_KIND
    assert match_module.name_similarity("锦绣花园小区", "锦绣家园小区") <= match_module._OTHER_KIND
    assert match_module.name_similarity("锦绣小区", "锦秀小区") >= 0.9  # one estate, a slip of sound


def test_a_record_in_another_town_than_the_text_names_is_not_the_match(places):
    """马屿镇人民路18号 against 塘下镇人民路18号: names like 人民路 recur town after town, so the answer is
    the divisions the text names, as far as the base has them (瑞安市: it has no record in 马屿镇)."""
    m = places.match("瑞安市马屿镇人民路18号")
    assert m is not None and (m.address_id, m.level, m.status) == (None, "county", "upper_level")
    assert "another town" in m.explanation
    assert places.match("瑞安市塘下镇人民路18号").address_id == "t1"


def test_a_door_in_two_towns_of_the_county_the_text_names_is_a_tie():
    """乐清市人民路57号 with 人民路57号 in 虹桥镇 and 柳市镇: a road crosses towns, a door does not."""
    built = build_base(
        [
            ("h57", "浙江省温州市乐清市虹桥镇人民路57号", 121.0, 28.2),
            ("l57", "浙江省温州市乐清市柳市镇人民路57号", 120.9, 28.0),
            ("l59", "浙江省温州市乐清市柳市镇人民路59号", 120.9, 28.0),
        ]
    )
    m = built.match("乐清市人民路57号")
    assert m is not None and m.ambiguous and m.address_id is None and (m.x, m.y) == (None, None)
    assert {c.address_id for c in m.candidates[:2]} == {"h57", "l57"}
    assert built.match("乐清市柳市镇人民路57号").address_id == "l57"


@pytest.mark.parametrize("query", ["鹿城区解放街23-1号", "鹿城区解放街23号附1", "鹿城区解放街23号之一"])
def test_a_sub_door_the_base_lacks_matches_its_main_door_less_surely(places, query):
    m = places.match(query)
    assert m is not None and (m.address_id, m.level) == ("s23", "house_number")
    assert 0.5 <= m.score <= match_module._MAIN_DOOR


def test_the_one_named_place_at_a_door_stands_for_the_door(places):
    """解放街158号 where the base lists only the hospital at that door; another name there is no match."""
    assert places.match("鹿城区解放街158号").address_id == "h158"
    m = places.match("鹿城区解放街158号某某药店")
    assert m is not None and (m.address_id, m.level) == (None, "house_number")


def test_a_compound_named_after_a_far_county_is_the_compound_of_the_base(places):
    """永昌花苑: not 永昌县 of 甘肃 (whether the parser or the matcher's retry settles it) but the base's
    compound 永昌花苑."""
    assert places.match("永昌花苑2幢1单元202室").address_id == "y202"


def test_a_leading_county_short_name_is_retried_as_the_start_of_the_compound():
    address = parse("瑞安锦绣花园3幢")
    moved = match_module._without_leading_town(address)
    assert moved is not None
    retry, short, named = moved
    assert (
        address.county == "瑞安市"
        and retry.poi == "瑞安锦绣花园"
        and retry.county is None
        and (short, named) == ("瑞安", "锦绣花园")
    )
    assert match_module._without_leading_town(parse("瑞安市锦绣花园3幢")) is None  # written with its mark


def test_a_compound_a_community_is_named_after_is_matched_as_the_compound():
    """罗东锦苑1幢: the community 罗东锦苑社区 written without its mark, then a building of its compound."""
    built = build_base(
        [
            ("r1", "浙江省温州市龙湾区永中街道罗东锦苑1幢1单元301室", 120.8, 27.9),
            ("r2", "浙江省温州市龙湾区永中街道罗东锦苑1幢1单元302室", 120.8, 27.9),
        ]
    )
    assert built.match("罗东锦苑1幢1单元302室").address_id == "r2"


def test_a_village_written_with_characters_of_the_same_sound_is_that_village():
    """东洋村 for 东垟村, 苏旅村 for 苏吕村: the village of the town that sounds the same; not one that only
    shares a rare reading (洋 is also read xiang, as 项 is)."""
    built = build_base(
        [
            ("d12", "浙江省温州市乐清市虹桥镇东垟村3组12号", 121.0, 28.2),
            ("d15", "浙江省温州市乐清市虹桥镇东垟村3组15号", 121.0, 28.2),
            ("s2", "浙江省温州市乐清市柳市镇苏吕村5组2号", 120.9, 28.0),
            ("x8", "浙江省温州市苍南县钱库镇项西村2组8号", 120.5, 27.5),
        ]
    )
    assert built.match("乐清市虹桥镇东洋村3组12号").address_id == "d12"
    assert built.match("柳市镇苏旅村5组2号").address_id == "s2"
    m = built.match("苍南县钱库镇洋西村2组8号")
    assert m is None or m.address_id is None


def test_a_village_named_with_a_place_reading_is_found_by_that_sound():
    """昂臧村 for 昂藏村, 雪石藏村 for 雪什藏村 (青海): 藏 and 什 read zang and shi in place names, not cang and
    shen as commonly."""
    built = build_base(
        [
            ("a5", "青海省西宁市湟中区鲁沙尔镇昂藏村2组5号", 101.6, 36.5),
            ("x4", "青海省海东市化隆回族自治县群科镇雪什藏村2组4号", 102.0, 36.0),
        ]
    )
    assert built.match("鲁沙尔镇昂臧村2组5号").address_id == "a5"
    assert built.match("群科镇雪石藏村2组4号").address_id == "x4"


def test_a_room_the_base_lacks_in_a_unit_it_has_is_that_unit_not_the_building_record():
    """锦绣花园3幢2单元909室: the base has a record for 3幢 and rooms of its unit 2, but no room 909."""
    built = build_base(
        [
            ("b3", "浙江省温州市鹿城区南汇街道锦绣花园3幢", 120.68, 28.0),
            ("r101", "浙江省温州市鹿城区南汇街道锦绣花园3幢2单元101室", 120.68, 28.0),
            ("r102", "浙江省温州市鹿城区南汇街道锦绣花园3幢2单元102室", 120.68, 28.0),
            ("q101", "浙江省温州市鹿城区南汇街道锦绣花园3幢1单元101室", 120.68, 28.0),
        ]
    )
    m = built.match("鹿城区锦绣花园3幢2单元909室")
    assert m is not None and (m.address_id, m.level, m.status) == (None, "unit", "upper_level")
    assert built.match("鹿城区锦绣花园3幢5单元501室").address_id == "b3"  # no unit 5: the building
    assert built.match("鹿城区锦绣花园3幢2单元102室").address_id == "r102"


_BASES: dict[tuple[tuple, ...], AddressBase] = {}


def _base_of(rows: list[tuple]) -> AddressBase:
    """``build_base(rows)``, built once for all the queries a parametrized test asks of it."""
    key = tuple(rows)
    if key not in _BASES:
        _BASES[key] = build_base(rows)
    return _BASES[key]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("乐清市虹桥镇东垟村下垟自然村5号", "x5"),
        ("乐清市虹桥镇东垟村庄头自然村5号", "z5"),
        ("乐清市虹桥镇东垟村下垟5号", "x5"),
        ("乐清市虹桥镇东垟村（下垟）5号", "x5"),
        ("乐清市虹桥镇下垟村5号", "x5"),  # the village merged into 东垟村, written by its old name
    ],
)
def test_natural_villages_number_their_own_doors(query, expected):
    """东垟村下垟自然村5号 and 东垟村庄头自然村5号 are two houses: each natural village numbers its doors."""
    built = _base_of(
        [
            ("x5", "浙江省温州市乐清市虹桥镇东垟村下垟自然村5号", 121.0, 28.2),
            ("z5", "浙江省温州市乐清市虹桥镇东垟村庄头自然村5号", 121.01, 28.21),
            ("d9", "浙江省温州市乐清市虹桥镇东垟村9号", 121.02, 28.2),
        ]
    )
    assert built.report.duplicate_addresses == ()
    m = built.match(query)
    assert m is not None and m.address_id == expected


@pytest.mark.parametrize(
    "query",
    [
        "瑞安市马屿镇江浦村篁社自然村7号",
        "马屿镇江浦村篁社7号",
        "马屿镇江浦村（篁社）7号",
        "瑞安市马屿镇篁社村7号",
    ],
)
def test_a_natural_village_read_as_a_compound_still_numbers_its_doors(query):
    """篁社自然村 (the parser reads names in 社 as a compound) is the road of its doors, as 下垟自然村 is."""
    built = _base_of(
        [
            ("h7", "浙江省温州市瑞安市马屿镇江浦村篁社自然村7号", 120.57, 27.77),
            ("j7", "浙江省温州市瑞安市马屿镇江浦村江浦街7号", 120.54, 27.78),
        ]
    )
    m = built.match(query)
    assert m is not None and m.address_id == "h7"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("虹桥镇下垟自然村5号", "x5"), ("虹桥镇下垟村5号", "x5"), ("虹桥镇", None)],
)
def test_a_town_of_several_counties_is_the_one_the_base_has(query, expected):
    """虹桥镇 is a town of 乐清市 and of six other counties: in a base of 乐清市 it is 乐清市's."""
    built = _base_of(
        [
            ("d5", "浙江省温州市乐清市虹桥镇东垟村3组5号", 121.0, 28.2),
            ("x5", "浙江省温州市乐清市虹桥镇东垟村下垟自然村5号", 121.01, 28.2),
        ]
    )
    assert stdaddr.parse(query).ambiguous
    m = built.match(query)
    assert m is not None and m.address_id == expected
    assert m.standard.startswith("浙江省温州市乐清市虹桥镇")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("温州市第二中学", "二中"),
        ("温州二中", "二中"),
        ("第二中学", "二中"),
        ("鹿城实验小学", "实验小"),
        ("温州中学", "温州中"),  # the school's own name is a city's: kept
        ("中学", None),
        ("锦绣花园", None),
    ],
)
def test_school_key_is_what_the_ways_of_writing_a_school_share(name, key):
    assert match_module.school_key(name) == key


def test_a_school_written_short_is_the_school_of_the_base():
    """温州二中 is the base's 温州市第二中学 (at 0.9 a name); 温州三中 is not."""
    built = build_base(
        [
            ("s2", "浙江省温州市鹿城区五马街道公园路38号温州市第二中学", 120.663, 28.02),
            ("d40", "浙江省温州市鹿城区五马街道公园路40号", 120.664, 28.02),
        ]
    )
    for query in ("鹿城区公园路38号温州二中", "鹿城区温州二中", "温州二中"):
        m = built.match(query)
        assert m is not None and m.address_id == "s2", query
    m = built.match("鹿城区公园路38号温州三中")
    assert m is not None and (m.address_id, m.level) == (None, "house_number")
    assert match_module.name_similarity("二中", "二小") < 0.6


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("泽雅五凤垟村3组9号", "v9"),  # 泽雅 (泽雅镇) glued to its village
        ("柳市新光工业区正泰路11号", "z11"),  # 柳市 (柳市镇) glued to its zone
        ("瑞安唐下镇塘下大道255号", "r255"),  # 唐下镇: 塘下镇 misspelt with a character of its sound
        ("瑞安市塘下镇塘下大道255号", "r255"),
    ],
)
def test_a_town_the_parser_could_not_read_is_placed_by_the_base(query, expected):
    built = _base_of(
        [
            ("v9", "浙江省温州市瓯海区泽雅镇五凤垟村3组9号", 120.5, 28.03),
            ("z11", "浙江省温州市乐清市柳市镇新光工业区正泰路11号", 120.91, 28.05),
            ("r255", "浙江省温州市瑞安市塘下镇塘下大道255号", 120.7, 27.85),
            ("m255", "浙江省温州市瑞安市马屿镇塘下大道255号", 120.6, 27.8),
        ]
    )
    m = built.match(query)
    assert m is not None and m.address_id == expected


@pytest.mark.parametrize(
    "query",
    [
        "乐清市北白象镇大桥村",  # a village the divisions do not list (renamed or merged since)
        "北白象镇大桥村",
        "北白象大桥村",  # the town's short name glued to it: the town and the levels above are the base's
    ],
)
def test_a_village_the_divisions_lack_named_alone_is_its_records_place(query):
    rows = [
        ("b5", "浙江省温州市乐清市北白象镇大桥村大桥路5号", 120.96, 28.06),
        ("b8", "浙江省温州市乐清市北白象镇大桥村8号", 120.98, 28.08),
        ("y1", "浙江省温州市乐清市北白象镇印屿村印屿路1号", 120.90, 28.00),
        ("h8", "浙江省温州市乐清市虹桥镇大桥村8号", 121.0, 28.2),  # another town's village of that name
    ]
    m = _base_of(rows).match(query)
    assert m is not None and (m.address_id, m.level) == (None, "community")
    assert m.standard == "浙江省温州市乐清市北白象镇大桥村"
    assert (m.x, m.y) == (pytest.approx(120.97), pytest.approx(28.07))


def test_a_community_of_a_county_without_towns_named_alone_is_that_community():
    """龙港市 has no town level: the code of its communities holds no town's."""
    rows = [
        ("z3", "浙江省温州市龙港市中段社区众兴巷3号", 120.55, 27.55),
        ("h5", "浙江省温州市龙港市环浦社区狮子山路5号", 120.56, 27.56),
    ]
    for query in ("温州市龙港市中段社区", "苍南县龙港镇中段社区"):
        m = _base_of(rows).match(query)
        assert m is not None and (m.level, m.standard) == ("community", "浙江省温州市龙港市中段社区"), query


@pytest.mark.parametrize("query", ["塘下上金二组11号", "瑞安市塘下镇上金2组11号", "篁社村1组4号"])
def test_a_village_written_without_its_mark_or_with_社_before_its_group_is_that_village(query):
    rows = [
        ("s11", "浙江省温州市瑞安市塘下镇上金村2组11号", 120.6, 27.8),
        ("h4", "浙江省温州市瑞安市马屿镇篁社村1组4号", 120.5, 27.7),
        ("x11", "浙江省温州市瑞安市塘下镇下金村2组11号", 120.61, 27.81),
    ]
    m = _base_of(rows).match(query)
    assert m is not None and m.address_id == ("h4" if "篁社" in query else "s11")


@pytest.mark.parametrize(
    ("query", "expected", "level"),
    [
        ("泽雅镇纸源村19号门口", "z19", "house_number"),  # a remark after a village door
        ("泽雅镇纸源村19号出租房", "z19", "house_number"),
        ("来电人反映泽雅镇纸源村19号旁边山体滑坡", "z19", "house_number"),
        ("泽雅镇纸源村桥头", None, "community"),  # a landmark in the village the base does not list
        # a compound the base lacks: its building and room are not those of the village's compound
        ("泽雅镇纸源村阳光花园3幢201室", None, "community"),
        ("泽雅镇纸源村兴隆广场3幢201室", "x201", "room"),
    ],
)
def test_a_place_the_base_lacks_in_a_village_leaves_the_village_door_or_the_village(query, expected, level):
    rows = [
        ("z19", "浙江省温州市瓯海区泽雅镇纸源村19号", 120.5, 28.0),
        ("z5", "浙江省温州市瓯海区泽雅镇纸源村5号", 120.5, 28.0),
        ("x201", "浙江省温州市瓯海区泽雅镇纸源村板仓路9号兴隆广场3幢2层201室", 120.5, 28.0),
    ]
    m = _base_of(rows).match(query)
    assert m is not None and (m.address_id, m.level) == (expected, level)


def test_a_division_match_says_what_the_base_lacks():
    m = _base_of([("z19", "浙江省温州市瓯海区泽雅镇纸源村19号", 120.5, 28.0)]).match("泽雅镇纸源村20号")
    assert m is not None and m.level == "community" and "20号" in m.explanation


def test_a_group_the_base_has_does_not_take_a_natural_village_door_of_that_number():
    """苏吕村2组9号: group 2 has no door 9; 下垟自然村9号 numbers its own doors and is another place."""
    rows = [
        ("a6", "浙江省温州市乐清市柳市镇苏吕村2组6号", 120.9, 28.0),
        ("n9", "浙江省温州市乐清市柳市镇苏吕村下垟自然村9号", 120.91, 28.01),
    ]
    built = _base_of(rows)
    m = built.match("柳市镇苏吕村2组9号")
    assert m is not None and m.address_id is None and m.level == "community"
    assert built.match("柳市镇苏吕村下垟9号").address_id == "n9"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("永兴沙园村26号", "s26"),  # 永兴: a town of 西沙群岛 too; the base's is 永兴街道
        ("楠溪村4号", "n4"),  # the one 楠溪村 of the divisions is in 湖南; the base has its own
        # 卧龙: 南阳's 卧龙区 and the base's 卧龙镇; the village, group and door after it stay
        ("卧龙谭庄村3组5号", "t5"),
    ],
)
def test_a_leading_town_or_village_read_as_one_elsewhere_is_the_base_s(query, expected):
    rows = [
        ("s26", "浙江省温州市龙湾区永兴街道沙园村26号", 120.8, 27.9),
        ("n4", "浙江省温州市永嘉县岩头镇楠溪村4号", 120.7, 28.3),
        ("t5", "湖北省襄阳市襄城区卧龙镇谭庄村3组5号", 112.0, 32.0),
        ("t6", "湖北省襄阳市襄城区卧龙镇谭庄村3组6号", 112.0, 32.0),
    ]
    m = _base_of(rows).match(query)
    assert m is not None and m.address_id == expected


def test_schools_of_two_kinds_or_numbers_are_different_places():
    for a, b in (("苏吕中学", "苏吕小学"), ("第一医院", "第二医院"), ("阳光花园一期", "阳光花园二期")):
        assert match_module.name_similarity(a, b) < 0.6, (a, b)
    assert match_module.name_similarity("温州二中", "温州市第二中学") >= 0.9


def test_a_village_the_base_lacks_named_alone_is_its_town():
    m = _base_of([("b5", "浙江省温州市乐清市北白象镇大桥村大桥路5号", 120.96, 28.06)]).match("北白象镇小桥村")
    assert m is not None and (m.level, m.standard) == ("town", "浙江省温州市乐清市北白象镇")


def test_a_village_door_the_base_has_only_in_a_namesake_village_of_another_county_answers_the_town():
    """乐清市大荆镇石坦村1组1号: the base's only 石坦村1组1号 lies in 永嘉县; the text's town is the answer, not None."""
    rows = [
        ("h1", "浙江省温州市永嘉县岩头镇石坦村1组1号", 120.7, 28.3),
        ("d5", "浙江省温州市乐清市大荆镇大园村1组5号", 121.1, 28.4),
    ]
    m = _base_of(rows).match("乐清市大荆镇石坦村1组1号")
    assert m is not None and (m.address_id, m.level, m.standard) == (None, "town", "浙江省温州市乐清市大荆镇")


@pytest.mark.parametrize(
    ("query", "town"),
    [
        ("乐清市北白象镇北白象工业区", "北白象镇"),
        ("北白象工业区", "北白象镇"),  # the town's short name opens the zone's
        ("柳市新光工业区", "柳市镇"),  # the town's short name glued to the zone
        ("乐清市柳市镇新光工业区", "柳市镇"),
    ],
)
def test_a_zone_named_alone_whose_records_lie_on_its_roads_is_its_town(query, town):
    rows = [
        ("a18", "浙江省温州市乐清市北白象镇北白象工业区华中路18号", 120.95, 28.05),
        ("a20", "浙江省温州市乐清市北白象镇北白象工业区华中路20号", 120.95, 28.05),
        ("c8", "浙江省温州市乐清市柳市镇新光工业区新光大道8号", 120.90, 28.03),
    ]
    m = _base_of(rows).match(query)
    assert m is not None and (m.address_id, m.level) == (None, "town")
    assert m.standard == f"浙江省温州市乐清市{town}"
    assert "zone" in m.explanation


def test_a_zone_with_a_place_the_base_lacks_is_no_record_but_its_town():
    rows = [("a18", "浙江省温州市乐清市北白象镇北白象工业区华中路18号", 120.95, 28.05)]
    built = _base_of(rows)
    for text, place in (
        ("乐清市北白象镇北白象工业区华西路3号", "华西路3号"),
        ("乐清市北白象镇北白象工业区某某电器有限公司", "某某电器"),
    ):
        m = built.match(text)
        assert (m.address_id, m.level) == (None, "town") and place in m.explanation
    assert built.match("乐清市北白象镇北白象工业区华中路18号").address_id == "a18"


@pytest.mark.parametrize("query", ["北白象镇琯头村上奥5号", "北白象镇琯头村上澳5号", "北白象镇琯头村上岙5号"])
def test_a_short_name_misspelt_by_sound_is_found(query):
    """上奥 for the natural village 上岙: one character of two differs, too far for a fuzzy lookup."""
    built = _base_of(
        [
            ("a5", "浙江省温州市乐清市北白象镇琯头村上岙自然村5号", 120.93, 28.05),
            ("b5", "浙江省温州市乐清市北白象镇琯头村下堡自然村5号", 120.94, 28.05),
        ]
    )
    m = built.match(query)
    assert m is not None and m.address_id == "a5"


def test_a_village_committee_is_found_by_its_record_the_village_is_not():
    built = build_base(
        [
            ("c", "浙江省温州市乐清市虹桥镇钱家垟村村民委员会", 121.0, 28.2),
            ("d5", "浙江省温州市乐清市虹桥镇钱家垟村3组5号", 121.01, 28.2),
        ]
    )
    assert built.match("乐清市虹桥镇钱家垟村村委会").address_id == "c"
    assert built.match("虹桥镇钱家垟村村民委员会").address_id == "c"
    m = built.match("乐清市虹桥镇钱家垟村")
    assert m is not None and (m.address_id, m.level) == (None, "community")


def test_a_group_door_is_not_the_door_of_the_same_number_on_a_road():
    """Doors of a villager group and doors on a road are numbered apart: 坎头村8组30号 is the village,
    not 坎头村前埔路30号."""
    base = _base_of(
        [
            ("r30", "乐清市大荆镇坎头村前埔路30号", 121.1, 28.4),
            ("r31", "乐清市大荆镇坎头村前埔路31号", 121.1, 28.4),
            ("g5", "乐清市大荆镇坎头村3组5号", 121.1, 28.4),
        ]
    )
    m = base.match("乐清大荆坎头村8组30号")
    assert m is not None and m.address_id is None and m.level == "community"
    assert base.match("乐清大荆坎头村前埔路30号").address_id == "r30"
    m = base.match("乐清大荆坎头村前埔路5号")
    assert m is None or m.address_id != "g5"


def test_a_county_short_name_does_not_carry_a_compound_of_another_county():
    """瑞安|润城华庭 with 润城华庭 only in 鹿城区: the retry with 瑞安 read into the name must not land on
    鹿城区's compound (the text names 瑞安市)."""
    base = _base_of(
        [
            ("l1", "鹿城区南汇街道福园街29号润城华庭1幢1单元101室", 120.6, 28.0),
            ("r1", "瑞安市安阳街道万松路1号", 120.6, 27.8),
        ]
    )
    m = base.match("瑞安润城华庭1幢1单元101室")
    assert m is None or m.address_id != "l1"
    assert base.match("鹿城润城华庭1幢1单元101室").address_id == "l1"


def test_a_door_numbered_with_a_dash_is_the_sub_door():
    base = _base_of(
        [
            ("d24", "苍南县灵溪镇英武二路24号", 120.4, 27.5),
            ("d24a1", "苍南县灵溪镇英武二路24号附1", 120.4, 27.5),
        ]
    )
    assert base.match("苍南英武二路24-1号").address_id == "d24a1"
    assert base.match("苍南英武二路24号之一").address_id == "d24a1"
    assert base.match("苍南英武二路24号").address_id == "d24"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("乐清柳市新光工业区旭升路18号正泰电器有限公司", "z18"),
        ("乐清柳市旭升路18号正泰电器有限公司", "z18"),
        ("乐清正泰电器有限公司", "z18"),
        ("乐清新光工业区旭升路20号", "z20"),
    ],
)
def test_a_firm_at_a_door_in_a_zone_named_after_the_community_is_found(query, expected):
    """The record names the community before the zone (东风社区|新光工业区): the zone is read as a zone
    there too, so the firm at the door is the compound on both sides."""
    base = _base_of(
        [
            ("z18", "浙江省温州市乐清市柳市镇东风社区新光工业区旭升路18号正泰电器有限公司", 121.0, 28.0),
            ("z20", "浙江省温州市乐清市柳市镇东风社区新光工业区旭升路20号", 121.0, 28.0),
        ]
    )
    assert base.match(query).address_id == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("宏达汽摩配件有限公司", "鑫达汽摩配件有限公司", False),  # another firm of the same trade
        ("中国银行温州五马支行", "中国工商银行温州五马支行", False),  # another bank
        ("中国农业银行瑞安马屿支行", "中国农业银行瑞安塘下支行", False),  # another branch
        ("瑞安市人民医院", "瑞安市中医院", False),
        ("华联超市", "华连超市", True),  # a slip of the same sound
        ("瑞安市塘下人名医院", "塘下人民医院", True),  # a near sound (min / ming), the county added
        ("伍马派出所", "五马派出所", True),  # a financial numeral is the numeral
        ("惠民鞋业公司", "温州惠民鞋业有限公司", True),  # 有限 and a division's name added
        ("农行塘下支行", "中国农业银行瑞安塘下支行", True),  # a bank's short form
        ("金融公馆", "金蓉公馆", True),  # a compound (公馆) is no organisation
    ],
)
def test_organisations_differing_in_their_own_words_are_two(a, b, same):
    assert (match_module.name_similarity(a, b) >= match_module._NAME_AGREE) is same


def test_a_road_of_one_characters_name_after_a_town_and_a_place_named_with_its_city():
    """五马蝉街88号: the town's short name before 蝉街, which the parser reads as one road, is parted from it
    when the town has 蝉街 and no 五马蝉街 (not matched to 五马街); 温州市墨驰小学 after its door is the base's
    墨池小学, whose city the base reads as a division."""
    base = build_base(
        [
            ("c88", "浙江省温州市鹿城区五马街道蝉街88号", 120.6577, 28.0158),
            ("w88", "浙江省温州市鹿城区五马街道五马街88号", 120.6560, 28.0150),
            ("s36", "浙江省温州市鹿城区五马街道墨池坊36号温州市墨池小学", 120.6483, 28.0189),
            ("d36", "浙江省温州市鹿城区五马街道墨池坊36号", 120.6483, 28.0189),
        ]
    )
    m = base.match("五马蝉街88号")
    assert m is not None and m.address_id == "c88"
    m = base.match("墨池坊36号温州市墨驰小学")
    assert m is not None and m.address_id == "s36"


def test_a_compound_named_after_another_town_of_the_county_after_the_county():
    """西湖区西溪|诚园: the parser reads 西溪 as 西溪街道, but the compound 西溪诚园 lies in 蒋村街道; the name
    written after the county (and the city) is retried as the start of the compound. A compound of
    that short name the base lacks stays unmatched."""
    base = build_base(
        [
            ("c402", "浙江省杭州市西湖区蒋村街道西溪诚园5幢1单元402室", 120.08, 30.27),
            ("c401", "浙江省杭州市西湖区蒋村街道西溪诚园5幢1单元401室", 120.08, 30.27),
            ("x1", "浙江省杭州市西湖区西溪街道学院路1号", 120.13, 30.27),
        ]
    )
    for text in ("杭州西湖区西溪诚园5幢1单元402室", "西湖区西溪诚园5-1-402", "杭州市西溪诚园5幢1单元402室"):
        m = base.match(text)
        assert m is not None and m.address_id == "c402", text
    m = base.match("西湖区西溪锦绣苑5幢1单元402室")
    assert m is None or m.address_id is None


def test_a_village_written_short_before_its_group():
    """东江嘴3组3号 (no 村, no divisions), 双浦东江嘴3组3号 (the town's short name glued to it) and
    姜山茅山3组5号 (茅山社区 read, though only villages have groups) are the base's village doors."""
    base = build_base(
        [
            ("d3", "浙江省杭州市西湖区双浦镇东江嘴村3组3号", 120.10, 30.15),
            ("d4", "浙江省杭州市西湖区双浦镇东江嘴村3组4号", 120.10, 30.15),
            ("m5", "浙江省宁波市鄞州区姜山镇茅山村3组5号", 121.55, 29.73),
            ("m6", "浙江省宁波市鄞州区姜山镇茅山村3组6号", 121.55, 29.73),
        ]
    )
    for text, expected in (("东江嘴3组3号", "d3"), ("双浦东江嘴3组3号", "d3"), ("姜山茅山3组5号", "m5")):
        m = base.match(text)
        assert m is not None and m.address_id == expected, text
    m = base.match("转塘东江嘴3组3号")  # not the short name of the village's town
    assert m is None or m.address_id != "d3"


def test_a_village_committee_named_with_its_village_and_a_compound_written_with_xiaoqu():
    """梅家坞村村委会 against a base writing the committee after its village (梅家坞村梅家坞村村民委员会);
    日月星城小区 for the base's 日月星城, a name without a kind word."""
    base = build_base(
        [
            ("w", "浙江省杭州市西湖区西湖街道梅家坞村梅家坞村村民委员会", 120.10, 30.20),
            ("d1", "浙江省杭州市西湖区西湖街道梅家坞村1号", 120.10, 30.20),
            ("r201", "浙江省宁波市鄞州区首南街道日月星城4幢1单元201室", 121.55, 29.82),
            ("r202", "浙江省宁波市鄞州区首南街道日月星城4幢1单元202室", 121.55, 29.82),
        ]
    )
    m = base.match("梅家坞村村委会")
    assert m is not None and m.address_id == "w"
    m = base.match("鄞州区日月星城小区4-1-201")
    assert m is not None and m.address_id == "r201" and m.score >= 0.9


def test_a_part_numbered_in_digits_and_a_hutong_numbered_apart():
    """和平里7区 (the community 和平里 read, then 7区) is the base's compound 和平里七区; 阳光花园2期 is
    阳光花园二期; 东四十二条, a hutong the base lacks, is not 东四十条 (numbered apart)."""
    base = build_base(
        [
            ("h1", "北京市东城区和平里街道和平里社区和平里七区9号楼2单元101", 116.41, 39.96),
            ("h2", "北京市东城区和平里街道和平里社区和平里七区9号楼2单元102", 116.41, 39.96),
            ("y1", "浙江省温州市鹿城区南汇街道阳光花园二期3幢1单元301室", 120.68, 28.0),
            ("y2", "浙江省温州市鹿城区南汇街道阳光花园一期3幢1单元301室", 120.68, 28.0),
            ("d5", "北京市东城区东四街道东四十条5号", 116.43, 39.93),
            ("d6", "北京市东城区东四街道东四十条6号", 116.43, 39.93),
        ]
    )
    for text, expected in (
        ("东城区和平里7区9号楼2单元101", "h1"),
        ("鹿城区阳光花园2期3幢1单元301室", "y1"),
        ("鹿城区阳光花园1期3-1-301", "y2"),
    ):
        m = base.match(text)
        assert m is not None and m.address_id == expected, text
    m = base.match("东城区东四十二条5号")
    assert m is None or m.address_id is None


def test_a_flat_numbered_on_its_floor_is_the_room_so_numbered():
    """3楼1号 (as 成都 and 重庆 write flats) is the base's 301室; a floor the base has no such room on stays
    at the unit."""
    base = build_base(
        [
            ("r301", "四川省成都市双流区东升街道棠湖花园2栋1单元301室", 104.0, 30.6),
            ("r302", "四川省成都市双流区东升街道棠湖花园2栋1单元302室", 104.0, 30.6),
            ("r1201", "四川省成都市双流区东升街道棠湖花园2栋1单元1201室", 104.0, 30.6),
        ]
    )
    for text, expected in (
        ("双流区棠湖花园2栋1单元3楼2号", "r302"),
        ("双流区棠湖花园2栋1单元12楼1号", "r1201"),
    ):
        m = base.match(text)
        assert m is not None and m.address_id == expected, text
    m = base.match("双流区棠湖花园2栋1单元5楼1号")
    assert m is not None and (m.address_id, m.level) == (None, "unit")


def test_a_room_lettered_by_its_tower_is_the_room_of_that_tower():
    """2栋B1503 (深圳) is the base's 2栋B座1503, and B座1503 a base's B1503; a number in both towers written
    without the letter ties them, and a lettered room the tower lacks stays at the building."""
    base = build_base(
        [
            ("b", "广东省深圳市南山区招商街道海月花园2栋", 113.9, 22.4),
            ("a1502", "广东省深圳市南山区招商街道海月花园2栋A座1502", 113.9, 22.4),
            ("a1505", "广东省深圳市南山区招商街道海月花园2栋A座1505", 113.9, 22.4),
            ("b1502", "广东省深圳市南山区招商街道海月花园2栋B座1502", 113.9, 22.4),
            ("b1503", "广东省深圳市南山区招商街道海月花园2栋B座1503", 113.9, 22.4),
            ("c701", "广东省深圳市南山区招商街道海月花园3栋C701室", 113.9, 22.4),
        ]
    )
    for text, expected in (
        ("海月花园2栋B1503", "b1503"),
        ("海月花园2栋A1505房", "a1505"),
        ("海月花园3栋C座701", "c701"),
        ("海月花园3栋C单元701", "c701"),
    ):
        m = base.match(text)
        assert m is not None and m.address_id == expected, text
    m = base.match("海月花园2栋1502")
    assert m is not None and (m.address_id, m.level, m.ambiguous) == ("b", "building", True)
    m = base.match("海月花园2栋B1505")
    assert m is not None and m.address_id == "b" and m.level == "building"


def test_shanghai_lanes_written_with_dashes_or_by_their_estate_are_found():
    """田林路200-8-203 is lane 200, its door 8, room 203; 田林十二村21号 the estate's building 21 (the base
    writes 200弄田林十二村21号, read 21幢); 宜山路700号田林九村3号 the lane 700弄, as the road has no door 700号
    though another road has one."""
    base = build_base(
        [
            ("l200", "上海市徐汇区田林街道田林路200弄", 121.42, 31.17),
            ("r8", "上海市徐汇区田林街道田林路200弄田林十二村8号203室", 121.42, 31.17),
            ("b21", "上海市徐汇区田林街道田林路200弄田林十二村21号", 121.42, 31.17),
            ("y15", "上海市徐汇区天平路街道永嘉路389弄15号102室", 121.45, 31.21),
            ("l700", "上海市徐汇区田林街道宜山路700弄田林九村3号101室", 121.42, 31.17),
            ("d700", "上海市徐汇区天平路街道永嘉路700号", 121.45, 31.21),
        ]
    )
    for text, expected in (
        ("田林路200-8-203", "r8"),
        ("永嘉路389-15-102", "y15"),
        ("田林十二村21号", "b21"),
        ("宜山路700号田林九村3号101室", "l700"),
    ):
        m = base.match(text)
        assert m is not None and m.address_id == expected, (text, m)


def test_an_estate_named_like_a_village_is_found_whatever_its_building_is_written_with():
    """长桥三村12号302室 reads 长桥三村 as a village with its door (made a building by the room after it);
    长桥三村12幢302室, 12号楼, 12栋 read it as an estate: the base's community of that name either way."""
    base = build_base(
        [
            ("c12", "上海市徐汇区长桥街道长桥三村12号302室", 121.44, 31.14),
            ("c13", "上海市徐汇区长桥街道长桥三村13号302室", 121.44, 31.14),
            ("d12", "上海市徐汇区长桥街道长桥四村12号302室", 121.44, 31.14),
        ]
    )
    for text in ("长桥三村12幢302室", "徐汇区长桥三村12号楼302室", "长桥街道长桥三村12栋302室"):
        m = base.match(text)
        assert m is not None and (m.address_id, m.level) == ("c12", "room"), (text, m)
    assert base.match("长桥三村25幢302室") is None


def test_a_group_or_door_a_village_lacks_is_its_record_no_surer_than_a_main_door():
    """麻料村99号, 麻料村9组, 麻料村3组99号 where the village lists groups 1-3 and their doors 5-6: the record
    that holds the place, at most 0.85, the explanation naming what it lacks; the village alone is its
    own record."""
    rows = [("v", "贵州省黔东南苗族侗族自治州雷山县西江镇麻料村", 108.1, 26.5)]
    for g in (1, 2, 3):
        rows.append((f"g{g}", f"贵州省黔东南苗族侗族自治州雷山县西江镇麻料村{g}组", 108.1, 26.5))
        rows += [
            (f"d{g}{d}", f"贵州省黔东南苗族侗族自治州雷山县西江镇麻料村{g}组{d}号", 108.1, 26.5)
            for d in (5, 6)
        ]
    base = build_base(rows)
    for text, expected, lacking in (
        ("雷山县西江镇麻料村99号", "v", "house_number"),
        ("麻料村9组", "v", "group"),
        ("麻料村3组99号", "g3", "house_number"),
    ):
        m = base.match(text)
        assert m is not None and m.address_id == expected and m.score <= 0.85, (text, m)
        assert f"lacks the input's {lacking}" in m.explanation, m.explanation
    m = base.match("西江镇麻料村")
    assert m is not None and (m.address_id, m.score) == ("v", 1.0)
    assert base.match("麻料村2组6号").address_id == "d26"


def test_a_village_miswritten_by_one_look_alike_character_is_the_towns_village_so_written():
    """鸟吉民村2组11号 in 郎德镇 (乌吉民村, OCR's 鸟 for 乌): the base's village of the town that name differs
    from in one character; 马各庄村 of 金盏地区, a village the divisions list there, is no slip of the base's
    曹各庄村."""
    rows = []
    for village, town, code in (
        ("乌吉民村", "贵州省黔东南苗族侗族自治州雷山县郎德镇", "w"),
        ("曹各庄村", "北京市朝阳区金盏地区", "c"),
    ):
        rows += [
            (f"{code}{g}{d}", f"{town}{village}{g}组{d}号", 108.0, 26.0) for g in (1, 2) for d in (11, 12)
        ]
    base = build_base(rows)
    m = base.match("雷山县郎德镇鸟吉民村2组11号")
    assert m is not None and m.address_id == "w211", m
    m = base.match("朝阳区金盏地区马各庄村2组11号")
    assert m is None or m.address_id is None, m


def test_a_room_is_written_as_the_base_writes_it_in_a_compound_found_by_likeness():
    """兴庆家园小区2号楼101室 where the base writes 兴庆嘉园2号楼1层1号 (西安: the floor and the flat on it): the
    compound found by its name's likeness, then its building's way of writing the room."""
    rows = [
        (f"r{b}{f}{k}", f"陕西省西安市碑林区长乐坊街道兴庆嘉园{b}号楼{f}层{k}号", 108.97, 34.26)
        for b in (1, 2)
        for f in (1, 2, 3)
        for k in (1, 2)
    ]
    # (another estate numbers its rooms 101室, so that the room as written is a room of the base)
    rows += [(f"j{r}", f"陕西省西安市碑林区长乐坊街道锦业花园2号楼{r}室", 108.97, 34.26) for r in (101, 302)]
    base = build_base(rows)
    for text in ("碑林区兴庆家园小区2号楼101室", "碑林区长乐坊街道兴庆嘉园小区2号楼302室"):
        m = base.match(text)
        assert m is not None and m.level == "room", (text, m)
        assert m.address_id == ("r211" if "101" in text else "r232"), (text, m)


def test_a_sub_door_the_road_lacks_is_looked_for_at_its_main_door_whatever_other_roads_have():
    """宽巷子22号附6: 宽巷子 has no such sub-door (芳草东街 has a 22号附6号): its main door, capped at 0.85."""
    base = build_base(
        [
            ("k22", "四川省成都市青羊区少城街道宽巷子22号", 104.05, 30.67),
            ("f22", "四川省成都市青羊区少城街道芳草东街22号附6号", 104.05, 30.67),
        ]
    )
    m = base.match("青羊区宽巷子22号附6")
    assert m is not None and m.address_id == "k22" and m.score <= 0.85


def test_a_lane_numbered_within_its_street_is_that_street_s_lane():
    """冼村北约大街3巷5号 and 冼村南约大街3巷5号 (广州's 城中村) are two addresses: a numbered lane written
    after its street is keyed by the street, not by its number alone."""
    base = build_base(
        [
            ("n5", "广东省广州市天河区冼村街道冼村社区冼村北约大街3巷5号", 113.33, 23.12),
            ("s5", "广东省广州市天河区冼村街道冼村社区冼村南约大街3巷5号", 113.33, 23.12),
        ]
    )
    assert not base.report.duplicate_addresses
    for text, expected in (("冼村北约大街3巷5号", "n5"), ("天河区冼村南约大街三巷5号", "s5")):
        m = base.match(text)
        assert m is not None and m.address_id == expected, (text, m)


def test_a_former_county_of_the_base_s_city_written_alone_is_read_as_it():
    """东山区庙前直街22号 (广州's 东山区, in 越秀区 since 2005, read as 鹤岗's current 东山区): the base's
    county that once bore the name."""
    base = build_base(
        [
            ("m22", "广东省广州市越秀区东山街道庙前直街22号", 113.29, 23.13),
            ("m24", "广东省广州市越秀区东山街道庙前直街24号", 113.29, 23.13),
        ]
    )
    m = base.match("东山区庙前直街22号")
    assert m is not None and m.address_id == "m22"


def test_a_door_number_left_unread_caps_the_score():
    """田林路200弄堂26号101室: 26号 after 弄堂 is left as a note; the lane's record is the answer, but the
    text names a door in it the match did not read, so it scores as one at a main door."""
    base = build_base(
        [
            ("l200", "上海市徐汇区田林街道田林路200弄", 121.42, 31.17),
            ("d8", "上海市徐汇区田林街道田林路200弄8号", 121.42, 31.17),
        ]
    )
    m = base.match("田林路200弄堂26号101室")
    assert m is not None and m.score <= 0.85
    m = base.match("田林路200弄")
    assert m is not None and m.address_id == "l200" and m.score > 0.9


def test_a_door_after_a_committee_is_no_seat_of_the_committee():
    """…新华街居委会建设路14号 is a door of the community, not the committee's seat: it does not outweigh the
    other district's 建设路14号, so the two tie for a text naming neither district."""
    base = build_base(
        [
            ("w14", "陕西省西安市未央区张家堡街道张家堡社区建设路14号", 108.9, 34.3),
            ("c14", "陕西省西安市长安区韦曲街道新华街居委会建设路14号", 108.9, 34.1),
        ]
    )
    m = base.match("建设路14号")
    assert m is not None and m.address_id is None and m.ambiguous


def test_a_place_written_without_the_word_of_its_kind_is_that_place():
    """小寨东路76号百盛: the base's 百盛购物中心 at that door (the door confirms the name written short);
    not another shop's kind (华联超市 / 华联商厦)."""
    base = build_base(
        [
            ("bs", "陕西省西安市雁塔区小寨路街道小寨东路76号百盛购物中心", 108.95, 34.22),
            ("d78", "陕西省西安市雁塔区小寨路街道小寨东路78号", 108.95, 34.22),
        ]
    )
    m = base.match("雁塔区小寨东路76号百盛")
    assert m is not None and m.address_id == "bs"
    assert match_module.name_similarity("华联超市", "华联商厦") < match_module._NAME_AGREE


def test_a_group_s_record_is_no_record_of_its_village_for_another_group():
    """陵北委5组 where the base has only 陵北委1组: the village, with no id (it was 1组's record at 0.978);
    陵北委1组 is its record."""
    base = build_base(
        [
            ("g1", "辽宁省沈阳市皇姑区三台子街道陵北委1组", 123.4, 41.9),
            ("g2", "辽宁省沈阳市皇姑区三台子街道陵北委2组", 123.4, 41.9),
        ]
    )
    m = base.match("皇姑区三台子街道陵北委5组")
    assert m is not None and m.address_id is None and m.level == "community"
    m = base.match("皇姑区陵北委1组")
    assert m is not None and m.address_id == "g1"


def test_a_town_the_text_does_not_write_does_not_rule_out_the_base_s_records():
    """白下区蓝旗新村6-201: the parser infers 大光路街道 from the gazetteer's 蓝旗新村社区; the base puts the
    estate in 光华路街道. The text names no town: the base's record is the answer."""
    base = build_base(
        [
            ("r", "江苏省南京市秦淮区光华路街道蓝旗新村6幢201室", 118.8, 32.0),
            ("s", "江苏省南京市秦淮区光华路街道蓝旗新村6幢202室", 118.8, 32.0),
        ]
    )
    m = base.match("南京市白下区蓝旗新村6-201")
    assert m is not None and m.address_id == "r"


def test_a_door_of_a_road_the_text_does_not_name_is_not_sure():
    """玄武区卫岗12号 (卫岗 read as the community 卫岗社区): the community's 孝陵卫街12号 is one of its doors
    numbered 12, on a road the text does not name: at most 0.85."""
    base = build_base(
        [
            ("x12", "江苏省南京市玄武区孝陵卫街道卫岗社区孝陵卫街12号", 118.8, 32.0),
            ("x14", "江苏省南京市玄武区孝陵卫街道卫岗社区孝陵卫街14号", 118.8, 32.0),
        ]
    )
    m = base.match("玄武区卫岗12号")
    assert m is None or m.score <= 0.85


def test_a_natural_village_the_base_lacks_leaves_the_village_and_a_double_village_alone_is_found():
    """龙上村双炕自然村5号: the base has no 双炕 (its doors are numbered in the natural village): the village,
    not None; 外村村2组3号 with no division is the base's village 外村 (外村村委会)."""
    base = build_base(
        [
            ("v5", "浙江省温州市文成县玉壶镇龙上村大湾自然村5号", 120.1, 27.8),
            ("v6", "浙江省温州市文成县玉壶镇龙上村大湾自然村6号", 120.1, 27.8),
            ("w3", "浙江省温州市文成县玉壶镇外村村2组3号", 120.1, 27.8),
            ("w4", "浙江省温州市文成县玉壶镇外村村2组4号", 120.1, 27.8),
        ]
    )
    m = base.match("文成县玉壶镇龙上村双炕自然村5号")
    assert m is not None and m.address_id is None and m.level == "community"
    m = base.match("外村村2组3号")
    assert m is not None and m.address_id == "w3"


def test_a_natural_village_the_base_lists_as_a_group_is_that_group_and_one_it_lacks_no_sure_answer():
    """从良村委会罗马村55号 where the base writes 从良村罗马村民小组55号 (海南's natural villages are its groups): the
    group's door; 后山村55号, no group of the base: the village's record, no surer than 0.85."""
    town = "海南省屯昌县乌坡镇从良村"
    base = build_base(
        [
            ("v", town, 110.1, 19.3),
            *[(f"r{d}", f"{town}罗马村民小组{d}号", 110.1, 19.3) for d in (54, 55)],
            *[(f"d{d}", f"{town}大坡村民小组{d}号", 110.1, 19.3) for d in (54, 55)],
        ]
    )
    m = base.match("屯昌县乌坡镇从良村委会罗马村55号")
    assert m is not None and m.address_id == "r55", m
    m = base.match("屯昌县乌坡镇从良村委会后山村55号")
    assert m is not None and m.address_id in (None, "v") and m.score <= 0.85, m


def test_a_lane_named_by_its_side_in_another_village_is_no_answer():
    """坑头村西二巷14号 where only 樟边村 has a 西二巷14号: every village has its 西二巷, so the other village's
    door is no answer (it was, at 0.988); the text's own village's lane is found."""
    town = "广东省广州市番禺区南村镇"
    base = build_base(
        [
            ("z14", f"{town}樟边村西二巷14号", 113.35, 23.0),
            ("k3", f"{town}坑头村西二巷3号", 113.35, 23.0),
        ]
    )
    m = base.match("番禺区南村镇坑头村西二巷14号")
    assert m is None or m.address_id is None, m
    assert base.match("番禺区南村镇坑头村西二巷3号").address_id == "k3"


def test_a_room_at_a_door_of_the_village_named_is_that_door_whatever_other_villages_have():
    """坑头村一巷1号301房 where 坑头村's door 一巷1号 has no rooms and 市头村 and 板桥村 have 一巷1号301房: the
    door of the village the text names (it was no answer), not another village's room."""
    town = "广东省广州市番禺区南村镇"
    rows = [("k1", f"{town}坑头村一巷1号", 113.35, 23.0), ("k2", f"{town}坑头村一巷2号", 113.35, 23.0)]
    for v in ("市头村", "板桥村"):
        rows += [(f"{v}{r}", f"{town}{v}一巷1号{r}房", 113.35, 23.0) for r in (301, 302)]
    base = build_base(rows)
    m = base.match("番禺区南村镇坑头村一巷1号301房")
    assert m is not None and (m.address_id, m.level) == ("k1", "house_number"), m
    assert base.match("番禺区南村镇市头村一巷1号301房").address_id == "市头村301"


def test_a_town_and_its_market_street_before_a_door_is_the_bases_place_so_named():
    """屯昌县枫木墟133号 where the base writes 枫木镇枫木墟133号 (枫木墟 read as its compound): that door."""
    base = build_base(
        [(f"f{d}", f"海南省屯昌县枫木镇枫木墟{d}号", 110.0, 19.5) for d in (132, 133)]
        + [("c1", "海南省屯昌县枫木镇冯宅村1号", 110.0, 19.5)]
    )
    m = base.match("屯昌县枫木墟133号")
    assert m is not None and m.address_id == "f133", m


def test_a_compound_a_character_off_is_no_surer_than_a_main_door():
    """阳光花城5栋2单元801室 where the base has only 阳光城 (and numbers its rooms alike): not the typo it may
    be, so at most 0.85; 阳光城 cut short to nothing, or with a character doubled, keeps its score."""
    rows = [
        (f"r{b}{u}", f"安徽省合肥市庐阳区双岗街道阳光城{b}栋{u}单元801室", 117.28, 31.87)
        for b in (3, 5)
        for u in (1, 2)
    ]
    base = build_base(rows)
    m = base.match("庐阳区双岗街道阳光花城5栋2单元801室")
    assert m is None or m.score <= 0.85, m
    m = base.match("庐阳区双岗街道阳光城5栋2单元801室")
    assert m is not None and m.address_id == "r52" and m.score >= 0.9


_NAMEI = [
    ("m1", "广西壮族自治区南宁市横州市平朗镇那眉村委会那眉村1号", 109.2, 22.7),
    ("m2", "广西壮族自治区南宁市横州市平朗镇那眉村委会那眉村2号", 109.2, 22.7),
    ("l2", "广西壮族自治区南宁市横州市平朗镇那眉村委会林屋村2号", 109.21, 22.71),
    ("l3", "广西壮族自治区南宁市横州市平朗镇那眉村委会林屋村3号", 109.21, 22.71),
]


@pytest.mark.parametrize("query", ["那眉村委会林屋村1号", "横州市平朗镇那眉村委会林屋村1号"])
def test_a_door_the_natural_village_lacks_is_not_the_villages_door_so_numbered(query):
    """林屋村 (a natural village of 那眉村委会 the base has) lacks a 1号: the village's own 1号 is another
    house: the natural village answers, as a road does for a door it lacks, or the door at most as sure
    as a door without its road (0.85)."""
    m = _base_of(_NAMEI).match(query)
    assert m is None or m.score <= 0.85 or (m.address_id is None and m.standard.endswith("林屋村"))


@pytest.mark.parametrize("query", ["那眉村委会那眉村1号", "横州市那眉村委会那眉村1号", "那眉村1号"])
def test_a_village_written_again_after_its_committee_is_no_natural_village(query):
    """那眉村委会|那眉村|1号: the village written formally, then again as the base reads it (once)."""
    m = _base_of(_NAMEI).match(query)
    assert m is not None and m.address_id == "m1" and m.score >= 0.9


_YANGHE = [
    ("e0", "重庆市江北区观音桥街道洋河花园社区洋河花园", 106.53, 29.58),
    ("e1", "重庆市江北区观音桥街道洋河花园社区洋河花园1栋", 106.53, 29.58),
    ("d1", "重庆市江北区观音桥街道洋河花园社区建新北路1号", 106.531, 29.581),
]


@pytest.mark.parametrize(
    ("query", "expected", "level"),
    [
        ("江北区洋河花园", "e0", "poi"),  # the estate the community is named after, written alone
        ("洋河花园", "e0", "poi"),
        ("江北区洋河花园社区", None, "community"),  # written with its mark: the community
        ("江北区洋河花园1栋", "e1", "building"),
    ],
)
def test_a_community_named_after_its_estate_and_written_last_without_its_mark_is_the_estate(
    query, expected, level
):
    m = _base_of(_YANGHE).match(query)
    assert m is not None and (m.address_id, m.level) == (expected, level)


def test_a_community_named_like_an_estate_the_base_lacks_stays_the_community():
    m = _base_of(_YANGHE[2:]).match("江北区洋河花园")
    assert m is not None and (m.address_id, m.level) == (None, "community")


_NANPING = [
    ("s29", "重庆市南岸区南坪街道南坪正街29号", 106.57, 29.53),
    ("s31", "重庆市南岸区南坪街道南坪正街31号", 106.57, 29.53),
    ("j2", "重庆市南岸区南坪镇江南大道2号", 106.58, 29.52),
]


def test_a_town_written_with_the_kind_of_its_namesake_town_is_no_other_town():
    """南坪镇南坪正街29号, where 南坪正街 lies in 南坪街道 (which took the town's seat): the record, not the
    county; a town of another name still rules the records out."""
    m = _base_of(_NANPING).match("南岸区南坪镇南坪正街29号")
    assert m is not None and m.address_id == "s29" and m.score >= 0.9
    m = _base_of(_NANPING).match("南岸区花园路街道南坪正街29号")
    assert m is not None and m.address_id is None and m.level == "county"


def test_a_groups_record_is_matched_with_its_group_in_the_standard_address():
    base = _base_of(
        [
            ("g3", "重庆市璧山区丁家街道石垭村3社", 106.16, 29.65),
            ("g3d5", "重庆市璧山区丁家街道石垭村3社5号", 106.16, 29.65),
            ("g1", "重庆市璧山区丁家街道石垭村1社", 106.17, 29.65),
        ]
    )
    m = base.match("璧山区丁家街道石垭村3社99号")
    assert m is not None and m.address_id == "g3" and m.score < 0.9
    assert m.standard.endswith("石垭村3组")


_LANES = [
    ("h1", "福建省厦门市思明区筼筜街道一里社区湖滨一里1号", 118.11, 24.48),
    ("h1r", "福建省厦门市思明区筼筜街道一里社区湖滨一里1号101室", 118.11, 24.48),
    ("h17", "福建省厦门市思明区筼筜街道一里社区湖滨一里17号", 118.111, 24.481),
    ("h17r", "福建省厦门市思明区筼筜街道一里社区湖滨一里17号402室", 118.111, 24.481),
    ("p1", "福建省厦门市湖里区江头街道后埔社区后埔社1号", 118.14, 24.5),
    ("p1r", "福建省厦门市湖里区江头街道后埔社区后埔社1号101室", 118.14, 24.5),
    ("p34", "福建省厦门市湖里区江头街道后埔社区后埔社341号401室", 118.141, 24.5),
]


@pytest.mark.parametrize(
    ("query", "expected", "level"),
    [
        ("思明区湖滨一里", None, "poi"),  # the lane, not the record of its door 1
        ("湖滨一里1号", "h1", "poi"),
        ("湖滨一里17号402室", "h17r", "room"),
        ("湖滨一里17-402", "h17r", "room"),
        ("江头后埔社341-401", "p34", "room"),
        ("后埔社1号101室", "p1r", "room"),
        ("湖里区后埔社", None, "poi"),
    ],
)
def test_doors_numbered_in_a_lane_or_natural_village_read_as_a_compound(query, expected, level):
    """湖滨一里17号, 后埔社1号 (厦门): a lane or 社 the parser reads as a compound numbers its doors; a text
    naming it alone is the compound, at whatever doors its records stand."""
    m = _base_of(_LANES).match(query)
    assert m is not None and (m.address_id, m.level) == (expected, level)
    assert "号湖滨" not in m.standard and "号后埔" not in m.standard  # the door written after its compound


def test_a_door_a_natural_village_lacks_is_not_its_door_one():
    m = _base_of(_LANES).match("湖里区后埔社223号")
    assert m is None or m.address_id is None


_JINDU = [
    ("e", "山东省青岛市市南区江西路9号金都花园", 120.38, 36.07),
    *[
        (f"b{b}r", f"山东省青岛市市南区江西路9号金都花园{b}号楼1单元101户", 120.38, 36.07)
        for b in (1, 2, 3, 4)
    ],
    ("d7", "山东省青岛市市南区江西路7号", 120.381, 36.071),
]


@pytest.mark.parametrize(
    ("query", "expected", "sure"),
    [
        ("江西路9号金都花园5号楼1单元101户", "e", False),  # the estate lists buildings 1-4, no 5
        ("金都花园5号楼", "e", False),
        ("江西路9号金都花园3号楼1单元101户", "b3r", True),
        ("江西路7号3号楼101室", "d7", True),  # the base lists nothing under door 7: the door is the answer
    ],
)
def test_a_finer_part_the_base_lacks_though_it_lists_others_there_is_not_a_sure_match(query, expected, sure):
    m = _base_of(_JINDU).match(query)
    assert m is not None and m.address_id == expected
    assert (m.score >= 0.9) == sure


_DALIAN = [
    ("d41", "辽宁省大连市中山区人民路41号", 121.64, 38.92),
    *[
        (f"f{u}{fl}{n}", f"辽宁省大连市中山区人民路41号{u}单元{fl}层{n}号", 121.64, 38.92)
        for u in (1, 2)
        for fl in (1, 2, 3)
        for n in (1, 2)
    ],
    ("j40", "黑龙江省哈尔滨市道里区经纬街40号", 126.6, 45.76),
    ("j40r", "黑龙江省哈尔滨市道里区经纬街40号2单元501室", 126.6, 45.76),
    ("c47", "安徽省合肥市庐阳区长江中路47号", 117.28, 31.86),
    ("c47r", "安徽省合肥市庐阳区长江中路47号1单元602室", 117.28, 31.86),
    ("c47u", "安徽省合肥市庐阳区长江中路47号2单元", 117.28, 31.86),
    ("c49", "安徽省合肥市庐阳区长江中路49号", 117.28, 31.86),
    ("c49r", "安徽省合肥市庐阳区长江中路49号1幢602室", 117.28, 31.86),
]


@pytest.mark.parametrize(
    ("query", "expected", "sure"),
    [
        ("大连市中山区人民路41号2-3-1", "f231", True),  # unit-floor-flat, as the door's records are written
        ("人民路41号1-2-2", "f122", True),
        ("人民路41号3-1-1", "d41", False),  # no unit 3 there: the door, not a sure match
        ("经纬街40-2-501", "j40r", True),  # the door, its unit and room written with dashes after the road
        ("经纬街40号3栋501室", "j40", False),  # a building under a door whose base lists units only
        ("长江中路47号1-602", "c47r", True),  # unit and room, where the door's records have units only
        ("长江中路47号2-301", "c47u", True),  # the unit (the base lists no rooms under it)
        ("长江中路49号1-602", "c49r", True),  # building and room, where the door's records have buildings
    ],
)
def test_dashes_after_a_door_or_road_are_read_as_the_base_writes_them(query, expected, sure):
    m = _base_of(_DALIAN).match(query)
    assert m is not None and m.address_id == expected
    assert (m.score >= 0.9) == sure


def test_a_door_only_a_namesake_road_elsewhere_has_leaves_the_texts_own_road():
    """长春市宽城区长江路76号 where only 大连's 长江路 has a 76号: the door found lies outside the city the
    text names, so 宽城区's 长江路 answers at road level (it was None)."""
    base = _base_of(
        [
            ("c72", "吉林省长春市宽城区站前街道长江路72号", 125.33, 43.9),
            ("c80", "吉林省长春市宽城区站前街道长江路80号", 125.33, 43.9),
            ("d76", "辽宁省大连市西岗区长江路76号", 121.62, 38.92),
        ]
    )
    m = base.match("长春市宽城区长江路76号")
    assert m is not None and m.address_id is None and m.level == "road" and "宽城区" in m.standard


def test_one_door_in_two_cities_ties_though_one_has_a_named_place_at_it():
    """中山东路241号 with no city, a bare door in 石家庄 and the door of a government office in 呼和浩特: the
    text fits both alike; the office's record only has more (it was 石家庄's door at 0.98)."""
    base = _base_of(
        [
            ("s", "河北省石家庄市长安区中山东路241号", 114.5, 38.04),
            ("h", "内蒙古自治区呼和浩特市新城区中山东路241号新城区人民政府", 111.67, 40.82),
            ("s2", "河北省石家庄市长安区中山东路243号", 114.5, 38.04),
        ]
    )
    m = base.match("中山东路241号")
    assert m is not None and m.address_id is None and m.ambiguous
    assert base.match("石家庄中山东路241号").address_id == "s"
    assert base.match("中山东路241号新城区人民政府").address_id == "h"


def test_a_town_misspelt_by_sound_with_no_county_written_is_the_bases_one_town_of_that_sound():
    """李水镇 for 里水镇, 张普镇 for 张浦镇 with no county: the base has one town of each sound (a county
    written keeps to its own towns, a province to its own)."""
    base = build_base(
        [
            ("n2", "广东省佛山市南海区里水镇环镇北路2号", 113.1, 23.2),
            ("n3", "广东省佛山市南海区里水镇环镇北路3号", 113.1, 23.2),
            ("k2", "江苏省苏州市昆山市张浦镇阳光东路2号", 120.9, 31.3),
        ]
    )
    for text, expected in (
        ("李水镇环镇北路2号", "n2"),
        ("张普镇阳光东路2号", "k2"),
        ("南海区李水镇环镇北路3号", "n3"),
    ):
        m = base.match(text)
        assert m is not None and m.address_id == expected, text
    assert base.match("江苏省李水镇环镇北路2号") is None


def test_a_compound_named_like_a_village_is_the_bases_compound():
    """中华园西村 is read as a village by its form; the base has it as a compound (its buildings written in
    Chinese numerals or digits alike)."""
    base = build_base(
        [
            ("c7", "江苏省苏州市昆山市玉山镇中华园西村7幢2单元401室", 120.95, 31.38),
            ("c9", "江苏省苏州市昆山市玉山镇中华园西村9幢2单元301室", 120.95, 31.38),
        ]
    )
    m = base.match("昆山玉山镇中华园西村七幢二单元401房")
    assert m is not None and m.address_id == "c7"
    m = base.match("苏州市昆山市玉山中华园西村")
    assert m is not None and (m.address_id, m.level) == (None, "poi")


def test_a_room_number_is_the_flat_on_its_floor_where_the_base_writes_it_so():
    """202室 / 2-3-... against a base of 重庆 writing 2楼2号 (floor 2, flat 2); a floor the base lacks
    stays at the unit."""
    base = build_base(
        [
            (f"c{f}{n}", f"重庆市渝中区解放碑街道民族路88号某某花园3栋1单元{f}楼{n}号", 106.57, 29.55)
            for f in (1, 2, 12)
            for n in (1, 2)
        ]
    )
    for text, expected in (("渝中区某某花园3栋1单元202室", "c22"), ("渝中区某某花园3栋1单元1201室", "c121")):
        m = base.match(text)
        assert m is not None and m.address_id == expected, text
    m = base.match("渝中区某某花园3栋1单元505室")
    assert m is not None and (m.address_id, m.level) == (None, "unit")


def test_a_room_under_a_building_the_record_lacks_is_not_the_doors_own_room():
    """新建路29号星河湾畔2栋1单元302室 where the base lists only the house at 新建路29号 and its rooms: the
    room of a building the base does not have at that door is not the house's 302室 (at most the door)."""
    base = build_base(
        [("d29", "浙江省温州市瑞安市陶山镇均岙村新建路29号", 120.5, 27.7)]
        + [(f"r{n}", f"浙江省温州市瑞安市陶山镇均岙村新建路29号{n}室", 120.5, 27.7) for n in (101, 302)]
    )
    m = base.match("瑞安市陶山镇均岙村新建路29号星河湾畔2栋1单元302室")
    assert m is None or (m.address_id != "r302" and m.level != "room")
    m = base.match("瑞安市陶山镇均岙村新建路29号302室")
    assert m is not None and m.address_id == "r302"


def test_a_floor_and_flat_written_with_a_dash_meet_the_other_ways_of_writing_the_room():
    """重庆 writes the third flat of the twelfth floor 12-3: it is the base's 1203室 and its 12楼3号; the
    base's 12-3 is the text's 1203室 and 12楼3号; a floor the base lacks stays at the unit."""
    numbered = build_base(
        [
            (f"n{f}{n}", f"重庆市江北区观音桥街道建新北路66号东和春天3栋2单元{f}{n:02d}室", 106.53, 29.58)
            for f in (9, 12)
            for n in (2, 3)
        ]
    )
    dashed = build_base(
        [
            (f"d{f}{n}", f"重庆市江北区观音桥街道建新北路66号东和春天3栋2单元{f}-{n}", 106.53, 29.58)
            for f in (9, 12)
            for n in (2, 3)
        ]
    )
    for base, prefix in ((numbered, "n"), (dashed, "d")):
        for text, expected in (
            ("江北区东和春天3栋2单元12-3", "123"),
            ("江北区东和春天3栋2单元1203室", "123"),
            ("江北区东和春天3栋2单元12楼3号", "123"),
            ("东和春天3栋2单元9-2", "92"),
        ):
            m = base.match(text)
            assert m is not None and m.address_id == prefix + expected, (prefix, text)
        m = base.match("江北区东和春天3栋2单元5-1")
        assert m is not None and (m.address_id, m.level) == (None, "unit"), prefix


def test_the_number_after_a_lane_is_its_building_however_the_base_writes_it():
    """上海: 100弄3号楼 where the base writes the door 100弄3号, and 100弄3号 where it writes the lane
    100弄 with its buildings 3幢; a building the lane lacks stays at the lane."""
    doors = _base_of(
        [(f"d{n}", f"上海市徐汇区天平路街道衡山路100弄{n}号", 121.44, 31.20) for n in (1, 2, 3)]
        + [("d9", "上海市徐汇区天平路街道衡山路9号", 121.44, 31.20)]
    )
    m = doors.match("徐汇区衡山路100弄3号楼")
    assert m is not None and (m.address_id, m.level) == ("d3", "house_number")
    rooms = _base_of(
        [
            (f"r{b}{r}", f"上海市徐汇区衡山路100弄{b}幢{r}室", 121.44, 31.20)
            for b in (1, 3)
            for r in (101, 201)
        ]
    )
    for text in ("徐汇区衡山路100弄3号201室", "衡山路100弄3号楼201室", "衡山路100弄3-201"):
        m = rooms.match(text)
        assert m is not None and m.address_id == "r3201", text
    m = rooms.match("衡山路100弄3号")
    assert m is not None and (m.address_id, m.level) == (None, "building")
    m = rooms.match("衡山路100弄9号201室")
    assert m is not None and (m.address_id, m.level, m.standard) == (
        None,
        "house_number",
        "上海市徐汇区衡山路100弄",
    )


def test_a_room_is_matched_as_its_building_writes_rooms_where_the_base_writes_both_ways():
    """One compound writes 302室, another 3楼2号 (成都): each text finds the room in its own building,
    whichever way it is written, not the unit for want of the room."""
    one = ["锦荷路54号锦荷新村1栋2单元"] + [
        f"锦荷路54号锦荷新村1栋2单元{f}0{p}室" for f in (1, 2, 3) for p in (1, 2)
    ]
    two = ["棕榈北街31号棕榈苑3栋2单元"] + [
        f"棕榈北街31号棕榈苑3栋2单元{f}楼{p}号" for f in (1, 2, 3) for p in (1, 2)
    ]
    built = _base_of([(f"r{i}", text, 104.05, 30.63) for i, text in enumerate(one + two)])
    for text, expected in (
        ("锦荷路54号锦荷新村1栋2单元3楼2号", "r6"),
        ("锦荷新村1栋2单元302室", "r6"),
        ("棕榈北街31号棕榈苑3栋2单元302室", "r13"),
        ("棕榈苑3栋2单元3楼2号", "r13"),
    ):
        m = built.match(text)
        assert m is not None and (m.address_id, m.level) == (expected, "room"), text


def test_a_town_name_nobody_knows_contradicts_no_record():
    """An invented 某某镇: no code, not in the base; the door is found as if no town were written, and a
    door in two towns is a tie. 机投镇 (since 机投桥街道) is read by its namesake community (机投社区 of
    机投桥街道) as that town. A known other town still contradicts."""
    built = _base_of(
        [
            ("r0", "成都市武侯区机投桥街道机投社区竹林街62号", 104.0, 30.6),
            ("r1", "成都市武侯区机投桥街道机投社区竹林街64号", 104.0, 30.6),
            ("r2", "成都市武侯区簇桥街道竹林街62号", 104.0, 30.6),
        ]
    )
    m = built.match("成都市武侯区某某镇竹林街64号")
    assert m is not None and m.address_id == "r1"
    m = built.match("成都市武侯区某某镇竹林街62号")
    assert m is not None and m.address_id is None and m.ambiguous
    m = built.match("成都市武侯区机投镇竹林街62号")
    assert m is not None and m.address_id == "r0"
    m = built.match("成都市武侯区红牌楼街道竹林街64号")
    assert m is not None and (m.address_id, m.level) == (None, "county")


def test_a_road_the_base_has_nowhere_before_a_compound_it_has_is_left_unread_less_surely():
    """浆洗街 (a town's short name read as a road) or 某某路 before 锦城花园二期: the compound's room, at a
    score below 0.9, with the road named in the explanation."""
    built = _base_of(
        [
            (
                f"r{b}{u}{r}",
                f"成都市武侯区浆洗街街道楠欣社区桂荫路29号锦城花园二期{b}栋{u}单元{r}号",
                104.05,
                30.64,
            )
            for b in (1, 2)
            for u in (1, 2)
            for r in (501, 502)
        ]
    )
    for text in ("成都 武侯浆洗街锦城花园二期2栋1单元502号", "武侯区某某路锦城花园二期2栋1单元502号"):
        m = built.match(text)
        assert m is not None and m.address_id == "r21502" and m.score < 0.9, text
        assert "not in the base, left unread" in m.explanation
    m = built.match("武侯区锦城花园二期2栋1单元502号")
    assert m is not None and m.address_id == "r21502" and m.score == 1.0


def test_a_community_cell_left_blank_in_some_records_splits_nothing():
    """Rooms of one unit, one record without its 社区: the unit and the compound are one place with a
    point, not a tie split by community."""
    built = _base_of(
        [
            (
                f"r{r}",
                f"浙江省温州市永嘉县瓯北街道{'' if r == 202 else '城中社区'}阳光花园5幢1单元{r}室",
                120.65,
                28.1,
            )
            for r in (101, 102, 201, 202)
        ]
    )
    for text, level in (("永嘉县瓯北街道阳光花园5幢1单元", "unit"), ("阳光花园", "poi")):
        m = built.match(text)
        assert m is not None and (m.level, m.ambiguous) == (level, False) and m.x is not None, text


def test_a_phase_the_base_writes_no_compound_with_is_matched_less_surely():
    """翠屏家园二期 against a base with 翠屏家园 alone: its room, below 0.9 (the same estate, or a phase the
    base does not list); the compound as the base writes it, surely."""
    built = _base_of(
        [
            (f"c{b}{r}", f"成都市武侯区簇桥街道翠屏路8号翠屏家园{b}号楼1单元{r}室", 104.0, 30.6)
            for b in (1, 2)
            for r in (101, 102)
        ]
    )
    m = built.match("武侯区翠屏家园二期1号楼1单元101室")
    assert m is not None and m.address_id == "c1101" and m.score < 0.9
    m = built.match("武侯区翠屏家园1号楼1单元101室")
    assert m is not None and m.address_id == "c1101" and m.score == 1.0


def test_names_told_apart_by_a_pair_of_opposites_are_two_places():
    """锦绣江南 / 锦绣江北, 东城根上街 / 东城根下街: other places, not slips; 外滩 / 北滩 (no pair) stays a slip."""
    assert match_module.name_similarity("锦绣江南", "锦绣江北") < match_module._NAME_AGREE
    assert match_module.name_similarity("东城根上街", "东城根下街") < match_module._NAME_AGREE
    assert match_module.name_similarity("外滩大道", "北滩大道") >= match_module._NAME_AGREE


def test_a_town_short_name_glued_to_a_compound_of_the_base_is_that_town():
    """瓯北锦绣江南, 水头朝阳新村: read as one compound the base lacks, they are the town and its compound
    (it came through a fuzzy match at 0.9)."""
    built = _base_of(
        [
            ("j", "浙江省温州市永嘉县瓯北街道东瓯社区江北大道88号锦绣江南2幢501室", 120.65, 28.1),
            ("s", "浙江省温州市平阳县水头镇城中社区新城大道5号朝阳新村2幢501室", 120.4, 27.6),
        ]
    )
    for text, expected in (("瓯北锦绣江南2幢501室", "j"), ("水头朝阳新村2幢501室", "s")):
        m = built.match(text)
        assert m is not None and m.address_id == expected and m.score == 1.0, text


def test_two_directions_of_one_name_and_hutongs_numbered_in_a_row_are_two_places():
    """红莲中里 / 红莲南里 (parts of one estate), 西四北头条 / 西四北九条 (hutongs in a row): not slips."""
    assert match_module.name_similarity("红莲中里", "红莲南里") < match_module._NAME_AGREE
    assert match_module.name_similarity("西四北头条", "西四北九条") < match_module._NAME_AGREE
    assert match_module.name_similarity("红莲南里", "红连南里") >= match_module._NAME_AGREE


def test_a_compound_named_by_its_side_is_not_the_compound_without_it():
    """华威里 / 华威西里, 望京园 / 望京西园 (Beijing's 里 and 园 by their side of a place): as often another
    compound as the same one: they agree at most as a road with a direction on one side only."""
    for a, b in (("华威里", "华威西里"), ("望京园", "望京西园"), ("杨家村", "杨家东村")):
        assert match_module.name_similarity(a, b) <= match_module._ONE_DIRECTION, (a, b)
    base = build_base([("w3", "北京市朝阳区潘家园街道华威西里3号楼1单元", 116.46, 39.87)])
    m = base.match("华威里3号楼1单元", score_cutoff=0.0)
    assert m is None or m.score < 0.85


def _shanghai_lanes() -> AddressBase:
    """Shanghai's 新村 in lanes, written road, lane, estate, numbered house, room (a 居委会 of the gazetteer
    is named like 田林十二村 and 古美一村); an estate named after the city."""
    rows = []
    for lane, estate, town in (
        ("田林路200弄", "田林十二村", "徐汇区田林街道"),
        ("百色路989弄", "长桥三村", "徐汇区长桥街道"),
        ("古美西路255弄", "古美一村", "闵行区古美街道"),
        ("莘松路958弄", "上海康城", "闵行区莘庄镇"),
    ):
        for house in (3, 15):
            for room in (301, 402):
                rows.append(
                    (f"{estate}{house}-{room}", f"上海市{town}{lane}{estate}{house}号{room}室", 121.4, 31.2)
                )
    return _base_of(rows)


def test_a_shanghai_estate_written_as_its_committee_or_after_the_city_is_the_base_compound():
    """田林十二村15号301室 (the gazetteer's 居委会, with its code), 长桥三村15号402室 (not 长桥|三村, a town's
    short name and a village), 古美1村3号301室, 上海康城3号402室 (上海 read as the province): the room."""
    built = _shanghai_lanes()
    for text, expected in (
        ("田林十二村15号301室", "田林十二村15-301"),
        ("长桥三村15号402室", "长桥三村15-402"),
        ("古美1村3号301室", "古美一村3-301"),
        ("上海康城3号402室", "上海康城3-402"),
    ):
        m = built.match(text)
        assert m is not None and m.address_id == expected, (text, m)


def test_a_lane_written_as_a_door_before_its_estate_is_the_lane():
    """田林路200号田林十二村15号301室: the base has the lane 200弄 and no door 200号; with the estate and its
    house after it, the number is the lane. The road and door alone stay a door the base lacks."""
    built = _shanghai_lanes()
    m = built.match("徐汇区田林路200号田林十二村15号301室")
    assert m is not None and m.address_id == "田林十二村15-301"
    m = built.match("徐汇区田林路200号")
    assert m is None or m.address_id is None


def _guangzhou_village() -> AddressBase:
    """A 城中村 of 广州 whose village is a 社区 now: doors on its streets, and rebuilt buildings standing in
    the community itself with no road or compound (猎德社区A3栋2梯2102室)."""
    rows = [
        (f"x{n}", f"广东省广州市天河区冼村街道冼村社区北约大街{n}号", 113.33, 23.12) for n in (9, 11, 13)
    ] + [
        (f"l{b}{r}", f"广东省广州市天河区猎德街道猎德社区{b}栋2梯{r}室", 113.33, 23.11)
        for b in ("A3", "B5")
        for r in (2101, 2102)
    ]
    return _base_of(rows)


def test_buildings_standing_in_a_community_are_found_by_the_community():
    """猎德社区A3栋2梯2102室: no road or compound to block on; the community's records answer. The village
    written with its old mark (猎德村) is the base's 社区."""
    built = _guangzhou_village()
    for text in ("天河区猎德街道猎德社区A3栋2梯2102室", "猎德村A3栋2梯2102"):
        m = built.match(text)
        assert m is not None and m.address_id == "lA32102", (text, m)
    m = built.match("猎德村A9栋2梯1001")
    assert m is None or m.address_id is None


def test_divisions_inferred_from_a_namesake_elsewhere_do_not_exclude_the_base():
    """冼村北约大街11号: the parser places 冼村 in 广西 (藤县), a county the base has no record in; those
    inferred divisions are left unread and the door of 冼村社区 answers."""
    built = _guangzhou_village()
    m = built.match("冼村北约大街11号")
    assert m is not None and m.address_id == "x11"


def _shenzhen_villages() -> AddressBase:
    return _base_of(
        [
            ("g6", "广东省深圳市宝安区西乡街道固戍社区固戍村1巷6号", 113.866, 22.584),
            ("g8", "广东省深圳市宝安区西乡街道固戍社区固戍村1巷8号", 113.866, 22.585),
            ("t7", "广东省深圳市龙岗区坂田街道岗头社区岗头村1巷7号", 114.072, 22.631),
            ("x27", "广东省深圳市福田区沙头街道下沙社区下沙村五坊27号", 114.031, 22.527),
            ("x28", "广东省深圳市福田区沙头街道下沙社区下沙村五坊28号", 114.031, 22.528),
            ("b87", "广东省深圳市龙华区民治街道白石龙社区白石龙老村87号", 114.040, 22.600),
            ("m3", "广东省深圳市福田区梅林街道梅林一村3栋", 114.046, 22.565),
            ("m403", "广东省深圳市福田区梅林街道梅林一村3栋403房", 114.046, 22.565),
            ("hA", "广东省深圳市南山区粤海街道海月花园8栋A座2402", 113.940, 22.520),
            ("hB", "广东省深圳市南山区粤海街道海月花园8栋B座2402", 113.940, 22.521),
            ("s21", "广东省深圳市南山区沙河街道上白石社区白石洲上白石村二坊3巷21号", 113.970, 22.539),
            ("d21", "广东省深圳市南山区沙河街道下白石社区白石洲下白石村二坊3巷21号", 113.971, 22.538),
        ]
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("固戍村1巷6号", "g6"),
        ("固戍村1巷7号", None),  # 1巷7号 is 岗头村's: a lane named by its number is its village's own
        ("岗头村1巷6号", None),
        ("福田区沙头下沙村5坊27号", "x27"),  # the quarter written in digits
        ("民治白石龙老村87号", "b87"),  # the natural village written with its 村, without its community
        ("梅林一村3栋403房", "m403"),  # the community written as the estate it is named after
        ("福田区梅林一村3栋403房", "m403"),
        ("海月花园8栋A座2402", "hA"),  # a block (座) of the building is told from the other
        ("海月花园8栋B座2402", "hB"),
        ("白石洲上白石村二坊3巷21号", "s21"),  # the village after its area's name: its community
        ("白石洲下白石村2坊3巷21号", "d21"),
    ],
)
def test_shenzhen_villages_lanes_estates_and_blocks(query, expected):
    m = _shenzhen_villages().match(query)
    got = None if m is None else m.address_id
    assert got == expected, (query, m)


def test_a_resettlement_estate_without_the_words_of_why_it_was_built_is_found():
    """明硐安置点 for 明硐易地扶贫搬迁安置点, also with the place's name read as a town (龙坑|安置点)."""
    rows = [
        ("m502", "贵州省六盘水市水城区董地街道明硐易地扶贫搬迁安置点4栋1单元502号", 104.95, 26.55),
        ("m402", "贵州省六盘水市水城区董地街道明硐易地扶贫搬迁安置点4栋1单元402号", 104.95, 26.55),
        ("l401", "贵州省遵义市播州区龙坑街道龙坑易地扶贫搬迁安置点4栋2单元401号", 106.83, 27.53),
    ]
    built = _base_of(rows)
    for query, expected in (
        ("水城区明硐安置点4栋1单元502号", "m502"),
        ("播州区龙坑安置点4栋2单元401", "l401"),
        ("水城区董地安置点4栋1单元502号", None),  # another estate's name
    ):
        m = built.match(query)
        got = None if m is None else m.address_id
        assert got == expected, (query, m)


def test_a_row_of_market_stalls_after_the_markets_road_is_the_stalls_road():
    """通达路临沂小商品城A区3排15号 in the base, 临沂小商品城A区3排15号 in the text: the row (排) is the road the
    stalls are numbered on either way (it was glued into the compound, and 15号 read as 通达路's door)."""
    rows = [
        ("a315", "山东省临沂市兰山区兰山街道通达路临沂小商品城A区3排15号", 118.35, 35.07),
        ("a316", "山东省临沂市兰山区兰山街道通达路临沂小商品城A区3排16号", 118.35, 35.07),
        ("b315", "山东省临沂市兰山区兰山街道通达路临沂小商品城B区3排15号", 118.35, 35.07),
        ("t15", "山东省临沂市兰山区兰山街道通达路15号", 118.351, 35.071),
    ]
    built = _base_of(rows)
    assert built.report.duplicate_addresses == ()
    for query, expected in (
        ("临沂小商品城A区3排15号", "a315"),
        ("兰山区小商品城B区3排15号", "b315"),
        ("临沂小商品城A区三排十六号", "a316"),
        ("通达路15号", "t15"),
    ):
        m = built.match(query)
        assert m is not None and m.address_id == expected, (query, m)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("兰山区白沙埠镇孝友村西街5号", "x5"),
        ("兰山区白沙埠镇诸葛城村西街5号", None),  # 西街 is 孝友村's; every village has its own
        ("兰山区白沙埠镇诸葛城村中心街8号", "z8"),
        ("兰山区白沙埠镇孝友村中心街8号", None),
        ("兰山区白沙埠镇朝阳社区人民路12号", "r12"),  # a road named otherwise crosses communities
    ],
)
def test_a_villages_street_named_by_its_side_is_the_villages_own(query, expected):
    """西街, 中心街 in a village: another village's street of that name is another place (it was 0.998)."""
    rows = [
        ("x5", "山东省临沂市兰山区白沙埠镇孝友村西街5号", 118.3, 35.2),
        ("z8", "山东省临沂市兰山区白沙埠镇诸葛城村中心街8号", 118.31, 35.21),
        ("r12", "山东省临沂市兰山区白沙埠镇白沙埠社区人民路12号", 118.32, 35.2),
    ]
    m = _base_of(rows).match(query)
    got = None if m is None else m.address_id
    assert got == expected, (query, m)


def _dongguan() -> AddressBase:
    return _base_of(
        [
            ("jb12", "广东省东莞市长安镇乌沙社区江贝村3巷12号", 113.80, 22.80),
            ("lw12", "广东省东莞市长安镇乌沙社区李屋村3巷12号", 113.81, 22.80),
            ("jb1", "广东省东莞市长安镇乌沙社区江贝村1巷1号", 113.80, 22.81),
            ("qf21", "广东省东莞市东城街道旗峰路21号", 113.77, 23.02),
            ("ly701", "广东省中山市小榄镇升平中路120号榄苑小区4栋701室", 113.25, 22.66),
        ]
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "东莞市长安镇乌沙社区江贝村3巷12号",
            "jb12",
        ),  # natural villages of one community number their own lanes
        ("东莞市长安镇乌沙社区李屋村3巷12号", "lw12"),
        ("长安镇江贝村1巷1号", "jb1"),  # the natural village written without its community
        ("东莞市长安镇乌沙社区江贝自然村3巷12号", "jb12"),
        ("东城旗峰路21号", "qf21"),  # 东城 is 北京's district, and the town of a city without counties
        ("中山市小榄镇榄苑4栋701室", "ly701"),  # 榄苑 for 榄苑小区
    ],
)
def test_natural_village_lanes_and_towns_of_a_city_without_counties(query, expected):
    built = _dongguan()
    assert not built.report.duplicate_addresses
    m = built.match(query)
    assert m is not None and m.address_id == expected, (query, m)


def test_a_road_with_a_direction_on_one_side_only_scores_as_a_main_door():
    """学院南路37号院3号楼 where the base has only 学院路 37号院: the record, but at most 0.85 however well
    the courtyard and building agree (it was 0.976): 学院南路 is as often another road."""
    built = _base_of(
        [
            ("x37", "北京市海淀区学院路37号院3号楼", 116.35, 39.98),
            ("x30", "北京市海淀区学院路30号院", 116.35, 39.99),
        ]
    )
    m = built.match("北京市海淀区学院南路37号院3号楼")
    assert m is not None and m.address_id == "x37" and m.score <= 0.85
    assert built.match("北京市海淀区学院路37号院3号楼").score >= 0.95


def test_a_road_named_after_its_town_is_found_written_with_or_without_the_town():
    """上地街道上地信息路2号 (the road 上地信息路) is found from 海淀区上地信息路2号, read as the town 上地 and the
    road 信息路, and from 上地街道上地信息路2号."""
    built = _base_of([("s2", "北京市海淀区上地街道上地信息路2号", 116.30, 40.04)])
    for text in ("海淀区上地信息路2号", "北京市海淀区上地街道上地信息路2号", "上地信息路2号"):
        m = built.match(text)
        assert m is not None and m.address_id == "s2", (text, m)


def test_a_table_with_two_address_columns_of_one_name_is_a_column_error():
    """Two columns named 地址 raised a raw AttributeError in match_table."""
    from stdaddr.errors import ColumnError

    base = _base_of([("a", "浙江省温州市鹿城区解放街1号", 120.65, 28.0)])
    df = pd.DataFrame([["解放街1号", "解放街1号"]], columns=["地址", "地址"])
    with pytest.raises(ColumnError, match="two or more columns"):
        base.match_table(df, column="地址")


_LECHENG = [
    ("n10", "浙江省温州市乐清市城南街道宋竹社区崇文路10号临江新村", 120.95, 28.08),
    ("n10r", "浙江省温州市乐清市城南街道宋竹社区崇文路10号临江新村5幢101室", 120.95, 28.08),
    ("e18", "浙江省温州市乐清市城东街道东山社区人民路18号", 120.96, 28.12),
    ("s18", "浙江省温州市乐清市城南街道宋竹社区人民路18号", 120.95, 28.08),
]


@pytest.mark.parametrize(
    ("query", "expected", "standard"),
    [
        # The town written wrongly (or by its name before a split), the community and all below agreeing:
        # the record, written as the base writes it.
        (
            "乐清市城东街道宋竹社区崇文路10号临江新村5幢101室",
            "n10r",
            "城南街道宋竹社区崇文路10号临江新村5幢101室",
        ),
        (
            "乐清市乐成镇宋竹社区崇文路10号临江新村5幢101室",
            "n10r",
            "城南街道宋竹社区崇文路10号临江新村5幢101室",
        ),
        # Without a community to settle it, a road and door of another town are as likely another street.
        ("乐清市城东街道崇文路10号", None, "乐清市城东街道"),
    ],
)
def test_a_community_agreeing_outweighs_a_town_written_wrongly(query, expected, standard):
    m = _base_of(_LECHENG).match(query)
    assert m is not None and m.address_id == expected
    assert m.standard.endswith(standard)


def test_a_record_in_another_town_than_one_named_as_it_is_today_is_no_sure_answer():
    """城东街道 is a town of today: a record of 城南街道 agreeing below it is the answer only as a slip of the
    town (at most 0.85); 乐成镇, the name 乐成街道 had before the split, is no such contradiction."""
    base = _base_of(_LECHENG)
    today = base.match("乐清市城东街道宋竹社区崇文路10号临江新村5幢101室")
    assert today is not None and today.address_id == "n10r" and today.score <= 0.85
    former = base.match("乐清市乐成镇宋竹社区崇文路10号临江新村5幢101室")
    assert former is not None and former.address_id == "n10r" and former.score > 0.9


def test_an_area_written_like_a_district_that_nobody_knows_contradicts_nothing():
    m = _base_of(_DALIAN).match("合肥市政务区长江中路47号1单元602室")
    assert m is not None and m.address_id == "c47r"
    assert _base_of(_DALIAN).match("合肥市瑶海区长江中路47号1单元602室") is None  # a county that is one


_WORK_UNITS = [
    ("l262", "甘肃省兰州市城关区天水南路262号兰州大学家属院", 103.86, 36.05),
    ("l262r", "甘肃省兰州市城关区天水南路262号兰州大学家属院1号楼1单元101室", 103.86, 36.05),
    ("y20", "甘肃省兰州市城关区天水南路20号兰州饭店家属院", 103.86, 36.05),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("天水南路262号兰大家属院1号楼1单元101", "l262r"),  # the work unit's name cut short
        ("天水南路20号兰大家属院1号楼1单元101", None),  # not this compound's name cut short
    ],
)
def test_a_work_units_compound_is_written_with_the_units_name_cut_short(query, expected):
    m = _base_of(_WORK_UNITS).match(query)
    assert (m.address_id if m is not None else None) == expected
    assert match_module.name_similarity("兰大家属院", "兰州大学家属院") >= match_module._NAME_AGREE
    assert match_module.name_similarity("中国银行", "中国工商银行") < match_module._NAME_AGREE


_NAMESAKES = [
    ("n1", "广西壮族自治区南宁市青秀区中山街道七星社区民族大道1号", 108.33, 22.81),
    ("g1", "广西壮族自治区桂林市七星区七星区街道七星社区七星路1号", 110.31, 25.28),
    ("y1", "广西壮族自治区南宁市青秀区中山街道园湖社区园湖路1号", 108.33, 22.81),
]


def test_a_community_named_alone_is_the_one_of_the_base_or_ambiguous():
    m = _base_of(_NAMESAKES).match("七星社区")
    assert m is not None and m.address_id is None and m.level == "community" and m.ambiguous
    assert m.x is None and "七星社区" in m.standard
    m = _base_of(_NAMESAKES).match("园湖社区")
    assert m is not None and m.level == "community" and not m.ambiguous
    assert m.standard.endswith("青秀区中山街道园湖社区") and m.x is not None


def test_a_compound_at_a_villages_one_door_is_the_record_for_its_name():
    rows = [
        ("c1", "甘肃省兰州市安宁区安宁堡街道营门村1号甘肃农业大学", 103.7, 36.1),
        ("v2", "甘肃省兰州市安宁区安宁堡街道营门村2号", 103.7, 36.1),
    ]
    m = _base_of(rows).match("甘肃农业大学")
    assert m is not None and m.address_id == "c1"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("中国银行", "中国银行东莞分行", True),  # the bank's branch at that door
        ("东华医院", "东莞市东华医院", True),  # the name after its city's
        ("长安医院乌沙分院住院部", "长安医院乌沙分院", True),  # a department of it
        ("马屿支行", "塘下支行", False),
        ("中国银行", "中国工商银行", False),
    ],
)
def test_an_organisation_named_with_its_place_or_branch_is_the_same(a, b, same):
    assert (match_module.name_similarity(a, b) >= match_module._NAME_AGREE) is same


def test_a_floor_the_base_lacks_though_it_lists_others_is_not_a_sure_match():
    rows = [(f"f{k}", f"广东省东莞市长安镇乌沙社区江贝工业区3栋{k}楼", 113.8, 22.8) for k in (1, 2, 3, 4)] + [
        ("b3", "广东省东莞市长安镇乌沙社区江贝工业区3栋", 113.8, 22.8)
    ]
    m = _base_of(rows).match("东莞市长安镇乌沙社区江贝工业区3栋5楼")
    assert m is not None and m.address_id == "b3" and m.score <= 0.85
    m = _base_of(rows).match("东莞市长安镇乌沙社区江贝工业区3栋4楼")
    assert m is not None and m.address_id == "f4" and m.score >= 0.9


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        ("海洋家苑", "海洋家园", True),  # two garden words of one sound
        ("锦绣花园", "锦绣家园", False),  # two kinds
        ("长国路", "昌国路", True),  # 长 read chang, as in place names
        ("卓伦高乐嘎查", "卓伦高勒嘎查", True),  # 勒 read le, as in 锡林郭勒
    ],
)
def test_names_typed_by_sound_agree(a, b, agree):
    assert (match_module.name_similarity(a, b) >= match_module._NAME_AGREE) is agree


def test_a_village_before_a_numbered_lane_is_the_village_whose_lanes_it_numbers():
    rows = [
        ("g1", "广东省深圳市龙岗区坂田街道岗头社区岗头村二巷10号", 114.06, 22.63),
        ("g2", "广东省深圳市龙岗区坂田街道岗头社区岗头新村一巷3号", 114.06, 22.63),
        ("s1", "广东省深圳市福田区福田街道水围社区水围村二巷10号", 114.05, 22.52),
        ("s2", "广东省深圳市福田区福田街道水围社区水围村二巷20号", 114.05, 22.52),
    ]
    m = _base_of(rows).match("岗头村二巷10号")
    assert m is not None and m.address_id == "g1"
    m = _base_of(rows).match("岗头村二巷20号")  # only 水围's 二巷 has a 20号
    assert m is None or m.address_id is None


def test_a_numbered_lane_glued_to_its_villages_name_is_the_villages_lane():
    rows = [
        ("w3", "广东省深圳市福田区福田街道水围社区水围村五巷3号", 114.05, 22.52),
        ("g3", "广东省深圳市福田区福田街道岗厦社区岗厦村五巷3号", 114.06, 22.53),
        ("u18", "广东省深圳市南山区沙河街道白石洲社区上白石村二坊18号", 113.96, 22.54),
        ("x18", "广东省深圳市南山区沙河街道白石洲社区下白石村二坊18号", 113.96, 22.54),
    ]
    assert _base_of(rows).match("水围五巷3号").address_id == "w3"
    assert _base_of(rows).match("白石洲上白石二坊18号").address_id == "u18"


def test_a_part_of_a_larger_estate_written_without_it_is_that_part():
    rows = [
        ("r802", "安徽省合肥市包河区滨湖世纪社区滨湖世纪城融荫苑7栋1单元802室", 117.3, 31.7),
        ("q602", "安徽省合肥市包河区滨湖世纪社区滨湖世纪城琼林苑7栋1单元602室", 117.3, 31.7),
    ]
    m = _base_of(rows).match("包河区融荫苑7栋1单元802室")
    assert m is not None and m.address_id == "r802"
    assert match_module.name_similarity("融荫苑", "滨湖世纪城融荫苑") >= match_module._NAME_AGREE


def test_a_building_no_tied_record_has_leaves_no_tie_open():
    rows = [("e", "广东省深圳市罗湖区莲塘街道鹏兴社区鹏兴花园", 114.1, 22.56)] + [
        (f"b{k}", f"广东省深圳市罗湖区莲塘街道鹏兴社区鹏兴花园{k}栋101室", 114.1, 22.56) for k in range(1, 11)
    ]
    m = _base_of(rows).match("鹏兴花园11栋101")
    assert m is not None and m.address_id == "e" and m.score <= 0.85 and not m.ambiguous


def test_a_place_named_then_where_it_lies_in_brackets_is_that_place():
    rows = [
        ("s", "浙江省绍兴市越城区塔山街道鲁迅故里社区鲁迅中路318号沈园", 120.58, 30.0),
        ("d", "浙江省绍兴市越城区塔山街道鲁迅故里社区鲁迅中路320号", 120.58, 30.0),
    ]
    m = _base_of(rows).match("沈园(越城区鲁迅中路)")
    assert m is not None and m.address_id == "s"


def test_a_door_numbered_with_jia_after_the_number_is_a_sub_door():
    rows = [
        ("d", "上海市徐汇区枫林路街道肇嘉浜路1065号", 121.45, 31.2),
        ("j", "上海市徐汇区枫林路街道肇嘉浜路1065甲号", 121.45, 31.2),
        ("e", "上海市徐汇区枫林路街道肇嘉浜路1067号", 121.45, 31.2),
    ]
    assert _base_of(rows).match("徐汇区肇嘉浜路1065甲号").address_id == "j"
    m = _base_of(rows).match("徐汇区肇嘉浜路1067甲号")  # no 1067甲号: its main door, not a sure match
    assert m is not None and m.address_id == "e" and m.score <= 0.85


_CAMPUSES = [
    ("hs", "湖北省武汉市洪山区珞南街道珞喻路152号华中师范大学", 114.36, 30.52),
    ("xy", "湖北省武汉市江汉区万松街道解放大道1277号华中科技大学同济医学院附属协和医院", 114.27, 30.58),
    ("sh", "四川省成都市成华区猛追湾街道建设北路二段4号电子科技大学沙河校区", 104.10, 30.68),
    ("sh8", "四川省成都市成华区猛追湾街道建设北路二段4号电子科技大学沙河校区8栋", 104.10, 30.68),
    ("wj13", "四川省成都市武侯区望江路街道一环路南一段24号四川大学望江校区东区13栋", 104.08, 30.63),
    ("n1", "湖北省武汉市洪山区关山街道珞喻路1037号华中科技大学南一楼", 114.41, 30.51),
    ("x12", "湖北省武汉市洪山区关山街道珞喻路1037号华中科技大学西十二楼", 114.41, 30.51),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("珞喻路152号华师", "hs"),  # the organisation at the door, by the short name people call it
        ("解放大道1277号协和医院", "xy"),  # a body named after the one it belongs to, by its own name
        ("协和医院", "xy"),
        ("建设北路二段4号电子科大8栋", "sh8"),
        ("一环路南一段24号川大东区13栋", "wj13"),  # its area of the campus agreeing
        ("珞喻路1037号华中科技大学南一楼", "n1"),  # a campus building named by its side and number
    ],
)
def test_an_organisation_written_short_is_found(query, expected):
    m = _base_of(_CAMPUSES).match(query)
    assert m is not None and m.address_id == expected


@pytest.mark.parametrize(
    "query",
    [
        "电子科技大学清水河校区",  # another campus of the same university
        "一环路南一段24号川大西区13栋",  # another area of the campus
        "珞喻路152号华夏花园",  # no organisation's short name
    ],
)
def test_another_campus_or_place_at_the_door_is_no_answer(query):
    m = _base_of(_CAMPUSES).match(query)
    assert m is None or m.address_id is None or m.score < 0.9


def test_organisation_short_names_keep_their_numbers():
    assert match_module.organisation_written_short("川大望江校区", "四川大学望江校区")
    assert not match_module.organisation_written_short("温州二中", "温州市第十二中学")
    assert not match_module.organisation_written_short("川大江安校区", "四川大学望江校区")


_SHANGHAI_LANES = [
    ("l", "上海市静安区彭浦新村街道三泉路424弄", 121.45, 31.30),
    ("l5", "上海市静安区彭浦新村街道三泉路424弄5号", 121.45, 31.30),
    ("l5r", "上海市静安区彭浦新村街道三泉路424弄5号402室", 121.45, 31.30),
    ("m1", "上海市静安区彭浦新村街道临汾路894弄1号", 121.44, 31.31),
    ("m3", "上海市静安区彭浦新村街道临汾路894弄3号", 121.46, 31.31),
    ("m3r", "上海市静安区彭浦新村街道临汾路894弄3号502室", 121.46, 31.31),
]


@pytest.mark.parametrize(
    ("query", "expected", "surest"),
    [
        ("三泉路424弄5-402", "l5r", 1.0),  # the lane's door written as a building after it
        ("三泉路424号5号402室", "l5r", 1.0),  # the lane written 号, then its door
        ("三泉路424弄堂5号402室", "l5r", 1.0),  # 弄 written 弄堂
        ("临汾路894号3号502室", "m3r", 1.0),  # ... where the base has no record of the lane itself
        (
            "三泉路424弄15号",
            "l",
            0.85,
        ),  # a door of the lane the base lacks: the lane, no surer than a main door
    ],
)
def test_a_lane_and_its_doors_written_otherwise(query, expected, surest):
    m = _base_of(_SHANGHAI_LANES).match(query)
    assert m is not None and m.address_id == expected and m.score <= surest


def test_a_lane_named_alone_is_the_lane_at_its_doors_centroid():
    m = _base_of(_SHANGHAI_LANES).match("临汾路894弄")
    assert m is not None and m.address_id is None and m.level == "house_number"
    assert m.standard.endswith("临汾路894弄") and m.x == pytest.approx(
        (121.44 + 121.46 + 121.46) / 3
    )  # its records


def test_an_estate_named_after_its_number_one():
    base = _base_of(
        [
            ("e", "四川省成都市武侯区桂溪街道交子大道300号中海城南一号", 104.06, 30.58),
            ("e1", "四川省成都市武侯区桂溪街道交子大道300号中海城南一号1栋", 104.06, 30.58),
            ("e5r", "四川省成都市武侯区桂溪街道交子大道300号中海城南一号5栋2单元2803", 104.06, 30.58),
        ]
    )
    for query, expected in (
        ("中海城南一号", "e"),
        ("中海城南1号5栋2单元2803", "e5r"),
        ("高新区中海城南一号5栋2单元2803", "e5r"),
    ):
        m = base.match(query)
        assert m is not None and m.address_id == expected, query


def test_a_county_the_gazetteer_knows_in_two_cities_contradicts_the_base_s_others():
    """河东区 (天津 and 临沂) the base has neither of is no unknown area name left unread: 河北区's 中山路16号
    is no answer."""
    base = _base_of([("h16", "天津市河北区望海楼街道中山路16号", 117.19, 39.15)])
    m = base.match("河东区中山路16号")
    assert m is None or m.address_id is None


def test_a_town_written_short_before_a_building_is_the_compound_named_after_it():
    base = _base_of(
        [
            ("t15", "河北省石家庄市长安区谈固街道谈固小区15号楼", 114.53, 38.04),
            ("t15r", "河北省石家庄市长安区谈固街道谈固小区15号楼1单元101", 114.53, 38.04),
        ]
    )
    m = base.match("长安区谈固15栋")
    assert m is not None and m.address_id == "t15"


def test_a_side_written_before_the_generic_kind_is_another_estate():
    assert match_module.name_similarity("兴华南小区", "兴华小区") <= match_module._ONE_DIRECTION


_VILLAGE_GROUPS = [
    ("t6", "贵州省遵义市湄潭县兴隆镇龙凤村田家沟组6号", 107.46, 27.75),
    ("d6", "贵州省遵义市湄潭县兴隆镇龙凤村大坡组6号", 107.47, 27.75),
    ("m3", "贵州省遵义市播州区枫香镇苟坝村马鬃岭组3号", 106.68, 27.50),
    ("s", "湖南省长沙市浏阳市永和镇七宝山村七宝山小学", 113.80, 28.30),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("湄潭县兴隆镇龙凤村田家沟6号", "t6"),  # a named group written without 组
        ("播州区枫香镇苟坝村马棕岭组3号", "m3"),  # a named group misspelt with a character of its sound
        ("浏阳市永和镇七宝山村小学", "s"),  # the village's school, named after it
    ],
)
def test_a_village_s_named_groups_and_school_written_otherwise(query, expected):
    m = _base_of(_VILLAGE_GROUPS).match(query)
    assert m is not None and m.address_id == expected


def test_a_door_of_another_group_is_no_answer_for_a_group_the_base_lacks():
    """杨花村15组3号: the village has 1组3号 and 2组3号, no 15组; neither is the answer."""
    base = _base_of(
        [
            ("g1", "湖南省长沙市浏阳市大瑶镇杨花村1组3号", 113.70, 28.10),
            ("g2", "湖南省长沙市浏阳市大瑶镇杨花村2组3号", 113.71, 28.10),
            ("p", "湖南省长沙市浏阳市大瑶镇杨花村3号刘家屋场", 113.72, 28.10),
        ]
    )
    m = base.match("浏阳市大瑶镇杨花村15组3号")
    assert m is None or m.address_id is None
    m = base.match("浏阳市大瑶镇杨花村1组3号")
    assert m is not None and m.address_id == "g1"


def test_a_village_named_alike_in_two_towns_of_the_county_is_a_tie_at_the_door():
    """浏阳市南岳村3组5号, where two towns of 浏阳 have a 南岳村 with a 3组5号: both, ambiguous, not None."""
    base = _base_of(
        [
            ("a", "湖南省长沙市浏阳市淳口镇南岳村3组5号", 113.60, 28.30),
            ("b", "湖南省长沙市浏阳市永和镇南岳村3组5号", 113.90, 28.30),
            ("c", "湖南省长沙市浏阳市永和镇七宝山村1组1号", 113.91, 28.31),
        ]
    )
    m = base.match("浏阳市南岳村3组5号")
    assert m is not None and m.ambiguous and m.address_id is None
    assert {c.address_id for c in m.candidates[:2]} == {"a", "b"}


def test_a_place_named_as_a_part_of_another_is_another_place():
    assert match_module.name_similarity("张家巷", "中张家巷") <= match_module._ONE_DIRECTION
    base = _base_of([("z7", "江苏省苏州市姑苏区平江街道中张家巷7号", 120.63, 31.32)])
    m = base.match("张家巷7号")
    assert m is None or m.address_id is None or m.score < 0.9


@pytest.mark.parametrize(
    ("query", "expected"),
    [("天津新村8号401室", "t8r"), ("东港新村6幢202室", "d6r")],
)
def test_a_compound_named_after_a_division_elsewhere_is_the_base_s_compound(query, expected):
    """天津|新村, 东港|新村: the opening read as a province or county the base has no record in, the rest as a
    village: the base's compound of the whole name."""
    base = _base_of(
        [
            ("t8r", "江苏省南京市鼓楼区宁海路街道天津新村8幢401室", 118.77, 32.06),
            ("d6r", "江苏省苏州市苏州工业园区娄葑街道东港新村6幢202室", 120.67, 31.29),
        ]
    )
    m = base.match(query)
    assert m is not None and m.address_id == expected


def test_names_written_short_as_people_write_them():
    sim = match_module.name_similarity
    # a numbered hospital and its short form; other numbers stay other hospitals
    assert sim("大连医科大学附属二院", "大连医科大学附属第二医院") >= match_module._SAME_STEM
    assert sim("西安交通大学二附院", "西安交通大学第二附属医院") >= match_module._SAME_STEM
    assert sim("附属一院", "附属第二医院") <= match_module._OTHER_KIND + 0.1
    assert sim("第一医院", "第二医院") <= match_module._OTHER_KIND
    # a firm by its own name, without the city before it and its legal form; another firm is not
    assert sim("欧普照明", "中山市欧普照明股份有限公司") == match_module._KIND_LEFT_OUT
    assert sim("格力电器", "珠海格力电器股份有限公司斗门分厂") == match_module._KIND_LEFT_OUT
    assert sim("华帝", "中山市华帝燃具有限公司") < match_module._SLIP
    # garden words of one sound or kind on one stem agree as garden words do; other stems do not
    assert sim("锦华园", "锦华苑") == match_module._GARDEN_DRIFT
    assert sim("富华花园", "富华苑") == match_module._GARDEN_DRIFT
    assert sim("锦华园", "锦江苑") <= match_module._OTHER_KIND
    # numbered quarters (包头's 街坊) numbered apart are two places
    assert sim("十一街坊", "十街坊") <= match_module._OTHER_KIND


def test_ring_roads_are_keyed_whichever_way_the_side_is_written():
    from stdaddr.parsing.tail import ring_road_key, road_number_key

    keys = {ring_road_key(r) for r in ("南二环西段", "南二环路西段", "二环南路西段", "南2环西段")}
    assert len(keys) == 1
    assert ring_road_key("南二环西段") != ring_road_key("北二环西段")
    assert ring_road_key("二环路南一段") == ring_road_key("南二环路一段")  # 成都
    assert (
        match_module.name_similarity(road_number_key("人民南路三段"), road_number_key("人民南路四段")) < 0.6
    )
    # the base keeps its own form: a ring road written the other way finds it, and shows it
    b = _base_of([("R1", "陕西省西安市碑林区南二环西段69号", 108.94, 34.23)])
    m = b.match("碑林区二环南路西段69号")
    assert m is not None and m.address_id == "R1" and "南二环西段" in m.standard


def test_a_place_the_base_has_at_another_door_of_the_road_caps_the_door():
    rows = [
        ("A1", "广东省珠海市香洲区唐家湾镇大学路2号中山大学珠海校区", 113.580, 22.350),
        ("A2", "广东省珠海市香洲区唐家湾镇大学路9号", 113.581, 22.351),
        ("A3", "广东省珠海市香洲区唐家湾镇大学路2号", 113.580, 22.350),
    ]
    b = _base_of(rows)
    m = b.match("大学路9号中山大学珠海校区")
    assert m is not None and m.score < 0.9  # the door and the place the text names disagree
    m = b.match("大学路9号某某公司")  # a place the base does not have anywhere: the door stands
    assert m is not None and m.address_id == "A2" and m.score >= 0.9


def test_a_village_named_alone_answers_with_its_own_record_when_the_base_has_one():
    head = "内蒙古自治区呼和浩特市土默特左旗察素齐镇"
    rows = [("V0", head + "西园村", 111.120, 40.700)]
    rows += [(f"V{i}", f"{head}西园村1组{i}号", 111.12 + i * 1e-4, 40.69) for i in range(1, 4)]
    rows += [("W1", head + "东园村1组1号", 111.13, 40.71)]
    b = _base_of(rows)
    m = b.match("土左旗察素齐镇西园村")
    assert m is not None and (m.address_id, m.level) == ("V0", "community")
    m = b.match("土左旗察素齐镇东园村")  # no record of the village itself: the community level, no id
    assert m is not None and (m.address_id, m.level) == (None, "community")


def test_a_street_name_in_two_towns_far_apart_is_two_streets():
    h = "广东省中山市"
    rows = [(f"S{i}", f"{h}沙溪镇濠涌村濠涌大街{i}号", 113.33 + i * 1e-4, 22.52) for i in range(1, 6)]
    rows += [(f"N{i}", f"{h}南朗街道濠涌村濠涌大街{i + 10}号", 113.52 + i * 1e-4, 22.49) for i in range(1, 6)]
    # a road crossing the border of two towns has records near it on both sides: one road
    rows += [(f"C{i}", f"{h}沙溪镇岐江公路{i}号", 113.34 + i * 2e-3, 22.53) for i in range(1, 6)]
    rows += [(f"D{i}", f"{h}大涌镇岐江公路{i + 100}号", 113.35 + i * 2e-3, 22.53) for i in range(1, 6)]
    b = _base_of(rows)
    m = b.match("濠涌大街")
    assert m is not None and m.ambiguous and m.x is None
    m = b.match("岐江公路")
    assert m is not None and not m.ambiguous and m.level == "road" and m.x is not None


def test_estates_and_firms_written_as_their_people_say_them():
    sim = match_module.name_similarity
    assert sim("塘南", "塘南新村") == match_module._KIND_LEFT_OUT  # 新村 left out (江苏, 上海)
    assert sim("塘南村", "塘南新村") < match_module._KIND_LEFT_OUT  # a village is no estate of 新村
    assert sim("华晟精密", "无锡华晟精密机械有限公司") == match_module._KIND_LEFT_OUT  # the trade left out
    assert sim("华晟", "无锡华晟精密机械有限公司") < match_module._SLIP


def test_a_stall_written_as_a_door_of_its_market_is_the_room_so_numbered():
    rows = [
        ("S1", "浙江省金华市义乌市稠城街道篁园市场2楼2035号", 120.07, 29.31),
        ("S2", "浙江省金华市义乌市稠城街道篁园市场2楼2036号", 120.07, 29.31),
        ("M0", "浙江省金华市义乌市稠城街道篁园市场", 120.07, 29.31),
    ]
    b = _base_of(rows)
    m = b.match("义乌篁园市场2035号")
    assert m is not None and m.address_id == "S1"
    m = b.match("义乌篁园市场2099号")  # no stall so numbered: not one of the others
    assert m is None or m.address_id not in ("S1", "S2")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("涧西区洛铜宿舍8栋2单元502", "t502"),
        ("洛铜大院8-2-502", "t502"),
        ("涧西区洛铜生活区8号楼2单元502室", "t502"),
        ("涧西区洛耐宿舍8栋2单元502", None),  # another unit's housing
        ("涧西区洛铜8栋2单元502", "t502"),  # the unit's name alone before the building
        ("涧西区洛耐8栋2单元502", None),
    ],
)
def test_a_work_units_housing_written_with_another_of_its_words_is_found_near(query, expected):
    """洛铜宿舍 / 洛铜家属院 / 洛铜大院: one unit's housing; near (below 0.9), confirmed by the building and room."""
    rows = [
        ("t502", "河南省洛阳市涧西区长春路街道洛铜社区洛铜家属院8幢2单元502室", 112.38, 34.66),
        ("t8", "河南省洛阳市涧西区长春路街道洛铜社区洛铜家属院8幢", 112.38, 34.66),
        ("c502", "河南省洛阳市涧西区长春路街道洛铜社区长春花园8幢2单元502室", 112.39, 34.66),
    ]
    m = _base_of(rows).match(query)
    got = None if m is None else m.address_id
    assert got == expected, (query, m)
    assert m is None or m.score < 0.9


def test_an_estate_or_works_named_with_a_number_keeps_its_buildings_apart():
    """阳光100城市广场, 331厂生活区: the number is the name's (it was read as a room, and every building and room
    of the estate was one address); 三三一厂 is 331厂; a stall of a market is its room."""
    rows = [
        ("y6", "广西柳州市城中区潭中东路21号阳光100城市广场二期6栋2单元302室", 109.42, 24.32),
        ("y7", "广西柳州市城中区潭中东路21号阳光100城市广场二期7栋2单元302室", 109.42, 24.32),
        ("w15", "湖南省株洲市石峰区331厂生活区15栋1单元601号", 113.1, 27.9),
        ("w26", "湖南省株洲市石峰区331厂生活区26栋2单元601号", 113.1, 27.9),
        ("s6", "浙江省龙泉市华楼街150号龙泉宝剑青瓷市场6号摊位", 119.13, 28.07),
        ("s7", "浙江省龙泉市华楼街150号龙泉宝剑青瓷市场7号摊位", 119.13, 28.07),
    ]
    built = _base_of(rows)
    assert built.report.duplicate_addresses == ()
    for query, expected in (
        ("柳州阳光100城市广场二期7栋2单元302室", "y7"),
        ("株洲市石峰区三三一厂生活区26栋2单元601号", "w26"),
        ("株洲331厂生活区15-1-601", "w15"),
        ("龙泉宝剑青瓷市场摊位7号", "s7"),
        ("龙泉市华楼街150号龙泉宝剑青瓷市场6号铺位", "s6"),
    ):
        m = built.match(query)
        assert m is not None and m.address_id == expected, (query, m)


def test_a_compound_at_several_doors_named_alone_has_no_record_of_its_own():
    """华联商厦 at 解放街12号 and 14号: the compound named alone is neither door (it was the first at 1.0)."""
    rows = [
        ("a", "浙江省温州市鹿城区五马街道解放街12号华联商厦", 120.65, 28.01),
        ("b", "浙江省温州市鹿城区五马街道解放街14号华联商厦", 120.651, 28.011),
        ("d", "浙江省温州市鹿城区五马街道人民路5号百货大楼", 120.66, 28.0),
    ]
    built = _base_of(rows)
    for query in ("华联商厦", "解放街华联商厦"):
        m = built.match(query)
        assert m is not None and (m.address_id, m.level) == (None, "poi"), query
    assert built.match("解放街14号华联商厦").address_id == "b"
    assert built.match("百货大楼").address_id == "d"  # the compound's one door is its record


@pytest.mark.parametrize(
    ("query", "expected", "sure"),
    [
        ("南康区家具城A区3排7号", "a37", True),
        ("家具城A区三排七号", "a37", True),
        ("南康区家具城B区3排7号", "b37", True),
        ("南康区家具城A区", None, True),  # the market's part, no stall
        ("南康区国际家具城A区3排7号", "any or none", False),  # another market: every market has a 3排7号
    ],
)
def test_market_stalls_are_read_by_row_and_number(query, expected, sure):
    rows = [
        ("a37", "江西省赣州市南康区东山街道家具城社区家具城A区3排7号", 114.77, 25.64),
        ("a38", "江西省赣州市南康区东山街道家具城社区家具城A区3排8号", 114.77, 25.64),
        ("a47", "江西省赣州市南康区东山街道家具城社区家具城A区4排7号", 114.77, 25.64),
        ("b37", "江西省赣州市南康区东山街道家具城社区家具城B区3排7号", 114.78, 25.64),
    ]
    built = _base_of(rows)
    assert built.report.duplicate_addresses == ()  # the stalls of a row were one address
    m = built.match(query)
    if sure:
        assert m is not None and m.address_id == expected and (expected is None or m.score >= 0.9), m
    else:
        assert m is None or m.address_id is None or m.score < 0.9, m


def test_two_units_housing_one_character_apart_are_two_places():
    """韩桥矿宿舍 / 夏桥矿宿舍: two mines' housing; the shared 矿宿舍 makes no slip of the one character."""
    assert match_module.name_similarity("韩桥矿宿舍", "夏桥矿宿舍") < 0.7
    rows = [("x", "江苏省徐州市贾汪区大泉街道夏桥矿宿舍5幢102室", 117.45, 34.44)]
    m = _base_of(rows).match("贾汪区韩桥矿宿舍5栋102室")
    assert m is None or m.address_id is None or m.score < 0.9


def test_a_flat_on_a_floor_is_not_sure_of_a_flat_numbered_through_the_unit():
    """3楼1号 is flat 1 of floor 3; a base numbering flats through the unit (1室 … 12室) writes no floor,
    so its 1室 is flat 1 of floor 1 as likely: not a sure answer."""
    rows = [
        ("f1", "四川省绵阳市游仙区春雷街道科学城一区3幢2单元1室", 104.8, 31.5),
        ("f5", "四川省绵阳市游仙区春雷街道科学城一区3幢2单元5室", 104.8, 31.5),
    ]
    m = _base_of(rows).match("科学城一区3栋2单元3楼1号")
    assert m is None or m.score < 0.9
    assert _base_of(rows).match("科学城一区3栋2单元1号").score >= 0.9


def test_a_zone_written_as_the_town_does_not_contradict_the_streets_it_runs():
    """赣州经开区 (360702400 in the code list) runs 黄金岭街道 (360702091): a door of that street written
    after the zone is the street's door, not a door of another town."""
    rows = [
        ("j27", "江西省赣州市章贡区黄金岭街道金岭路社区金岭西路27号", 114.9, 25.8),
        ("j29", "江西省赣州市章贡区黄金岭街道金岭路社区金岭西路29号", 114.9, 25.8),
    ]
    m = _base_of(rows).match("赣州经开区金岭西路27号")
    assert m is not None and m.address_id == "j27" and m.score >= 0.9


@pytest.mark.parametrize(
    "query",
    [
        "义乌市稠江街道杨村社区20幢6号",
        "杨村社区20幢6号",
        "稠江街道杨村社区复建房20幢6号",
        "义乌杨村杨村20幢6号",
    ],
)
def test_buildings_of_a_village_written_with_a_bare_word_or_its_name_again_are_the_village_s(query):
    """杨村|社区|20幢, 杨村社区|复建房|20幢: no compound of its own (unlike 石州村|阳光花园|3幢): the village's
    buildings answer."""
    rows = [
        ("y6", "浙江省金华市义乌市稠江街道杨村社区20幢6室", 120.03, 29.28),
        ("y5", "浙江省金华市义乌市稠江街道杨村社区20幢5室", 120.03, 29.28),
    ]
    m = _base_of(rows).match(query)
    assert m is not None and m.address_id == "y6", (query, m)


def test_a_compound_whose_misspelt_opening_is_a_county_elsewhere_is_found():
    """沁源春小区 (沁源县 of 山西, then 春小区) for 沁园春小区: a slip of one sound in the compound's name."""
    rows = [("q", "河北省唐山市路北区钓鱼台街道沁园春社区长宁道沁园春小区3幢1单元201室", 118.18, 39.63)]
    m = _base_of(rows).match("沁源春小区3号楼1单元201")
    assert m is not None and m.address_id == "q"
    # (a county written before a compound of another county's is still no part of its name)
    rows = [("r", "浙江省温州市鹿城区五马街道润城华庭3幢201室", 120.65, 28.01)]
    m = _base_of(rows).match("瑞安润城华庭3幢201室")
    assert m is None or m.address_id is None or m.score < 0.9


def test_a_campus_the_base_lacks_answers_the_body_below_a_sure_match():
    rows = [("u", "河北省保定市莲池区五四路街道王庄路社区五四东路180号河北大学", 115.5, 38.87)]
    m = _base_of(rows).match("保定市莲池区河北大学新校区")
    assert m is not None and m.address_id == "u" and m.score <= 0.85
    assert _base_of(rows).match("保定市莲池区河北大学").score >= 0.9


def test_a_shop_front_is_a_place_of_its_own_beside_its_door():
    """泉秀路321号店面 and 泉秀路321号: two records, two addresses (they were one, and every match a tie)."""
    rows = [
        ("door", "福建省泉州市丰泽区东湖街道泉秀路321号", 118.6, 24.9),
        ("shop", "福建省泉州市丰泽区东湖街道泉秀路321号店面", 118.6, 24.9),
        ("flat", "福建省漳州市芗城区万达华府1幢101室", 117.6, 24.5),
        ("unit", "福建省漳州市芗城区万达华府1幢101店面", 117.6, 24.5),
    ]
    built = _base_of(rows)
    assert built.report.duplicate_addresses == ()
    for query, expected in (
        ("泉秀路321号店面", "shop"),
        ("泉秀路321号门面", "shop"),
        ("泉秀路321号", "door"),
        ("万达华府1栋101室", "flat"),
        ("万达华府1栋101商铺", "unit"),
    ):
        m = built.match(query)
        assert m is not None and m.address_id == expected and m.score >= 0.9, (query, m)


def test_the_teams_of_a_farm_that_is_a_town_are_found_by_group_and_door():
    """新时代农场九队3号: a farm the divisions list as a town, its teams (groups) with no village between;
    the group and door found the town alone before."""
    rows = [
        (f"t{team}-{door}", f"广东省茂名市化州市新时代农场{team}队{door}号", 110.6, 21.6)
        for team in ("八", "九")
        for door in (1, 2, 3)
    ]
    built = _base_of(rows)
    for query, expected in (
        ("化州市新时代农场九队3号", "t九-3"),
        ("新时代农场8队2号", "t八-2"),
        ("茂名化州新时代农场九组1号", "t九-1"),
    ):
        m = built.match(query)
        assert m is not None and m.address_id == expected and m.score >= 0.9, (query, m)
    m = built.match("化州市新时代农场九队7号")  # a door the team lacks: no record of another team's
    assert m is None or m.address_id is None


def test_a_market_s_stalls_in_its_zones_are_addresses_of_their_own():
    """霞山水产品批发市场A区12号档: the stall of a market's zone is a room (every stall of the zone tied)."""
    rows = [
        (f"{zone}{n}", f"广东省湛江市霞山区东堤路38号霞山水产品批发市场{zone}区{n}号档", 110.4, 21.2)
        for zone in "AB"
        for n in (11, 12)
    ]
    built = _base_of(rows)
    assert built.report.duplicate_addresses == ()
    for query, expected in (
        ("霞山区东堤路38号霞山水产品批发市场A区12号档", "A12"),
        ("湛江霞山水产品批发市场B区11号档 占道经营", "B11"),
        ("东堤路38号霞山水产品批发市场B区12号摊位", "B12"),
    ):
        m = built.match(query)
        assert m is not None and m.address_id == expected and m.score >= 0.9, (query, m)


def test_a_name_emptied_by_taking_out_a_short_name_is_compared_without_error():
    """东山自然村12号 坑园村 北高镇 荔城区 raised IndexError: a street that was the short name alone left an
    empty name to compare."""
    assert match_module.name_similarity("", "人民医院") == 0.0 and match_module.name_similarity("", "") == 1.0


def test_the_first_street_of_a_numbered_row_is_found_written_as_number_one():
    """北头道街 (哈尔滨: the first of 头道街, 二道街, 三道街…) written 北1道街 or 北一道街 is that street."""
    built = _base_of(
        [
            ("t1", "黑龙江省哈尔滨市道外区靖宇街道北头道街14号", 126.6, 45.7),
            ("t2", "黑龙江省哈尔滨市道外区靖宇街道北二道街14号", 126.6, 45.7),
        ]
    )
    for query, expected in (
        ("道外区北1道街14号", "t1"),
        ("道外区北一道街14号", "t1"),
        ("道外区北2道街14号", "t2"),
    ):
        m = built.match(query)
        assert m is not None and m.address_id == expected and m.score >= 0.9, (query, m)


def test_a_leading_name_of_several_places_none_in_the_base_is_the_base_s_town_of_that_name():
    """南郊, the former 南郊区 of 太原 or of 大同 (an ambiguous reading, neither in the base), is 南郊街道 of
    the base's 鹿城区, as a name of one place outside the base is."""
    built = _base_of([("n1", "浙江省温州市鹿城区南郊街道三板桥社区兴湖巷11号丁香家园", 120.55, 28.05)])
    assert parse("南郊三板桥社区丁香家园").ambiguous
    m = built.match("南郊三板桥社区丁香家园 (美食林附近)")
    assert m is not None and m.address_id == "n1"
