"""Properties of ``normalize``, ``parse`` and ``parse_many`` over arbitrary and address-like strings."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import stdaddr

DIVISIONS = (  # noqa: SIM905 - a word list reads better as one string
    "浙江省 浙江 温州市 温州 鹿城区 鹿城 瓯海区 龙湾区 洞头区 洞头县 苍南县 龙港镇 "
    "龙港市 乐清市 瑞安市 永嘉县 五马街道 五马 松台街道 灵昆街道 柳市镇 藤桥镇 鹿西乡 "
    "墨池社区 上桥村 多福巷社区居委会 东华门街道 北京市 上海市 天津市 重庆市 朝阳区 河北区 "
    "河北省 吉林 南昌 广西 内蒙古 新疆 黔南州 楚雄 延边 东莞市 中山市 廣東省 溫州市 "
    "臺州 鄉 區 ⻄湖区 五⻢"
).split()
TAIL_WORDS = (  # noqa: SIM905 - a word list reads better as one string
    "解放街 四川北路 山西路 陕西南路 文一西路 江场三路 车站大道 蛟翔巷 史家胡同 455弄 "
    "锦绣花园 锦园小区 绿园新村 华盟商务广场 大厦 苑 第 附 之 甲 负 地下 附近 对面 "
    "东50米 放前台 张三 13812345678 0577-88881234"
).split()
MARKERS = list("号幢栋座单元层楼室户房路街巷弄村组社区镇乡省市区县#-－—~")
DIGITS = list("0123456789０１２３４５６７８９一二三四五六七八九十百千零〇两壹贰叁肆伍陆柒捌玖拾佰")
PUNCT = list("()（）【】[]{}《》,，、;；:：。 　\t\n")
LATIN = list("ABCabcＡＢ")
ODD = ["\x00", "\x07", "\x7f", "\u200b", "\ufeff", "\ud800", "\udfff", "\u00a0", "⻄", "⻢", "⾦", "Ⅲ", "①"]

ATOMS = DIVISIONS + TAIL_WORDS + MARKERS + DIGITS + PUNCT + LATIN + ODD
address_like = st.lists(st.sampled_from(ATOMS), max_size=25).map("".join)
# Texts made of a few atoms repeated (龙港镇龙港镇…, 五马街道东华门街道东华门街道…): each reading of
# their canonical form may drop a copy, so normalize must read until nothing changes.
repetitive = (
    st.lists(st.sampled_from(ATOMS), min_size=1, max_size=4)
    .flatmap(lambda pool: st.lists(st.sampled_from(pool), max_size=25))
    .map("".join)
)

any_char = st.one_of(
    st.characters(),
    st.characters(codec=None, categories=["Cs"]),  # lone surrogates
    st.characters(codec=None, categories=["Cc", "Cf", "Zs"]),
)
any_text = st.text(any_char, max_size=60)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_offsets_valid(text: str, address: stdaddr.Address) -> None:
    for c in address.components:
        assert 0 <= c.start < c.end <= len(text), c
        assert text[c.start : c.end] == c.text, c


@FAST
@given(any_text)
def test_normalize_never_raises_on_any_string(text):
    """``normalize`` returns a string for any text, control characters and lone surrogates included."""
    assert isinstance(stdaddr.normalize(text), str)


@FAST
@given(address_like)
def test_normalize_never_raises_on_address_like_strings(text):
    """``normalize`` returns a string for any mix of division names, numbers, markers and brackets."""
    assert isinstance(stdaddr.normalize(text), str)


@THOROUGH
@given(st.one_of(address_like, repetitive))
def test_normalize_is_idempotent_on_address_like_strings(text):
    """Normalizing a normalized address changes nothing, however many copies of a name it holds."""
    once = stdaddr.normalize(text)
    assert stdaddr.normalize(once) == once


@pytest.mark.parametrize(
    "text",
    [
        "温州鹿城区五马街道解放街一百二十三号3-2-301",
        "浙江省温州市浙江省温州市鹿城区解放街123号(五马美食林对面)",
        "上海市四川北路1666号",
        "苍南县龙港镇人民路1号",
        "廣東省廣州市天河區天河路385號Ｂ座２０１",
        "解放街123号",
    ],
)
def test_normalize_is_idempotent_on_typical_addresses(text):
    """The canonical form of a typical messy address is its own canonical form."""
    once = stdaddr.normalize(text)
    assert stdaddr.normalize(once) == once


@pytest.mark.parametrize(
    ("text", "door", "finer"),
    [
        ("厦门市湖里区禾山街道12号之1 302房", "12号附1", ("room", "302室")),
        ("成都市锦江区春熙路9附1号 3幢", "9号附1", ("building", "3幢")),
        ("温州市鹿城区解放街12号 302室", "12号", ("room", "302室")),
    ],
)
def test_the_canonical_form_keeps_an_annex_apart_from_the_number_after_it(text, door, finer):
    """A door's annex and a room or building number after it: the canonical form reads back as both."""
    again = stdaddr.parse(stdaddr.normalize(text))
    assert again.house_number == door
    assert getattr(again, finer[0]) == finer[1]


