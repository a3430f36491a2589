"""Communities (社区/村) of the gazetteer, read right after the divisions.

Community names repeat across China, so they are looked up only under the county or town the text
has already named: at most a few hundred names, one dict lookup per candidate length. When several
chains tie (朝阳区 in 北京 and 长春), the community found under only one of them decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stdaddr import gazetteer
from stdaddr.gazetteer import FULL, HISTORIC, SHORT, Entry
from stdaddr.parsing.divisions import DOOR_OR_GROUP_AHEAD, ZONE, Chain, Hit, Reading
from stdaddr.parsing.tail import COMMITTEE_WORDS, HUTONG_NUMBER, road_ahead
from stdaddr.text import match_end

__all__ = [
    "FoundCommunity",
    "county_before_village",
    "find_community",
    "town_before_village",
    "village_over_town",
    "written_name",
    "community_name",
    "moved_community",
    "village_after_unknown_town",
    "village_before_town",
]

_MAX_NAME = 12
# The committee of a community written after its name (墨池社区|居委会, 长虹村|村民委员会): part of it.
# The committee after a community's name: 村委会, 居委会 … (钱家垟村|村委会), or the rest of 村委会 after a
# village written with its 村 (花栎树村|委会 for 花栎树村民委员会, 钱家垟村|委: 村委 cut short).
# 南新居|委会 for 南新居居委会 (海南's 居, written with one 居).
COMMITTEE = re.compile(
    f"(?:村|社区)?(?:{COMMITTEE_WORDS})|(?<=村)(?:委会|民?委员会|民委|委(?![员会]))|(?<=居)委会|(?<=居委)会"
)
_CJK = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]")
_SKIP = re.compile(r"[,\s]*")
# 村 after a community's short name (桥头|村 for 桥头社区), or 行政村, the administrative village (村尾|行政村),
# or 大队, the production brigade of the commune years the village was (梁家河|大队 for 梁家河村); 村委会 after
# it is the village's committee (明阳|村委会 for 明阳社区, a village since made a community).
_VILLAGE_MARK = re.compile("(?:行政)?村(?!委|民)|村(?=委会|民委员会)|大队(?!部)")
# A town's level mark after a community's short name: the name is that of a town (石粘|镇, merged since),
# or of a zone (长城|工业区).
_TOWN_MARK = re.compile(f"(?:街道|镇|乡)(?!路|街|大道|巷)|{ZONE.pattern}")
# ... or a character or two before it (芦潮|港镇, a town merged since, which 芦潮居委会 of its successor is
# named after): not 乡, which ends words (水乡, 家乡), nor 小镇, a compound's word (瓯窑|小镇, a 特色小镇).
_TOWN_MARK_SOON = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]{1,2}?(?:街道|(?<!小)镇)(?!路|街|大道|巷)")
# A road's kind right after a community's short name: the road is named after it (五和|大道, 沿山|路,
# 中关村|东路, 宝民|2路, 宝民|二路, 员村|二横路).
_ROAD_KIND = re.compile(
    f"(?:[东西南北中]?(?:(?:[0-9]{{1,3}}|[一二三四五六七八九十]{{1,3}})[横纵直]?)?(?:大道|大街|路|街(?!道))|公路|巷"
    f"|[东西南北]?{HUTONG_NUMBER})"
)
# A door numbered in Chinese numerals (十二号; not 三号楼, a building, nor 一号路, 九号桥, 四号区: names).
_NUMERAL_DOOR = re.compile("[一二三四五六七八九十百零〇两]{1,6}号(?![楼院路街巷桥区门线坝闸井])")
# A character that goes on into a longer name (墨池|坊五马巷: 墨池坊 is the lane's name).
# 娄桥|中学, 五马|派出所: a school or an office named after the place.
_PART_OF_NAME = re.compile(
    "[苑庭邸寓厦坊场](?![区县市镇乡])|中学|小学|幼儿园|学校|派出所|医院|卫生院|卫生室|银行|信用社|邮政|邮局|菜场|超市|商厦"
)
# 光谷|软件园社区: a longer community's name, written with its mark, that the short name only opens.
_LONGER_COMMUNITY = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]{1,5}?社区")
# 西四北三条 for 西四北三条社区: a community named after its hutong; without 社区 the hutong is meant.
_HUTONG_NAME = re.compile(f"{HUTONG_NUMBER}$")


@dataclass(frozen=True, slots=True)
class FoundCommunity:
    start: int
    end: int
    code: str
    chain: Chain


@lru_cache(maxsize=1 << 14)  # asked of every community read; official names repeat
def written_name(official: str) -> str:
    """How a community is written in an address: 多福巷社区居委会 -> 多福巷社区, 下宅村村委会 -> 下宅村,
    崂山三村居委会 -> 崂山三村."""
    if official.endswith("委会") or official.endswith("委员会"):
        aliases = gazetteer.short_names(official, 4)
        if official.endswith(_NAMED_JU_COMMITTEE) and aliases and aliases[0].endswith("居"):
            return aliases[0]  # 八一居居委会 is written 八一居, not 八一居社区
        if official.endswith(_VILLAGE_NAMED_COMMITTEE):
            # 崂山三村居委会, 彭村居委会: a residents' committee of an estate or a former village is written
            # by that name (崂山三村), not 崂山三村社区.
            aliases = [a for a in aliases if a.endswith("村")] + aliases
        for alias in aliases:
            if alias.endswith(("社区", "村", "嘎查")):
                return alias
    return official


_VILLAGE_NAMED_COMMITTEE = ("村居委会", "村居民委员会")
_NAMED_JU_COMMITTEE = ("居居委会", "居居民委员会")


@lru_cache(maxsize=1 << 14)
def community_name(code: str) -> str:
    """The community of ``code`` as addresses write it (:func:`written_name`), without the county and
    town its official name may open with (栾川县合峪镇杨山村村民委员会 -> 杨山村)."""
    g = gazetteer.load()
    name = written_name(g.name(code) or "")
    above = (g.name(code[:2]) or "", g.name(code[:4]) or "")
    rest = gazetteer.after_county_and_town(name, g.name(code[:6]) or "", g.name(code[:9]) or "", above)
    return name if rest is None else rest


# A community's short name that is a road's (宽巷子 of 宽巷子社区) or a road's section's or part's (临园路东段
# of 临园路东段社区, 广州大道中 of 广州大道中社区), and a door number after it.
_ROAD_NAMED = re.compile(
    "(?:巷子|路|街|巷|弄|胡同|坊|大道|大街)"
    "(?:[东西南北中]?(?:[一二三四五六七八九十]{1,2}|[0-9]{1,2})?段|(?<=大道)[东西南北中])?$"
)
_DOOR = re.compile("[0-9]+(?:-[0-9]+)?号|[0-9]+-[0-9]+(?![0-9-])")
# An estate's kind right after a village written with its mark: the estate is named after it (马村小区).
_ESTATE_KIND = re.compile("(?:小区|花园|公寓|家园|新村|大厦)(?![路街巷道])")
# A natural village named in 社 (闽南), 屯, 寨 or 坡, or written 自然村, before its door or at the end.
_HAMLET_AFTER = re.compile(
    "[\u3400-\u9fff\U00020000-\U0003ffff]{2}(?:自然村|(?<![用作行版报])社|屯|寨|坡)(?=[0-9〇零一二三四五六七八九十]|$|,)"
)
# A road's kind right after a village written with its mark: the road is named after it (冼村路, and after
# 村 with its direction: 江村北路; but 诸葛城村|西街 and 董七村|西大街, a village's street by its side, and
# 北门社区|北大街).
_VILLAGE_ROAD = re.compile(
    "(?:(?<=村)[东西南北中](?=路|大道))?(?:路|大道|大街)(?![\u3400-\u9fff\U00020000-\U0003ffff]*[路街巷])"
)


def _committee_after(text: str, pos: int) -> bool:
    """Whether a committee's words (委会, 居委会, 村民委员会 …) follow at ``pos``, not 社区 or 村 alone."""
    committee = COMMITTEE.match(text, pos)
    return committee is not None and "委" in committee.group()


