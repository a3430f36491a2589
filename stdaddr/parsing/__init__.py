"""Text to :class:`~stdaddr.models.Address`: fold characters, find divisions, split the tail, assemble.

The stages live in their own modules and are composed here, in this order:

1. :func:`stdaddr.text.clean` folds characters and keeps an offset map to the input;
2. :mod:`.divisions` finds division names and keeps the best hierarchy-consistent chain;
3. :mod:`.community` reads a community of the gazetteer right after the divisions;
4. :mod:`.tail` splits the rest into road, numbers, compound, building, unit, floor, room, notes;
5. :mod:`.assemble` fills in the levels above from the codes and builds the result.

>>> a = parse("温州鹿城区五马街道解放街一百二十三号3-2-301")
>>> a.province, a.county, a.town, a.road, a.house_number, a.building, a.unit, a.room
('浙江省', '鹿城区', '五马街道', '解放街', '123号', '3幢', '2单元', '301室')
>>> a.county_code, a.town_code, sorted(a.inferred)
('330302', '330302006', ['province'])
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

from stdaddr import gazetteer
from stdaddr.errors import InputError
from stdaddr.gazetteer import FULL
from stdaddr.io import CJK, NULL_MARKER_MAX, is_missing, is_null_marker
from stdaddr.models import Address, Component
from stdaddr.parsing.assemble import assemble, dropped_before
from stdaddr.parsing.community import (
    FoundCommunity,
    county_before_village,
    find_community,
    moved_community,
    town_before_village,
    village_after_unknown_town,
    village_before_town,
    village_over_town,
)
from stdaddr.parsing.divisions import (
    Chain,
    Hit,
    Reading,
    best_chains,
    correct_county,
    correct_town,
    earlier_unit,
    extend,
    find_hits,
    later_unit,
    moved_town,
    next_place,
    organisation_first,
    second_place,
    settled_by_upper,
    sibling_unit,
)
from stdaddr.parsing.forms import FORM_HINT, form_notes
from stdaddr.parsing.tail import OTHER_SCRIPT, Piece, split_tail
from stdaddr.text import chinese_numeral, clean

__all__ = ["parse", "normalize", "parse_many", "clear_cache", "warm_up", "parser_digest", "MAX_LENGTH"]

# Longer texts are cut here before parsing (no address is this long; a note in the result says so).
MAX_LENGTH = 300
_CACHE_SIZE = 1 << 16
# A word in Latin letters (not a building letter or a unit code like B2, 3F).
_LATIN_WORD = re.compile("[A-Z]{3,}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A place outside the divisions the gazetteer holds, opening the text: 香港, 澳门, 台湾 and the cities of
# 台湾, foreign countries (not a road, estate or shop named after one: 香港中路, 澳门路, 新加坡花园).
_OUTSIDE = re.compile(
    "^[^\u3400-\u9fff]*(?:中国)?[^\u3400-\u9fff]*"
    "((?:香港|澳门)(?:特别行政区|特区)?|台湾(?:省|地区)?|(?:台北|新北|桃园|台中|台南|高雄|基隆|新竹|嘉义)市)?"
    "(日本国?|韩国|大韩民国|朝鲜|美国|美利坚合众国|英国|法国|德国|意大利|西班牙|葡萄牙|荷兰|比利时|瑞士|瑞典|挪威"
    "|丹麦|芬兰|俄罗斯|乌克兰|加拿大|澳大利亚|新西兰|新加坡|马来西亚|泰国|越南|老挝|柬埔寨|缅甸|菲律宾"
    "|印度尼西亚|印尼|印度|巴基斯坦|阿联酋|沙特阿拉伯|土耳其|埃及|南非|巴西|阿根廷|墨西哥|智利)?"
    "(?<=[\u3400-\u9fff])(?![东西南北中]?(?:路|街|大道|巷|道|里|花园|广场|城|小区|新村|大厦|中心|商城|市场|村|店|公司|馆|餐厅|工业园))"
)
# Below this many values, forking workers costs more than it saves.
_PARALLEL_FROM = 20_000


def as_text(text: Any, caller: str = "parse") -> str:
    """``text`` as a str (a surrogate code point replaced by U+FFFD): bytes are read as UTF-8, else as UTF-16
    when they have its BOM or zero bytes, else as GB18030 (undecodable bytes replaced); an :class:`~stdaddr.errors.InputError` naming ``caller`` for anything
    else."""
    if isinstance(text, str):
        if _SURROGATE.search(text) is None:
            return text
        # A surrogate code point is no character: U+FFFD in its place, so that results encode as UTF-8
        # and offsets still count the text's code points.
        return _SURROGATE.sub("\ufffd", text)
    if isinstance(text, (bytes, bytearray)):
        raw = bytes(text)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) >= 2 and b"\x00" in raw):
            # UTF-16 (its BOM, or the zero bytes of its ASCII's other half): read as such, not as GB18030
            # pairs of garbage.
            encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else _utf16_order(raw)
            return raw.decode(encoding, errors="replace")
        return raw.decode("gb18030", errors="replace")
    raise InputError(f"{caller}() takes a str (or bytes), got {type(text).__name__}: {text!r:.80}")


def _utf16_order(raw: bytes) -> str:
    """The byte order of UTF-16 without a BOM: where its zero bytes fall (the high half of ASCII)."""
    return "utf-16-be" if raw[0::2].count(0) > raw[1::2].count(0) else "utf-16-le"


def parse(text: str) -> Address:
    """Parse one address into its levels, with division codes, offsets into ``text`` and flags.

    Never raises for any string; raises :class:`~stdaddr.errors.InputError` for a non-string.

    >>> parse("朝阳区").ambiguous
    True
    >>> parse("上海市四川北路1号").road
    '四川北路'
    """
    return _parse_cached(as_text(text))


# A numbered estate or village, a numbered hutong, 道 (深圳) or 里 (厦门), written with Arabic digits in its
# name (古美1村, 曹杨8村, 西四北3条, 高新南7道23号, 松岳2里23号): the gazetteer and the bases write 古美一村, 西四北三条. Only where the
# Chinese numeral has as many characters as the digits (1-9, 11-20, 30 …), so that every offset stays put.
_ORDINAL_IN_NAME = re.compile(
    "(?<=[\u3400-\u9fff\U00020000-\U0003ffff]{2})(?<![0-9])([1-9]|1[1-9]|[2-9]0)(?=村(?!民)|条(?=[0-9号胡巷,]|$)|[道里](?=[0-9]+号))"
    # 150团5连: a company of a regiment (兵团), written 五连
    "|(?<=团)(?<![0-9])([1-9]|1[1-9]|[2-9]0)(?=连)"
    # 11纬路, 3经街, 西3道街, 西3条街 (沈阳, 长春), 南5马路, 北1中路: a street numbered in a grid, named in Chinese
    "|(?<![0-9A-Z])([1-9]|1[1-9]|[2-9]0)(?=[纬经][路街]|道街|条街)"
    "|(?<=[东西南北])(?<![0-9])([1-9]|1[1-9]|[2-9]0)(?=马路|中路)"
)


def _ordinal(m: re.Match[str]) -> str:
    return chinese_numeral(int(m.group()))


# A free-trade zone written with its province in brackets or with its area (中国(上海)自由贸易试验区临港新片区,
# 河南自贸试验区郑州片区): a zone of registration that spans cities; the names of a province or city inside it
# are read, the rest is a note.
_FREE_TRADE_ZONE = re.compile(
    "(中国)?(\\()?(?:[\u4e00-\u9fff]{2,3}(?=\\)?自))?(\\))?(自由贸易试验区|自由贸易区|自贸试验区|自贸区)"
    "(?:([\u4e00-\u9fff]{2,6}?)(新?片区))?"
)


def _free_trade_zone(folded: str) -> tuple[str, tuple[Piece, ...]]:
    """The text with the words of a free-trade zone made separators (so that offsets stay put), and
    those words as notes; a 片区 named after no province or city is a note whole (临港新片区, not 郑州片区)."""
    out = list(folded)
    masked = []
    for m in _FREE_TRADE_ZONE.finditer(folded):
        if m.group(2) is None and (m.group(6) is None or not _after_division(folded, m.start(4))):
            # 上海自贸区, 外高桥自由贸易试验区: a zone named after one place, read as a zone
            continue
        groups = [1, 2, 3, 4, 6]
        if m.group(5) and all(e.level > 1 for e in gazetteer.load().lookup(m.group(5))):
            groups.append(5)
        spans = sorted(m.span(g) for g in groups if m.group(g))
        for s, e in _joined(spans):
            masked.append(Piece("extra", s, e, folded[s:e]))
            out[s:e] = "," * (e - s)
    return "".join(out), tuple(masked)


# Written with marks the cleaned text folds away, so found in the input: a time of day or a span of times
# (22:30, 07:15:22, 12:00-13:30, 约21:00—23:30), whose colon becomes a comma (22,30 read as a building and
# a room), a sum of money with its thousands' commas (¥1,280, 12,800元) and a share (约1/3).
_TIME_OR_MONEY = re.compile(
    r"(?<![0-9A-Za-z])(?:[01]?[0-9]|2[0-3])[:：][0-5][0-9](?:[:：][0-5][0-9])?"
    r"(?:\s*[-—~～至到]+\s*(?:[01]?[0-9]|2[0-3])[:：][0-5][0-9](?:[:：][0-5][0-9])?)?(?![0-9])"
    r"|[¥￥]\s*[0-9]+(?:[,，][0-9]{3})*(?:\.[0-9]+)?(?:元|万元)?"
    r"|(?<![0-9])[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?万?元"
    # 约1/3的住户: a share, its slash folded to a comma as well
    r"|(?:约|近|超过)[0-9]+/[0-9]+|(?<![0-9A-Za-z/-])[0-9]+/[0-9]+(?=的)"
)
_TIME_OR_MONEY_HINT = re.compile("[:：¥￥]|[0-9],[0-9]{3}|[0-9]/[0-9]")
# The XPCC and its division written before a regiment (新疆生产建设兵团第八师|143团, 121团 第八师 3连): notes,
# as the divisions name the regiment alone (兵团一四三团).
_CORPS = re.compile(
    "生产建设兵团(?:第[一二三四五六七八九十0-9]{1,2}师)?"
    "|(?<![\u3400-\u9fff])(?:兵团)?(?:第|农)[一二三四五六七八九十0-9]{1,2}师"
    "(?=[^\u3400-\u9fff]|$|[0-9〇零一二三四五六七八九十]{2,4}团)"
)
# An HTML entity or tag left in an export (南京西路1266号&nbsp;恒隆广场, 解放街9号<br/>五马大厦): a separator,
# kept as a note.
_HTML_ENTITY = re.compile(
    "&(?:nbsp|amp|lt|gt|quot|apos|#[0-9]{1,6}|#x[0-9a-fA-F]{1,6});|</?[A-Za-z][A-Za-z0-9]{0,9}(?:[ /][^<>]{0,60})?>",
    re.IGNORECASE,
)
# Emoji and pictographs (🏠, 📦, ☎) in an order export: separators, kept as notes.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf][\ufe0f\u200d\U0001f3fb-\U0001f3ff]*")
# A courier's name opening a delivery note, set apart from the address (韵达 老鹰山煤矿宿舍…, 顺丰：…).
_COURIER = re.compile(
    r"\s*(?:顺丰|韵达|中通|圆通|申通|百世|极兔|京东|德邦|邮政|EMS|菜鸟)(?:快递|速运|速递|物流|包裹)?(?=\s|[:：,，])"
)


def _masked_spans(
    spans: list[tuple[int, int]], folded: str, offsets: list[int] | None
) -> tuple[str, tuple[Piece, ...]]:
    """The cleaned text with the spans of the input made separators (offsets stay put), and those spans as
    notes: a form's fields other than its address (see :mod:`stdaddr.parsing.forms`), times and sums."""
    if not spans:
        return folded, ()
    out = list(folded)
    positions = offsets[: len(folded)] if offsets is not None else range(len(folded))  # None: the same
    hidden = [(i, i + 1) for i, at in enumerate(positions) if any(s <= at < e for s, e in spans)]
    masked = []
    for s, e in _joined(hidden):
        masked.append(Piece("extra", s, e, folded[s:e]))
        out[s:e] = "," * (e - s)
    return "".join(out), tuple(masked)


