"""The tokenizer's alternatives behind their opening characters match exactly what they match without."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stdaddr.parsing import tail
from stdaddr.parsing.alternation import guarded_alternation
from stdaddr.text import clean

GOLDEN = Path(__file__).parent / "data" / "golden" / "parse.tsv"
_PLAIN_TOKEN = re.compile("|".join(tail._TOKEN_ALTERNATIVES))


def _tokens(
    pattern: re.Pattern[str], text: str
) -> list[tuple[str | None, tuple[int, int], tuple[str | None, ...]]]:
    return [(m.lastgroup, m.span(), m.groups()) for m in pattern.finditer(text)]


def _golden_texts() -> list[str]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t")[1] for line in lines if line.count("\t") >= 1]


def test_guarded_tokenizer_splits_every_golden_text_as_the_plain_one() -> None:
    """Every token, its kind, span and groups, is the same with and without the guards."""
    texts = _golden_texts()
    assert len(texts) > 300
    for text in texts:
        cleaned, _ = clean(text)
        assert _tokens(tail._TOKEN, cleaned) == _tokens(_PLAIN_TOKEN, cleaned), text


_ADDRESS_CHARS = "0123456789-,()ABFX路街巷弄号幢栋楼层室单元门梯组村社区镇乡街道第一二三十百零附甲之网格电话岁米东西南北对面附近旁收花园小区大厦"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ADDRESS_CHARS), max_size=30))
def test_guarded_tokenizer_agrees_on_any_text_of_address_characters(text: str) -> None:
    """Random texts of the characters the alternatives open with split the same way."""
    assert _tokens(tail._TOKEN, text) == _tokens(_PLAIN_TOKEN, text)


@pytest.mark.parametrize(
    ("alternatives", "expected"),
    [
        (["[0-9]+号"], "(?=[0-9])(?:[0-9]+号)"),  # a class
        (["第?[0-9]+层"], "(?=[第0-9])(?:第?[0-9]+层)"),  # an optional opening adds what follows
        (["(?<![0-9])[0-9]+"], "(?=[0-9])(?:(?<![0-9])[0-9]+)"),  # a lookbehind takes no character
        (["[^0-9]+路"], "(?=[^0-9])(?:[^0-9]+路)"),  # a negated class stays one
        (["\\d|室"], "(?=[\\d室])(?:\\d|室)"),  # a category
        (["x*"], "x*"),  # matches the empty string: no guard
        (["(a)\\1", ".b", "(?i:c)"], "(?=[a])(?:(a)\\1)|.b|(?i:c)"),  # a back reference opens with its group
    ],
)
def test_each_alternative_gets_the_characters_it_can_open_with(
    alternatives: list[str], expected: str
) -> None:
    """The guard is the set of opening characters; none when any character or nothing can open it."""
    assert guarded_alternation(alternatives) == expected