def _lookup(text: str, pos: int, parent: str) -> tuple[int, str] | None:
    index = gazetteer.load().communities(parent)
    longest = min(_MAX_NAME, index.longest(text[pos : pos + 2]))
    if not longest:
        return None
    for end in range(min(len(text), pos + longest), pos + 1, -1):
        entries = index.get(text[pos:end])
        if not entries:
            continue
        codes = {e.code for e in entries}
        if len(codes) != 1:
            return None
        entry = entries[0]
        # (蓬洲东居委|南围12号: the committee cut short, as 潮汕's records write it, marks the community)
        written = text[pos:end].endswith(("社区", "村", "居委"))
        if entry.kind != FULL and not written and (village := _VILLAGE_MARK.match(text, end)):
            # 桥头村 for 桥头社区: a village since made a community (and its committee: 桥头村村委会);
            # 村尾行政村 for 村尾村: the administrative village, as against its natural villages
            if _VILLAGE_ROAD.match(text, village.end()):
                continue  # 古岸头村|路8号: a road named after the village
            return match_end(COMMITTEE, text, village.end()), entry.code
        # A short name (沿山 for 沿山村) only when nothing follows that could extend it, or a road does.
        goes_on = (
            _ROAD_KIND.match(text, end)
            or _LONGER_COMMUNITY.match(text, end)
            or (
                _CJK.match(text, end)
                and (
                    _TOWN_MARK.match(text, end)
                    or _PART_OF_NAME.match(text, end)
                    or not road_ahead(text, end)
                    or _TOWN_MARK_SOON.match(text, end)
                )
            )
        ) and not _committee_after(text, end)  # (南新居|委会: its committee ends it)
        if goes_on and not _TOWN_MARK.match(text, end) and _HAMLET_AFTER.match(text, end):
            # 黄厝|塔头社78号, 青礁|院前社: the community's short name, then its natural village
            goes_on = None
        elif goes_on and _GROUP_AHEAD.match(text, end):
            goes_on = None  # 袁家营|三组20号: the village's short name, then its group
        elif goes_on and _NUMERAL_DOOR.match(text, end):
            goes_on = None  # 一二一团三连|十二号: the door in Chinese numerals, as 三连|12号
        if entry.kind != FULL and not written and (goes_on or _HUTONG_NAME.search(text, pos, end)):
            continue
        if entry.kind != FULL and not written and _road_named_after_division(text, pos, end):
            continue  # 锡林|郭勒北路: the road named after 锡林郭勒盟, no community 锡林社区 before it
        if (
            entry.kind != FULL
            and not written
            and _ROAD_NAMED.search(text, pos, end)
            and _DOOR.match(text, end)
        ):
            continue  # 宽巷子11号: the lane a community is named after, with a door on it
        if written and _VILLAGE_ROAD.match(text, end):
            continue  # 冼村|路12号, 战旗村|大道: a road named after the village
        if text[end - 1] == "村" and _ESTATE_KIND.match(text, end):
            continue  # 马村|小区5-2-201: an estate named after the village (马村小区), read as the estate

        if (
            text.startswith("村", end)
            and not text.startswith(("村委", "村民", "村部"), end)
            and _DOUBLE_VILLAGE.fullmatch(gazetteer.load().name(entry.code) or "")
        ):
            end += 1  # 冯村村15号: the village 冯村 (冯村村委会) written with its mark, 冯村村
        elif text[end - 1] == "村" and _VILLAGE_AS_COMMUNITY.match(text, end):
            end += (
                2  # 南村社区 for the village 南村 (南村村委会): a village since made a community, so written
            )
        return match_end(COMMITTEE, text, end), entry.code  # 墨池社区居委会: the committee's name
    if len(parent) == 9:
        # 姜山镇周韩126号, 天兴乡江心3组: a village of the town written without 村, right before its door or
        # group (a bare name elsewhere opens too many words)
        for end in range(min(len(text), pos + 4), pos + 1, -1):
            entries = index.get(text[pos:end] + "村")
            if (
                entries
                and len({e.code for e in entries}) == 1
                and _CJK.fullmatch(text, end - 1, end)
                and DOOR_OR_GROUP_AHEAD.match(text, end) is not None
            ):
                return end, entries[0].code
    return None


