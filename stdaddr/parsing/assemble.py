"""Assemble an :class:`Address` from the chosen division chain, the community and the tail pieces."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from operator import attrgetter
from typing import Any

from stdaddr import gazetteer
from stdaddr.gazetteer import CODE_LENGTHS, FULL, GENERIC_STEMS, HISTORIC, LEVELS, SHORT, fold
from stdaddr.models import DIVISION_FIELDS, Address, Component, Division
from stdaddr.parsing.community import FoundCommunity, community_name
from stdaddr.parsing.divisions import TOWN_MARK_END, TRAILING_NAME, ZONE, ZONE_NAME, Chain, Hit, Reading
from stdaddr.parsing.tail import (
    BUILDING_NUMBER,
    NUMBERING_ITS_DOORS,
    ORDER,
    ORGANISATION_NAME,
    PUNCTUATION,
    ROAD_AHEAD,
    Piece,
    english_labels,
)
from stdaddr.text import match_end

__all__ = ["assemble"]

MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
# Skipped text that is only separators is no note (浙江省杭州市,浙江省温州市…).
_SEPARATORS = PUNCTUATION + " ·"  # 中国·温州: the middle dot of a brand or a place name
_SEPARATOR_RUN = re.compile(f"[{re.escape(_SEPARATORS)}]*")
# National community lookups are only trusted when the name points to this few places.
_MAX_COMMUNITY_CANDIDATES = 12
# Towns of one name listed as the candidates of a text that names only the town (城关镇: 88 of them).
_MAX_TOWN_CANDIDATES = 20


# Level marks a short name may be written with after its unit changed level (洞头县 for 洞头区).
_RENAMED_MARKS = ("县", "区", "市", "镇", "乡", "街道")
# Placeholders of the statistical divisions, and of the region pickers of shops' and forms' (其它区: a county
# the list does not have): the level each stands at.
_PLACEHOLDERS = {
    "市辖区": "county",
    "省直辖县级行政区划": "city",
    "自治区直辖县级行政区划": "city",
    **{f"其{o}{mark}": "county" for o in "它他" for mark in ("区", "县")},
    **{f"其{o}{mark}": "city" for o in "它他" for mark in ("市", "地区")},
}


# A county's name (or one the gazetteer does not know: a typo, a former district) glued before a road
# with a name of its own: 稔洲区|永茂路, 蒲城县|千里马横路. Not a zone or area word (新区大道, 城区路).
_COUNTY_BEFORE_ROAD = re.compile(
    "(?:[\u3400-\u9fff\U00020000-\U0003ffff]{1,2}[^新园城景校社小发业街片市郊山老矿林牧库厂营警辖军宅能活它港轩东西南北中"
    "一二三四五六七八九十0-9]区|[\u3400-\u9fff\U00020000-\U0003ffff]{2,3}县)(?=[\u3400-\u9fff\U00020000-\U0003ffff]{2})"
)


# Stems that name a part of any town as much as a county (东区, 新城区, 老城区).
_AREA_STEM = re.compile("[东西南北中新老]+城?")


def _county_before_road(pieces: list[Piece], notes: list[str]) -> list[Piece]:
    """A road whose name starts with a county's name, when no county is read, is that county, then the
    road (稔洲区|永茂路: a county the gazetteer does not know, a typo or a former district; 杭州市|鹿城区|
    解放街: a county of another city than the one read, which a note points out). The county is a
    component without a code. With a county read, such a name is more often an area (保税东区)."""
    road = None
    for p in pieces:  # the first road, unless a county is read (one pass: asked of every address)
        if p.field == "county":
            return pieces
        if road is None and p.field == "road":
            road = p
    if road is None:
        return _county_alone(pieces, notes)
    m = _COUNTY_BEFORE_ROAD.match(road.value)
    end = m.end() if m is not None else _official_county(road.value)
    if not end or not ROAD_AHEAD.fullmatch(road.value, end):
        return pieces
    name = road.value[:end]
    above = [p.value for p in pieces if p.field in ("province", "city") and not p.repeated]
    if above and (m is None or _official_county(road.value) == end):
        notes.append(f"{name} does not lie in {above[-1]}; its name is kept without a code")
    cut = road.start + end
    out = [p for p in pieces if p is not road]
    out.append(Piece("county", road.start, cut, name))
    out.append(Piece("road", cut, road.end, road.value[end:]))
    return out


def _county_alone(pieces: list[Piece], notes: list[str]) -> list[Piece]:
    """杭州市|鹿城区: a county of another city than the one read, named last and alone, is a county
    without a code (as before a road), not a compound; a note points it out."""
    above = [p for p in pieces if p.field in ("province", "city") and not p.repeated]
    last = max(pieces, key=lambda p: p.end, default=None)
    if (
        not above
        or last is None
        or last.field != "poi"
        or last.start != above[-1].end
        or _official_county(last.value) != len(last.value)
    ):
        return pieces
    notes.append(f"{last.value} does not lie in {above[-1].value}; its name is kept without a code")
    return [Piece("county", last.start, last.end, last.value) if p is last else p for p in pieces]


@lru_cache(maxsize=1 << 14)
def _official_county(name: str) -> int:
    """The length of the official county-level name (鹿城区, 瑞安市) that ``name`` opens with, or 0.
    Names of an area as much as of a county (东区, 城区, 新城区) do not count."""
    g = gazetteer.load()
    for n in range(min(len(name), 8), 2, -1):
        stem = name[: n - 1]
        if (
            name[n - 1] in "区县市旗"
            and stem not in GENERIC_STEMS
            and not _AREA_STEM.fullmatch(stem)
            and any(e.level == 2 and e.kind == FULL for e in g.lookup(name[:n]))
        ):
            return n
    return 0


def _division(code: str) -> Division:
    g = gazetteer.load()
    names = {LEVELS[gazetteer.level_of(c)]: g.name(c) for c in g.path(code)}
    if "community" in names and names["community"]:
        names["community"] = community_name(code)
    return Division(code, **names)


def _common_code(codes: list[str]) -> str:
    """The deepest code that is an ancestor (or equal) of every code."""
    g = gazetteer.load()
    paths = [g.path(c) for c in codes]
    common = ""
    for level_codes in zip(*paths, strict=False):
        if len(set(level_codes)) != 1:
            break
        common = level_codes[0]
    return common


def _first_copies(pieces: list[Piece]) -> list[Piece]:
    """Of a level written twice, the first copy is the level; later ones are marked repeated."""
    last: dict[str, Piece] = {}
    for p in pieces:
        if p.field != "extra" and (p.field not in last or p.start < last[p.field].start):
            last[p.field] = p
    keep = {id(p) for p in last.values()}
    return [
        p
        if id(p) in keep or p.field == "extra"
        else Piece(p.field, p.start, p.end, p.value, p.code, repeated=True)
        for p in pieces
    ]


def _segments(length: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for s, e in sorted(covered):
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < length:
        out.append((pos, length))
    return out


def _division_pieces(chains: list[Chain], notes: list[str]) -> list[Piece]:
    """One piece per hit of the chain; with tied chains, only what they agree on is named."""
    g = gazetteer.load()
    pieces = []
    tied = len(chains) > 1
    for i, h in enumerate(chains[0].hits):
        entry = h.entry
        if tied:
            readings = {c.hits[i].entry.code for c in chains if len(c.hits) > i and c.hits[i].key == h.key}
            agreed = len(readings) == 1 and all(len(c.hits) > i for c in chains)
        else:  # one chain agrees with itself
            readings, agreed = {entry.code}, True
        if agreed and gazetteer.level_of(entry.code) == entry.level:
            value, code = g.name(entry.code) or h.key, entry.code
        else:
            names = {g.name(c) for c in readings}
            value, code = (names.pop() if len(names) == 1 else h.key) or h.key, None
        field = LEVELS[entry.level]
        if entry.level == 0 and entry.code in MUNICIPALITIES and h.key.endswith("市"):
            field = "city"  # 上海市 is read as the city (上海市 3101); the province is written 上海
        if entry.kind == HISTORIC:
            if gazetteer.level_of(entry.code) != entry.level:  # 龙港镇 became the county-level 龙港市
                value, code = g.name(entry.code) or h.key, entry.code
            if not any(n.startswith(f"{h.key} is not under ") for n in notes):
                # (瑞安市|大荆镇, a town written under another county of its city, has its note already:
                # it never lay under the county written, so "now lies under" would say it moved.)
                notes.append(_history_note(h, entry.code))
        elif (
            code is not None
            and entry.kind == SHORT
            and h.key != value
            and h.key.endswith(_RENAMED_MARKS)
            and h.key[-1] != value[-1]  # 郑州经开区: a name cut short, written with the same mark
        ):
            # 洞头县 (洞头区 since 2015), 北岙镇 (北岙街道): a short name written with its former level.
            notes.append(f"{h.key} is a former name; now {value} ({code})")
        pieces.append(Piece(field, h.start, h.end, value, code))
    return pieces


# A village as written, with its committee if any (明阳村委会: 明阳村).
_VILLAGE_WRITTEN = re.compile("(.+村)(?:委会|民委员会)?$")
# A building's number right after a name (its separators skipped).
_BUILDING_NEXT = re.compile(f"[{re.escape(PUNCTUATION)} ]*{BUILDING_NUMBER}")


# A part of an estate (C区, 二期) right after its name.
_ESTATE_PART = re.compile("(?:[A-Z][0-9]{0,2}|[0-9]{1,2}|[一二三四五六七八九十]{1,3})[区期]")


def _bare_committee(written: str, name: str) -> bool:
    """Whether a residents' committee is written by its bare name (华威西里 for 华威西里社区, 祈福新邨 for
    祈福新邨社区), not a village's (明阳村 for 明阳社区)."""
    return (
        name.endswith("社区")
        and written == fold(name)[: -len("社区")]
        and (not written.endswith("村") or written.endswith("新村"))
    )