@FAST
@given(st.one_of(any_text, address_like))
def test_parse_offsets_always_point_into_the_input(text):
    """Every component's span lies inside the input and ``input[start:end]`` is its text (the input as
    ``text`` keeps it: a surrogate code point replaced by U+FFFD, the length unchanged)."""
    a = stdaddr.parse(text)
    assert len(a.text) == len(text)
    assert all(
        x == y or (0xD800 <= ord(x) < 0xE000 and y == "\ufffd") for x, y in zip(text, a.text, strict=True)
    )
    _assert_offsets_valid(a.text, a)


@FAST
@given(address_like)
def test_parse_of_bytes_equals_parse_of_text(text):
    """UTF-8 bytes parse like the text they encode."""
    assume(not any(0xD800 <= ord(c) < 0xE000 for c in text))  # lone surrogates have no UTF-8 form
    assert stdaddr.parse(text.encode("utf-8")).normalized == stdaddr.parse(text).normalized


messy_values = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.integers(),
    st.floats(allow_nan=True),
    st.binary(max_size=40),
    address_like.map(lambda s: s.encode("utf-8", errors="surrogatepass")),
    address_like.map(lambda s: s.encode("gb18030", errors="ignore")),
    any_text,
    address_like,
    st.lists(st.integers(), max_size=2),
    st.booleans(),
)


@FAST
@given(st.lists(messy_values, max_size=12))
def test_parse_many_returns_one_result_per_input_and_never_raises(values):
    """``parse_many`` gives one Address per value for None, NaN, numbers, bytes and strings alike."""
    out = stdaddr.parse_many(values)
    assert len(out) == len(values)
    assert all(isinstance(a, stdaddr.Address) for a in out)
    for value, a in zip(values, out, strict=True):
        if isinstance(value, str):
            assert len(a.text) == len(value)
            _assert_offsets_valid(a.text, a)  # the value, a surrogate code point replaced by U+FFFD


def test_parse_many_explains_missing_values():
    """``None`` and NaN give an empty Address whose notes say the value was missing."""
    none, nan, number = stdaddr.parse_many([None, math.nan, 42])
    for a in (none, nan, number):
        assert a.normalized == ""
        assert a.notes
    assert "missing" in none.notes[0] and "missing" in nan.notes[0]


def test_parse_many_accepts_a_generator():
    """``parse_many`` takes any iterable, not only lists."""
    out = stdaddr.parse_many(t for t in ("解放街1号", None))
    assert [a.road for a in out] == ["解放街", None]


@pytest.mark.parametrize("value", [None, 123, 1.5, math.nan, ["解放街1号"], {"a": 1}, object(), True])
def test_parse_of_a_non_string_raises_input_error(value):
    """``parse`` raises InputError (a ValueError) for any value that is neither str nor bytes."""
    with pytest.raises(stdaddr.InputError, match=r"^parse\(\) takes a str"):
        stdaddr.parse(value)
    assert issubclass(stdaddr.InputError, ValueError)


@pytest.mark.parametrize("value", [None, 123, math.nan])
def test_normalize_of_a_non_string_raises_input_error(value):
    """``normalize`` raises InputError for a non-string, like ``parse``."""
    with pytest.raises(stdaddr.InputError, match=r"^normalize\(\) takes a str"):
        stdaddr.normalize(value)


def test_parse_many_on_two_workers_gives_the_results_of_one():
    """Parsing a big batch on forked workers returns the same Address objects, in order."""
    texts = [f"温州市鹿城区五马街道解放街{i}号{i % 7}幢" for i in range(21_000)] + [None, "", float("nan")]
    assert stdaddr.parse_many(texts, workers=2) == stdaddr.parse_many(texts, workers=1)


@pytest.mark.parametrize(
    "text",
    [
        "龙港镇" * 12,
        "五马街道" * 24,
        "五马街道" + "东华门街道" * 5 + "浙江",
        "省【省省〇〇【省省【省【〇〇〇省〇【省【【〇【",
    ],
)
def test_normalize_reaches_a_fixed_point_on_copies_of_one_name(text):
    once = stdaddr.normalize(text)
    assert stdaddr.normalize(once) == once


@pytest.mark.parametrize("text", ["a1" * 150, "B2" * 149, "龙港镇" * 30 + "龙港大道1号"])
def test_normalize_drops_a_run_of_copies_in_few_readings(text, monkeypatch):
    # Each reading of such a text drops one leading copy; normalize drops the run at once instead of
    # reading the text once per copy (150 readings of junk took a second).
    from stdaddr import parsing

    calls = []
    real = parsing.parse
    monkeypatch.setattr(parsing, "parse", lambda t: calls.append(t) or real(t))
    once = stdaddr.normalize(text)
    assert len(calls) <= 6, len(calls)
    assert stdaddr.normalize(once) == once


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("龙港镇龙港镇龙港镇龙港大道1号", "龙港镇龙港大道1号"),
        ("五马街道五马街道五马街道解放街1号", "五马街道解放街1号"),
    ],
)
def test_a_town_written_three_times_is_read_once(text, canonical):
    address = stdaddr.parse(text)
    assert address.normalized == canonical
    assert [c.field for c in address.components].count("poi") == 0
