"""Do two free texts name the same place? ``compare(a, b)`` -> "same", "partial" or "different".

The semantics are those of the CCKS 2021 address relevance task:

- **same**: the same place; one text may leave out upper divisions (``鹿城区解放街12号`` and
  ``浙江省温州市鹿城区解放街12号``), a door number beside a named compound, or a floor; two texts
  naming the same divisions, or the same road, and nothing finer;
- **partial**: one contains the other (``鹿城区`` / ``鹿城区解放街12号``), or they share a road or
  compound but one is finer (a room in the other's building, a shop at the other's door, a place on
  the other's road) or they differ below it (another door on the road, another building of the
  compound, another part of the estate: 一期 / 二期, 东区 / 西区; another group of the village);
- **different**: different places: divisions (provinces and cities where both texts write them),
  roads or compounds that contradict, places numbered in a series (第一 / 第二人民医院), a name inside
  another on a different road (a chain's shop), or nothing in common below the divisions.

Both texts are parsed and compared field by field with the matcher's comparators (names by rapidfuzz
ratio, with a name contained in the other as a strong agreement; numbers exactly, a door number
against its annexes ``9号`` / ``9-1号`` as the same door). The rules are in :func:`_relation`.

>>> compare("鹿城区解放街12号", "浙江省温州市鹿城区解放街12号").relation
'same'
>>> compare("解放街12号锦绣花园3幢", "解放街12号锦绣花园3幢2单元501室").relation
'partial'
>>> compare("解放街12号", "人民路8号").relation
'different'
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Any

from rapidfuzz import fuzz

from stdaddr.base import compound_number_key, door_key, numbered_lane, same_zone
from stdaddr.match import other_organisation, road_cap, room_forms, same_estate
from stdaddr.models import FIELDS, MATCH_LEVELS, Address, Comparison, FieldMatch

__all__ = ["compare"]

# Fields compared, coarse to fine; divisions by code when both texts have one.
_FIELDS = FIELDS
_NAMES = ("road", "poi")
_FINE = ("building", "unit", "floor", "room")
# Names agree from this similarity on (a name inside the other counts as _CONTAINED); 福润雅居翠竹园 and
# 福润雅居樟香园 (0.71) are two parts of one estate, not one name.
_NAME_AGREE = 0.8
_CONTAINED = 0.9
_MIN_CONTAINED = 2
# Compound names this similar are the same name written differently (金桥花园 / 金桥花苑 is not).
_EQUAL = 0.85
# Compound names opening with this many characters in common are related (parts of one estate: 福润雅居翠竹园
# / 福润雅居樟香园); a run elsewhere is often a generic word (有限公司, 农贸市场).
_RELATED_RUN = 4
# A door's main number (12号附1 -> 12), or a lane's door (3弄5号 -> 3弄5: doors of one lane are no annexes).
_DOOR = re.compile(r"^\d+(?:弄(?:\d+支弄)?\d*)?")
# A branch in brackets after a place's name: (国贸店), （三里屯分店）, (城西支行).
_BRANCH = re.compile(r"[(（]([^()（）]{1,12}(?:店|分行|支行|营业部|分公司|校区|院区))[)）]")
# What tells two names of a series apart: a number or a direction; the part of a place it numbers.
_NUMBERED = re.compile("[零〇一二两三四五六七八九十百千]+|[东南西北中上下前后内外]|[A-Z]")
# 头 (first) of a numbered series of hutongs or lanes (西四北头条, 二条 …): number one.
_FIRST_OF_A_SERIES = re.compile("头(?=[条道排巷]$)")
_ORDINAL = re.compile("第[零〇一二两三四五六七八九十百]+")
_PART = re.compile("期|区|街区|组团|苑|园区|片区|座|里")
_NUMERALS = frozenset("零〇一二两三四五六七八九十百千")
_DIVISIONS = ("province", "city", "county", "town", "community")
_UPPER = ("province", "city")
# A difference on one of these ends the levels two texts have in common (a floor does not; a group does:
# its doors are numbered on their own, 河庄村3组8号 / 河庄村2组8号).
_RANKED = frozenset(MATCH_LEVELS) | {"province", "city", "group"}


def compare(a: Any, b: Any) -> Comparison:
    """Compare two address texts; never raises (a missing or non-text value is "different"). Bytes are
    read as ``parse`` reads them (UTF-8, else GB18030)."""
    from stdaddr.parsing import as_text, parse

    pa = parse(as_text(a)) if isinstance(a, (str, bytes, bytearray)) else None
    pb = parse(as_text(b)) if isinstance(b, (str, bytes, bytearray)) else None
    if pa is None or pb is None:
        return Comparison("different", None, (), "one of the values is not text")
    pb = _room_as_the_other_writes_it(pa, pb)
    fields = tuple(fm for f in _FIELDS if (fm := _field(pa, pb, f)) is not None)
    relation, why = _relation({fm.field: fm for fm in fields})
    level = _finest_common(fields)
    if relation == "same" and (hamlets := _natural_villages(pa, pb)) is not None:
        relation, why = "partial", hamlets
    return Comparison(relation, level, fields, why)


def _room_as_the_other_writes_it(pa: Address, pb: Address) -> Address:
    """``pb`` with its floor and room written as ``pa`` writes them, when they are one flat written two ways
    (12-3 / 12楼3号 in 重庆, 1203室 / 12层3室), as matching reads a text's room the base's way."""
    if pa.room is None or pb.room is None or (pa.floor, pa.room) == (pb.floor, pb.room):
        return pb
    if _written_otherwise(pa, pb) or _written_otherwise(pb, pa):
        return dataclasses.replace(pb, floor=pa.floor, room=pa.room)
    return pb


def _written_otherwise(a: Address, b: Address) -> bool:
    """Whether ``b``'s floor and room are one of the ways of writing ``a``'s (stdaddr.match.room_forms)."""
    written = {f: v for f in ("floor", "room") if (v := getattr(a, f)) is not None}
    return (b.floor, b.room) in room_forms(written)


def _natural_villages(pa: Address, pb: Address) -> str | None:
    """Why two texts otherwise the same are partial: they name different natural villages of one village
    (下伦村板江屯 / 下伦村古都屯: two places, as two groups are), or one names a natural village of the
    village the other names; None when they agree on it."""
    from stdaddr.base import natural_village

    a, b = natural_village(pa), natural_village(pb)
    if a == b:
        return None
    if a is not None and b is not None:
        return f"different natural villages of one village: {a} / {b}"
    return f"one is finer: the natural village {a or b}"


def _field(pa: Address, pb: Address, f: str) -> FieldMatch | None:
    va, vb = _branch_names(pa, pb) if f == "poi" else (getattr(pa, f), getattr(pb, f))
    if f == "poi":
        va, vb = _compound_as_community(pa, va, pb, vb)
        va, vb = _division_opening(pa, va, pb, vb)
    if va is None and vb is None:
        return None
    if va is None or vb is None:
        return FieldMatch(f, "input_only" if vb is None else "record_only", va, vb, 0.0)
    if f in ("province", "city", "county", "town", "community"):
        ca, cb = getattr(pa, f"{f}_code"), getattr(pb, f"{f}_code")
        same = ca == cb if ca and cb else va == vb or (f == "town" and same_zone(va, vb))
        if not same and f in _UPPER and (f in pa.inferred or f in pb.inferred):
            # A province or city one text only implies (from a county read in a name: 东海|星城 ->
            # 东海县) is no contradiction; the levels written are compared.
            return None
        sim = 1.0 if same else 0.0
    elif f == "road":
        from stdaddr.parsing.tail import ring_road_key  # loaded with the parser, which compare has used

        ka, kb = ring_road_key(va), ring_road_key(vb)  # 鞋都1路 / 鞋都一路, 南二环西段 / 二环南路西段
        ka, kb = _FIRST_OF_A_SERIES.sub("一", ka), _FIRST_OF_A_SERIES.sub("一", kb)  # 桃园北头条 / 二条
        # Two directions, numbers or parts of one road name are two roads, and so, as surely as not,
        # is a name written with a direction on one side only (中山路 / 中山北路 are two streets in
        # many cities; counting them as one gained nothing on the CCKS pairs: 53.95 against 53.86).
        sim = min(name_similarity(ka, kb), road_cap(ka, kb, one_sided=False))
        if sim >= _NAME_AGREE and _series_or_parts(ka, kb) is not None:
            sim = min(sim, _NAME_AGREE - 0.01)  # 西四北三条 / 西四北四条: numbered apart, two streets
        same = sim >= _NAME_AGREE and road_cap(ka, kb) == 1.0
    elif f in _NAMES:
        ka, kb = compound_number_key(va), compound_number_key(vb)  # 紫轩1期 / 紫轩一期
        sim = name_similarity(ka, kb)
        if sim >= _NAME_AGREE and _two_campuses(ka, kb):
            sim = min(sim, _NAME_AGREE - 0.01)  # 福州大学怡山校区 / 福州大学旗山校区: two places
        same = sim >= _NAME_AGREE and _series_or_parts(ka, kb) is None
    elif f == "house_number":
        va, vb = door_key(va), door_key(vb)  # 24-1号 / 24号附1
        sim = 1.0 if va == vb else 0.5 if _door(va) == _door(vb) or _lane_and_door(va, vb) else 0.0
        same = sim > 0.0
    else:
        same = va == vb
        sim = 1.0 if same else 0.0
    return FieldMatch(f, "agree" if same else "differ", va, vb, round(sim, 4))


def _branch_names(pa: Address, pb: Address) -> tuple[str | None, str | None]:
    """The two places' names, with the branch one writes in brackets after its name when the other
    names a branch too (星巴克(国贸店) / 星巴克(三里屯店): two places; 星巴克(国贸店) / 星巴克国贸店: one); a
    branch on one side only (李宁 / 李宁(新郑店)) is left out, as the pairs' annotators mostly count it."""
    va, vb = pa.poi, pb.poi
    ba, bb = _branch(pa), _branch(pb)
    if ba is not None and (bb is not None or (vb or "").startswith(va or "\0") and vb != va):
        va = _branch_key((va or "") + ba)
        vb = _branch_key((vb or "") + (bb or ""))
    elif bb is not None and (va or "").startswith(vb or "\0") and va != vb:
        va, vb = _branch_key(va or ""), _branch_key((vb or "") + bb)
    return va, vb