def _history_note(h: Hit, code: str) -> str:
    g = gazetteer.load()
    now = g.name(code)
    if now == h.key:
        parent = g.path(code)[-2] if len(g.path(code)) > 1 else code
        return f"{h.key} now lies under {g.name(parent)} ({parent})"
    return f"{h.key} is a former name; now {now} ({code})"


def assemble(
    text: str,
    folded: str,
    offsets: list[int] | None,
    chains: list[Chain],
    reading: Reading | None,
    community: FoundCommunity | None,
    split_tail: Callable[..., Any],
    notes: list[str],
    cut: int | None = None,
    masked: tuple[Piece, ...] = (),
) -> Address:
    """The Address of the divisions read and the tail around them. ``cut``: where a second address
    begins (its text, but for the repeats of the first's divisions, is one note). ``masked``: notes taken
    out of the text before it was read (their characters read as separators)."""
    if community is not None:
        chains = [community.chain]
    pieces = _division_pieces(chains, notes) if chains else []
    codes = [c.code for c in chains]
    estate = None
    if community is not None:
        codes = [community.code]
        name = community_name(community.code)
        written = folded[community.start : community.end]
        pieces.append(Piece("community", community.start, community.end, name, community.code))
        village = _VILLAGE_WRITTEN.match(written)
        bare = _bare_committee(written, name)
        if village is not None and name.endswith("社区") and not bare:
            # a village made a community (明阳村, 明阳村委会 → 明阳社区)
            notes.append(f"{village.group(1)} is now {name} ({community.code})")
        elif bare and _BUILDING_NEXT.match(folded, community.end) is not None:
            # 华威西里|17号楼, 望京西园三区|312号楼: a residents' committee named after its estate, written
            # without its mark and with a building after it, is the estate as well (unless the text names
            # a compound of its own after it: 吉庆里14号楼佳汇国际中心A座).
            estate = Piece("poi", community.start, community.end, written)
            pieces.append(estate)

    if reading is not None and reading.repeats:
        pieces = _first_copies(pieces + _division_pieces([Chain(reading.repeats, 0.0)], []))
    if reading is not None and reading.others:
        # Another place the text names: its divisions keep their level, out of the address's fields.
        pieces += [
            Piece(p.field, p.start, p.end, p.value, p.code, repeated=True)
            for p in _division_pieces([Chain(reading.others, 0.0)], [])
        ]
    if reading is not None and "(" in folded[reading.end :]:
        # 厚德路38号(章贡区委党校院内): a division named again inside brackets after the address is part of
        # the bracketed note.
        pieces = [
            p
            for p in pieces
            if not (
                p.field in _DIVISION_LEVELS
                and p.start >= reading.end
                and _bracketed(folded, reading.end, p.start)
            )
        ]
    covered = [(p.start, p.end) for p in pieces]

    if reading is not None:
        tail_start = max(reading.end, community.end if community is not None else 0)
    else:
        tail_start = max((e for _, e in covered), default=0)
    after = max((ORDER.get(p.field, 0) for p in pieces), default=0)
    # Values already read, so that a repeat is a note; but after 梅源行政村 (the administrative village)
    # 梅源村 is its natural village of that name, no repeat.
    known = frozenset(
        p.value for p in pieces if p.field != "extra" and not folded.endswith("行政村", p.start, p.end)
    )
    state = None
    named_before: Piece | None = None  # an organisation named before the divisions (a note if another place)
    labelled: list[Piece] = []  # levels labelled in English before the divisions
    covered_ends = {end for p in pieces if p.field in ("town", "community") for end in (p.end,)}
    for s, e in _segments(len(folded), covered):
        if cut is not None and e > cut:
            rest = folded[max(s, cut) : e].strip(_SEPARATORS)
            if rest:
                at = max(s, cut)
                at += len(folded[at:e]) - len(folded[at:e].lstrip(_SEPARATORS))
                pieces.append(Piece("extra", at, at + len(rest), rest))
            if s >= cut:
                continue
            e = cut
        if s < tail_start:
            skipped = folded[s : min(e, tail_start)]
            name = skipped.strip(_SEPARATORS)
            at = s + len(skipped) - len(skipped.lstrip(_SEPARATORS))
            if name and ROAD_AHEAD.fullmatch(name):  # 泰顺县长白路,泗溪镇: a road between the divisions
                pieces.append(Piece("road", at, at + len(name), name))
            elif ZONE_NAME.fullmatch(name):
                # 温州经济技术开发区|沙城街道: a zone before the divisions is a town component; with a town
                # read it fills no field.
                town = any(p.field == "town" and not p.repeated for p in pieces)
                pieces.append(Piece("town", at, at + len(name), name, repeated=town))
            elif name and _street_before(folded, at, at + len(name), tail_start, split_tail, offsets):
                # 解放街23号鹿城区五马街道: the road and door written before their divisions.
                state = split_tail(folded, at, at + len(name), state, after=after, known=known)
            elif name and name.isascii() and (english := english_labels(folded, at, at + len(name))):
                # Room 1203, Floor 12, 鹿城区…: the finer levels written first, as English orders them.
                pieces.extend(english)
                labelled.extend(english)
            elif name in _PLACEHOLDERS:
                # 杭州市市辖区: the statistical placeholder of a level, read at its level; it names no
                # unit, so like a repeat it stays out of the address's fields.
                pieces.append(Piece(_PLACEHOLDERS[name], at, at + len(name), name, repeated=True))
            elif name:
                # 韩田诊所 瑞安市塘下镇…: an organisation named before its address is the place, unless the
                # address names another.
                # (科兴科学园|(深圳市南山区科苑路15号): a place, its address in brackets after it, as takeaway
                # apps write them)
                named = _organisation(name) or (
                    _BRACKETED_ADDRESS.match(folded, at + len(name)) is not None
                    and not any(c.isdigit() for c in name)
                    and name not in _COUNTRY_NAMES
                )
                piece = Piece("poi" if named else "extra", at, at + len(name), name)
                pieces.append(piece)
                if piece.field == "poi":
                    named_before = piece
            s = tail_start
        if (
            state is None
            and after >= 3
            and s in covered_ends
            and (place := _PLACE_OF_TOWN.match(folded, s, e)) is not None
            and e - place.end() >= 2
        ):
            # 湄洲|岛|莲池村, 城月|墟|新华街, 大塘埠镇|圩镇|新街: the island or market town the town just
            # named, a note; the village or road after it has a name of its own.
            pieces.append(Piece("extra", s, place.end(), place.group()))
            s = place.end()
        if s < e:
            state = split_tail(folded, s, e, state, after=after, known=known)
    if state is not None:
        pieces.extend(state.pieces)
        own = next((p for p in state.pieces if p.field == "poi" and not p.repeated), None)
        if estate is not None and own is not None:
            pieces.remove(estate)
        elif (
            community is not None
            and estate is None
            and own is not None
            and own.start == match_end(_SEPARATOR_RUN, folded, community.end)
            and _ESTATE_PART.fullmatch(own.value)
            and _bare_committee(folded[community.start : community.end], community_name(community.code))
        ):
            # 祈福新邨|C区|22座: a part of the estate after the committee named after it is the estate's.
            written = folded[community.start : community.end]
            pieces[pieces.index(own)] = Piece("poi", community.start, own.end, written + own.value)
    for p in labelled:  # Room 1203, …577号1205室: the level written in Chinese is the address's
        if any(q.field == p.field and q is not p and not q.repeated for q in pieces):
            pieces[pieces.index(p)] = Piece("extra", p.start, p.end, folded[p.start : p.end])
    if named_before is not None and any(p.field == "poi" and p is not named_before for p in pieces):
        pieces[pieces.index(named_before)] = Piece(
            "extra", named_before.start, named_before.end, named_before.value
        )
    if community is None:
        codes = _refine_by_lane(pieces, _refine_by_community(pieces, codes, notes), notes)
    codes = _city_zone(pieces, _refine_by_zone(pieces, codes, notes), notes)
    pieces = _pinyin_repeats(_named_after_division(_organisation_first(pieces, folded), folded, offsets))
    pieces = _road_named_after_repeat(pieces, folded)
    pieces = _county_before_road(pieces, notes)
    pieces = _firm_after_a_space(pieces, offsets)
    return _build(text, offsets, [*pieces, *masked], codes, notes)


