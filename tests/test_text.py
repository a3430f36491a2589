"""Character-level normalization: ``clean`` folds characters and maps offsets back; ``to_number`` reads numerals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stdaddr.text import clean, fold_all, to_number


def _check_offsets(text: str, folded: str, offsets: list[int] | None) -> None:
    """Every folded character comes from the input character its offset names."""
    if offsets is None:
        assert len(folded) == len(text)
        offsets = [*range(len(text)), len(text)]
    assert len(offsets) == len(folded) + 1
    assert offsets[-1] == len(text)
    assert offsets[:-1] == sorted(offsets[:-1])
    for i, c in enumerate(folded):
        assert 0 <= offsets[i] < len(text)
        assert c in clean(text[offsets[i]])[0], (i, c, text[offsets[i]])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("３－２－３０１", "3-2-301"),
        ("解放街１２３号", "解放街123号"),
        ("Ａ座", "A座"),
        ("ａｂｃ", "ABC"),
        ("（五马美食林对面）", "(五马美食林对面)"),
        ("【快递】", "(快递)"),
        ("解放街：１号", "解放街,1号"),
        ("１２３～１２５号", "123-125号"),
    ],
)
def test_clean_folds_full_width_forms(text, expected):
    """Full-width digits, letters, dashes, brackets and colons fold to their ASCII forms, letters upper-cased."""
    folded, offsets = clean(text)
    assert folded == expected
    _check_offsets(text, folded, offsets)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("山⻄路", "山西路"),
        ("五⻢街道", "五马街道"),
        ("⻋站大道", "车站大道"),
        ("⻓春市", "长春市"),
        ("来福⻔社区", "来福门社区"),
        ("⻅龙路", "见龙路"),
        ("⻰湾区", "龙湾区"),
        ("⻩龙", "黄龙"),
        ("⻜云街道", "飞云街道"),
        ("⾦华市", "金华市"),
    ],
)
def test_clean_maps_radical_forms_to_ideographs(text, expected):
    """CJK radical-supplement and Kangxi radical forms become the ordinary ideograph."""
    folded, offsets = clean(text)
    assert folded == expected
    assert offsets is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("廣東省", "广东省"),
        ("臺州市", "台州市"),
        ("鹿西鄉", "鹿西乡"),
        ("鹿城區", "鹿城区"),
        ("123號", "123号"),
        ("溫州市甌海區", "温州市瓯海区"),
        ("3棟2單元5樓", "3栋2单元5楼"),
        ("虎門鎮", "虎门镇"),
    ],
)
def test_clean_simplifies_traditional_characters(text, expected):
    """Traditional characters become their simplified forms, one character for one."""
    assert clean(text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "expected", "offsets"),
    [
        ("解放 街", "解放街", [0, 1, 3, 4]),
        ("鹿城区　解放街", "鹿城区解放街", [0, 1, 2, 4, 5, 6, 7]),
        (" 解放街 ", "解放街", [1, 2, 3, 5]),
        ("鹿城区\r\n解放街", "鹿城区解放街", [0, 1, 2, 5, 6, 7, 8]),
        ("\u200b解放\ufeff街", "解放街", [1, 2, 4, 5]),
        ("解\u00a0放\t街", "解放街", [0, 2, 4, 5]),
    ],
)
def test_clean_removes_spaces_and_maps_offsets_back(text, expected, offsets):
    """Whitespace and zero-width characters are deleted and the offset map points each kept character home."""
    folded, got = clean(text)
    assert folded == expected
    assert got == offsets
    _check_offsets(text, folded, got)


@pytest.mark.parametrize("text", ["\x00解放街", "解\x07放街", "解放街\x1b", "解放\x7f街", "\x01\x02\x03"])
def test_clean_deletes_control_characters(text):
    """C0 control characters and DEL are deleted, with offsets still pointing into the input."""
    folded, offsets = clean(text)
    assert folded == "".join(c for c in text if c.isprintable())
    _check_offsets(text, folded, offsets)


@pytest.mark.parametrize("text", ["\ud800解放街", "解放\udcff街", "解放街\udfff", "\ud83d"])
def test_clean_deletes_lone_surrogates(text):
    """Lone surrogates (from surrogateescape decoding) are deleted, leaving an encodable string."""
    folded, offsets = clean(text)
    assert folded == "".join(c for c in text if not 0xD800 <= ord(c) < 0xE000)
    folded.encode("utf-8")
    _check_offsets(text, folded, offsets)


def test_clean_keeps_plain_text_unchanged_without_a_map():
    """Text that needs no folding comes back equal, with no offset map."""
    text = "浙江省温州市鹿城区五马街道解放街123号3幢2单元301室"
    assert clean(text) == (text, None)


def test_clean_of_empty_string_is_empty():
    """The empty string folds to the empty string."""
    assert clean("")[0] == ""


def test_clean_is_idempotent_on_mixed_input():
    """Folding folded text changes nothing."""
    text = "廣東省 ⻄湖区（１２３號）\x00\ud800ａ：ｂ"
    once = clean(text)[0]
    assert clean(once) == (once, None)


@given(st.lists(st.text(alphabet=st.sampled_from("#＃O0１2号溫州 \t\x00區ａ-"), max_size=8), max_size=6))
def test_fold_all_folds_each_text_as_clean_does(texts):
    """Folding many texts in one pass gives each text's own fold, whatever the texts hold (the joining
    character, its full-width form, letter zeros at a text's edge)."""
    assert fold_all(texts) == [clean(t)[0] for t in texts]


@pytest.mark.parametrize(
    ("numeral", "expected"),
    [
        ("一百二十三", "123"),
        ("十一", "11"),
        ("二十", "20"),
        ("十", "10"),
        ("一百零五", "105"),
        ("一千零一", "1001"),
        ("两百", "200"),
        ("二〇一", "201"),
        ("五〇二", "502"),
        ("一二三", "123"),
        ("肆", "4"),
        ("贰", "2"),
        ("壹佰贰拾叁", "123"),
        ("拾壹", "11"),
        ("伍零壹", "501"),
        ("五0一", "501"),  # Chinese and Arabic digits mixed (a room written 五0一室)
        ("12三", "123"),
        ("123", "123"),
        ("0301", "0301"),
    ],
)
def test_to_number_reads_numerals(numeral, expected):
    """Chinese, financial and Arabic numerals give their Arabic digits (leading zeros kept)."""
    assert to_number(numeral) == expected


@pytest.mark.parametrize("text", ["解放", "五马", "A座", "12三路", "", "幢"])
def test_to_number_leaves_non_numerals_unchanged(text):
    """A string that is not one numeral comes back unchanged."""
    assert to_number(text) == text