def _compound_as_community(
    pa: Address, va: str | None, pb: Address, vb: str | None
) -> tuple[str | None, str | None]:
    """The two compounds, where one text's compound is the other's community (翠苑一区 read as the
    community 翠苑一区社区 after its county, as a compound without it): that community stands as its
    compound."""
    if not _compound_alone(pa) or not _compound_alone(pb):
        return va, vb
    for (a, mine), (b, theirs) in (((pa, va), (pb, vb)), ((pb, vb), (pa, va))):
        if (
            mine is None
            and theirs is not None
            and a.community
            and not b.community
            and _same_place_name(a.community, theirs)
        ):
            return theirs, theirs
    return va, vb


def _division_opening(
    pa: Address, va: str | None, pb: Address, vb: str | None
) -> tuple[str | None, str | None]:
    """The two compounds, where one text's compound opens with a division the other text reads before
    its compound (望京西园四区 / 朝阳区望京|西园四区: 望京 read as 望京街道 on one side only): the whole name
    on both."""
    if va is None or vb is None or va == vb:
        return va, vb
    for shorter, longer, a in ((va, vb, pa), (vb, va, pb)):
        if len(longer) > len(shorter) and longer.endswith(shorter):
            opening = longer[: -len(shorter)]
            before = [c for c in a.components if c.field in _DIVISIONS and c.end <= _start_of(a, "poi")]
            if before and before[-1].text == opening:
                return longer, longer
    return va, vb