_LATIN_NAME = re.compile("[A-Z]{4,}")
_DIVISION_MARK = re.compile("(?:省|市|区|县|镇|乡|街道|旗)$")


def _pinyin_repeats(pieces: list[Piece]) -> list[Piece]:
    """厦门市思明区 Siming 环岛南路: a division read, written again in pinyin, is a note (it was the place)."""
    latin = [p for p in pieces if p.field == "poi" and _LATIN_NAME.fullmatch(p.value)]
    if not latin:
        return pieces
    from pypinyin import lazy_pinyin  # on first need: it loads its dictionary (about 0.1 s)

    said = {
        "".join(lazy_pinyin(_DIVISION_MARK.sub("", p.value))).upper()
        for p in pieces
        if p.field in _DIVISION_LEVELS
    }
    return [Piece("extra", p.start, p.end, p.value) if p in latin and p.value in said else p for p in pieces]


def _organisation_first(pieces: list[Piece], folded: str) -> list[Piece]:
    """哈尔滨|工业大学 黑龙江省哈尔滨市…, 山西省|人民医院 山西省太原市…: an organisation named after a division
    opens the text, and its address follows with its divisions. The division and the rest are the
    organisation's name (the place, unless the address names another), the division written later the
    address's; the chain read stays as it is."""
    ordered = sorted(pieces, key=attrgetter("start"))
    if len(ordered) < 3:
        return pieces
    first, name, then = ordered[0], ordered[1], ordered[2]
    if (
        first.field not in _DIVISION_LEVELS
        or first.repeated
        or folded[: first.start].strip(_SEPARATORS)
        or name.field not in ("poi", "extra")
        or name.start != first.end
        or then.field not in _DIVISION_LEVELS
        or folded[name.end : then.start].strip(_SEPARATORS)
        or (own := ORGANISATION_NAME.fullmatch(name.value)) is None
        or len(own.group(1)) < 2  # 北京|总公司, 深圳|分公司: a label
    ):
        return pieces
    if not (
        then.repeated
        or then.field in ("province", "city")
        or ORDER[then.field] <= ORDER[first.field]
        or _GENERIC_ORGANISATION.fullmatch(name.value)
    ):
        # 海宁市|华佳印刷机有限公司|丁桥镇: the firm, then the rest of the county's address; but 平阳县|人民医院
        # 昆阳镇城南村: an organisation every county has is named with its county, then its address.
        return pieces
    other_place = any(p.field == "poi" and p is not name for p in pieces)
    merged = Piece("extra" if other_place else "poi", first.start, name.end, folded[first.start : name.end])
    again = next((p for p in ordered[2:] if p.field == first.field and p.repeated), None)
    out = []
    for p in pieces:
        if p is first:
            continue
        if p is name:
            p = merged
        elif p is again:
            p = Piece(p.field, p.start, p.end, p.value, p.code)  # the address's own, no repeat now
        out.append(p)
    return out


