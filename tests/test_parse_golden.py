"""The parse golden table: every case of ``tests/data/golden/parse.tsv`` parses to its expected levels.

Each row names the expected value of every level and division code; an empty cell expects ``None``,
a ``*`` cell is not checked. ``ambiguous`` is ``true``/``false``/``*``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import stdaddr
from stdaddr.models import FIELDS

GOLDEN = Path(__file__).parent / "data" / "golden" / "parse.tsv"
CODE_COLUMNS = ("county_code", "town_code", "community_code")
ANY = "*"


def _read_cases() -> list[dict[str, str]]:
    with GOLDEN.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


CASES = _read_cases()


def test_golden_table_is_well_formed():
    """The golden table has the documented header, unique ids and a value for every column."""
    with GOLDEN.open(encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
    assert header == ["id", "input", *FIELDS, *CODE_COLUMNS, "ambiguous", "note"]
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    for case in CASES:
        assert None not in case.values(), case["id"]
        assert case["ambiguous"] in ("true", "false", ANY), case["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_parse_golden(case: dict[str, str]):
    """The input parses to the expected level values, division codes and ambiguity flag, with valid offsets."""
    text = case["input"]
    a = stdaddr.parse(text)

    mismatches = {}
    for column in (*FIELDS, *CODE_COLUMNS):
        expected = case[column]
        if expected == ANY:
            continue
        got = getattr(a, column)
        if got != (expected or None):
            mismatches[column] = {"expected": expected or None, "got": got}
    if case["ambiguous"] != ANY and a.ambiguous != (case["ambiguous"] == "true"):
        mismatches["ambiguous"] = {"expected": case["ambiguous"] == "true", "got": a.ambiguous}
    assert not mismatches, f"{text!r} ({case['note']}): {mismatches}"

    for c in a.components:
        assert 0 <= c.start < c.end <= len(text), f"{c} has offsets outside {text!r}"
        assert text[c.start : c.end] == c.text, f"{c} does not match the input span {text[c.start : c.end]!r}"


_CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_no_text_is_lost(case: dict[str, str]):
    """Every letter, digit and Chinese character of the input lies in some component."""
    text = case["input"]
    covered = bytearray(len(text))
    for c in stdaddr.parse(text).components:
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    lost = "".join(ch for i, ch in enumerate(text) if not covered[i] and _CONTENT.match(ch))
    assert not lost, f"{text!r}: {lost!r} in no component"


@pytest.mark.parametrize(
    ("text", "division", "zone"),
    [
        ("浙江省绍兴市诸暨市经济开发区望云路8号", "诸暨市", "经济开发区"),
        ("慈溪市观海卫镇工业园区卫山路12号", "观海卫镇", "工业园区"),
        ("温州市经济技术开发区滨海三道1号", "温州市", "经济技术开发区"),
        ("柳市镇新光工业区东风路3号", "柳市镇", "新光工业区"),
    ],
)
def test_a_zone_after_a_division_is_a_town_component_of_its_own(text: str, division: str, zone: str):
    """The division keeps its component and the zone (a bare zone word or a named zone) follows it as a
    town component without code; a unit named 开发区 is not read inside 经济技术开发区."""
    a = stdaddr.parse(text)
    texts = [c.text for c in a.components]
    assert texts.index(zone) == texts.index(division) + 1
    (found,) = [c for c in a.components if c.text == zone]
    assert (found.field, found.code) == ("town", None)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_normalize_is_idempotent_on_the_golden_inputs(case: dict[str, str]):
    """The canonical form of every golden input is its own canonical form."""
    once = stdaddr.normalize(case["input"])
    assert stdaddr.normalize(once) == once


@pytest.mark.parametrize(
    ("text", "field"),
    [("江苏省扬州市市辖区文兴路5号", "county"), ("湖北省省直辖县级行政区划仙桃市干河街道", "city")],
)
def test_a_placeholder_level_is_read_at_its_level_but_fills_nothing(text: str, field: str):
    """市辖区 is a county-level component marked ``repeated``: in ``extra``, not in the fields."""
    a = stdaddr.parse(text)
    (placeholder,) = [c for c in a.components if c.text in ("市辖区", "省直辖县级行政区划")]
    assert (placeholder.field, placeholder.repeated, placeholder.code) == (field, True, None)
    assert placeholder.text in a.extra and getattr(a, field) != placeholder.text


@pytest.mark.parametrize(
    ("text", "road", "crossing"),
    [
        ("鹿城区解放街与五马街交叉口华联商厦3楼", "解放街", "五马街"),
        ("杭州市西湖区文三路和学院路交汇处东南角", "文三路", "学院路"),
        ("瓯海区娄桥街道古岸头路跟振社东路交口", "古岸头路", "振社东路"),
    ],
)
def test_a_crossing_road_is_a_road_component_that_fills_no_field(text: str, road: str, crossing: str):
    """A road joined by 与/和/跟 to the address's road and its crossing word are notes: the address
    lies on the road written first; the crossing road keeps its level, marked ``repeated``."""
    a = stdaddr.parse(text)
    assert a.road == road
    (second,) = [c for c in a.components if c.text == crossing]
    assert (second.field, second.repeated) == ("road", True)
    assert crossing in a.extra and crossing not in a.normalized
    assert not any(c.field == "poi" and ("交" in c.text or "角" in c.text) for c in a.components)


@pytest.mark.parametrize(
    ("text", "village", "natural"),
    [
        ("浙江省长兴县和平镇吴山村羊家自然村100号", "吴山村", "羊家自然村"),
        # 韩田村 is the village the gazetteer names 韩田社区 since it became a community.
        ("温州市瑞安市塘下镇韩田村下岙村5号", "韩田社区", "下岙村"),
    ],
)
def test_a_natural_village_after_its_village_keeps_the_level_but_fills_no_field(
    text: str, village: str, natural: str
):
    """The administrative village fills the community; the natural village inside it is a community
    component marked ``repeated``, in ``extra``, not a compound."""
    a = stdaddr.parse(text)
    assert a.community == village and a.poi is None
    (second,) = [c for c in a.components if c.text == natural]
    assert (second.field, second.repeated) == ("community", True)
    assert natural in a.extra


def test_a_second_town_level_name_stays_in_the_canonical_form():
    """A former township inside today's town (大荆镇|水涨乡) or a zone after a town is kept in ``normalized``
    after the town, so reading the canonical form again gives the same address."""
    a = stdaddr.parse("温州乐清市大荆镇水涨乡盛家塘村100号")
    assert a.town == "大荆镇" and "大荆镇水涨乡盛家塘村" in a.normalized
    assert stdaddr.parse(a.normalized).normalized == a.normalized


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("平阳县鳌江镇路北工业区5号", "路北工业区"),
        ("浙江省绍兴市柯桥区路南工业区", "路南工业区"),
    ],
)
def test_a_zone_named_by_its_side_of_a_road_keeps_its_first_character(text: str, zone: str):
    """路北工业区 is one zone: the 路 is no road's end left over as a note."""
    a = stdaddr.parse(text)
    assert [c.text for c in a.components if c.field == "town"][-1] == zone
    assert "路" not in a.extra and zone in a.normalized


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("温州市鹿城区五马街道府前社区锦园小区7号", "府前社区锦园小区7号"),
        ("温州市鹿城区解放街7号锦园小区", "解放街7号锦园小区"),
    ],
)
def test_without_a_road_the_door_number_follows_the_compound_written_before_it(text: str, expected: str):
    """With no road, a door number written after the compound is the compound's: ``normalized`` keeps
    that order (and reads back the same); after a road the door number comes first as usual."""
    a = stdaddr.parse(text)
    assert a.normalized.endswith(expected)
    assert stdaddr.parse(a.normalized).normalized == a.normalized