def _start_of(a: Address, field: str) -> int:
    return next((c.start for c in a.components if c.field == field and not c.repeated), -1)


def _compound_alone(a: Address) -> bool:
    """Whether a text names its place by a compound or community only, with nothing but buildings, units,
    floors and rooms below it (no road, door or group)."""
    return a.road is None and a.house_number is None and a.group is None


def _same_place_name(community: str, compound: str) -> bool:
    return community == compound or community.removesuffix("社区") == compound


def _branch_key(name: str) -> str:
    return name.replace("分店", "店")


def _branch(a: Address) -> str | None:
    """The branch written in brackets right after the place's name (星巴克(国贸店): 国贸店), or None."""
    if a.poi is None:
        return None
    parts = sorted(a.components, key=lambda c: c.start)
    for c, after in zip(parts, parts[1:], strict=False):
        if c.field == "poi" and not c.repeated and after.field == "extra" and after.start == c.end:
            branch = _BRANCH.fullmatch(after.value)
            return None if branch is None else branch.group(1)
    return None


def _two_campuses(a: str, b: str) -> bool:
    """Whether two names are two campuses (or branches) of one body, by names of their own that are no
    slip of each other (福州大学怡山校区 / 福州大学旗山校区; not 怡山校区 / 恰山校区 by sound)."""
    ca, cb = _CAMPUS.search(a), _CAMPUS.search(b)
    return (
        ca is not None
        and cb is not None
        and ca.group(1) != cb.group(1)  # (四川大学望江校区 / 川大望江校区: one campus, its body short)
        and other_organisation(a, b)
    )