def moved_community(text: str, reading: Reading) -> tuple[Reading, FoundCommunity, str] | None:
    """A community written with its mark right after a county it does not lie under, when it lies in
    exactly one of the counties that took towns of that county (余杭区永西村: 永西村 of 乔司街道, in 临平区
    since 2021): the reading with the county the community lies in now, the community, and the note."""
    chain = reading.chain
    if not chain.hits or reading.others:
        return None
    last = chain.hits[-1]
    if last.entry.level != 2 or last.end != reading.end:
        return None
    pos = match_end(_SKIP, text, reading.end)
    # (written with its mark: a short name, 兴旺 of 兴旺村, opens too many other names)
    found = [
        (hit, county)
        for county in sorted(gazetteer.counties_given_towns().get(last.entry.code, ()))
        if (hit := _lookup(text, pos, county)) is not None and _MARKED.search(text, pos, hit[0])
    ]
    if len(found) != 1:
        return None
    (end, code), county = found[0]
    # (the name keeps its kind: a former name, 江干区, is still noted as one; 余杭区 is none)
    moved = Hit(last.start, last.end, last.key, Entry(county, 2, last.entry.kind, stem=last.entry.stem))
    now = Chain((*chain.hits[:-1], moved), chain.score)
    g = gazetteer.load()
    note = (
        f"{community_name(code)} is not under {last.key}; read under {g.name(county)} ({county}), which took"
        f" towns of {g.name(last.entry.code)}"
    )
    return (
        Reading(now, reading.repeats, reading.end, reading.others),
        FoundCommunity(pos, end, code, now),
        note,
    )