# A firm's name (杭州某某有限公司, 某某商行).
_FIRM = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]{2,30}(?:公司|集团|商行|经营部|门市部|工作室|事务所)")


def _firm_after_a_space(pieces: list[Piece], offsets: list[int] | None) -> list[Piece]:
    """星耀城 杭州某某有限公司: a compound, then a space, then a firm: the firm is a note after the place, as
    after a comma (the cleaned text lost the space, so the two were read as one name)."""
    out = pieces
    for p in pieces:
        if p.field != "poi" or p.repeated or len(p.value) != p.end - p.start:
            continue
        for at in range(p.start + 2, p.end - 3):
            if dropped_before(offsets, at) and _FIRM.fullmatch(p.value, at - p.start):
                cut = at - p.start
                out = [
                    q
                    for piece in out
                    for q in (
                        (Piece("poi", p.start, at, p.value[:cut]), Piece("extra", at, p.end, p.value[cut:]))
                        if piece is p
                        else (piece,)
                    )
                ]
                break
    return out


def _named_after_division(pieces: list[Piece], folded: str, offsets: list[int] | None = None) -> list[Piece]:
    """金乡镇育才路191号|金乡镇|第二小学: a division named again right before an organisation, after the
    address's street, is the start of the organisation's name (金乡镇第二小学), no repeat."""
    street = max(
        (p.end for p in pieces if p.field in ("road", "house_number") and not p.repeated), default=-1
    )
    # After the street, a division named again or first (杭州市解放路1号|浙江省|人民医院: the province is
    # no level written late but the hospital's name).
    repeats = [
        p
        for p in pieces
        if (p.repeated or p.start >= street >= 0)
        and p.field in _DIVISION_LEVELS
        and p.value not in _PLACEHOLDERS
    ]
    if street < 0:
        # 珊溪镇人民政府, 河南省人民医院, 瑞安市人民法院: without a street, the organisation named after the
        # finest division written, right before it (as a base writes it after its street).
        divisions = [p for p in pieces if p.field in _DIVISION_LEVELS and p.value not in _PLACEHOLDERS]
        finest = max(divisions, key=lambda p: p.end) if divisions else None
        if finest is not None and any(
            p.field == "poi" and p.start == finest.end and _GENERIC_ORGANISATION.fullmatch(p.value)
            for p in pieces
        ):
            repeats.append(finest)
    if not repeats:
        return pieces
    by_start = {p.start: p for p in pieces if p.field in ("poi", "extra")}
    by_end = {p.end: p for p in pieces if p.field == "poi"}
    out = pieces
    for division in repeats:
        poi = by_start.get(division.end)
        if (
            poi is None
            or division.start < street
            # (an organisation's housing by a county's or town's name: 化州市第一中学教师宿舍; a city's
            # name before it is left out as often as not: 南充市|公安局宿舍)
            or not _organisation_or_its_housing(poi.value, housing=division.field in ("county", "town"))
            # (set apart by a space: 华楼街61号 龙泉市龙渊街道|宝剑店, the divisions written after the street)
            or (not division.repeated and dropped_before(offsets, poi.start))
        ):
            continue
        # as written (洞头县人民医院 keeps its former county's name)
        start, value = division.start, folded[division.start : division.end] + poi.value
        before = by_end.get(division.start)
        if (
            before is not None
            and division.repeated
            and _HOUSING.search(poi.value) is not None
            and (ORGANISATION_NAME.fullmatch(before.value) or before.value.endswith(_WORKS))
        ):
            # 川东北气矿|渠县|作业区宿舍: the county inside the name of a works' housing, glued on both sides
            start, value = before.start, before.value + value
        else:
            before = None
            if poi.field == "extra" and any(p.field == "poi" and not p.repeated for p in out):
                continue  # 天科大厦|浙江省|科技开发中心: the compound read stays the place; the rest a note
        merged = Piece("poi", start, poi.end, value)
        out = [
            merged if p is poi else p
            for p in out
            if p is not division and (before is None or p is not before)
        ]
    return out