# A campus or branch by a name of its own (望江|校区, 旗山|校区).
_CAMPUS = re.compile("([\u3400-\u9fff]{2})(?:校区|院区|分校|分院|支行|分行|营业部|分公司|分店)$")


def name_similarity(a: str, b: str) -> float:
    """rapidfuzz ratio of two names, or ``_CONTAINED`` when the shorter lies inside the longer
    (华腾新天地 / 华腾新天地大厦, 建华新村 / 建华新村3期)."""
    if a == b:
        return 1.0
    ratio = fuzz.ratio(a, b) / 100
    short, long = sorted((a, b), key=len)
    if len(short) >= _MIN_CONTAINED and short in long:
        return max(ratio, _CONTAINED)
    return ratio


def _door(house_number: str) -> str | None:
    m = _DOOR.match(house_number)
    return m.group() if m else None


def _lane_and_door(a: str | None, b: str | None) -> bool:
    """Whether one door number is a lane (1088弄) and the other a door in it (1088弄5号)."""
    if not a or not b:
        return False
    lane, door = sorted((a, b), key=len)
    return lane.endswith("弄") and door.startswith(lane)


def _series_or_parts(a: str, b: str) -> str | None:
    """How two names (numbers in Chinese) that differ only in a number or a direction relate: "part"
    for two parts of one place (金地自在城一期 / 二期, 翠苑一区 / 二区, 龙泽苑东区 / 西区), "unrelated" for
    two places numbered in a series (第一 / 第二人民医院, 杭州二中 / 十四中); None when they differ
    otherwise."""
    head = len(os.path.commonprefix([a, b]))
    tail = len(os.path.commonprefix([a[head:][::-1], b[head:][::-1]]))
    # (十街坊 / 十一街坊: the numbers differ whole, not by the 一 one of them adds)
    while (
        head
        and a[head - 1] in _NUMERALS
        and (a[head : head + 1] in _NUMERALS or b[head : head + 1] in _NUMERALS)
    ):
        head -= 1
    # (第一中学 / 第十一中学: nor the 一 they end in)
    while (
        tail
        and a[len(a) - tail] in _NUMERALS
        and (
            a[len(a) - tail - 1 : len(a) - tail] in _NUMERALS
            or b[len(b) - tail - 1 : len(b) - tail] in _NUMERALS
        )
    ):
        tail -= 1
    da, db = a[head : len(a) - tail], b[head : len(b) - tail]
    if tail >= 2 and (not da or not db) and _ORDINAL.fullmatch(da or db):
        # 人民医院 / 第一人民医院, 实验小学 / 第二实验小学: a number in a series on one side only names
        # another of the series
        return "unrelated"
    if not da or not db or not all(_NUMBERED.fullmatch(d) for d in (da, db)):
        return None
    return "part" if _PART.match(a[len(a) - tail :]) else "unrelated"