def _road_named_after_division(text: str, pos: int, end: int) -> bool:
    """Whether a division's name (a province, city, county or town, as the gazetteer reads it) longer
    than ``text[pos:end]`` starts at ``pos`` and a road's kind follows it (锡林郭勒|北路, 乌兰察布|东路)."""
    g = gazetteer.load()
    for stop in range(end + 1, min(len(text), pos + 6) + 1):
        if g.lookup(text[pos:stop]) and _ROAD_KIND.match(text, stop):
            return True
    return False


# 社区 after a village's name written with 村, unless it opens a facility of the community's (社区卫生服务站).
_VILLAGE_AS_COMMUNITY = re.compile(
    "社区(?!卫生|服务|医院|诊所|医疗|食堂|超市|大学|学院|学校|中心|活动|养老|图书|警务|工作站)"
)


# A village whose own name is a character and 村 (冯村村委会: the village 冯村): written 冯村 or 冯村村,
# both read as 冯村 (the value stays the one every other way of writing it gives).
_DOUBLE_VILLAGE = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]村村(?:委会|民委员会)")


def find_community(text: str, chains: list[Chain], end: int | None = None) -> FoundCommunity | None:
    """The community named right after the divisions of one of the chains, if the gazetteer knows it.

    ``end`` is where the division part of the text ends, when known (past repeats of the chain).
    """
    found = []
    for chain in chains:
        code = chain.code
        level = gazetteer.level_of(code)
        if level < 1:
            continue
        pos = match_end(_SKIP, text, end if end is not None else chain.hits[-1].end)
        hit = _lookup(text, pos, code)
        if hit is None and level == 3 and text.startswith("岛", pos) and chain.hits[-1].end == pos:
            pos += 1  # 六横|岛|台门村: the island the town is, then its village (衢山|岛斗村 is one)
            hit = _lookup(text, pos, code)
        if hit is not None and (level >= 2 or _towns_right_under(code) or _MARKED.search(text, pos, hit[0])):
            # (right after a city with counties, a community written with its mark: 南宁市七星社区)
            found.append(FoundCommunity(pos, hit[0], hit[1], chain))
    return found[0] if len(found) == 1 else None