# Works whose housing is named after them and the place they work in (川东北气矿渠县作业区宿舍).
_WORKS = ("矿", "厂", "集团", "油田", "气田", "林场", "农场", "电站", "站", "所", "处", "段")


# A building, ward, campus or branch of an organisation (中医院|门诊楼, 第一人民医院|城东院区, 第一中学|麓谷分校).
_PART_OF_ORGANISATION = re.compile(
    "门诊楼|门诊部|住院部|住院楼|急诊楼|医技楼|综合楼|行政楼|教学楼|实验楼|办公楼|图书馆"
    "|[\u3400-\u9fff]{0,4}(?:校区|院区|分校|分院|分部)"
)
# The housing of an organisation (第一中学|教师宿舍, 人民医院|宿舍, 作业区|宿舍).
_HOUSING = re.compile("(?:教师|职工|教工|干部|员工)?(?:宿舍区?|家属院|家属区|家属楼|生活区)$")


def _organisation_or_its_housing(name: str, *, housing: bool) -> bool:
    """Whether ``name`` is an organisation's (第二小学, 金乡镇文体中心) or, with ``housing``, its housing
    (第一中学教师宿舍, 天然气公司宿舍, 作业区宿舍 after the organisation it belongs to)."""
    if ORGANISATION_NAME.fullmatch(name) or _GENERIC_ORGANISATION.fullmatch(name):
        return True
    if any(
        _PART_OF_ORGANISATION.fullmatch(name, at) and _organisation_or_its_housing(name[:at], housing=False)
        for at in range(2, len(name) - 1)
    ):
        return True  # 中医院|门诊楼, 第一中学|麓谷分校: a building, ward or campus of the organisation
    if not housing:
        return False
    words = _HOUSING.search(name)
    if words is None or words.start() < 2:
        return False
    owner = name[: words.start()]
    return bool(
        ORGANISATION_NAME.fullmatch(owner) or _GENERIC_ORGANISATION.fullmatch(owner) or owner.endswith("区")
    )


def _road_named_after_repeat(pieces: list[Piece], folded: str) -> list[Piece]:
    """上地街道|上地|信息路: a town's short name written again right after its full name, then a road, is
    the start of the road's name (上地信息路, 龙潭寺东街, 曲江池东路): no one names a place twice in a row
    but to name something after it. (A county or city repeated so is a delivery address's stutter:
    瑞安市|瑞安|安阳路.)"""
    out = pieces
    for p in pieces:
        written = folded[p.start : p.end]
        if (
            not p.repeated
            or p.field != "town"
            or _DIVISION_MARK.search(written)
            or written.endswith("办事处")
        ):
            continue
        first = next((q for q in pieces if q.field == p.field and not q.repeated and q.end == p.start), None)
        road = next((q for q in pieces if q.field == "road" and not q.repeated and q.start == p.end), None)
        if first is None or road is None or first.code != p.code or p.code is None:
            continue
        if gazetteer.load().communities(p.code).get(written):
            continue  # 藤桥镇|藤桥|大湖街: the community named after the town (藤桥社区), written short
        merged = Piece("road", p.start, road.end, written + road.value)
        out = [merged if q is road else q for q in out if q is not p]
    return out


_DIVISION_LEVELS = frozenset(("province", "city", "county", "town"))
# An organisation every division has, named by its division alone (人民政府, 第一人民医院, 中心小学).
_GENERIC_ORGANISATION = re.compile(
    "(?:第[一二三四五六七八九十]+)?(?:人民|中心|实验|第[一二三四五六七八九十]+)?"
    "(?:政府|医院|法院|检察院|小学|中学|卫生院|派出所|公安局|教育局|财政局|税务局|法庭|幼儿园|敬老院|文化站|"
    "图书馆|邮政所|供电所|卫生服务中心|办事处|政府办公室|便民服务中心)"
)


def _bracketed(folded: str, start: int, at: int) -> bool:
    """Whether ``at`` lies inside brackets opened at or after ``start``."""
    opened = folded.rfind("(", start, at)
    return opened >= 0 and ")" not in folded[opened:at]


