"""Parsing inputs that are not plain addresses: placeholders, batches of the wrong shape, missing values,
and the flags and notes of divisions that are read, inferred or contradicting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stdaddr import normalize, parse, parse_many
from stdaddr.errors import InputError


@pytest.mark.parametrize("text", ["上海市黄浦区南京东路100号", "北京朝阳区建国路1号", "重庆市渝中区"])
def test_a_municipality_written_once_is_read_not_inferred(text: str):
    a = parse(text)
    assert not {"province", "city"} & a.inferred
    assert parse("黄浦区南京东路100号").inferred >= {"province", "city"}


def test_a_county_of_another_city_is_kept_with_a_note():
    a = parse("杭州市鹿城区解放街1号")
    assert (a.city, a.county, a.county_code, a.road) == ("杭州市", "鹿城区", None, "解放街")
    assert any("鹿城区 does not lie in 杭州市" in n for n in a.notes)
    # Names of an area as much as of a county stay with the road (东区 is also a county of 攀枝花市).
    assert parse("广州经济技术开发区东区宏景路59号").county is None


def test_a_town_written_under_another_county_of_its_city_has_one_note_that_says_so():
    """瑞安市|大荆镇: 大荆镇 never lay under 瑞安市; the note must not say it moved there from it."""
    a = parse("瑞安市大荆镇大园村1组2号")
    assert (a.county, a.town_code) == ("乐清市", "330382101")
    assert len(a.notes) == 1 and "is not under 瑞安市" in a.notes[0]
    # a town that moved keeps its note of the move (灵昆街道: 龙湾区 until 2019, now 洞头区)
    assert any("now lies under 洞头区" in n for n in parse("龙湾区灵昆街道").notes)


@pytest.mark.parametrize(
    "text",
    [
        "NULL",
        " null ",
        "None",
        "nan",
        "N/A",
        "不详",
        "无地址",
        "地址不详",
        "-",
        "——",
        "不详不详",
        "无无",
        "不详。",
        "（无）",
        "暂无！",
    ],
)
def test_a_placeholder_for_no_address_gives_an_empty_address_with_a_note(text: str):
    a = parse(text)
    assert a.components == () and normalize(text) == ""
    assert a.notes and "placeholder" in a.notes[0]
    assert parse("无锡市").city == "无锡市"  # a real place starting like a marker is read


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ("温州市鹿城区", "one text"),
        (b"\xe6\xb8\xa9", "one text"),
        (pd.DataFrame({"a": [1], "b": [2]}), "columns"),
        (None, "list"),
        (5, "list"),
    ],
)
def test_a_batch_must_be_a_list_of_texts(batch, message: str):
    with pytest.raises(InputError, match=message):
        parse_many(batch)


@pytest.mark.parametrize("workers", [0, -1, "2", 1.5, True])
def test_workers_must_be_a_whole_number(workers):
    with pytest.raises(InputError, match="workers"):
        parse_many(["解放街1号"], workers=workers)


def test_missing_values_of_every_kind_are_named_missing():
    notes = [a.notes[0] for a in parse_many([None, float("nan"), pd.NA, pd.NaT, np.float32("nan"), 12])]
    assert [n.split(":")[0] for n in notes] == ["missing value"] * 5 + ["not text"]
    assert len(parse_many(pd.DataFrame({"addr": ["解放街1号", "人民路2号"]}))) == 2


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("温州市洞头县北岙镇", "洞头县 is a former name; now 洞头区 (330305)"),
        ("温州市洞头县北岙镇", "北岙镇 is a former name; now 北岙街道 (330305001)"),
        ("乐清柳市镇长虹村", "长虹村 is now 长虹社区 (330382114006)"),
    ],
)
def test_a_value_that_differs_from_the_text_by_a_rename_has_a_note(text: str, note: str):
    assert note in parse(text).notes
    assert parse("温州市鹿城区五马街道").notes == ()


def test_the_street_a_lane_is_off_stays_in_the_canonical_form():
    a = parse("温州市鹿城区信河街五马巷3弄5号")
    assert (a.road, a.house_number) == ("五马巷", "3弄5号")
    assert a.normalized == "浙江省温州市鹿城区信河街五马巷3弄5号" == normalize(a.normalized)


@pytest.mark.parametrize("text", ["No.2999 Main Street", " Room 301, Building 3 "])
def test_text_in_latin_letters_alone_is_a_note_and_invents_no_room(text: str):
    a = parse(text)
    assert [c.field for c in a.components] == ["extra"] and a.room is None and a.normalized == ""
    assert a.extra == (text.strip(),) and "no Chinese address text" in a.notes
    assert parse("3-2-301").room == "301室"  # digits alone are still read


def test_a_lone_surrogate_is_replaced_so_results_encode_as_utf8():
    import json

    a = parse("解放街\ud800123号")
    assert "\ufffd" in a.text
    json.dumps(a.to_dict(), ensure_ascii=False).encode("utf-8")  # no UnicodeEncodeError
    assert parse("温州市\ud83d\ude00解放街1号").road == "解放街"  # both halves replaced, offsets kept


@pytest.mark.parametrize(
    "text",
    ["解放\u00ad街12号", "解\u0301放街12号", "解放街1\ufe0f\u20e32\ufe0f\u20e3号"],
)
def test_invisible_and_combining_marks_inside_words_are_nothing(text):
    """A soft hyphen made 解放 a county of 河南 and 街 a compound; a combining accent or keycap digits
    (1️⃣) split the road or the door."""
    a = parse(text)
    assert (a.road, a.house_number, a.county) == ("解放街", "12号", None)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_bytes_are_read_as_utf16(encoding):
    """UTF-16 bytes were read as GB18030: garbage parsed into a compound and a building."""
    a = parse("温州市鹿城区五马街道解放街12号".encode(encoding))
    assert (a.county, a.road, a.house_number) == ("鹿城区", "解放街", "12号")


def test_a_town_the_divisions_do_not_list_under_its_county_is_kept_with_a_note():
    """某某镇 or 新兴镇 in 瓯海区: no town of the divisions there, so no code; the note says it was not found.
    A town found, or a zone (娄桥工业区), gets no such note."""
    a = parse("瓯海区新兴镇人民路12号")
    assert (a.town, a.town_code) == ("新兴镇", None)
    assert "新兴镇 is no town of 瓯海区 in the divisions; kept as written" in a.notes
    assert not any("is no town of" in n for n in parse("瓯海区娄桥街道人民路12号").notes)
    assert not any("is no town of" in n for n in parse("瓯海区娄桥工业区5号").notes)