def village_before_town(
    text: str, chains: list[Chain], reading: Reading | None
) -> tuple[Reading, FoundCommunity] | None:
    """清河村|总寨镇|1组5号, 塔玛村|纳金街道…: a village written with its mark first, right before its town
    (the divisions read after it): the village of that town, if the town (of the one chain read, or of
    the one among the chains of a town's name in several places) has one so named."""
    start = match_end(_SKIP, text, 0)
    found = []
    for chain in chains or ([reading.chain] if reading is not None else []):
        if not chain.hits or gazetteer.level_of(chain.code) != 3:
            continue
        first = chain.hits[0]
        if first.start - start < 2 or not text.endswith(("村", "社区"), start, first.start):
            continue
        hit = _lookup(text, start, chain.code)
        if hit is not None and hit[0] == first.start:
            # (the reading of this chain as it stands, or one of the chain alone when it was not the one read)
            kept = reading if reading is not None and reading.chain is chain else None
            found.append((kept or Reading(chain, (), chain.hits[-1].end), hit, chain))
    if len(found) != 1:
        return None
    new, hit, chain = found[0]
    return new, FoundCommunity(start, hit[0], hit[1], chain)


@lru_cache(maxsize=512)
def _towns_right_under(code: str) -> bool:
    """Whether ``code`` is a city with towns right under it, no counties (东莞, 中山, 儋州)."""
    if gazetteer.level_of(code) != 1:
        return False
    children = gazetteer.load().children(code)
    return bool(children) and gazetteer.level_of(children[0]) == 3


def village_after_unknown_town(text: str, reading: Reading) -> tuple[Reading, FoundCommunity] | None:
    """A town the gazetteer lacks (merged away: 昆山市正仪镇, now in 巴城镇; or misspelt: 东莞市塘夏镇) right
    after the county, or the city without counties, read, before a village of that county written with
    its mark: the village, which places the town; the town written is read as its former name."""
    chain = reading.chain
    if not chain.hits or reading.repeats or reading.others:
        return None
    code = chain.code
    if gazetteer.level_of(code) != 2 and not _towns_right_under(code):
        return None
    pos = match_end(_SKIP, text, reading.end)
    town = _UNKNOWN_TOWN.match(text, pos)
    if town is None or gazetteer.load().lookup(town.group()) or _PLACEHOLDER_NAME.search(town.group()):
        return None  # (某某镇, XX镇: a name masked or left blank is no former name)
    hit = _lookup(text, town.end(), code)
    if hit is None or not _MARKED.search(text, town.end(), hit[0]):
        return None
    # The town written, read as a former name of the village's town (as 梧埏镇 is of 梧田街道; its note
    # says so).
    written = Hit(pos, town.end(), town.group(), Entry(hit[1][:9], 3, HISTORIC, parent=code))
    longer = Chain((*chain.hits, written), chain.score)
    return Reading(longer, (), town.end()), FoundCommunity(town.end(), hit[0], hit[1], longer)


# A name masked or not filled in: 某某, XX, ***.
_PLACEHOLDER_NAME = re.compile("某|[X×*]{2}")
# A town's name as written: a few characters and its mark.
_UNKNOWN_TOWN = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]{2,5}?(?:街道办事处|街道|办事处|镇|乡)")


# A community written with its mark (and maybe its committee), as a village read over a town must be.
_MARKED = re.compile(f"(?:村|社区)(?:{COMMITTEE_WORDS})?$")