def _organisation(name: str) -> bool:
    """Whether a text is an organisation's whole name with a name of its own (某某贸易公司, 韩田诊所; not
    总公司, 北京公司: a label before an address)."""
    m = ORGANISATION_NAME.fullmatch(name)
    if m is None or len(m.group(1)) < 2:
        return False
    # 南京大学, 兰州大学: a school or hospital named after its place alone is one; an office or a company so
    # named (北京公司, 杭州分公司) is a label.
    return not gazetteer.load().lookup(m.group(1)) or _NAMED_BY_PLACE.fullmatch(name, m.end(1)) is not None


# An address in brackets after a place's name: its road and door (科兴科学园|(深圳市南山区科苑路15号)).
_BRACKETED_ADDRESS = re.compile(r"\([^()]*?(?:路|街|巷|道|弄|大道)[0-9]+号[^()]*\)")
_COUNTRY_NAMES = frozenset(("中华人民共和国", "中国"))
_NAMED_BY_PLACE = re.compile("大学|学院|医院|中学|小学|卫生院|幼儿园|学校")


def dropped_before(offsets: list[int] | None, at: int) -> bool:
    """Whether the cleaned text dropped a space (or another character) right before position ``at``."""
    return offsets is not None and 0 < at < len(offsets) and offsets[at] > offsets[at - 1] + 1


def _street_before(
    folded: str,
    start: int,
    end: int,
    tail_start: int,
    split_tail: Callable[..., Any],
    offsets: list[int] | None,
) -> bool:
    """Whether ``folded[start:end]``, written before or among the divisions with nothing after them but a
    name set apart (明珠路86号 长兴县雉城街道 沿街店面), is a road and its door (the divisions written last:
    解放街23号鹿城区五马街道, 南京市中山路18号玄武区新街口街道), or a village and its door (西园村2组7号土默特左旗
    察素齐镇)."""
    rest = folded[tail_start:].strip(_SEPARATORS)
    # (set apart by a separator, or by a space the cleaned text dropped between two words)
    apart = folded[tail_start : tail_start + 1] == "," or dropped_before(offsets, tail_start)
    # (or an organisation named after the town they end with: 象南东路8号|北白象镇|地税局)
    named = TOWN_MARK_END.search(folded, 0, tail_start) is not None and ORGANISATION_NAME.fullmatch(rest)
    if (
        rest
        and not (apart and TRAILING_NAME.fullmatch(rest))
        and not named
        and not _finer_only(folded, tail_start, split_tail)
    ):
        return False
    pieces = split_tail(folded, start, end).pieces
    fields = {p.field for p in pieces}
    # (or a lane or natural village numbering its doors: 徐厝社70号湖里区湖里街道, 湖滨四里21号思明区)
    lane = any(p.field == "poi" and p.value.endswith(tuple(NUMBERING_ITS_DOORS)) for p in pieces)
    return "house_number" in fields and ("road" in fields or "community" in fields or lane)


def _finer_only(folded: str, start: int, split_tail: Callable[..., Any]) -> bool:
    """Whether the text from ``start`` names only levels finer than a door (科创二路8号雁塔区丈八沟街道|5号楼3单元901室:
    the building, unit and room of the road and door written before the divisions)."""
    fields = {p.field for p in split_tail(folded, start, len(folded)).pieces}
    return bool(fields & _FINER_THAN_A_DOOR) and fields <= _FINER_THAN_A_DOOR | {"extra"}


_FINER_THAN_A_DOOR = frozenset(("building", "unit", "floor", "room"))


def _refine_by_community(pieces: list[Piece], codes: list[str], notes: list[str]) -> list[str]:
    """Give a community read by pattern its code: under the divisions found, or nationwide if none."""
    g = gazetteer.load()
    piece = next((p for p in pieces if p.field == "community" and not p.repeated), None)
    if piece is None:
        return codes
    # A town written in the text but unknown to the gazetteer (泗溪镇) must agree with the community's town;
    # a zone after the community (漳澎村|中小企业园区) is the village's, and names no town.
    town = next(
        (
            p.value
            for p in pieces
            if p.field == "town" and p.code is None and not (p.start >= piece.end and ZONE.search(p.value))
        ),
        None,
    )
    if codes:
        found = []
        for code in codes:
            if gazetteer.level_of(code) < 2:
                continue
            entries = g.communities(code).get(fold(piece.value), ())
            found.extend(sorted({e.code for e in entries if town is None or g.name(e.code[:9]) == town}))
        return found if found and len(found) <= len(codes) else codes
    matches = [c for c in g.communities_written(fold(piece.value)) if town is None or g.name(c[:9]) == town]
    if 0 < len(matches) <= _MAX_COMMUNITY_CANDIDATES:
        notes.append(f"divisions inferred from the community {piece.value}")
        return list(matches)
    return codes


# A lane's kind: a community named after its lane (百里坊社区, 宽巷子社区) holds it; so does a village the
# road is named after (冼村路: 冼村).
_LANE = ("坊", "巷", "弄", "胡同", "巷子")
_ROAD_OF_VILLAGE = re.compile("(.+村)(?:路|大道|大街)")


def _refine_by_lane(pieces: list[Piece], codes: list[str], notes: list[str]) -> list[str]:
    """The community a lane or road is named for, when the text names it and a door but no community
    (百里坊72号 in 五马街道: 百里坊社区; 冼村路12号: 冼村), when one community under the counties or towns
    read has that name (it also settles which of several towns of one name is meant)."""
    if not codes or any(gazetteer.level_of(c) not in (2, 3) for c in codes):
        return codes
    if any(p.field == "community" for p in pieces):
        return codes
    road = next((p for p in pieces if p.field == "road" and not p.repeated), None)
    if road is None or not any(p.field == "house_number" for p in pieces):
        return codes
    village = _ROAD_OF_VILLAGE.fullmatch(road.value)
    if village is None and not road.value.endswith(_LANE):
        return codes
    name = village.group(1) if village is not None else road.value
    index = gazetteer.load().communities
    found = {e.code for code in codes for e in index(code).get(fold(name), ())}
    if not found and village is None:
        # 蛟翔巷8号: 蛟翔巷社区, whose short name is no key (a name ending like a road is that road's).
        found = {e.code for code in codes for e in index(code).get(fold(name + "社区"), ())}
    if len(found) != 1:
        return codes
    notes.append(f"community inferred from the road {road.value}")
    return [found.pop()]