# A building, unit, floor or room (5栋, 1单元, 3楼, 1801室, 9-1-1801), as written before the divisions.
_FINE_PART = re.compile(
    "(?:第?[0-9一二三四五六七八九十]+|[A-Z])(?:幢|栋|座|号楼|单元|层|楼|室|户)"
    # (3-2-301, 1-1203; not a ticket's number, GD-2024-0318-0056)
    "|(?<![0-9A-Z-])[0-9]{1,4}(?:-[0-9]{1,4}){1,2}(?![0-9A-Z-])"
    # 罗家寨组8号, 3组12号: a villager group's door
    "|组[0-9]{1,4}号"
)
# What a compound's name, a building's number or a village and its town written finest first have none of:
# a county's or a road's word, a door's mark after no number (not 家属区, 小区, 生活区: a compound's kind).
_NOT_FINE = re.compile("[省市县路街巷弄道]|(?<![小园属活舍置])区|(?<![0-9])号(?!楼)|地址|住址|住所")


def _set_apart(folded: str, offsets: list[int] | None, at: int) -> bool:
    """Whether a part of the text starts at ``at``: after a separator, or after a space the cleaned text
    dropped between two words (offsets skip a character)."""
    return at > 0 and (folded[at - 1] == "," or dropped_before(offsets, at))