def _compound_relation(a: str, b: str) -> str:
    """ "equal", "inside" (one name holds the other: a shop in a mall, 建华新村 / 建华新村3期), "part" (two
    parts of one estate: 一期 / 二期, 东区 / 西区), "related" (a long opening in common: 福润雅居翠竹园 /
    福润雅居樟香园) or "unrelated" (also two places numbered in a series: 第一 / 第二人民医院)."""
    a, b = compound_number_key(a), compound_number_key(b)
    if (apart := _series_or_parts(a, b)) is not None:
        return apart
    if _two_campuses(a, b):
        return "unrelated"  # 福州大学怡山校区 / 福州大学旗山校区
    if fuzz.ratio(a, b) >= _EQUAL * 100 or same_estate(a, b):
        return "equal"  # 锦绣花园 / 锦绣小区: one estate, the generic word for its kind
    short, long = sorted((a, b), key=len)
    if len(short) >= _MIN_CONTAINED and short in long:
        return "inside"
    shared = len(os.path.commonprefix([a, b]))
    return "related" if shared >= _RELATED_RUN else "unrelated"


def _relation(by: dict[str, FieldMatch]) -> tuple[str, str]:
    """The relation and why, from the field comparisons.

    In order: contradicting divisions; a compound both name (the strongest anchor); else the road and
    door both name; then contradictions and finer levels below the anchor.
    """

    def st(f: str) -> str | None:
        return by[f].status if f in by else None

    for f in ("province", "city", "county", "town"):
        if st(f) == "differ":
            return "different", f"different {f}: {by[f].input} / {by[f].record}"
    road, door = st("road"), st("house_number")
    # A lane or row named by its number alone (3巷, 2排) is each village's or compound's own.
    own_lane = road == "agree" and numbered_lane(by["road"].input or "")
    if own_lane and st("community") == "differ":
        # 鲍三村2巷8号 / 鲍四村2巷8号: each village numbers its own lanes (as matching reads them)
        return "different", f"lanes of different villages: {by['community'].input} / {by['community'].record}"
    same_door = road == "agree" and door == "agree" and by["house_number"].similarity == 1.0
    # (A floor one text writes before a room both name, 5楼502号 / 3-2-502, is in the room's number.)
    finer = [
        f
        for f in _FINE
        if st(f) in ("input_only", "record_only") and not (f == "floor" and st("room") == "agree")
    ]
    differ = [f for f in _FINE if st(f) == "differ"]
    if "poi" in by and by["poi"].input and by["poi"].record:
        kind = _compound_relation(by["poi"].input, by["poi"].record)
        if kind == "equal":
            if road == "differ":
                # One compound written beside two roads (a corner estate, a mall between streets), or a
                # chain's name: the name is shared, the place is not settled.
                return (
                    "partial",
                    f"same compound on different roads: {by['road'].input} / {by['road'].record}",
                )
            if differ or finer:
                return (
                    "partial",
                    f"same compound; {'different ' + ', '.join(differ) if differ else 'one is finer: ' + ', '.join(finer)}",
                )
            return "same", "same compound; nothing contradicts"
        if kind == "part" or kind in ("inside", "related") and road != "differ":
            # Two parts of one estate are partial wherever their gates are (金地自在城6期 / 7期).
            return "partial", f"compounds {kind}: {by['poi'].input} / {by['poi'].record}"
        if kind != "unrelated":
            # A name inside another on a different road (a chain's shop), or names sharing only a run of
            # characters (有限公司, 农贸市场) without a road in common: nothing ties the two places.
            where = "on different roads" if road == "differ" else "without a road in common"
            return "different", f"compounds {kind} {where}: {by['poi'].input} / {by['poi'].record}"
        if same_door and not own_lane:
            return "partial", "same road and door, different compounds"
        return "different", f"different compounds: {by['poi'].input} / {by['poi'].record}"
    if road is None or road in ("input_only", "record_only"):
        return _without_street(by)
    if road == "differ":
        return "different", f"different roads: {by['road'].input} / {by['road'].record}"
    if door == "differ":
        return (
            "partial",
            f"same road, different doors on {by['road'].input}: {by['house_number'].input} / {by['house_number'].record}",
        )
    if door == "agree" and not same_door:
        a_door, b_door = by["house_number"].input, by["house_number"].record
        held = "a lane and a door in it" if _lane_and_door(a_door, b_door) else "annex of the same door"
        return "partial", f"{held}: {a_door} / {b_door}"
    if same_door:
        if differ or st("poi") is not None or finer:
            return "partial", "same door; " + ("different " + ", ".join(differ) if differ else "one is finer")
        return "same", "same road and door; nothing contradicts"
    if st("poi") is not None:
        return "partial", "same road, a place on it without a door number"
    if door is None and not differ and not finer:
        return "same", "same road; nothing finer on either side"
    return "partial", "same road; no door on one side"