def _refine_by_zone(pieces: list[Piece], codes: list[str], notes: list[str]) -> list[str]:
    """A zone named after a province, city or county (上海|自由贸易试验区, 武进|高新技术产业开发区) lies in
    it: when the divisions read stop above that level, the zone's leading name settles it, if it names
    one unit there. A zone that is no division (郑东新区) is looked up in ``data/zones.tsv``."""
    if len(codes) > 1 or (codes and gazetteer.level_of(codes[0]) >= 2):
        return codes
    piece = next((p for p in pieces if p.field == "town" and p.code is None and not p.repeated), None)
    if piece is None:
        return codes
    above = codes[0] if codes else ""
    known = gazetteer.zones().get(piece.value)
    if known is not None and known.startswith(above) and known != above:
        notes.append(f"divisions inferred from the zone {piece.value}")  # 郑东新区: a zone of 郑州市
        return [known]
    zone = ZONE.search(piece.value)
    if zone is None or zone.start() < 2 or piece.value.startswith("路"):
        return codes  # 路南工业区: named after where it lies by a road, not after 路南区
    g = gazetteer.load()
    for n in range(min(zone.start(), 6), 1, -1):
        entries = [e for e in g.lookup(piece.value[:n]) if e.level <= 2 and e.kind != HISTORIC]
        if any(e.code == above for e in entries):
            break  # 承德市|承德高新区: named after the city read, not after 承德县 under it
        found = {e.code for e in entries if e.code.startswith(above)}
        cities = {c for c in found if gazetteer.level_of(c) <= 1}
        if len(found) == 1 or len(cities) == 1:
            # 西安|高新区: a zone named after a city is the city's, not a district of that name elsewhere
            # (西安区 of 辽源 and of 牡丹江).
            notes.append(f"divisions inferred from the zone {piece.value}")
            return list(found) if len(found) == 1 else list(cities)
        if found:
            break
    return codes


# Kinds of zone by the words written for them: 高新区 is 高新技术产业开发区 cut short, 经开区 经济(技术)开发区,
# 园区 工业园区.
_ZONE_KINDS = (
    ("高新技术产业开发区", "高新技术开发区", "高新开发区", "高新区"),
    ("经济技术开发区", "经济开发区", "经开区"),
    ("工业园区", "园区"),
    # 开发区: a zone so named (昆山市|开发区: 昆山开发区); written alone, any kind of 开发区 (江宁区|开发区:
    # 江宁开发区, 廊坊市|开发区: 廊坊经济技术开发区), but not with a name (青岛开发区 is no 青岛高新区)
    ("开发区",),
)
_ANY_DEVELOPMENT_ZONE = 3


# The island or market town a town is (湄洲岛, 城月墟, 樟木圩), written after its short name.
_PLACE_OF_TOWN = re.compile("[圩墟]镇|[岛墟圩]")


def _zone_kind(name: str) -> int | None:
    return next((i for i, words in enumerate(_ZONE_KINDS) if name.endswith(words)), None)


def _zone_stem(name: str, kind: int) -> str:
    return name[: -len(next(w for w in _ZONE_KINDS[kind] if name.endswith(w)))]


def zone_kind_and_stem(name: str) -> tuple[int, str] | None:
    """The kind of a zone's name (高新, 经开, 园区) and the name before the kind's words, or None.

    >>> zone_kind_and_stem("成都高新区"), zone_kind_and_stem("成都高新技术产业开发区"), zone_kind_and_stem("解放路")
    ((0, '成都'), (0, '成都'), None)
    """
    kind = _zone_kind(name)
    return None if kind is None else (kind, _zone_stem(name, kind))


@cache
def _zones_under(code: str, level: int) -> tuple[tuple[str, int, str], ...]:
    """(code, kind, name before the kind word) of the zones of a level under a city or county (郑州高新技术
    产业开发区: 高新 kind, stem 郑州; 芜湖高新技术产业开发区, a town of 弋江区): one scan per unit."""
    out = []
    for zone, name in gazetteer.load().units_under(code, level):
        kind = _zone_kind(name)
        if kind is not None:
            out.append((zone, kind, _zone_stem(name, kind)))
    return tuple(out)


def _city_zone(pieces: list[Piece], codes: list[str], notes: list[str]) -> list[str]:
    """A zone named by its kind alone after its city or county (郑州市|高新区, 苏州|园区, 长春市|经济技术开发区,
    芜湖市弋江区|高新区), or by the place it is named after (南昌|小蓝经开区), is the zone the unit has of that
    kind (郑州高新技术产业开发区; 芜湖高新技术产业开发区, a town of 弋江区), when it has exactly one: a
    county-level zone of a city first, else a town-level one."""
    if len(codes) != 1 or gazetteer.level_of(codes[0]) not in (1, 2):
        return codes
    piece = next((p for p in pieces if p.field == "town" and p.code is None and not p.repeated), None)
    kind = _zone_kind(piece.value) if piece is not None else None
    if piece is None or kind is None:
        return codes
    g = gazetteer.load()
    unit = codes[0]
    level = gazetteer.level_of(unit)
    stems = {unit_name for c in {unit[:4], unit} if (unit_name := g.name(c))}
    stems |= {
        w
        for name in list(stems)
        for w in gazetteer.short_names(name, gazetteer.level_of(unit))
        if len(w) >= 2
    }
    stems |= {w for w in gazetteer.short_names(g.name(unit[:4]) or "", 1) if len(w) >= 2}
    written = _zone_stem(piece.value, kind)
    found: list[str] = []
    for zone_level in (2, 3) if level == 1 else (3,):
        found = [
            code
            for code, zone_kind, stem in _zones_under(unit, zone_level)
            if (zone_kind == kind or (kind == _ANY_DEVELOPMENT_ZONE and not written and zone_kind in (0, 1)))
            and (stem == written if written and written not in stems else stem in stems or not stem)
        ]
        if found:
            break
    if len(found) != 1:
        return codes
    code = found[0]
    name = g.name(code) or piece.value
    # The zone names that unit, as 龙港镇 names 龙港市: a town-level piece with the zone's code (a county's
    # code fills no town: the county comes from the code).
    pieces[pieces.index(piece)] = Piece("town", piece.start, piece.end, name, code)
    notes.append(
        f"{piece.value} read as {name} ({code}), the one zone of this kind in {g.name(unit) or unit}"
    )
    return found