def _divisions_after_parts(folded: str, offsets: list[int] | None, hits: list[Any], chains: list[Any]) -> int:
    """Where the divisions start after a separator, past other text: the one chain's first name, or
    with no chain (the text before cost it too much), the first official name of a province, city or
    county set apart; 0 when they open the text."""
    if len(chains) == 1 and chains[0].hits:
        return int(chains[0].hits[0].start)
    if chains:
        return 0
    return next(
        (
            h.start
            for h in hits
            if h.start > 1
            and _set_apart(folded, offsets, h.start)
            and h.entry.kind == FULL
            and h.entry.level <= 2
        ),
        0,
    )


def _fine_parts_first(
    folded: str, offsets: list[int] | None, start: int
) -> tuple[str, list[int], list[int]] | None:
    """The text reordered when its divisions are written after the building (and compound) they hold,
    each part set apart by a separator: those parts moved to the end, last first (秀水小区, then 5栋1单元).
    Returns the new text, its offsets into the input and the old position of each new one; None when
    the text is not so written."""
    if start < 2 or not _set_apart(folded, offsets, start):
        return None
    # Where each part starts: after a separator, or after a space the cleaned text dropped.
    starts = [0, *(i for i in range(1, start) if _set_apart(folded, offsets, i))]
    parts: list[tuple[int, int]] = []
    end = start - 1 if folded[start - 1] == "," else start
    while end > 0:
        begin = max(b for b in starts if b < end) if any(b < end for b in starts) else 0
        piece = folded[begin:end]
        if (
            not piece
            or _NOT_FINE.search(piece)
            or CJK.search(piece) is None
            and _FINE_PART.search(piece) is None
        ):
            break
        parts.append((begin, end))
        end = begin - 1 if begin > 0 and folded[begin - 1] == "," else begin
    if not any(_FINE_PART.search(folded, b, e) for b, e in parts):
        return None
    keep = parts[-1][0]  # what stays before the divisions (a label, masked notes)
    order = list(range(keep)) + list(range(start, len(folded)))
    # the separator before the divisions, before each part moved (none when a dropped space set them apart)
    separator = start - 1 if folded[start - 1] == "," else None
    for b, e in parts:
        if separator is not None:
            order.append(separator)
        order.extend(range(b, e))
    positions = offsets if offsets is not None else list(range(len(folded) + 1))
    text = "".join(folded[i] for i in order)
    return text, [positions[i] for i in order] + [positions[len(folded)]], order