def village_over_town(text: str, reading: Reading) -> tuple[Reading, FoundCommunity] | None:
    """Another reading of a town that no known community follows, when a village of the gazetteer
    starts inside the town's name and goes on past it:

    - a town's short name opening a village of the county (文成|周山|垟民族村: 周山垟民族村 of 玉壶镇, not
      垟民族村 of 周山畲族乡): the county and that village;
    - a town's full name whose mark opens a village of that town (瑞安|陶山镇|南村: 陶山|镇南村): the
      town by its short name, then the village.

    The village must be written with its mark (村, 社区): a short name (镇东 of 镇东社区) is too often part of
    something else. None when the reading stands.
    """
    chain = reading.chain
    if not chain.hits or reading.repeats or reading.others:
        return None
    last = chain.hits[-1]
    if gazetteer.level_of(last.entry.code) != 3 or reading.end != last.end:
        return None
    if last.entry.kind == SHORT and len(chain.hits) >= 2:
        county = Chain(chain.hits[:-1], chain.score)
        hit = _lookup(text, last.start, county.code) if gazetteer.level_of(county.code) == 2 else None
        if hit is not None and hit[0] > last.end and _MARKED.search(text, last.start, hit[0]):
            found = FoundCommunity(last.start, hit[0], hit[1], county)
            return Reading(county, (), last.start), found
    if last.entry.kind == FULL or last.key.endswith(("镇", "乡")):
        # 瑞安|陶山镇|南村: 陶山|镇南村; and so with a short name given its former mark (永中镇, now 永中街道:
        # 永中|镇中社区).
        name = gazetteer.load().name(last.entry.code) or ""
        for short in gazetteer.short_names(name, 3):
            pos = last.start + len(short)
            if not last.start < pos < last.end or text[last.start : pos] != short:
                continue
            hit = _lookup(text, pos, last.entry.code)
            if hit is not None and hit[0] > last.end and _MARKED.search(text, pos, hit[0]):
                town = Hit(last.start, pos, short, Entry(last.entry.code, 3, SHORT, stem=len(short)))
                shorter = Chain((*chain.hits[:-1], town), chain.score)
                return Reading(shorter, (), pos), FoundCommunity(pos, hit[0], hit[1], shorter)
    return None


# A villager group right after a village written without its mark (上桥|1组): it is a village all the same.
_GROUP_AHEAD = re.compile("(?:[0-9]+|[一二三四五六七八九十]+)(?:组|村民小组|队(?!长))")


def _village_written(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is written as a village: with its mark, or with a group after it."""
    return _MARKED.search(text, start, end) is not None or _GROUP_AHEAD.match(text, end) is not None


def town_before_village(text: str, reading: Reading) -> tuple[Reading, FoundCommunity] | None:
    """A town's short name right after the county read, before a village of that town (鹿城|藤桥|上桥村,
    泽雅|石桥1组), when no community was found: the town and the village, when one town fits. The division
    finder passes over such a short name when the village's name could go on from it."""
    chain = reading.chain
    if not chain.hits or reading.repeats or reading.others or gazetteer.level_of(chain.code) != 2:
        return None
    found = _unit_before_village(text, reading.end, 3, chain.code)
    if found is None:
        return None
    town, (end, code) = found
    longer = Chain((*chain.hits, town), chain.score)
    return Reading(longer, (), town.end), FoundCommunity(town.end, end, code, longer)


def county_before_village(text: str) -> tuple[Reading, FoundCommunity] | None:
    """A county's short name opening a text that no division was read in, right before a village of that
    county written as one (乐清|里马村1组1号, 鹿城|上桥村, 乐清|里马1组): the county and the village, when one
    county fits. The division finder passes over such a short name when the village's name could go on
    from it into a longer name."""
    found = _unit_before_village(text, match_end(_SKIP, text, 0), 2, "")
    if found is None:
        return None
    county, (end, code) = found
    chain = Chain((county,), 1.0)
    return Reading(chain, (), county.end), FoundCommunity(county.end, end, code, chain)


def _unit_before_village(
    text: str, start: int, level: int, parent: str
) -> tuple[Hit, tuple[int, str]] | None:
    """The one unit of ``level`` under ``parent`` whose name of two or three characters starts at
    ``start`` and is followed by a village of it written as one, with that village's end and code."""
    g = gazetteer.load()
    found: list[tuple[Hit, tuple[int, str]]] = []
    for n in (2, 3):
        key = text[start : start + n]
        for entry in g.lookup(key):
            if entry.level != level or entry.kind == HISTORIC or not entry.code.startswith(parent):
                continue
            hit = _lookup(text, start + n, entry.code)
            if hit is not None and _village_written(text, start + n, hit[0]):
                found.append((Hit(start, start + n, key, entry), hit))
    return found[0] if len({h.entry.code for h, _ in found}) == 1 else None