def _span(offsets: list[int] | None, start: int, end: int) -> tuple[int, int]:
    if offsets is None:
        return start, end
    return offsets[start], offsets[end - 1] + 1 if end > start else offsets[start]


@lru_cache(maxsize=1 << 15)
def _levels(code: str) -> tuple[tuple[str, str, str], ...]:
    """(level, written name, code) of every address level from the province down to ``code``."""
    g = gazetteer.load()
    out = []
    for c in g.path(code):
        level = LEVELS[gazetteer.level_of(c)]
        name = g.name(c) or ""
        out.append((level, community_name(c) if level == "community" else name, c))
    return tuple(out)


# Per level: the code length of its units, and the field of its code (built once, not per piece).
_CODE_LENGTH = dict(zip(LEVELS, CODE_LENGTHS, strict=True))
_CODE_FIELD = {level: f"{level}_code" for level in LEVELS}
_BY_SPAN = attrgetter("start", "end")


def _build(
    text: str, offsets: list[int] | None, pieces: list[Piece], codes: list[str], notes: list[str]
) -> Address:
    pieces.sort(key=_BY_SPAN)
    components = []
    extra = []
    values: dict[str, str] = {}
    for p in pieces:
        # No call in the common case: folding kept every character in place.
        s, e = (p.start, p.end) if offsets is None else _span(offsets, p.start, p.end)
        components.append(Component(p.field, s, e, text[s:e], p.value, p.code, p.repeated))
        if p.field == "extra" or p.repeated:
            extra.append(text[s:e])  # as written: 14:30, （王某 138…）
        elif p.field == "road":
            values[p.field] = p.value  # of 人民路中山巷 the lane written last carries the number
        elif p.code in MUNICIPALITIES:
            # 上海市 or 上海: a municipality written once names its province and its city.
            values.setdefault("province", p.value)
            values.setdefault("city", p.value)
        elif p.code is not None and len(p.code) != _CODE_LENGTH[p.field]:
            continue  # 龙港镇 names 龙港市 now: it fills no town
        else:
            values.setdefault(p.field, p.value)

    fields: dict[str, object] = {}
    candidates: tuple[Division, ...] = ()
    ambiguous = len(set(codes)) > 1
    if codes:
        # With several candidates, only what they share and what the text says is filled in.
        code = _common_code(codes) if ambiguous else codes[0]
        if ambiguous:
            candidates = tuple(_division(c) for c in sorted(set(codes)))
        for level, name, c in _levels(code) if code else ():
            fields[level] = name
            fields[_CODE_FIELD[level]] = c
        if fields.get("province_code") in MUNICIPALITIES and "city" not in fields:
            fields["city"] = fields["province"]  # 上海市: the city is the municipality itself
            if fields["province_code"] != "50":  # 重庆 has two (5001, 5002): without a district, neither
                fields["city_code"] = f"{fields['province_code']}01"
    if not codes and "town" in values:
        # 城关镇 alone: a town name that many towns bear, with nothing to place it, is ambiguous.
        towns = sorted({e.code for e in gazetteer.load().lookup(values["town"]) if e.level == 3})
        if len(towns) > 1:
            ambiguous = True
            candidates = tuple(_division(c) for c in towns[:_MAX_TOWN_CANDIDATES])
            # 扎西岗乡 (five towns, all of 西藏): the levels all the towns share.
            for level, name, c in _levels(_common_code(towns)):
                if level not in ("town", "community"):
                    fields[level] = name
                    fields[_CODE_FIELD[level]] = c
            if len(towns) > _MAX_TOWN_CANDIDATES:
                notes.append(
                    f"{len(towns)} towns bear the name {values['town']}; the first {_MAX_TOWN_CANDIDATES} are listed"
                )
    town = values.get("town")
    if (
        town is not None
        and not ambiguous
        and "town_code" not in fields
        and fields.get("county_code")
        and TOWN_MARK_END.search(town) is not None
        and ZONE.search(town) is None
    ):
        # 某某镇, 新兴镇 in 瓯海区: a town the divisions do not list there (invented, misspelt beyond reading,
        # or merged away with no trace), kept as written; the note says it was not found.
        notes.append(f"{town} is no town of {fields['county']} in the divisions; kept as written")
    inferred = frozenset(f for f in DIVISION_FIELDS if f in fields and f not in values)
    for f, v in values.items():
        if f in DIVISION_FIELDS and f in fields:
            continue  # the gazetteer's official name wins over the text's spelling
        fields[f] = v
    return Address(
        text=text,
        components=tuple(components),
        extra=tuple(extra),
        ambiguous=ambiguous,
        candidates=candidates,
        inferred=inferred,
        notes=tuple(dict.fromkeys(notes)),  # (a step and the assembly may say the same)
        **fields,  # type: ignore[arg-type]
    )
