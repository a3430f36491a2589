"""Character-level normalization: one ``str.translate`` table plus an offset map back to the input.

The table folds full-width and compatibility forms (NFKC), CJK radical-supplement forms, traditional
characters, dash/bracket/comma variants, lower-case Latin letters, and deletes whitespace and control
characters. Chinese numerals are not rewritten here: names such as 五马街道 or 一二八纪念路 contain them,
so numbers are read only where a marker (号 幢 单元 层 室 …) says they are numbers; see :func:`to_number`.

>>> clean("鹿城区 解放街１２３号")[0]
'鹿城区解放街123号'
>>> to_number("一百二十三"), to_number("二〇一"), to_number("肆"), to_number("0301"), to_number("五0一")
('123', '201', '4', '0301', '501')
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

__all__ = ["clean", "fold_all", "to_number", "NUMERAL", "CN_DIGITS", "PLAIN_NUMERALS"]

CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖幺"
CN_UNITS = "十百千拾佰仟"
# One number: Arabic digits, or Chinese/financial numerals (ones and units); 廿 (20) and 卅 (30) open
# a numeral, or stand alone before a number's mark (廿三号, 廿幢; not 鄞卅区, 卅 mistyped for 州).
NUMERAL = rf"(?:\d+|[廿卅]?[{CN_DIGITS}{CN_UNITS}]+|[廿卅](?=[号幢栋楼层室]))"
# Financial numerals and 零, 两 as plain Chinese numerals, one character each (伍段 as 五段, 贰 as 二).
PLAIN_NUMERALS = str.maketrans("零壹贰叁肆伍陆柒捌玖拾佰仟两", "〇一二三四五六七八九十百千二")

_DIGIT_VALUE = {
    c: v
    for v, cs in enumerate(
        ("零〇", "一壹幺", "二两贰", "三叁", "四肆", "五伍", "六陆", "七柒", "八捌", "九玖")
    )
    for c in cs
}
_ARABIC = frozenset("0123456789")
_UNIT_VALUE = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}

_DASHES = "‐‑‒–—―−﹣－～~〜─"
_OPEN = "（［【〔｛〈《「『[{"
_CLOSE = "）］】〕｝〉》」』]}"
_SEPARATORS = "，、；;：:。．|/\\"
_SPACES = "\t\n\r\x0b\x0c \u00a0\u1680\u3000\ufeff\u200b\u200c\u200d\u2060"


def _data_lines(name: str) -> list[list[str]]:
    text = resources.files("stdaddr").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _table() -> tuple[dict[int, str], re.Pattern[str]]:
    """The translation table, and a pattern of the characters it deletes or expands."""
    table: dict[int, str] = {}
    ranges = [
        (0x00A0, 0x0250),
        (0x2000, 0x2BFF),
        (0x2F00, 0x2FE0),
        (0x3000, 0x3400),
        (0xF900, 0xFB00),
        (0xFE10, 0xFFF0),
        (0x1D400, 0x1D800),  # mathematical letters and digits (𝟏𝟓号)
    ]
    for lo, hi in ranges:
        for cp in range(lo, hi):
            c = chr(cp)
            n = unicodedata.normalize("NFKC", c)
            if n != c:
                table[cp] = n
    for cp in range(0x20):
        table[cp] = ""
    table[0x7F] = ""
    # C1 controls (NEL, U+0085, and the line and paragraph separators part lines: a separator), bidi marks
    # and the replacement character (a byte that did not decode, or a lone surrogate): nothing of the
    # address.
    for cp in (
        *range(0x80, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0xFFFD,
    ):
        table[cp] = ""
    for cp in (0x85, 0x2028, 0x2029):
        table[cp] = ","
    for cp in range(0xD800, 0xE000):  # lone surrogates from surrogateescape decoding
        table[cp] = ""
    for radical, ideograph in _data_lines("radicals.tsv"):
        table[ord(radical)] = ideograph
    for trad, simp in _data_lines("t2s.tsv"):
        table[ord(trad)] = simp
    for variant, usual in _ADDRESS_VARIANTS.items():
        table[ord(variant)] = usual
    for c in _DASHES:
        table[ord(c)] = "-"
    for c in _OPEN:
        table[ord(c)] = "("
    for c in _CLOSE:
        table[ord(c)] = ")"
    for c in _SEPARATORS:
        table[ord(c)] = ","
    for c in _SPACES:
        table[ord(c)] = ""
    # Invisible marks inside words: the soft hyphen, variation selectors and the keycap (1️⃣), combining
    # marks (解́放街): nothing of the address.
    for cp in (0x00AD, 0x034F, 0xFE0E, 0xFE0F, 0x20E3, *range(0x0300, 0x0370), *range(0x20D0, 0x20F1)):
        table[cp] = ""
    for cp in range(ord("a"), ord("z") + 1):
        table[cp] = chr(cp - 32)
    # A replacement may itself need folding (NFKC gives '：' -> ':' -> ','); apply the table twice.
    for cp, rep in list(table.items()):
        if rep:
            table[cp] = rep.translate(table)
    changes_length = "".join(re.escape(chr(cp)) for cp, rep in table.items() if len(rep) != 1)
    return table, re.compile(f"[{changes_length}]")


# Variant forms of address words that no traditional-to-simplified table folds: 衖 (old Shanghai 弄),
# 邨 (村 of estates: 新邨).
_ADDRESS_VARIANTS = {"衖": "弄", "邨": "村"}


# The letter O written for a zero inside or right after Arabic digits (7O1室, 1O0号, 7O号): typed or
# read by OCR for 0. One character for one, so the offset map is unchanged.
_LETTER_ZERO = re.compile("(?<=[0-9])O+(?=[0-9]|[号室层楼幢栋户房弄单])")
# 七O一室: the letter O between Chinese digits is their zero (〇).
_LETTER_CN_ZERO = re.compile("(?<=[一二三四五六七八九十])O+(?=[一二三四五六七八九])")
# 一○二室, 二○○一号, 3○1室: the white circle (○, ◯) typed for the zero of a number, as word processors
# offer it in place of 〇; between or after Chinese digits it is 〇, among Arabic digits 0.
_CIRCLES = "○◯"
_CIRCLE_CN_ZERO = re.compile(
    f"(?<=[〇一二三四五六七八九十])[{_CIRCLES}]+(?=[〇一二三四五六七八九{_CIRCLES}]|[号室层楼幢栋户房弄])"
)
_CIRCLE_ZERO = re.compile(f"(?<=[0-9])[{_CIRCLES}]+(?=[0-9]|[号室层楼幢栋户房弄单])")

# Characters typed or read by OCR for a numeral's inside a Chinese number before its mark, or for the mark:
# homophones of voice input (一白二十三号, 二什八号, 久十号, 一百二十山号, 五十六好) and look-alikes (八十人号;
# 三撞, 四冻 for 三幢, 四栋). Left, the slip made a name of the number's head (一白) and a smaller door of its
# rest (二十三号). One character for one, so the offset map is unchanged.
_CN_NUMBER_MARK = "[号室层楼幢栋弄]"
_SLIPS = {"白": "百", "什": "十", "久": "九", "山": "三", "人": "八", "好": "号", "撞": "幢", "冻": "栋"}
_SLIPPED = re.compile(
    f"(?<=[一二三四五六七八九两])白(?=[〇零一二三四五六七八九十]{{0,3}}{_CN_NUMBER_MARK})"
    f"|(?<=[二三四五六七八九百])什(?=[一二三四五六七八九]?{_CN_NUMBER_MARK})"
    f"|久(?=[十百][〇零一二三四五六七八九十]{{0,3}}{_CN_NUMBER_MARK})"
    f"|(?<=[十百])久(?={_CN_NUMBER_MARK})"
    f"|(?<=[〇零十百])[山人](?=[号室])"
    "|(?<=[〇零一二三四五六七八九十百0-9])好(?=$|[^\u3400-\u9fff\U00020000-\U0003ffff]|[楼幢栋单室])"
    "|(?<=[0-9一二三四五六七八九十])[撞冻](?=[0-9一二三四五六七八九]|单元|$|[^\u3400-\u9fff\U00020000-\U0003ffff])"
)
_SLIP_CHARS = re.compile(f"[{''.join(_SLIPS)}]")


# Spaces between two digits (Arabic or full-width): they part two numbers, which deleting them would join.
# So do spaces between a number and a name after it (愉景花园1-1203 东莞南城: the divisions written last), not
# the number's own mark (88 号).
_GAP_AFTER_NUMBER = re.compile(
    "(?<=[0-9\uff10-\uff19])[ \t\u3000\xa0]+"
    "(?=[0-9\uff10-\uff19]|(?![号室层楼幢栋单户房弄组座期区米])[\u3400-\u9fff\U00020000-\U0003ffff])"
)


def _part_numbers(text: str) -> str:
    """301 13906771234, 1203 东莞南城: spaces after a number part it from the number or name after it (a
    comma each, so offsets stay put)."""
    if " " in text or "\u3000" in text or "\t" in text or "\xa0" in text:
        return _GAP_AFTER_NUMBER.sub(lambda m: "," * len(m.group()), text)
    return text


def clean(text: str) -> tuple[str, list[int] | None]:
    """Fold the characters of ``text``; return the folded string and its offset map.

    The map is ``None`` when folding kept every character in place (the common case); otherwise
    ``offsets[i]`` is the index in ``text`` of the character that produced ``folded[i]``, and
    ``offsets[len(folded)] == len(text)``.

    >>> clean("３－２－３０１")
    ('3-2-301', None)
    >>> clean("解放 街")
    ('解放街', [0, 1, 3, 4])
    >>> clean("301 13906771234")[0]
    '301,13906771234'
    >>> clean("7o1室")
    ('701室', None)
    """
    table, length_changers = _table()
    text = _part_numbers(text)
    folded = text.translate(table)
    if len(folded) == len(text) and length_changers.search(text) is None:
        return _zeros(folded), None
    # Only the characters the table deletes or expands move the map: the runs between them map one to
    # one (str.translate folds character by character, so ``folded`` is already the joined result).
    offsets: list[int] = []
    pos = 0
    for m in length_changers.finditer(text):
        i = m.start()
        offsets.extend(range(pos, i))
        offsets.extend([i] * len(table[ord(text[i])]))
        pos = i + 1
    offsets.extend(range(pos, len(text)))
    offsets.append(len(text))
    return _zeros(folded), offsets


# Joins the texts fold_all folds in one pass: the table keeps it, and no letter-zero run goes across it.
_FOLD_JOIN = "#"


def fold_all(texts: list[str]) -> list[str]:
    """``clean(t)[0]`` of each text, folded in one pass over them all: for indexes of many names.

    >>> fold_all(["溫州", "３０１", "7o1室"])
    ['温州', '301', '701室']
    """
    table, _ = _table()
    folded = _zeros(_part_numbers(_FOLD_JOIN.join(texts)).translate(table)).split(_FOLD_JOIN)
    if len(folded) != len(texts):  # a text with the joining character (or a form of it): one by one
        return [clean(t)[0] for t in texts]
    return folded


def _zeros(folded: str) -> str:
    if _SLIP_CHARS.search(folded) is not None:
        folded = _SLIPPED.sub(lambda m: _SLIPS[m.group()], folded)
    if "○" in folded or "◯" in folded:
        folded = _CIRCLE_CN_ZERO.sub(lambda m: "〇" * len(m.group()), folded)
        folded = _CIRCLE_ZERO.sub(lambda m: "0" * len(m.group()), folded)
    if "O" not in folded:
        return folded
    folded = _LETTER_CN_ZERO.sub(lambda m: "〇" * len(m.group()), folded)
    return _LETTER_ZERO.sub(lambda m: "0" * len(m.group()), folded)


def to_number(numeral: str) -> str:
    """The Arabic digits of one numeral: '123', '一百二十三', '二〇一' (read digit by digit), '肆'.

    Arabic digits come back unchanged, leading zeros included. A string that is not one numeral
    comes back unchanged.
    """
    if numeral.isdigit() and numeral.isascii():
        return numeral
    if "廿" in numeral or "卅" in numeral:  # 廿三 = 二十三, 卅一 = 三十一 (dates, door numbers)
        numeral = numeral.replace("廿", "二十").replace("卅", "三十")
    if not any(c in _UNIT_VALUE for c in numeral):
        # 五0一: Chinese and Arabic digits mixed, read digit by digit.
        if all(c in _DIGIT_VALUE or c in _ARABIC for c in numeral):
            return "".join(c if c in _ARABIC else str(_DIGIT_VALUE[c]) for c in numeral)
        return numeral
    total = 0
    current = 0
    for c in numeral:
        if c in _DIGIT_VALUE:
            current = _DIGIT_VALUE[c]
        elif c in _UNIT_VALUE:
            total += (current or 1) * _UNIT_VALUE[c]
            current = 0
        else:
            return numeral
    return str(total + current)


def chinese_numeral(n: int) -> str:
    """The Chinese numeral of ``0 <= n < 10000`` as road and building names write it: 十二, 一百零五.

    >>> [chinese_numeral(n) for n in (1, 10, 12, 20, 105, 110, 2006)]
    ['一', '十', '十二', '二十', '一百零五', '一百一十', '二千零六']
    """
    if not 0 <= n < 10000:
        raise ValueError(f"expected a number from 0 to 9999, got {n}")
    if n < 10:
        return _CHINESE_DIGITS[n]
    out: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            out.append(("零" if zero and out else "") + _CHINESE_DIGITS[d] + unit)
            zero = False
        else:
            zero = True
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text


_CHINESE_DIGITS = "零一二三四五六七八九"


def match_end(pattern: re.Pattern[str], text: str, pos: int = 0) -> int:
    """Where ``pattern`` matched at ``pos`` ends (``pos`` when it does not match: for patterns that
    match the empty string, this is their end)."""
    m = pattern.match(text, pos)
    return pos if m is None else m.end()