def _without_street(by: dict[str, FieldMatch]) -> tuple[str, str]:
    """Neither a road nor a compound in common. Two texts naming only divisions are the same place when
    they agree on all of them (鹿城区五马街道 twice), and one holds the other when the other only adds
    finer levels to the divisions it names (鹿城区 / 鹿城区解放街12号); else nothing ties them. Doors of
    one village (河庄村2组8号 / 河庄村2组12号) are placed like doors of one road."""
    village = by.get("community")
    door = by.get("house_number")
    group = by.get("group")
    if village is not None and village.status == "agree" and group is not None and group.status == "differ":
        return "partial", f"same village, different groups: {group.input} / {group.record}"
    fine = [by[f] for f in _FINE if f in by]
    if village is not None and village.status == "agree" and fine and door is None and group is None:
        # 翠苑一区3幢201室 / 翠苑一区3幢202室: buildings of a community named like its estate, compared as
        # under a compound.
        differ = [fm.field for fm in fine if fm.status == "differ"]
        if differ:
            return "partial", f"same community; different {', '.join(differ)}"
        if any(fm.status != "agree" for fm in fine):
            return "partial", "same community; one is finer"
        return "same", "same community and building; nothing contradicts"
    if village is not None and village.status == "agree" and door is not None and door.status != "input_only":
        if door.status == "record_only":
            pass
        elif door.similarity < 1.0:
            return "partial", f"same village, different doors: {door.input} / {door.record}"
        elif not any(fm.status == "differ" for fm in by.values()) and "road" not in by and "poi" not in by:
            finer = [f for f in _FINE if f in by]
            if not finer:
                return "same", "same village door; nothing contradicts"
            return "partial", "same village door; one is finer"
    if any(fm.field in _DIVISIONS and fm.status == "agree" for fm in by.values()):
        # A province or city one text leaves out while naming a finer division (深圳市大磡二村 /
        # 南山区大磡二村) is no finer level of the other.
        sides = {fm.status for fm in by.values() if fm.status != "agree" and not _left_out(fm, by)}
        if not sides:
            return "same", "same divisions; nothing finer on either side"
        if sides in ({"input_only"}, {"record_only"}):
            return "partial", "one text names only divisions the other lies in"
    return "different", "no road or compound in common"


def _left_out(fm: FieldMatch, by: dict[str, FieldMatch]) -> bool:
    """Whether a province or city only one text names is one the other leaves out above a finer
    division both name."""
    if fm.field not in _UPPER or fm.status not in ("input_only", "record_only"):
        return False
    return any(f in by and by[f].status == "agree" for f in _DIVISIONS[_DIVISIONS.index(fm.field) + 1 :])


def _finest_common(fields: tuple[FieldMatch, ...]) -> str | None:
    """The finest match level both texts agree on, coarse to fine, up to the first level on which they
    differ (None when they agree on none): 锦绣花园3幢301室 / 锦绣花园4幢301室 agree down to the compound."""
    level = None
    for fm in fields:
        if fm.status == "differ" and fm.field in _RANKED:
            break
        if fm.field in MATCH_LEVELS and fm.status == "agree":
            level = fm.field
    return level