def _after_division(folded: str, at: int) -> bool:
    """Whether ``at`` opens the text or follows a separator or the name of a province, city or county
    (河南|自贸试验区, 浦东新区|自贸区)."""
    if at == 0 or not CJK.match(folded, at - 1):
        return True
    g = gazetteer.load()
    return any(e.level <= 2 for k in (2, 3, 4) if k <= at for e in g.lookup(folded[at - k : at]))


def _joined(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


@lru_cache(maxsize=_CACHE_SIZE)
def _parse_cached(text: str) -> Address:
    if len(text) <= NULL_MARKER_MAX and is_null_marker(text):
        return Address(text=text, notes=(f"a placeholder for no address: {text.strip()!r}",))
    notes = [f"text cut to its first {MAX_LENGTH} characters"] if len(text) > MAX_LENGTH else []
    folded, offsets = clean(text[:MAX_LENGTH])
    if _ORDINAL_IN_NAME.search(folded) is not None:
        folded = _ORDINAL_IN_NAME.sub(_ordinal, folded)
    masked: tuple[Piece, ...] = ()
    if "贸" in folded:
        folded, masked = _free_trade_zone(folded)
    spans = form_notes(text[:MAX_LENGTH]) if FORM_HINT.search(text) is not None else []
    if _TIME_OR_MONEY_HINT.search(text) is not None:
        spans.extend(m.span() for m in _TIME_OR_MONEY.finditer(text, 0, MAX_LENGTH))
    if (courier := _COURIER.match(text)) is not None:
        spans.append(courier.span())
    if "&" in text or "<" in text:
        spans.extend(m.span() for m in _HTML_ENTITY.finditer(text, 0, MAX_LENGTH))
    if "兵团" in text or "师" in text:
        spans.extend(m.span() for m in _CORPS.finditer(text, 0, MAX_LENGTH))
    if _EMOJI.search(text, 0, MAX_LENGTH) is not None:
        spans.extend(m.span() for m in _EMOJI.finditer(text, 0, MAX_LENGTH))
    if spans:
        folded, notes_masked = _masked_spans(spans, folded, offsets)
        masked = (*masked, *notes_masked)
    if CJK.search(folded) is None and (
        _LATIN_WORD.search(folded) is not None or OTHER_SCRIPT.search(folded) is not None
    ):
        # No Chinese address in it (No.2999 Main Street, Room 301; an address in Uyghur or Tibetan script):
        # kept whole as a note, nothing is read.
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        note = Component("extra", start, end, text[start:end], text[start:end])
        return Address(
            text=text, components=(note,), extra=(note.value,), notes=(*notes, "no Chinese address text")
        )
    hits = find_hits(folded)
    outside = _OUTSIDE.match(folded)
    if (
        outside is not None
        and (outside.group(1) or outside.group(2))
        and not any(h.start >= outside.end() and h.entry.kind == FULL and h.entry.level <= 1 for h in hits)
    ):
        # 台北市中山区南京东路, 日本国大阪府大阪市北区: no division of the mainland is named, however alike
        # its names (中山区 of 大连, 市北区 of 青岛). A foreign address is kept whole as a note; of one in 香港,
        # 澳门 or 台湾 the place is a note, no division is read, the street part is read as written.
        if outside.group(2):
            start = len(text) - len(text.lstrip())
            end = len(text.rstrip())
            note = Component("extra", start, end, text[start:end], text[start:end])
            return Address(
                text=text,
                components=(note,),
                extra=(note.value,),
                notes=(*notes, f"an address abroad ({outside.group(2)}): nothing is read"),
            )
        s, e = outside.span(1)
        masked = (*masked, Piece("extra", s, e, folded[s:e]))
        folded = folded[:s] + "," * (e - s) + folded[e:]
        hits = []
        notes.append(f"a place outside the divisions: {outside.group(1)}; no division is read")
    chains = settled_by_upper(folded, hits, best_chains(folded, hits))
    if (opening := _divisions_after_parts(folded, offsets, hits, chains)) and (
        moved := _fine_parts_first(folded, offsets, opening)
    ):
        # 5栋1单元，秀水小区，温州鹿城区…东方路24号: the building and its compound written first are read after
        # the street part, where they belong (offsets and notes moved with them).
        folded, offsets, order = moved
        at = {old: new for new, old in enumerate(order)}  # masked notes lie before or after the parts
        masked = tuple(Piece(p.field, at[p.start], at[p.end - 1] + 1, p.value) for p in masked)
        notes.append("the building and compound written before the divisions are read after the street part")
        hits = find_hits(folded)
        chains = settled_by_upper(folded, hits, best_chains(folded, hits))
    reading = extend(folded, hits, chains[0]) if len(chains) == 1 else None
    if reading is not None:
        for step in (
            next_place,
            correct_county,
            _correct_town,
            moved_town,
            sibling_unit,
            earlier_unit,
            organisation_first,
            later_unit,
        ):
            changed = step(folded, hits, reading)
            if changed is not None:
                reading = changed[0]
                notes.append(changed[1])
        chains = [reading.chain]
    community = find_community(folded, chains, reading.end if reading else None)
    if reading is not None and (other := _community_read_again(folded, chains, reading, community)):
        reading, community = other
        chains = [reading.chain]
    if community is None and (other := _village_reading(folded, chains, reading)) is not None:
        reading, community = other
        chains = [reading.chain]
    if (
        community is None
        and reading is not None
        and (elsewhere := moved_community(folded, reading)) is not None
    ):
        reading, community, moved_note = elsewhere
        chains = [reading.chain]
        notes.append(moved_note)
    if (
        community is None
        and reading is not None
        and (unknown := village_after_unknown_town(folded, reading)) is not None
    ):
        reading, community = unknown
        chains = [reading.chain]
    if community is None and chains and (first := village_before_town(folded, chains, reading)):
        reading, community = first
        chains = [reading.chain]
    if community is None and reading is not None and _community_over_county(folded, reading):
        chains, reading = [], None  # divisions inferred from the community by the assembler
    cut = second_place(folded, hits, reading) if reading is not None else None
    if cut is not None:
        notes.append("the text names a second address after the first; it is kept as a note")
    return assemble(text, folded, offsets, chains, reading, community, split_tail, notes, cut, masked)


def _correct_town(folded: str, hits: list[Hit], reading: Reading) -> tuple[Reading, str] | None:
    """:func:`correct_town`: a slip of sound first (先岩街道 is 仙岩街道, whatever village follows); then,
    unless a village of the county written after the town places it (党山镇|群益村: 瓜沥镇, not 党湾镇 with
    one character wrong), a town's namesake village or one character that looks alike."""
    by_sound = correct_town(folded, hits, reading, by_sound=True)
    if by_sound is not None:
        return by_sound
    loose = correct_town(folded, hits, reading)
    if loose is None or village_after_unknown_town(folded, reading) is not None:
        return None
    return loose


def _community_read_again(
    folded: str, chains: list[Chain], reading: Reading, community: FoundCommunity | None
) -> tuple[Reading, FoundCommunity] | None:
    """Another reading of the divisions and the community when the first one misread a name that a
    community of the gazetteer confirms otherwise, or None:

    - 孙镇|孙镇村, 侯镇|侯镇一村: not the town written again but a village named after it;
    - 永嘉|桥下|京桥社区: the town's short name, then a community of it written with its mark, not a
      community's short name (桥下 of 桥下社区) and then another.
    """
    if community is None and reading.repeats:
        last = reading.repeats[-1]
        named = find_community(folded, chains, last.start) if last.end == reading.end else None
        if named is not None and named.end > last.end:
            return Reading(reading.chain, reading.repeats[:-1], last.start, reading.others), named
        return None
    if community is None or folded.endswith(("村", "社区"), community.start, community.end):
        return None
    other = town_before_village(folded, reading)
    return other if other is not None and other[1].start == community.end else None


def _village_reading(
    folded: str, chains: list[Chain], reading: Reading | None
) -> tuple[Reading, FoundCommunity] | None:
    """Another reading of the divisions that a village of the gazetteer confirms, when none was found
    after the divisions read: over a town whose name the village opens inside, after a county or town
    short name the division finder passed over (see :mod:`.community`). Each needs a village written
    with 村 or 社区 or followed by a group, so a text with none of these is not looked at again."""
    if "村" not in folded and "社区" not in folded and "组" not in folded:
        return None
    if reading is None:
        return county_before_village(folded) if not chains else None
    return village_over_town(folded, reading) or town_before_village(folded, reading)


def _community_over_county(folded: str, reading: Reading) -> bool:
    """Whether the text opens with a county's short name that is rather the opening of a community
    written with its mark, one of that name nationwide, with no community of the county after the short
    name (康乐|中社区康乐直街19号: 康乐中社区 of 广州, not 甘肃's 康乐县 and a 中社区 it lacks)."""
    hits = reading.chain.hits
    if len(hits) != 1 or reading.repeats or reading.others:
        return False
    h = hits[0]
    if h.entry.level != 2 or h.entry.kind == FULL or folded[: h.start].strip(",") != "":
        return False
    g = gazetteer.load()
    for end in range(min(len(folded), h.start + _MAX_COMMUNITY_WRITTEN), h.end + 1, -1):
        name = folded[h.start : end]
        if name.endswith(("社区", "村")) and len(g.communities_written(name)) == 1:
            return True
    return False


_MAX_COMMUNITY_WRITTEN = 10


@cache
def parser_digest() -> str:
    """A digest of what decides how a text is read: the parser's code, character folding, the gazetteer
    and its data, and how matching keys what was read. An index records the digest of the parser that read its records; records read by
    another parser may not agree with the texts read now."""
    import hashlib
    from pathlib import Path

    package = Path(__file__).parent.parent
    files = [
        *sorted((package / "parsing").glob("*.py")),
        package / "text.py",
        package / "gazetteer.py",
        package / "base.py",  # matching_values: how records and texts are keyed
        *sorted(p for p in (package / "data").iterdir() if p.is_file()),
    ]
    h = hashlib.sha1()
    for path in files:
        h.update(f"{path.name}\n".encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def clear_cache() -> None:
    """Forget cached parse results (for cold-start measurements; results never go stale)."""
    _parse_cached.cache_clear()


def normalize(text: str) -> str:
    """The canonical form of an address: every level in order, Arabic numerals, no notes.

    Never raises for any string; raises :class:`~stdaddr.errors.InputError` for a non-string (None,
    NaN: for a column, ``parse_many`` gives every value a result, and its ``normalized``).

    The canonical form is a fixed point: ``normalize(normalize(x)) == normalize(x)``. Reading the
    canonical string again can settle what the first reading left open (a compound read as a road
    once its note is gone), so the result is read again until it no longer changes.

    >>> normalize("浙江省温州市浙江省温州市鹿城区解放街123号(五马美食林对面)")
    '浙江省温州市鹿城区解放街123号'
    """
    current = parse(as_text(text, "normalize")).normalized
    seen = {current}
    # Each reading settles a part or drops a repeat (龙港镇龙港镇… loses copies round by round), so
    # the readings reach a fixed point; should they cycle, the shortest form seen is the canonical one
    # (reading it again leads through forms it is shorter than). The cap only guards the loop.
    for _ in range(MAX_LENGTH):
        following = parse(current).normalized
        if following == current:
            return current
        if following in seen:
            break
        dropped = current[: len(current) - len(following)]
        if dropped and current.endswith(following) and following.startswith(dropped * 2):
            # A leading copy dropped while copies of it follow (龙港镇龙港镇龙港镇…, A1A1A1… of junk): the
            # rounds would drop them one by one; all but one go at once.
            while following.startswith(dropped * 2):
                following = following[len(dropped) :]
            seen.add(following)
        seen.add(following)
        current = following
    return min(seen, key=lambda s: (len(s), s))


def as_batch(texts: Any) -> Any:
    """``texts`` as a batch of values: a one-column DataFrame is its column; one text, a wider table or
    something that is no batch at all (None, a number) is an InputError (iterating them gives
    characters or column names, not addresses)."""
    if isinstance(texts, (str, bytes, bytearray)):
        raise InputError(f"texts was one text ({str(texts)[:30]!r}); pass a list of texts, not one text")
    columns = getattr(texts, "columns", None)
    if columns is not None and hasattr(texts, "iloc"):  # a DataFrame
        if len(columns) == 1:
            return texts.iloc[:, 0]
        raise InputError(
            f"texts was a DataFrame with the columns {[str(c) for c in columns]}; pass its address column "
            '(df["address"]) or use match_table(df, column="address")'
        )
    if texts is None or not hasattr(texts, "__iter__"):
        raise InputError(f"texts was {texts!r}; pass a list (or other iterable) of texts")
    return texts


def check_workers(workers: Any) -> None:
    """InputError unless ``workers`` is None or a whole number of at least 1."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InputError(f"workers was {workers!r}; expected None (the usable cores) or a whole number >= 1")


def parse_many(texts: Iterable[Any], *, workers: int | None = 1) -> list[Address]:
    """Parse many values; never raises for one bad value.

    ``None``, NaN, numbers and other non-strings give an empty :class:`Address` whose ``notes`` say why.
    ``workers`` > 1 (or None: the usable cores, at most 2) parses big batches on forked processes.
    One text rather than a list of texts is an :class:`~stdaddr.errors.InputError`.

    >>> [a.road for a in parse_many(["解放街1号", None])]
    ['解放街', None]
    """
    check_workers(workers)
    items = list(as_batch(texts))
    if workers != 1 and len(items) >= _PARALLEL_FROM:
        from stdaddr.workers import default_workers, distinct, run_chunks

        n = default_workers(workers)
        todo, where = distinct(items)
        if n > 1 and len(todo) >= _PARALLEL_FROM:
            # Each distinct text goes to one worker: a worker's parse cache would not see the others'.
            chunk = max(1_000, len(todo) // (n * 8))
            parts = run_chunks(_parse_values, todo, chunk=chunk, workers=n, warm_up=warm_up)
            done = [a for part in parts for a in part]
            return [done[k] for k in where]
    from stdaddr.workers import fewer_collections

    with fewer_collections():
        return [_parse_value(value) for value in items]


def warm_up() -> None:
    """Load what parsing needs (gazetteer, automaton, the nationwide community index) now rather than
    on first use: before forking workers, so that they share it.

    Then calls :func:`gc.freeze`: the loaded tables (about half a million objects that live as long as
    the process) move out of the collector's reach, so full collections no longer scan them (pauses
    of 100 ms and more) and forked workers do not copy their pages by touching them."""
    import gc

    from stdaddr import gazetteer

    parse("浙江省温州市鹿城区五马街道解放街1号")
    gazetteer.load().communities_written("")
    gc.collect()
    gc.freeze()


def _parse_value(value: Any) -> Address:
    if isinstance(value, (str, bytes, bytearray)):
        return parse(as_text(value))
    what = "missing value" if is_missing(value) else "not text"
    return Address(text="", notes=(f"{what}: {value!r:.80}",))


def _parse_values(values: list[Any]) -> list[Address]:
    """Worker: the parses of one chunk (sent back pickled as constructor calls, see models._reduce)."""
    return [_parse_value(v) for v in values]