@pytest.mark.parametrize(
    ("text", "normalized", "note"),
    [
        ("温州市鹿城区解放街1号;温州市瓯海区梧田街道", "浙江省温州市鹿城区解放街1号", "瓯海区梧田街道"),
        (
            "乐清市柳市镇长虹路8号/杭州市西湖区文三路90号",
            "浙江省温州市乐清市柳市镇长虹路8号",
            "西湖区文三路90号",
        ),
        ("温州市鹿城区解放街1号 杭州市余杭区", "浙江省温州市鹿城区解放街1号", "余杭区"),
    ],
)
def test_a_second_address_after_the_first_is_a_note(text: str, normalized: str, note: str):
    """Company records give several addresses in one cell: the first is read, the rest is kept in
    ``extra`` instead of being read into the first one's compound."""
    a = stdaddr.parse(text)
    assert a.normalized == normalized
    assert any(note in e for e in a.extra)
    assert any("second address" in n for n in a.notes)


def test_the_same_place_written_again_after_the_street_is_no_second_address():
    a = stdaddr.parse("浙江省温州市鹿城区解放街1号浙江省温州市")
    assert a.normalized == "浙江省温州市鹿城区解放街1号"
    assert not any("second address" in n for n in a.notes)


@pytest.mark.parametrize(
    ("text", "province", "city"),
    [
        ("郑东新区心怡路88号", "河南省", "郑州市"),
        ("两江新区汇流路2号", "重庆市", "重庆市"),
        ("西咸新区沣东新城世纪大道1号", "陕西省", None),
    ],
)
def test_a_zone_that_is_no_division_gives_the_place_it_lies_in(text: str, province: str, city: str | None):
    """National new areas are no unit of the code list; ``data/zones.tsv`` says where they lie (a
    zone across several cities gives its province only)."""
    a = stdaddr.parse(text)
    assert (a.province, a.city) == (province, city)
    assert "province" in a.inferred and not a.ambiguous


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("工厂地址：温州市鹿城区解放街1号", "工厂地址"),
        ("温州市鹿城区解放街1号；杭州总部：杭州市西湖区文三路90号", "杭州总部"),
    ],
)
def test_a_label_before_an_address_is_a_note(text: str, label: str):
    """Company records label their addresses (工厂地址：, 杭州总部：): the label is a note, not a compound."""
    a = stdaddr.parse(text)
    assert a.normalized == "浙江省温州市鹿城区解放街1号"
    assert label in a.extra and a.poi is None


def test_an_address_survives_pickling_as_sent_back_by_worker_processes():
    """Addresses, components and candidate divisions pickle as constructor calls and load equal."""
    import pickle

    for text in ("朝阳区解放街1号", "浙江省温州市鹿城区五马街道解放街123号3-2-301(对面)"):
        a = stdaddr.parse(text)
        assert pickle.loads(pickle.dumps(a)) == a
