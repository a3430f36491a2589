"""Divisions: find every division name in the text with one automaton, keep the best consistent chain.

A chain is a sequence of non-overlapping name hits whose levels go down (province → town) and whose
codes nest (each unit lies under the one before it, or did under a former name). Its score rewards
covered characters and official names and charges for address content skipped between hits, so a
name inside a road (四川北路) or far into the text (…123号温州大厦) loses to the empty chain.
Equal best chains that end in different units make the result ambiguous (朝阳区 alone).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from stdaddr import gazetteer
from stdaddr.gazetteer import FULL, HISTORIC, SHORT, Entry
from stdaddr.io import CJK
from stdaddr.parsing.tail import (
    BUILDING_NUMBER,
    NUMBERED_HUTONG,
    ORGANISATION_NAME,
    ROAD_AHEAD,
    ZONE_WORDS,
    bare_road_tail_at,
    compound_read_at,
    event_at,
    road_ahead,
    road_read_at,
)
from stdaddr.text import match_end, to_number

__all__ = [
    "Hit",
    "Chain",
    "Reading",
    "ZONE",
    "find_hits",
    "best_chains",
    "extend",
    "correct_county",
    "second_place",
    "next_place",
    "moved_town",
]

# Words a place named after a division goes on with (温州|大学, 温州|商城).
_PLACE_NAME_WORDS = (
    "(?:大学|学院|中学|小学|医院|银行|公司|集团|宾馆|酒店|饭店|大厦|广场|公园|花园|小区|新村|商场|市场|机场|车站|"
    "火车站|汽车站|港|码头|大酒店|中心|商城|影城|剧院|体育|图书馆|博物馆|电视|日报|晚报|供电|移动|联通|电信|烟草"
    # 新华|书店, 长安|汽车: a shop or a maker named after the place (not 柳市|电器城, a market in the town)
    "|书店|汽车(?![城站])|超市|药店|药房|大药房|商店|餐厅)"
)
# A short name that is such a word (商城 of 商城县) does not end the name before it (温州|商城).
_PLACE_NAME_WORD = re.compile(_PLACE_NAME_WORDS)
# Text right after a name that makes the name part of a longer one (四川|北路, 西湖|路, 温州|大学).
_NAME_GOES_ON = re.compile(
    # (a town's 街上 is its main street, no road named after it: 城关镇|街上)
    r"[\u3400-\u9fff\U00020000-\U0003ffff]?(?:路|街(?!道|办|(?<=[镇乡]街)上|[\u3400-\u9fff\U00020000-\U0003ffff]?村)|大道|大街|巷|弄|胡同|桥|公路|隧道|高速|环线)|里(?!村)|村(?!委|民)|社区|居委会"
    # 东花市|北里, 八角|北里: a Beijing compound named after the place and a direction.
    r"|[东西南北中]里(?![村路街巷])"
    # 宣武|门西大街: a city gate's name; 马场|道: a road named 道 (not 街道).
    r"|门(?:[东西南北内外]|大街|路|桥)|道(?![路口班])"
    # 中山|东三路, 人民|西二路, 滨海|三道: a numbered road named after the name.
    r"|[东西南北中](?:[一二三四五六七八九十]|\d)+(?:路|街|巷)|(?:[一二三四五六七八九十]|\d){1,3}道(?![路口班])"
    # 海甸|五西路: a road numbered, then its side, in the area named; 员村|二横路: a cross road numbered
    r"|(?:[一二三四五六七八九十]|\d){1,3}[东西南北横纵直](?:路|街|巷)"
    r"|(?:[一二三四五六七八九十]|\d)+(?:苑|园|区|村|期|号(?!大街|大道|路|街))|[苑庭邸寓厦坊场](?![区县市镇乡])"
    # 花果园|R1区, 万达|B区: a compound's area lettered after its name
    r"|[A-Z]\d{0,2}[区期](?![县市镇乡])"
    # 桃源|居3栋, 龙华|府2栋, 紫金|城3栋, 凤凰|园1栋: a compound named after the place, its building after it
    r"|[居府城园](?=第?[0-9一二三四五六七八九十A-Z]+(?:栋|幢|座|号楼|期|区|-))"
    # 乘风|庄一区, 乘风|庄小区 (大庆): an estate named …庄 after the place, its numbered areas after it
    r"|庄(?=[0-9一二三四五六七八九十]{1,2}区|小区|新村|社区)"
    # 兴顺|委20组 (东北): a residents' committee named after the place, written 委 before its group
    r"|委(?=第?(?:[0-9]+|[一二三四五六七八九十]+)组)"
    # 滨海|2路, 鹿城|3街: a road numbered in Arabic digits after the name.
    r"|\d{1,3}(?:路|街(?!道|办|坊)|大道|大街|巷)"
    # 东四|十条, 北新桥|三条: a hutong numbered after the place.
    rf"|[东西南北]?{NUMBERED_HUTONG}"
    rf"|{_PLACE_NAME_WORDS}"
)
# 永嘉|花苑, 泰顺|公寓, 吉安|花苑: a compound named after a county or city is written with its short name (with
# the full name, 永嘉县|花苑, the county stays); a town's short name there is mostly the town (转塘|家园).
# Tested with str.startswith (words, no pattern).
_COMPOUND_KINDS = tuple("花苑 公寓 家园 名苑 雅苑 佳苑 嘉园 华庭 华府 山庄 公馆 名邸 别墅".split())  # noqa: SIM905 - one string reads better
# What the road-like words of _NAME_GOES_ON end with.
_ROAD_WORDS = ("路", "街", "道", "巷", "弄", "胡同", "桥", "公路", "隧道", "高速", "环线", "条")
# Words after a name that make it a place's name even before a road (宣武门|外大街, 象山港|东路, 虹桥机场|迎宾路).
_PLACE_WORDS = ("门", "港", "机场", "中心", "码头")
_AREA_AHEAD = re.compile(
    "[\u3400-\u9fff\U00020000-\U0003ffff]{1,3}?(?:城|中心|广场|市场|公园|园区)(?![路街巷道])"
)
# After an official name only a road suffix makes it part of a longer name (中山市|路 is rare, 中山|路 is not).
# 珊溪镇|街头村, 虹桥镇|西街村: a village named with 街 is no street.
_FULL_NAME_GOES_ON = re.compile(
    r"[一二三四五六七八九十东西南北中]?(?:路|街(?!道|办|[\u3400-\u9fff\U00020000-\U0003ffff]?村)|大道|大街|巷|胡同)"
)
# A county town's main street named by its direction alone (蠡县|东大街, 宁乡市|大街, 碑林区|南大街): no road is
# named after a whole county, so after a county's official name such a street is the road, not the name's end.
_COUNTY_MAIN_STREET = re.compile(r"[东西南北中]{0,2}(?:大街|街)(?!道|办)")
# After a city's official name, its avenue by direction (西安市|南大街, 石家庄市|东大街); not 绍兴市东街农贸市场,
# a market named after the city and its street.
_CITY_MAIN_STREET = re.compile(r"[东西南北中]{1,2}大街")
# A city's street by its direction alone with a door on it (宜宾市|东街10号).
_CITY_STREET_DOOR = re.compile(r"[东西南北中]街(?=[0-9〇零一二三四五六七八九十]{1,4}号)")
# Runs of characters that carry address content (charged when a chain skips them).
_CONTENT_RUN = re.compile(r"[0-9A-Z\u3400-\u9fff\U00020000-\U0003ffff]+")

# The marks a division's name ends with at its level (鹿城区, 五马街道, 苏里格苏木).
LEVEL_MARKS = (
    "省",
    "市",
    "区",
    "县",
    "旗",
    "州",
    "盟",
    "镇",
    "乡",
    "街道",
    "自治区",
    "地区",
    "林区",
    "苏木",
)

# Marks that end many two-character short names as well (温州, 龙州县 -> 龙州).
_ONE_CHAR_MARKS = "州旗盟"
_CJK_CHAR = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]")
# Separators before the first name of a text.
_LEAD = re.compile(r"[\s,，、.。:：;；/|\-—_()（）\[\]【】]*")
# A building right after a name (its 区 left over when the name is a town's short one: 城南|区|5栋).
_ESTATE_PART_AHEAD = re.compile(f"区?{BUILDING_NUMBER}")
# The country's name opening a text (中国温州…, 中国(上海)自由贸易试验区): the name after it is not glued.
# A hotline ticket's account before the address (诉求人反映武汉市…, 工单号… 市民投诉鹿城区…): no address mark
# before the reporting word, which ends the lead as the country's name does.
# Parts of a ticket's lead may follow each other (工单号… 网格员上报：…, 编号：…，12345转办：市民反映…), with
# when it happened (今天凌晨2点左右, 昨晚10点) and a label of the place (事发地址：).
_COUNTRY_LEAD = re.compile(
    r"[\s,，、]*(?:(?:[^\u3400-\u9fff\U00020000-\U0003ffff]*(?:中国|中华人民共和国)"
    r"|[^路街巷弄区县省镇乡村]{0,24}?(?:反映|投诉|举报|报称|来电|来访|求助|上报|转办|热线)"
    r"|(?:事件|工单|受理|案件)?(?:编号|单号|工单号?|流水号)[:：,]?(?=[A-Z_-]{0,12}[0-9])[A-Z0-9][0-9A-Z_-]{4,}|[0-9]{5}(?=转办)"
    # 用户账号：nt_8812301, 用户编号：3203110012345, 手机：139…: the caller's account and phone
    r"|(?:12345|热线)?(?:工单|用户|客户|会员|来电人)?(?:账号|帐号|户号|编号|ID)[:：,]?[A-Z_]{0,12}-?[0-9][0-9A-Z_-]{3,}"
    r"|(?:手机|电话|联系电话|来电号码|手机号码?)[:：,]?(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})"
    # 12345工单：…, 工单：…: the ticket's label; 【12345】 before it
    r"|(?:12345|热线)?工单(?=[:：,])|\((?:12345|热线|工单|城管|110|市长热线)\)"
    r"|(?:今天|昨天|前天|今日|昨日|昨晚|今晚|今早|昨夜|每晚|每天)(?:凌晨|早上|上午|中午|下午|傍晚|晚上|夜里|深夜|半夜)?"
    r"(?:[0-9一二三四五六七八九十两]{1,3}[点时](?:[0-9]{1,2}分?|半|多|许)?(?:左右|许)?)?"
    r"|(?:凌晨|早上|上午|中午|下午|傍晚|晚上|夜里|深夜|半夜)[0-9一二三四五六七八九十两]{1,3}[点时](?:[0-9]{1,2}分?|半|多|许)?(?:左右|许)?"
    # the date and hour it happened (2024年7月15日22时许, 3月2日晚上8点)
    r"|(?:[0-9]{4}年)?[0-9]{1,2}月[0-9]{1,2}[日号](?:凌晨|早上|上午|中午|下午|傍晚|晚上|夜里|深夜|半夜)?"
    r"(?:[0-9]{1,2}[点时](?:[0-9]{1,2}分?|半|多|许)?(?:左右|许)?)?"
    # (the colon folded to a comma in the cleaned text; 房屋地址, 家庭住址, 住所: a form's address label)
    r"|(?:(?![区县市省镇乡村路街巷])[\u3400-\u9fff]){0,4}?(?:地址|住址|住所|地点|位置)(?=[:：,]))[\s·•.,，(（:：]*)+"
)
# A town's short name opening a text before its road (水头|康乐路) is read when it names this few towns.
_MAX_LEADING_TOWNS = 8
_ZONE_WORDS = (*ZONE_WORDS, "科技城", "产业园")
ZONE = re.compile(f"(?:{'|'.join(_ZONE_WORDS)})")
_ZONE_BEFORE = re.compile(f"(?:{'|'.join(w for w in _ZONE_WORDS if w.endswith('区'))})$")
# Units named by a bare zone word (开发区 of 平阳县): glued to the text before, it ends another zone's
# name (温州市经济技术|开发区).
_BARE_ZONE_NAMES = frozenset(_ZONE_WORDS)
# A zone's name (温州经济技术开发区, 桐乡经济开发区; not across a town: 洞桥镇|上凌工业区): the tail reads it
# as a zone, so a chain skipping it leaves no content out.
ZONE_NAME = re.compile(
    f"(?:(?!镇|街道)[\u3400-\u9fff\U00020000-\U0003ffff]){{0,6}}?(?:{'|'.join(_ZONE_WORDS)})"
)
# A town named by its zone word (高新技术开发区, 经济开发区 of some county): such names repeat nationwide.
_ZONE_NAMED = re.compile(f"(?:{'|'.join(_ZONE_WORDS)})$")
_ZONE_ENDS = tuple({w[-1] for w in _ZONE_WORDS})
_NUMBERED_ZONE = re.compile("第[一二三四五六七八九十0-9]{1,3}(?:工业区|工业园区|工业园|工业村|工业城)")
# What a zone word opens with: ZONE matches nowhere else (a cheap test first, as most names are
# followed by none).
_ZONE_OPENINGS = frozenset(w[0] for w in _ZONE_WORDS)
# The level mark right after a short name names a unit of another level (柯桥|区 after 柯桥 of 柯桥街道,
# 临平|镇 after 临平 of 临平区): the short name is not read at its own level there.
_OTHER_LEVEL_MARK = {
    level: re.compile(f"(?:{'|'.join(marks)})")
    for level, marks in (
        (0, ("区", "县", "镇", "乡", "街道")),
        (1, ("区", "县", "镇", "乡", "街道")),
        (2, ("省", "镇", "乡", "街道")),
        # 东华|门街道: a town's short name that goes on into a longer town's name is not that town.
        (3, ("省", "市", "区", "县", "[\u3400-\u9fff\U00020000-\U0003ffff]{1,2}(?:街道|镇|乡)")),
    )
}
_RENAMED_SUFFIX = {
    2: re.compile("(?:县|区|市)(?!场|政府|委|级)"),
    # 东山镇府 is its government (镇府), 东山镇府前路 a road after the town.
    3: re.compile(
        "(?:街道办事处|街道|镇|乡)(?!政府|府(?![\u3400-\u9fff\U00020000-\U0003ffff]{0,3}(?:路|街|巷|大道)))"
    ),
}


def _marks_its_level(key: str, level: int) -> bool:
    """Whether a name ends with a mark of the level (a town's 镇 or 街道, not the 市 of 新市)."""
    return level != 3 or key.endswith(("镇", "乡", "街道", "办事处"))


# The cost of skipping a character that another name covers, before a chain and inside it.
_COVERED_BEFORE = 0.5
_COVERED_INSIDE = 0.55
# Contacts and notes that cost nothing to skip before the divisions.
_NOT_ADDRESS = re.compile(
    r"(?<![0-9])(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])"
    # An account, licence, ID or work-order number (户号1234567890, 工单号WZ20240512001): no door has 7 digits.
    r"|(?<![0-9A-Z])[A-Z]{0,4}[0-9]{7,}[0-9A-Z]*"
    # ... and one written in dashed parts (WZ12345-2024-556677, 2024-0315-01), with its label
    r"|(?:编号|单号|工单号?|流水号)?(?<![0-9A-Z-])[A-Z]{0,4}-?[0-9]{3,}(?:-[0-9A-Z]{2,}){2,}"
    r"|(?:编号|单号|工单号?|流水号),?[A-Z]{0,4}-?[0-9]{3,}(?:-[0-9A-Z]{2,})+"
    # a mobile number written in parts (138-5773-1234)
    r"|(?<![0-9])1[3-9][0-9]-[0-9]{4}-[0-9]{4}(?![0-9])"
    r"|[\u3400-\u9fff\U00020000-\U0003ffff](?:先生|女士|小姐|师傅)|\([^()]*\)|市辖区|省直辖县级行政区划|自治区直辖县级行政区划|其[它他](?:地区|区(?!域)|县|市)"
    # The labels of a person's record before the address (户主：…, 身份证号…, 姓名…): no address content.
    r"|户主|户籍|姓名|(?:公民)?身份证(?:号码?)?|证件号码?|户号|联系电话"
)

_GAP_COST = 1.0
# Text before the divisions that no name covers and no address mark is in costs at most this: a
# sentence before the address (投诉人反映|鹿城区解放街1号) leaves the official names after it readable,
# while a short name must still open the text or nearly (its weight is below the cap). A road, door or
# place written before (杨府山路000号|温州市某某厂) is address content, and costs what it did.
_BEFORE_CAP = 3.0
# 解放街23号|鹿城区五马街道: a road and its door opening a text that ends with the divisions cost no more
# than a sentence before them.
# Its road may have a segment or an avenue's part (人民南路四段12号, 广州大道中289号), its door a sub-door
# (18号甲) and the building, unit and room after it (经十路100号3幢2单元501室 历下区 济南市).
# So may a village, its group and door (杨花村5组12号 浏阳市大瑶镇).
_STREET_FIRST = re.compile(
    rf"[,\s]*(?:{ROAD_AHEAD.pattern}(?:[东西南北中]?[一二三四五六七八九十0-9]{{1,2}}段|(?<=大道)[东西南北中])?"
    r"|[\u3400-\u9fff]{1,6}村[0-9一二三四五六七八九十]{1,3}组)"
    r"[0-9]+号[甲乙丙]?(?:[,\s]*[0-9A-Z]+(?:幢|栋|号楼|座|单元|层|楼|室)|-[0-9]+)*[,\s]*"
)
# 大 after a county's short name, as a university's short name ends (西工大, 西工大友谊校区, 西工大南门).
_UNIVERSITY_SHORT = re.compile(
    "大(?:[\u3400-\u9fff]{0,4}校区|[东西南北](?:门|校区|院)|附[属中小一二三]|家属院|宿舍|(?![\u3400-\u9fff]))"
)
_ADDRESS_MARK = re.compile("[路街巷弄号幢栋楼室村镇乡区县市省州旗盟]")

_FULL_BONUS = 0.5
_LINK_BONUS = 0.5
_SHORT_WEIGHT = 0.8
_HISTORIC_WEIGHT = 0.75
_GUESS_COST = 0.05


@dataclass(slots=True)  # built per name found: a plain slotted class is 3x cheaper than a frozen one
class Hit:
    """A name found at ``text[start:end]`` and one of its readings."""

    start: int
    end: int
    key: str
    entry: Entry
    opens: bool = False  # a reading that opens a chain though it may not elsewhere (水头|康乐路)
    # A short name with a former level suffix (富阳县, 澄潭镇): a former name guessed, weaker than one
    # the history lists (庐山区, now 濂溪区, is no 庐山|区 of 庐山市).
    guessed: bool = False


@dataclass(frozen=True, slots=True)
class Chain:
    """Hits forming one consistent reading of the division part of an address."""

    hits: tuple[Hit, ...]
    score: float

    @property
    def code(self) -> str:
        return self.hits[-1].entry.code if self.hits else ""


@cache
def _ancestor_codes(entry: Entry) -> tuple[str, ...]:
    """Codes a unit above this one in the text may have: ancestors of its code or of its former parent."""
    code = entry.code
    out = [code[:n] for n in (2, 4, 6, 9) if n < len(code)]
    if entry.parent:
        out.extend(entry.parent[:n] for n in (2, 4, 6, 9) if n <= len(entry.parent))
    return tuple(out)


def _can_start_entry(entry: Entry) -> bool:
    """Whether a reading may open a chain without a unit above it in the text."""
    if entry.stem < 2:
        return False  # 城区, 开发区, 新区: generic without their county
    # A town's short name (五马) is too common nationwide to stand alone; its full name (五马街道) may.
    return not (entry.level >= 3 and entry.kind != FULL)


@dataclass(frozen=True, slots=True)
class _Readings:
    """The readings of one automaton key: those that may open a chain, and those that need a unit
    above them, filed under each ancestor code (so only readings under a unit in the text are tried)."""

    free: tuple[Entry, ...]
    under: dict[str, tuple[Entry, ...]]
    towns_free: bool  # whether some reading that may open a chain is a town
    free_codes: frozenset[str]  # the codes of ``free``
    # Facts of the key itself, which find_hits asks of every match (computed once here).
    marked: bool  # the key ends with a level mark (鹿城区)
    full_marked: bool  # ... and is no two-character name marked 州/旗/盟 (温州 of 温州市, 龙州 of 龙州县)
    zone_named: bool  # the key is a town named by its zone word (高新技术开发区)
    bare_zone: bool  # the key is a bare zone word (开发区)
    county_not_full: bool  # some reading is a county's short or former name (a cheap pre-check)


def _readings(key: str, entries: tuple[Entry, ...]) -> _Readings:
    free = []
    under: dict[str, list[Entry]] = {}
    for entry in entries:
        if _can_start_entry(entry):
            free.append(entry)
            continue
        for code in _ancestor_codes(entry):
            under.setdefault(code, []).append(entry)
    marked = key.endswith(LEVEL_MARKS)
    return _Readings(
        tuple(free),
        {k: tuple(v) for k, v in under.items()},
        any(e.level >= 3 for e in free),
        frozenset(e.code for e in free),
        marked=marked,
        full_marked=marked and not (len(key) == 2 and key[-1] in _ONE_CHAR_MARKS),
        zone_named=key.endswith(_ZONE_ENDS) and _ZONE_NAMED.search(key) is not None,
        bare_zone=key in _BARE_ZONE_NAMES,
        county_not_full=any(e.level == 2 and e.kind != FULL for e in entries),
    )


@cache
def _automaton():
    import ahocorasick_rs

    keys = [key for key in gazetteer.load().index_keys() if len(key) >= 2]
    return ahocorasick_rs.AhoCorasick(keys), keys


_READINGS: dict[int, _Readings] = {}


def _readings_of(index: int, keys: list[str]) -> _Readings:
    """The readings of automaton key ``index``, decoded and grouped on first use (most keys never occur)."""
    found = _READINGS.get(index)
    if found is None:
        found = _READINGS[index] = _readings(keys[index], gazetteer.load().entries_of(keys[index]))
    return found


def _entries_here(readings: _Readings, above: set[str], outside: set[str]) -> list[Entry]:
    """The readings of a name worth trying in a text whose other names give the codes ``above``.

    Readings under a unit named in the text; and those that may open a chain, except towns of the same
    name elsewhere when one of them lies under a unit that a name outside this one gives (``outside``:
    东城街道 after 鹿城区; 海州 of 海州街道 names no county).
    """
    under: list[Entry] = []
    codes = readings.under.keys() & above if readings.under else None
    if codes:
        seen: set[Entry] = set()  # entries hash by identity
        for code in codes:
            for entry in readings.under[code]:
                if entry not in seen:
                    seen.add(entry)
                    under.append(entry)
    free = readings.free
    if len(free) > 1 and readings.towns_free:
        placed = [e for e in free if e.level >= 3 and not outside.isdisjoint(_ancestor_codes(e))]
        if placed:
            free = tuple(e for e in free if e.level < 3 or e in placed)
    return [*free, *under] if under else list(free)


@lru_cache(maxsize=1024)
def _official_level(name: str) -> int:
    """The highest level (smallest number) of a unit officially named ``name``, 9 for none: a name that
    is a unit's of a level above is read as that unit, never guessed to be a former name."""
    return min((e.level for e in gazetteer.load().lookup(name) if e.kind == FULL), default=9)


def find_hits(text: str) -> list[Hit]:
    """Every plausible division reading in ``text``, ordered by start then longest first."""
    automaton, keys = _automaton()
    hits: list[Hit] = []
    found = automaton.find_matches_as_indexes(text, overlapping=True)
    values = {index: _READINGS.get(index) or _readings_of(index, keys) for index, _, _ in found}
    above = set().union(*[values[i].free_codes for i, start, _ in found if not _in_late_note(text, start)])
    # Names with a reading worth trying here; only these make another name end or start (南大 is none
    # after 海淀区, so 中关村|南大街 goes on into a road).
    matches: list[tuple[int, int, int, Sequence[Entry]]] = []
    country = match_end(_COUNTRY_LEAD, text)
    lead = max(match_end(_LEAD, text), country)
    opening: set[tuple[int, int, int]] = set()  # matches that may open a chain though short
    # 郫县|团结镇: the units of a county opening the text with its two-character name (below) are looked
    # for under it after it, as under a county named in full.
    after_lead, lead_end = above, len(text) + 1
    # Where a county's two-character short name (no mark) starts, and where it ends.
    county_shorts = {
        start: end
        for index, start, end in found
        if end - start == 2 and values[index].county_not_full and not values[index].marked
    }
    for index, start, end in found:
        if (
            _opens(text, start, lead)
            and values[index].under
            and (counties := _two_character_counties(values[index], keys[index]))
        ):
            after_lead, lead_end = above | {e.code for e in counties}, end
    for index, start, end in found:
        readings = values[index]
        # Only towns of one name in several places ask which units the rest of the text names.
        several = readings.towns_free and len(readings.free) > 1
        e: Sequence[Entry]
        if readings.under or several:
            named = after_lead if start >= lead_end else above
            outside = _named_outside(text, found, values, start, end) if several else named
            e = _entries_here(readings, named, outside)
        else:
            e = readings.free  # the common case, as _entries_here would give it
        if e:
            matches.append((index, start, end, e))
        elif _opens(text, start, lead) and (counties := _two_character_counties(readings, keys[index])):
            # 寿县, 沛县, 鄞县: a county's two-character official or former name opening the text, or
            # the address after a label or a name (市民来电：滑县…, 工单A123 曹县…).
            matches.append((index, start, end, counties))
            opening.add((index, start, end))
        elif (
            start in county_shorts
            and county_shorts[start] < end
            and (town := _one_town(readings)) is not None
            and _town_over_county(text, keys[index], end)
        ):
            # 解放碑 (解放碑街道 of 渝中区), 七星岗: a town's short name that goes on past a county's short name
            # elsewhere (解放 of 焦作's 解放区) names the town, if it is one town.
            matches.append((index, start, end, [town]))
            opening.add((index, start, end))
    hits.extend(_regiments(text))
    hits.extend(_farms(text))
    leading = _leading_towns(text, lead, found, keys, values, matches)
    if leading is not None:
        matches.append((*leading[0], leading[1]))
        opening.add(leading[0])
    # A short name opening with a road's word (路北 of 路北区) right after a name does not end it unless a unit
    # it lies under is named too: 五马路北10号 is on 五马路, but 台州|路桥 is the county; with its mark (路北街道)
    # it does.
    # Nor does a numbered short name that goes on into a road's kind (经纬|二道|街: 二道 of 长春's 二道区), unless
    # another name opens there.
    opened = {start for _, start, _, _ in matches}
    starts = {
        start
        for index, start, end, entries in matches
        if (keys[index][0] not in "路街巷" or values[index].marked or _placed(index, entries, values))
        and (
            keys[index][0] not in _ORDINALS
            or values[index].marked
            or end in opened
            or _ROAD_KIND_NEXT.match(text, end) is None
        )
        # 长顺|上街|113号: a short name ending in a road's kind (上街 of 郑州's 上街区) before a door is the
        # end of the road's name, unless a unit it lies under is named too.
        and (
            keys[index][-1] not in "路街巷"
            or values[index].marked
            or _DOOR_NEXT.match(text, end) is None
            or _placed(index, entries, values)
        )
    }
    # Short names of counties that are words places are named with (商城 of 商城县), by where they start.
    place_words: dict[int, list[Entry]] = {}
    for index, start, _, entries in matches:
        if (
            not values[index].marked
            and _PLACE_NAME_WORD.fullmatch(keys[index])
            and all(e.level <= 2 for e in entries)
        ):
            place_words.setdefault(start, []).extend(entries)
    ends = {end for _, _, end, _ in matches}
    # 江宁县|东山镇: a county's short name with a former suffix ends where the suffix does.
    ends.update(
        suffix.end()
        for index, _, end, entries in matches
        if values[index].county_not_full
        and any(e.level == 2 and e.kind != FULL for e in entries)
        and (suffix := _RENAMED_SUFFIX[2].match(text, end)) is not None
    )
    marked_ends = {end for index, _, end, _ in matches if values[index].marked}
    went_on: dict[int, int] = {}  # where a name that goes on into a longer word starts, and ends
    marked_keys = {keys[index] for index, _, _, _ in matches if values[index].marked}
    # 株洲市|高新技术开发区: the zone of the unit named right before it, not a town so named elsewhere.
    codes_ending: dict[int, set[str]] | None = None
    counties_at = _short_counties_at(matches, values)
    for index, start, end, entries in matches:
        key = keys[index]
        readings = values[index]
        before = None
        if readings.zone_named:
            if codes_ending is None:
                codes_ending = {}
                for _, _, e_end, e_entries in matches:
                    codes_ending.setdefault(e_end, set()).update(e.code for e in e_entries)
            before = codes_ending.get(start)
        # 瓯|北镇, 东|南开: a short name glued to the end of another word is not a division.
        # (a name inside a ticket's account, 反映楼|道里有人抽烟…来电, is glued as elsewhere; one right after
        # the country's name or the account is not)
        after_cjk = (
            start != country
            and start > 0
            and ("\u3400" <= text[start - 1] <= "\u9fff" or text[start - 1] >= "\U00020000")
        )  # _CJK_CHAR, without a call
        # (a door's 号 ends a word: 长江西路130号|合肥蜀山区)
        glued = (
            after_cjk
            and start not in ends
            and not (text[start - 1] == "号" and text[start - 2 : start - 1].isdigit())
            and not _former_word_before(text, start, lead, ends)
            # 大亚湾开发区|西区街道, 东湖高新区|花山镇: a zone's word ends its name; a town written with its
            # mark after it lies in it (a name without its mark there opens a firm's or a park's: 工业园区|浙江…)
            and not (
                text[start - 1] == "区"
                and TOWN_MARK_END.search(key) is not None
                and _ZONE_BEFORE.search(text, max(0, start - 8), start) is not None
            )
            # 停放在|宁波市, 位于|天津市: a name with its mark after "at" is where it happened
            and not (text[start - 1] in "在于" and readings.full_marked)
        )
        if glued and _ESTATE_PART_AHEAD.match(text, end) is not None:
            continue  # 龙光城|北区|2栋, 碧桂园|城东区|3栋: an estate's part before its building, no 西宁's 城北区
        if readings.bare_zone and after_cjk and start not in marked_ends:
            continue  # 常熟|经济开发区 is one zone's name; 诸暨市|经济开发区 a county's zone
        if readings.zone_named and glued:
            continue  # 大连高|新技术产业园区: the end of a longer zone's name, not 天津's 新技术产业园区
        # 鄞州|经济开发区, 清港|工业区: a zone named after a place, read as a zone by the tail; 东湖|新技术开发区:
        # a zone of the zones table (武汉's), which the name opens.
        zone = (
            text[end : end + 1] in _ZONE_OPENINGS and ZONE.match(text, end) is not None
        ) or _opens_known_zone(text, start, end)
        # 台州市|路桥区: a name right before another name does not go on into a road.
        # 温州|商城: a word that is a short name elsewhere, not of a unit under this one, ends nothing
        # (信阳|商城 is 商城县 of 信阳市).
        ends_here = end in starts and not (
            end in place_words and not any(w.under(e.code) for w in place_words[end] for e in entries)
        )
        goes_on = _NAME_GOES_ON.match(text, end) if not ends_here else None
        # 天河|体育西路: a word that would go on (天河体育中心) opens a road with a name of its own instead.
        # Not for a name of several units (中山|公园路, 海城|广场路: roads named so are common), nor before
        # an area (广州|大学城外环西路).
        goes_on_short = goes_on is not None and (
            goes_on.group().endswith(_ROAD_WORDS)
            or goes_on.group().startswith(_PLACE_WORDS)
            or len({e.code for e in entries}) > 1
            or _AREA_AHEAD.match(text, end) is not None
            or not road_read_at(text, end)
        )
        if key.endswith("门") and text[end : end + 1] in ("内", "外") and road_read_at(text, end):
            goes_on_short = True  # 东直门|外小街: a road named by the gate it lies inside or outside of
        opens = bool(opening) and (index, start, end) in opening  # mostly empty: no tuple built then
        if leading is not None and leading[0] == (index, start, end):
            goes_on_short = False  # 水头|康乐路: the road is no part of the town's name
        # (凤凰|第一工业区: a zone numbered after the village it is named by, no county's)
        compound = text.startswith(_COMPOUND_KINDS, end) or (
            text.startswith("第", end) and _NUMBERED_ZONE.match(text, end) is not None
        )
        # 东街街道|东街92号: no road's name holds a subdistrict's official name (街道).
        goes_on_full = (
            goes_on_short and not key.endswith("街道") and _FULL_NAME_GOES_ON.match(text, end) is not None
        )
        main_street = goes_on_short and _COUNTY_MAIN_STREET.match(text, end) is not None
        # 龙州 (of 龙州县) is no name marked 州: before 街道 it names no county.
        full_marked = readings.full_marked
        # 长治市|委大院, 瑞安市|委党校: the mark opens the name of the unit's party committee (市委, 县委, 区委),
        # which the unit's short name is written before.
        committee = key[-1] in "市县区" and text.startswith("委", end) and not text.startswith("委员会", end)
        for entry in entries:
            if committee and entry.kind == FULL:
                continue
            if before and entry.level == 3 and before.isdisjoint(_ancestor_codes(entry)):
                continue
            if entry.level == 3 and entry.kind == SHORT and not glued and text.startswith("古镇", end):
                # 青岩|古镇|东街: the old town, as tickets and visitors write the town (青岩镇).
                hits.append(Hit(start, end + 2, key + "古镇", entry, opens))
                continue
            if entry.kind != FULL:
                if glued or zone or (compound and entry.level < 3):
                    continue
                if entry.level in (2, 3) and _UNIVERSITY_SHORT.match(text, end) is not None:
                    continue  # 西工|大友谊校区: 西工大 (西北工业大学) as people say it, not 西工区 of 洛阳
                if entry.level in _RENAMED_SUFFIX and (
                    not (full_marked and _marks_its_level(key, entry.level))
                    # 西乡|镇 (now 西乡街道): 乡 is the name's own when a town's mark follows
                    or (entry.level == 3 and key.endswith("乡") and text.startswith(("镇", "街道"), end))
                ):
                    # 澄潭镇 (now 澄潭街道), 富阳县 (now 富阳区): a short name with a former level suffix; 新市镇
                    # (now 新市街道): a town's name may end in a county's mark.
                    m = _RENAMED_SUFFIX[entry.level].match(text, end)
                    if m is not None:
                        # 兰州市|兰州市: the city repeated, no former name of 兰州新区 (short name 兰州).
                        if _official_level(key + m.group()) >= entry.level:
                            hits.append(Hit(start, m.end(), key + m.group(), entry, guessed=True))
                        continue
                # 宁波|镇海: the mark opens the next name, it is no mark of this one.
                if not full_marked and end not in starts and _OTHER_LEVEL_MARK[entry.level].match(text, end):
                    continue
            county_street = main_street and (
                (
                    entry.kind == FULL
                    and (
                        entry.level == 2
                        or (entry.level == 1 and _CITY_MAIN_STREET.match(text, end) is not None)
                    )
                )
                # 宜宾市|东街10号, 绵阳|东街10号: the city's street by its direction, with a door on it
                or (entry.level == 1 and _CITY_STREET_DOOR.match(text, end) is not None)
            )
            full = entry.kind == FULL or (entry.kind == HISTORIC and _former_full_name(entry, key))
            if (
                not county_street
                and (goes_on_full if full and full_marked else goes_on_short)
                and not (
                    entry.level == 3 and entry.kind == SHORT and _village_of_town_at(text, end, entry.code)
                )
            ):
                went_on[start] = max(went_on.get(start, 0), end)
                continue
            # 静安寺 (静安寺街道 of 静安区), 金山卫: a town's short name that opens with its own county's
            # short name names the town, and through it the county.
            town_of_county = entry.level == 3 and entry.code[:6] in counties_at.get(start, ())
            hits.append(Hit(start, end, key, entry, opens or town_of_county))
    if went_on:
        # 内蒙古|大学 (内蒙古大学, the name going on): 内蒙 of the same word is no division either.
        hits = [
            h
            for h in hits
            if not (h.end < went_on.get(h.start, 0) and h.entry.kind != FULL and h.key not in marked_keys)
        ]
    hits.sort(key=lambda h: (h.start, -h.end))
    found = _undominated(hits)
    cut = _city_before_its_shi_district(found)  # not dominated by the official name: the point of it
    return sorted(found + cut, key=lambda h: (h.start, -h.end)) if cut else found


def _village_of_town_at(text: str, pos: int, town: str) -> bool:
    """Whether a village or community of ``town`` written with its mark (棋杆村, 南苑社区) starts at ``pos``:
    the town's short name before it (川沙|棋杆村) is the town, not the opening of a longer word."""
    index = gazetteer.load().communities(town)
    for end in range(min(len(text), pos + index.longest(text[pos : pos + 2])), pos + 1, -1):
        if text.endswith(("村", "社区"), pos, end) and index.get(text[pos:end]):
            return True
    return False


def _in_late_note(text: str, pos: int) -> bool:
    """Whether ``pos`` lies in a landmark's note in brackets after the text's start (万全镇下桥社区…
    (万全公交站后面)): a name there places no division of the address (万全 of 河北's 万全区); divisions
    written in brackets to say where (…市北新产业园(城阳区上马镇)) still do."""
    opened = text.rfind("(", 0, pos)
    if opened <= 0 or text.find(")", opened, pos) >= 0:
        return False
    closed = text.find(")", pos)
    return _LANDMARK_NOTE.search(text, opened, closed if closed >= 0 else len(text)) is not None


# The words of a landmark's note: where the address lies from it.
_LANDMARK_NOTE = re.compile("对面|对过|附近|旁|隔壁|后面|前面|背后|斜对|交叉口|路口|门口|[东西南北]侧")


def _former_word_before(text: str, start: int, lead: int, ends: set[int]) -> bool:
    """南京市原白下区, 原崇文区: 原 or 旧 (formerly) right before a name, itself opening the text or after a
    name, says the name is a former one; the name is not glued to it. (In brackets it is a note:
    黄岛区(原胶南).)"""
    at = start - 1
    return text[at] in "原旧" and (
        at <= lead or at in ends or (text[at - 1] != "(" and _CJK_CHAR.match(text, at - 1) is None)
    )


def _city_before_its_shi_district(hits: list[Hit]) -> list[Hit]:
    """青岛|市北区 (not 青岛市|北区): a city's name whose 市 opens a district of it (市北区, 市南区, 市中区) is
    also read without its 市, so a chain may take the district."""
    out = []
    for h in hits:
        if h.entry.kind != FULL or h.entry.level != 1 or not h.key.endswith("市") or len(h.key) < 3:
            continue
        if any(
            k.start == h.end - 1
            and k.key.startswith("市")
            and k.entry.level == 2
            and k.entry.under(h.entry.code)
            for k in hits
        ):
            out.append(Hit(h.start, h.end - 1, h.key[:-1], Entry(h.entry.code, 1, SHORT, "", len(h.key) - 1)))
    return out


# 一五二团, 152团, 第八师一五二团: an XPCC regiment written without 兵团 (the gazetteer's 兵团一五二团).
_REGIMENT = re.compile(
    "(?<![0-9〇零一二三四五六七八九十兵])([〇零一二三四五六七八九十]{2,4}|[0-9]{2,3})团(?![结体队委员部])"
)
_REGIMENT_NAME = re.compile(
    "(?:兵团)?(?:(?:农|第)?[一二三四五六七八九十]+师)?([〇零一二三四五六七八九十]{2,4})团"
)


@cache
def _regiment_towns() -> dict[str, Entry]:
    """The regiment (a town) of each number named by one regiment in the gazetteer; of a regiment and its
    parts (一二八团, 一二八团分部生活区) the regiment itself."""
    g = gazetteer.load()
    by_number: dict[str, list[tuple[bool, str, str]]] = {}
    for code, name in g.units(3):
        m = _REGIMENT_NAME.match(name)
        if m is not None:
            by_number.setdefault(to_number(m.group(1)), []).append((m.end() < len(name), code, name))
    out = {}
    for number, units in by_number.items():
        plain = [u for u in units if not u[0]]
        chosen = plain if len(units) > 1 else units
        if len(chosen) == 1:
            _, code, name = chosen[0]
            out[number] = next(e for e in g.lookup(name) if e.code == code)
    return out


def _opens_known_zone(text: str, start: int, end: int) -> bool:
    """Whether a name at ``text[start:end]`` opens a longer zone of the zones table (东湖|新技术开发区)."""
    return any(len(z) > end - start and text.startswith(z, start) for z in _zones_opened_by(text[start:end]))


@cache
def _zones_opened_by(name: str) -> tuple[str, ...]:
    return tuple(z for z in gazetteer.zones() if z.startswith(name))


def _placed(index: int, entries: Sequence[Entry], values: dict[int, _Readings]) -> bool:
    """Whether a reading of a name lies under or over a unit that another name of the text may be: a
    city or county above it (the province alone places nothing: 浙江省…灵隐|路北高峰 is no 路北街道 of 台州)."""
    others = set().union(*[r.free_codes for k, r in values.items() if k != index])
    return any(
        any(len(a) > 2 and a in others for a in _ancestor_codes(e))
        or any(o.startswith(e.code) for o in others)
        for e in entries
    )


# 852农场, 八五零农场: a farm of 黑龙江 named by its number (八五二农场, 八五〇农场 in the gazetteer), written
# in digits or with 零 for 〇.
_FARM = re.compile("(?<![0-9〇零一二三四五六七八九十])([0-9]{3,4}|[〇零一二三四五六七八九]{3,4})农场")


@cache
def _numbered_farms() -> dict[str, Entry]:
    """The town of each farm number that one farm of the gazetteer has."""
    g = gazetteer.load()
    found: dict[str, list[tuple[str, str]]] = {}
    for code, name in g.units(3):
        m = _FARM.fullmatch(name)
        if m is not None:
            found.setdefault(to_number(m.group(1)), []).append((code, name))
    return {
        number: next(e for e in g.lookup(farms[0][1]) if e.code == farms[0][0])
        for number, farms in found.items()
        if len(farms) == 1
    }


def _farms(text: str) -> list[Hit]:
    """Hits of the farms written by number in digits or with 零 (the automaton reads the official name)."""
    return _numbered(text, "农场", _FARM, _numbered_farms, official_read=True)


def _regiments(text: str) -> list[Hit]:
    """Hits of the regiments written by number alone (not after 兵团, which the automaton reads)."""
    return _numbered(text, "团", _REGIMENT, _regiment_towns, official_read=False)


def _numbered(
    text: str,
    word: str,
    pattern: re.Pattern[str],
    units: Callable[[], dict[str, Entry]],
    *,
    official_read: bool,
) -> list[Hit]:
    """Hits of the units ``pattern`` finds by their number (its first group) in ``units()``; with
    ``official_read``, not where the text writes a unit's official name (the automaton reads it)."""
    if word not in text:
        return []
    table = units()
    return [
        Hit(m.start(), m.end(), m.group(), entry)
        for m in pattern.finditer(text)
        if (entry := table.get(to_number(m.group(1)))) is not None
        and not (official_read and gazetteer.load().lookup(m.group()))
    ]


def _short_counties_at(
    matches: list[tuple[int, int, int, Sequence[Entry]]], values: dict[int, _Readings]
) -> dict[int, set[str]]:
    """Per start, the counties a short name read there names (静安 at 0: 310106)."""
    out: dict[int, set[str]] = {}
    for index, start, _, entries in matches:
        if not values[index].county_not_full:
            continue  # no county's short name among the key's readings
        for e in entries:
            if e.level == 2 and e.kind == SHORT:
                out.setdefault(start, set()).add(e.code)
    return out


def _named_outside(
    text: str, found: list[tuple[int, int, int]], values: dict[int, _Readings], start: int, end: int
) -> set[str]:
    """Codes of the units that names outside ``text[start:end]`` (not in a note's brackets after it) may
    open a chain with, and the counties of the towns whose short name ends right before it (燕郊|高楼镇:
    the 高楼镇 of 燕郊's county)."""
    out = set().union(
        *[
            values[i].free_codes
            for i, s, t in found
            if not (start <= s and t <= end) and not (s > end and _in_late_note(text, s))
        ]
    )
    out.update(
        e.code[:6]
        for i, s, t in found
        if t == start
        for group in values[i].under.values()
        for e in group
        if e.level == 3 and e.kind == SHORT
    )
    return out


def _opens(text: str, start: int, lead: int) -> bool:
    """Whether a name at ``start`` opens the text or a part of it after a separator or a code
    (工单A123 曹县…)."""
    return start == lead or start > lead and (text[start - 1] in _SEPARATORS or text[start - 1].isascii())


_SEPARATORS = frozenset(" \t\u3000,，、;；:：/|)）]】")


def _two_character_counties(readings: _Readings, key: str) -> list[Entry]:
    """The counties whose official or former full name is the two characters read (寿县; 鄞县, 郫县 before
    they became districts), which no chain may open elsewhere in a text."""
    return _under(readings, lambda e: e.level == 2 and (e.kind == FULL or _former_full_name(e, key)))


_COUNTY_MARKS = ("县", "市", "区", "旗")


def _former_full_name(entry: Entry, key: str) -> bool:
    """Whether ``key`` is a county's former full name (郫县, 洞头县), not a short form of one (北市 of
    北市区)."""
    return entry.kind == HISTORIC and entry.stem == len(key) - 1 and key.endswith(_COUNTY_MARKS)


def _under(readings: _Readings, keep: Callable[[Entry], bool]) -> list[Entry]:
    """The readings of a name under some unit that ``keep`` accepts, each once (a reading is listed
    under every unit above it)."""
    found = {id(e): e for group in readings.under.values() for e in group if keep(e)}
    return list(found.values())


def _town_over_county(text: str, key: str, end: int) -> bool:
    """Whether a town's short name that goes on past a county's short name reads as the town: not a
    road's, a community's or a place's name (嘉禾|街, 朝阳|社区, 东方|广场), nor one a compound's name goes on
    from (白云山|名苑)."""
    return not (
        key.endswith(_ROAD_WORDS)
        or key.endswith(("社区", "村"))  # 朝阳社区 (a 街道 of 铜陵 so named) is mostly a community
        or _PLACE_NAME_WORD.search(key, 2) is not None
        or text.startswith(_COMPOUND_KINDS, end)
        or _PLACE_NAME_WORD.match(text, end) is not None
    )


def _one_town(readings: _Readings) -> Entry | None:
    """The one town a name that needs a unit above it names, when all its readings are of one town's
    short name (七星岗 of 七星岗街道), or None."""
    entries = {e.code: e for group in readings.under.values() for e in group}
    if len(entries) != 1:
        return None
    entry = next(iter(entries.values()))
    return entry if entry.level == 3 and entry.kind == SHORT else None


def _leading_towns(
    text: str,
    lead: int,
    found: list[tuple[int, int, int]],
    keys: list[str],
    values: dict[int, _Readings],
    matches: list[tuple[int, int, int, Sequence[Entry]]],
) -> tuple[tuple[int, int, int], list[Entry]] | None:
    """A town's short name that opens the text right before a road or compound with a name of its own
    (水头康乐路, 仙降连江街, 昆阳民丰小区), or before one of its villages (小港姚墅村): written so by people
    who live there, it names the town. A short name alone may open no chain elsewhere (五马 is too common
    a word); here what follows settles it, when the name fits few towns nationwide. Returns the automaton
    match (index, start, end) and its town readings."""
    if any(start < lead + 2 for _, start, _, _ in matches):
        return None  # a division opens the text already
    # The longest name first: 沈家门|滨港路, not 沈家|门滨港路.
    for index, start, end in sorted((m for m in found if m[1] == lead), key=lambda m: m[1] - m[2]):
        if keys[index].endswith(("社区", "村")):
            continue  # 岳溪|村天衢街, 门楼|底村陵阳巷: a village comes first
        if bare_road_tail_at(text, end):
            return None  # 建国门|内大街: the name begins a road's name
        if _RING_ROAD.match(text, start):
            return None  # 东三|环中路: 东三环中路, a ring road, is no town's
        towns = _under(values[index], lambda e: e.level == 3 and e.kind == SHORT and e.stem >= 2)
        if not 0 < len(towns) <= _MAX_LEADING_TOWNS:
            continue
        if _ONE_CHARACTER_ROAD.match(text, end):
            continue  # 万家|丽中路, 红军|营南路: a road of one character's name and a direction is the rest
        if (
            road_read_at(text, end)
            or compound_read_at(text, end)
            or text.startswith(_TOWN_OFFICES, end)
            or _NUMBERED_ROAD_AHEAD.match(text, end)  # 塘下|3号路, 下沙|六号大街
        ):
            return (index, start, end), towns
        # 小港姚墅村: a village of the town itself follows; it settles which town. So it does after the
        # island the town is (六横|岛|台门村; 衢山|岛斗村 is a village so named).
        with_village = [e for e in towns if _village_at(text, end, e.code)]
        if not with_village and text.startswith("岛", end):
            with_village = [e for e in towns if _village_at(text, end + 1, e.code)]
        if with_village:
            return (index, start, end), with_village
    return None


# A road numbered in a row (3号路, 六号大街), after a town's short name.
_ROAD_KIND_NEXT = re.compile("(?:大街|大道|路|街(?!道|办)|巷)")
_DOOR_NEXT = re.compile("[0-9〇零一二三四五六七八九十百]+号(?!楼)")
_ORDINALS = "头一二三四五六七八九十"
_NUMBERED_ROAD_AHEAD = re.compile("(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})号(?:大街|大道|路|街)")
# A road named by one character and a direction (丽中路): the name before it is more likely the road's.
_ONE_CHARACTER_ROAD = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff][东西南北中](?:路|街|大道|大街)")
# A ring road (东三环中路, 北四环, 南二环路): its name opens with a direction and the ring's number.
_RING_ROAD = re.compile("[东西南北内外中]?[一二三四五六七]环")
# The offices of a town after its short name (紫来|办事处): the town's.
_TOWN_OFFICES = ("办事处", "街道办", "人民政府", "镇政府", "乡政府")


def _village_at(text: str, pos: int, town: str) -> bool:
    """Whether a community of ``town`` is named at ``pos`` (姚墅村, 鲁家峙 for 鲁家峙村), not by a word places
    are named with (花园 for 花园村 is mostly a compound's kind: 云锦|花园附近)."""
    index = gazetteer.load().communities(town)
    return any(
        text[pos:k] in index and _PLACE_NAME_WORD.fullmatch(text, pos, k) is None
        for k in range(min(len(text), pos + 12), pos + 1, -1)
    )


def _undominated(hits: list[Hit]) -> list[Hit]:
    """Drop a short name that the official name of the same unit at the same start covers (浙江 in 浙江省).

    ``hits`` are ordered by start, longest first: an official name longer than a short name at its start
    comes before it, so one pass sees it first."""
    full_end: dict[tuple[int, str], int] = {}  # (start, code) -> end of the longest official name there
    out = []
    for h in hits:
        kind = h.entry.kind
        if kind == FULL:
            full_end.setdefault((h.start, h.entry.code), h.end)
        elif kind == SHORT and full_end.get((h.start, h.entry.code), 0) > h.end:
            continue
        out.append(h)
    return out


def _skip_costs(text: str, hits: list[Hit]) -> tuple[dict[int, float], dict[int, float]]:
    """Costs of leaving out the content of text[:i], before a chain and inside it, at every hit's start
    and end (the only places a chain can skip from or to).

    A character that some other name covers costs half: it may repeat a unit of the chain
    (浙江省温州市浙江省温州市…) or contradict it (永嘉县|上塘镇 of another county). Inside a chain it
    costs a little more, so that of repeated prefixes the copy next to the rest of the address is read.
    """
    # One code per character: 0 not content, 1 content, 2 content another name covers, 3 a contact.
    kind = bytearray(len(text))
    for m in _CONTENT_RUN.finditer(text):
        kind[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    for h in hits:
        kind[h.start : h.end] = kind[h.start : h.end].replace(b"\x01", b"\x02")
    for m in _NOT_ADDRESS.finditer(text):  # 王先生13712345678鹿城区…: a contact is no address content
        kind[m.start() : m.end()] = b"\x03" * (m.end() - m.start())
    country = match_end(_COUNTRY_LEAD, text)  # 中国深圳…: the country's name is no content left out
    kind[:country] = bytes(country)
    if ZONE.search(text) is not None:  # 温州经济技术开发区|沙城街道: the zone is read by the tail
        for m in ZONE_NAME.finditer(text):
            kind[m.start() : m.end()] = kind[m.start() : m.end()].replace(b"\x01", b"\x00")
    before: dict[int, float] = {}
    inside: dict[int, float] = {}
    # The first address mark in text no name covers (温州|某某公司: the 州 of 温州 is no address content).
    unmarked = len(text)
    for m in _ADDRESS_MARK.finditer(text):
        if (
            kind[m.start()] == 1
            and not _name_of_a_place(text, m.start())
            and not _in_account(
                text, m.start(), min((h.start for h in hits if h.start > m.start()), default=len(text))
            )
        ):
            unmarked = m.start()
            break
    uncovered = covered = 0
    last = 0
    for pos in sorted({p for h in hits for p in (h.start, h.end)}):
        uncovered += kind.count(1, last, pos)
        covered += kind.count(2, last, pos)
        last = pos
        plain = uncovered if pos > unmarked else min(uncovered, _BEFORE_CAP)
        before[pos] = plain + _COVERED_BEFORE * covered
        inside[pos] = uncovered + _COVERED_INSIDE * covered
    street = _STREET_FIRST.match(text)
    if street is not None and street.end() in before and _divisions_last(text, hits, street.end()):
        before[street.end()] = min(before[street.end()], _BEFORE_CAP)
    return before, inside


def _in_account(text: str, at: int, stop: int) -> bool:
    """Whether ``at`` lies in a clause that tells what happened before the division named at ``stop``, as a
    ticket's account does before the address (反映路灯不亮问题,位置:成都市…; 楼道堆放杂物,地址是…; 车牌号为…
    停放在宁波市…): its 路, 楼 or 号 starts no address content."""
    start = max(text.rfind(c, 0, at) for c in _CLAUSE_ENDS) + 1
    end = min([stop, *(k for c in _CLAUSE_ENDS if (k := text.find(c, at)) >= 0)])
    return event_at(text, start, end)


_CLAUSE_ENDS = ",!?"


def _name_of_a_place(text: str, at: int) -> bool:
    """Whether the 州 at ``at`` ends a city's name that no reading took (郑州|大学第一附属医院: an
    organisation named after its city, before the address): no mark that address content starts."""
    if text[at] != "州":
        return False
    g = gazetteer.load()
    return any(g.lookup(text[at - n : at + 1]) for n in (1, 2) if at >= n)


# A name after the divisions that end a text written street first: no number and no address mark.
TRAILING_NAME = re.compile("[^0-9路街巷弄号幢栋楼室村镇乡区县市省州旗盟,]{2,12}")


def _divisions_last(text: str, hits: list[Hit], start: int) -> bool:
    """Whether no division name is read before ``start``, the text ends with one (or with one, then a
    separator and a name: 明珠路86号 长兴县雉城街道|沿街店面) and an official one (no zone) starts at
    ``start``."""
    end = len(text.rstrip(",. "))
    if any(h.start < start for h in hits):
        return False
    ends = {end}
    if (comma := text.rfind(",", start, end)) > start and TRAILING_NAME.fullmatch(text, comma + 1, end):
        ends.add(len(text[:comma].rstrip(",. ")))
    # 象南东路8号|北白象镇|地税局, …|塘下镇|前丰工业区某某有限公司: a town's official name right before an
    # organisation named after it ends them too (the town's offices, schools and firms lie in it; not a
    # province's or a city's name: 延安路100号|上海银行 is no bank of 上海 there).
    ends.update(
        h.end
        for h in hits
        if h.start == start
        and h.entry.level == 3
        and h.entry.kind == FULL
        and TOWN_MARK_END.search(h.key) is not None
        and ORGANISATION_NAME.fullmatch(text, h.end, end) is not None
    )
    return any(h.end in ends for h in hits) and any(
        h.start == start
        and (h.entry.kind == FULL or h.entry.level <= 1)  # 合肥|蜀山区: a city's short name opens them too
        and _ZONE_NAMED.search(h.key) is None
        for h in hits
    )


def best_chains(text: str, hits: list[Hit]) -> list[Chain]:
    """The best-scoring chains (several when they tie but end in different units); [] if none helps."""
    if not hits:
        return []
    skipped, inner = _skip_costs(text, hits)
    n = len(hits)
    score = [-1e9] * n
    back = [-2] * n  # -2: unreachable, -1: starts a chain, else the index of the previous hit
    # Hits that ended before the current one starts, best first per code:
    # code -> (score + gap cost up to the hit's end, index, level).
    done: dict[str, tuple[float, int, int]] = {}
    ended = sorted((h.end, k) for k, h in enumerate(hits))  # by end, ties by index (a stable sort's order)
    pending = 0
    for i, hit in enumerate(hits):
        while pending < n and ended[pending][0] <= hit.start:
            end, k = ended[pending]
            pending += 1
            if back[k] != -2:
                value = score[k] + _GAP_COST * inner[end]
                prior = hits[k].entry
                best_before = done.get(prior.code)
                if best_before is None or value > best_before[0]:
                    done[prior.code] = (value, k, prior.level)
        entry = hit.entry
        level = entry.level
        n_chars = hit.end - hit.start
        if entry.kind == FULL:
            weight = n_chars + _FULL_BONUS
        elif hit.guessed:
            weight = n_chars * _HISTORIC_WEIGHT - _GUESS_COST
        else:
            weight = n_chars * (_HISTORIC_WEIGHT if entry.kind == HISTORIC else _SHORT_WEIGHT)
        best, best_back = -1e9, -2
        if entry.stem >= 2 and (level < 3 or entry.kind == FULL) or hit.opens:  # _can_start_entry, inlined
            best, best_back = weight - _GAP_COST * skipped[hit.start], -1
        gap = _GAP_COST * inner[hit.start]
        for code in _ancestor_codes(entry):
            prev = done.get(code)
            if prev is None or prev[2] >= level:
                continue
            value = prev[0] + weight + _LINK_BONUS - gap
            if value > best:
                best, best_back = value, prev[1]
        score[i], back[i] = best, best_back

    top = max((s for s, b in zip(score, back, strict=True) if b != -2), default=0.0)
    if top <= 0:
        return []
    chains: dict[str, Chain] = {}
    for i in range(n):
        if back[i] == -2 or score[i] < top - 1e-9:
            continue
        path = []
        k = i
        while k >= 0:  # -1 ends the walk back
            path.append(hits[k])
            k = back[k]
        chain = Chain(tuple(reversed(path)), score[i])
        chains.setdefault(chain.code, chain)
    return _prefer_upper(list(chains.values()))


def settled_by_upper(text: str, hits: list[Hit], chains: list[Chain]) -> list[Chain]:
    """Of tied readings (西湖区 of 杭州市 and of 南昌市), the one an upper unit written right after it names
    (西湖区|杭州市|文三路: the city written after its county), when one is; else ``chains``.

    A town (or tied towns) of other counties read alone right after a county's current name, mostly
    written short (昆山|周庄镇: 周庄镇 of 江阴市, of 兴化市 …; 昆山|锦溪镇, of 龙泉市), gives way to that county:
    the text names it, and its town is one the divisions do not list under it (read as written, without
    a code; a town of the same city is then moved under its own county, see moved_town).
    """
    if chains and (county := _county_right_before(text, hits, chains)) is not None:
        return [Chain((county,), max(c.score for c in chains))]
    if len(chains) < 2:
        return chains
    confirmed = []
    for chain in chains:
        last = chain.hits[-1]
        after = match_end(_NOISE, text, last.end)
        if any(
            h.start == after and h.entry.level < last.entry.level and chain.code.startswith(h.entry.code)
            for h in hits
        ):
            confirmed.append(chain)
    return confirmed if len(confirmed) == 1 else chains


def _county_right_before(text: str, hits: list[Hit], chains: list[Chain]) -> Hit | None:
    """The one county-level reading written right before the tied towns ``chains`` begin with, when
    none of them lies under it; else None."""
    firsts = {(c.hits[0].start, c.hits[0].end) for c in chains}
    if len(firsts) != 1 or any(len(c.hits) != 1 or c.hits[0].entry.level != 3 for c in chains):
        return None
    start = next(iter(firsts))[0]
    # (a former name is not: 崇安县|千岛湖镇 is 淳安县's town, 崇安 a slip, not 崇安区 now 梁溪区)
    before = [h for h in hits if h.entry.level == 2 and h.end == start and h.entry.kind != HISTORIC]
    if len(before) != 1 or any(c.code.startswith(before[0].entry.code) for c in chains):
        return None
    return before[0]


def _prefer_upper(chains: list[Chain]) -> list[Chain]:
    """Of tied readings of one name where one unit contains the others (南昌: 南昌市 ⊃ 南昌县), keep it."""
    if len(chains) < 2:
        return chains
    spans = {(c.hits[-1].start, c.hits[-1].end) for c in chains}
    if len(spans) != 1:
        # 泰顺县|罗阳大道,罗阳镇: a chain that goes on to a unit under the other's end reads more, the same.
        deepest = max(chains, key=lambda c: len(c.code))
        return [deepest] if all(deepest.code.startswith(c.code) for c in chains) else chains
    codes = [c.code for c in chains]
    for chain in chains:
        if all(code.startswith(chain.code) for code in codes):
            return [chain]
    # 东城区 of 北京 and a zone of 许昌 named so (a town-level unit, 411002570): a text naming only that name
    # means the county; the zone is a part of a county its own text would name.
    counties = [c for c in chains if len(c.hits) == 1 and gazetteer.level_of(c.code) <= 2]
    zones = [c for c in chains if len(c.hits) == 1 and _is_zone_code(c.code)]
    if counties and zones and len(counties) + len(zones) == len(chains):
        return counties
    return chains


def _is_zone_code(code: str) -> bool:
    """Whether a code is of a town-level zone (digits 7-9 from 400: 开发区, 工业园, 农场)."""
    return len(code) == 9 and code[6:] >= "400"


# Between a chain and its repeats: separators and non-Chinese noise (浙江省杭州市AAAA浙江省杭州市…).
_NOISE = re.compile(r"[^\u3400-\u9fff\U00020000-\U0003ffff]*")
# Pseudo levels that carry no information (浙江省杭州市市辖区…).
# (其它区: a shop's region picker's, for a county not in its list; 其他 and 请选择 in a picker's slot left
# unchosen: 鹿城区|其他|解放街123号, 南京市|请选择区县|中山路18号)
_PICKER_SLOT = (
    "其[它他](?:地区|区(?!域)|县|市|社区|街道|乡镇|镇|乡)?"
    "|请选择(?:省份|省|城市|市|区县|县区|区|县|街道|乡镇|镇|社区)?"
)
_PSEUDO_LEVELS = re.compile(f"(?:市辖区|省直辖县级行政区划|自治区直辖县级行政区划|{_PICKER_SLOT})+")


@dataclass(frozen=True, slots=True)
class Reading:
    """The chain read for the divisions, its repeats, and where the division part of the text ends.

    ``others`` are the divisions of another place the text names before this one (a region filled in
    by a form, then the address: 山东省临沂市临沭县中国浙江省杭州市余杭区龙潭路).
    """

    chain: Chain
    repeats: tuple[Hit, ...]
    end: int
    others: tuple[Hit, ...] = ()


def _overlaps(h: Hit, taken: list[tuple[int, int]]) -> bool:
    start, end = h.start, h.end
    for s, e in taken:  # noqa: SIM110 - called per hit: a generator costs more than the test
        if start < e and s < end:
            return True
    return False


# A door or a group right after a village's bare name (周韩|126号, 江心|3组, 龙井|5社).
DOOR_OR_GROUP_AHEAD = re.compile(
    "(?:[0-9]+|[一二三四五六七八九十]+)(?:组|社(?![区会])|队|村民小组|号(?![楼院]))|[0-9]+(?=$|,)"
)


def _seat_village(text: str, h: Hit) -> bool:
    """Whether a town's short name written again right after it is the village named after it, before
    its group or door (大岭镇|大岭|3组52号: 大岭村)."""
    return (
        h.entry.level == 3
        and DOOR_OR_GROUP_AHEAD.match(text, h.end) is not None
        and bool(gazetteer.load().communities(h.entry.code).get(h.key + "村"))
    )


def extend(text: str, hits: list[Hit], chain: Chain) -> Reading:
    """Add to a chain what repeats or continues it later in the text.

    Before the chain's end and anywhere after it, an official name of a unit of the chain is a repeat.
    Right after the chain (past separators and noise), short names repeat it too, and a finer unit
    under it continues it (浙江省杭州市AAAA浙江省杭州市下城区…).
    """
    if not chain.hits:
        return Reading(chain, (), 0)
    taken = [(h.start, h.end) for h in chain.hits]
    starts: dict[int, list[Hit]] = {}
    for h in hits:
        starts.setdefault(h.start, []).append(h)
    chain_hits = list(chain.hits)
    repeats: list[Hit] = []
    frontier = chain.hits[-1].end
    code = chain.code
    for h in hits:
        if _overlaps(h, taken):
            continue
        entry = h.entry
        contiguous = h.start >= frontier and h.start == match_end(_NOISE, text, frontier)
        if (
            contiguous
            and (entry.kind == SHORT or (entry.kind == HISTORIC and not h.key.endswith(LEVEL_MARKS)))
            and not _chain_goes_on(starts.get(h.end, ()), h, code)
            and _CJK_CHAR.match(text, h.end)
            and (not road_ahead(text, h.end) or _community_opens(text, h, code))
        ):
            # 景山街道|景山社区: a short name that goes on is another name's start (龙港|科苑街 is not,
            # but 桥墩镇|桥墩门社区财神路 is: a community of the chain's unit is named from there on)
            continue
        if contiguous and entry.kind == SHORT and _seat_village(text, h):
            continue
        seat = _former_seat(chain_hits[-1], h) if contiguous and entry.kind == FULL else None
        if seat is not None:
            # 日喀则地区|日喀则市: the prefecture's former name, then its seat, a county-level city then.
            chain_hits.append(Hit(h.start, h.end, h.key, Entry(seat, 2, HISTORIC, code, len(h.key) - 1)))
            code = seat
        elif code.startswith(entry.code) and (h.end <= frontier or contiguous or entry.kind == FULL):
            repeats.append(h)
        elif contiguous and entry.level > chain_hits[-1].entry.level and entry.under(code):
            chain_hits.append(h)
            code = entry.code
        else:
            continue
        taken.append((h.start, h.end))
        if contiguous:
            frontier = h.end
    pseudo = _PSEUDO_LEVELS.match(text, match_end(_NOISE, text, frontier))
    if pseudo is not None:
        frontier = pseudo.end()
    elif (
        chain_hits[-1].entry.level == 1
        and chain_hits[-1].key.endswith("市")
        and text.startswith("区", frontier)
    ):
        frontier += 1  # 温州市区: the city's urban area, no county
    return Reading(Chain(tuple(chain_hits), chain.score), tuple(repeats), frontier)


def _former_seat(last: Hit, h: Hit) -> str | None:
    """The code of the county ``h`` names when the chain ends in a prefecture's former name and ``h`` is
    the name its seat bore then (日喀则地区|日喀则市 is 桑珠孜区); None otherwise."""
    if (
        last.entry.kind != HISTORIC
        or last.entry.level != 1
        or h.entry.level != 1
        or h.entry.code != last.entry.code
    ):
        return None
    return gazetteer.former_seats().get((last.key, h.key))


def _chain_goes_on(hits: Sequence[Hit], short: Hit, code: str) -> bool:
    """Whether the short name ``short`` of a unit of the chain repeats it rather than opening a longer
    name, given the ``hits`` right after it: for a town's short name, one of them must name a unit of
    the chain's county or above (鹿城|五马街道); a place elsewhere (塘下镇|塘下|新城: 新城 names towns of
    other counties) does not make it a repeat, as it may open a compound (塘下新城). Short names of
    counties and above repeat before any name."""
    if short.entry.level < 3:
        return bool(hits)
    county = code[:6]
    return any(h.entry.under(county) or code.startswith(h.entry.code) for h in hits)


# The longest community name looked up where a short name of the chain opens one.
_MAX_COMMUNITY_NAME = 12


def _community_opens(text: str, h: Hit, code: str) -> bool:
    """Whether a community of the unit ``code`` (a county or finer) has a name, longer than the short
    name ``h``, written from ``h.start`` on."""
    if gazetteer.level_of(code) < 2:
        return False
    names = gazetteer.load().communities(code)
    last = min(len(text), h.start + _MAX_COMMUNITY_NAME)
    return any(text[h.start : end] in names for end in range(last, h.end, -1))


# A county written with one wrong character (菜山区 for 萧山区) right after its city or province.
_COUNTY_WRITTEN = re.compile(
    "[\u3400-\u9fff\U00020000-\U0003ffff]{2,4}?(?:区|县|旗|市)(?!场|政府|委|级|辖|民|长|中心|里|内|外)"
)


@cache
def _units_under(code: str, level: int) -> dict[tuple[int, str], tuple[tuple[str, str], ...]]:
    """(code, name) of the units of ``level`` under the unit ``code`` (the counties of a city, the towns of
    a county), by name length and last character: the names one slip away from a name written."""
    g = gazetteer.load()
    if level == 3:  # a county's towns from its list, not by a scan of the 41,000 towns
        units = [(town, g.name(town) or "") for town in g.children(code)]
    else:
        units = g.units_under(code, level)
    out: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for unit, name in units:
        if name:
            out.setdefault((len(name), name[-1]), []).append((unit, name))
    return {k: tuple(v) for k, v in out.items()}


def correct_county(text: str, hits: list[Hit], reading: Reading) -> tuple[Reading, str] | None:
    """Read a county name with one wrong character, written right after the chain's city or province,
    as the one county it differs from by that character: the county of the town read next
    (杭州市菜山区衙前镇 -> 萧山区), or else the one such county under the city (宁波鄞洲区 -> 鄞州区).
    Returns the corrected reading and the note to add; ``None`` when nothing is to correct."""
    chain = reading.chain
    if not chain.hits or any(h.entry.level == 2 for h in chain.hits):
        return None
    upper = [i for i, h in enumerate(chain.hits) if h.entry.level < 2]
    i = upper[-1] if upper else -1
    after = chain.hits[i + 1] if i + 1 < len(chain.hits) else None
    if i < 0:  # 潘阳县珠湖乡: the county written wrong before the town that opens the chain
        assert after is not None
        m = next(
            (
                m
                for n in range(3, 6)
                if (m := _COUNTY_WRITTEN.fullmatch(text, after.start - n, after.start)) is not None
            ),
            None,
        )
    else:
        end = chain.hits[i].end if after is not None else reading.end
        m = _COUNTY_WRITTEN.match(text, match_end(_NOISE, text, end))
    if m is None or any(h.start == m.start() for h in hits):
        return None  # a name the gazetteer knows was weighed by the chain already
    written = m.group()
    if ZONE.search(written):
        return None  # 西安市高新区: a zone word, not 高陵区 with one character wrong
    if any(e.level == 2 and e.kind == FULL for e in gazetteer.load().lookup(written)):
        return None  # 梅州市梅县区: an official county's own name is written right, whatever it was read as
    if after is not None:
        if match_end(_NOISE, text, m.end()) != after.start:
            return None
        code = after.entry.code[:6]
        name = gazetteer.load().name(code) or ""
        found = [(code, name)] if len(name) == len(written) else []
    else:
        found = list(_units_under(chain.hits[i].entry.code, 2).get((len(written), written[-1]), ()))
    found = [(c, n) for c, n in found if sum(a != b for a, b in zip(n, written, strict=True)) == 1]
    if len(found) != 1:
        return None
    code, name = found[0]
    hit = Hit(m.start(), m.end(), written, Entry(code, 2, SHORT, stem=len(written) - 1))
    hits_now = (*chain.hits[: i + 1], hit, *chain.hits[i + 1 :])  # i == -1: the hit opens the chain
    note = f"{written} read as {name} ({code}): one character differs"
    if after is not None:
        return Reading(Chain(hits_now, chain.score), reading.repeats, reading.end), note
    return extend(text, hits, Chain(hits_now, chain.score)), note


# A town's name as written right after its county: two to five characters and the mark (街到, the mark
# typed by its sound), no road after it.
_TOWN_WRITTEN = re.compile(
    "[\u3400-\u9fff\U00020000-\U0003ffff]{2,5}?(?:街道|街到|镇|乡)(?![路街巷道]|大道|政府|中心|卫生院|人民政府)"
)


def correct_town(
    text: str, hits: list[Hit], reading: Reading, *, by_sound: bool = False
) -> tuple[Reading, str] | None:
    """Read a town name with one character miswritten, right after the chain's county, as the one town of
    the county it so differs from: by its sound (瓯海区悟田街道 -> 梧田街道, 鹿城区五吗街道 -> 五马街道), or
    else by any one character, as OCR and typing slips look alike (镜湖区汁棠街道 -> 汀棠街道). A name some
    unit has (another county's town, a former town) is no slip. A town merged away is read by the one
    village of the county that bears its name (党山镇: 党山村 of 瓜沥镇). ``by_sound``: only the slips of
    sound. Returns the corrected reading and the note."""
    chain = reading.chain
    if not chain.hits or chain.hits[-1].entry.level != 2:
        return None
    m = _TOWN_WRITTEN.match(text, match_end(_NOISE, text, reading.end))
    if m is None:
        return None
    written = m.group()
    county = chain.hits[-1].entry.code
    if written.endswith("街到"):
        # 人民路街到|吴越街3号: 街道 with its mark typed by the sound, after the town's short name (a hit,
        # which goes on into a road there)
        meant = written[:-1] + "道"
        entry = next((e for e in gazetteer.load().lookup(meant) if e.level == 3 and e.under(county)), None)
        if entry is None:
            return None
        hit = Hit(m.start(), m.end(), written, entry)
        note = f"{written} read as {meant} ({entry.code}): one character differs, of the same sound"
        return Reading(Chain((*chain.hits, hit), chain.score), reading.repeats, m.end()), note
    renamed = None if by_sound else _renamed_town(county, written)
    if renamed is not None:
        # 萧山区新街镇 (新街街道 since 2000): the town made a 街道 (or a 乡 a 镇), though towns elsewhere bear
        # the old name
        code, name = renamed
        hit = Hit(m.start(), m.end(), written, Entry(code, 3, HISTORIC, parent=county))
        note = f"{written} is a former name; now {name} ({code})"
        return Reading(Chain((*chain.hits, hit), chain.score), reading.repeats, m.end()), note
    known = gazetteer.load().lookup(written)
    # A town merged away may bear the name of a town elsewhere (八都镇 of 吴江区, merged into 震泽镇; 八都镇
    # of 龙泉市): its namesake village here places it, unless a town of the city is so named (a town
    # written under the wrong county: moved_town), or the name is common to towns (新兴镇, 东山镇: a
    # village so named says little).
    namesakes = [e for e in known if e.level == 3]
    seat = (
        None
        if by_sound
        or len(namesakes) > _COMMON_TOWN_NAME
        or any(e.code.startswith(county[:4]) for e in namesakes)
        else _namesake_village(county, written)
    )
    if (
        seat is None
        and not by_sound
        and not namesakes
        and (moved := _namesake_village_moved(county, written)) is not None
    ):
        # 余杭区博陆镇 (merged into 运河镇, in 临平区 since 2021): the namesake village lies in a county that
        # took towns of the county written
        (village, town), now = moved
        g = gazetteer.load()
        last = chain.hits[-1]
        county_hit = Hit(last.start, last.end, last.key, Entry(now, 2, HISTORIC, stem=last.entry.stem))
        hit = Hit(m.start(), m.end(), written, Entry(town, 3, HISTORIC, parent=now))
        note = (
            f"{written} is read by {village}, which bears its name, as a town merged into {g.name(town)}"
            f" ({town}), in {g.name(now)} ({now}), which took towns of {g.name(county)}"
        )
        return Reading(
            Chain((*chain.hits[:-1], county_hit, hit), chain.score), reading.repeats, m.end()
        ), note
    if seat is None and (any(h.start == m.start() for h in hits) or known):
        return None
    if seat is not None:
        village, town = seat
        hit = Hit(m.start(), m.end(), written, Entry(town, 3, HISTORIC, parent=county))
        note = (
            f"{written} is read by {village}, which bears its name, as a town merged into"
            f" {gazetteer.load().name(town)} ({town})"
        )
        return Reading(Chain((*chain.hits, hit), chain.score), reading.repeats, m.end()), note
    towns = _units_under(county, 3).get((len(written), written[-1]), ())
    how = ", of the same sound"
    found = [(code, name) for code, name in towns if _one_slip_of_sound(written, name)]
    if not found and not by_sound:
        how = ""
        found = [
            (code, name)
            for code, name in towns
            if sum(a != b for a, b in zip(name, written, strict=True)) == 1
        ]
    if len(found) != 1:
        return None
    code, name = found[0]
    entry = next((e for e in gazetteer.load().lookup(name) if e.code == code), None)
    if entry is None:
        return None
    hit = Hit(m.start(), m.end(), written, entry)
    note = f"{written} read as {name} ({code}): one character differs{how}"
    return Reading(Chain((*chain.hits, hit), chain.score), reading.repeats, m.end()), note


# Towns of one name in more places than this: a name common to towns.
_COMMON_TOWN_NAME = 3
# What follows a village's or community's name in its official name.
# (王港镇居委会 of 唐镇: 上海 names the committee of a merged town's seat after the town, mark and all)
_COMMITTEE_OF = re.compile("(?:村|社区|镇(?=居))?(?:村民委员会|居民委员会|村委会|居委会)?")


def _renamed_town(county: str, written: str) -> tuple[str, str] | None:
    """(code, name) of the one town of the county that a 镇 written is since as a 街道 (新街镇: 新街街道), or a
    乡 as a 镇 or 街道; None otherwise."""
    if not written.endswith(("镇", "乡")) or len(written) < 3:
        return None
    stem = written[:-1]
    towns = _units_under(county, 3)
    found = [
        unit
        for now in (("街道",) if written.endswith("镇") else ("镇", "街道"))
        for unit in towns.get((len(stem) + len(now), now[-1]), ())
        if unit[1] == stem + now
    ]
    return found[0] if len(found) == 1 else None


def _namesake_village_moved(county: str, written: str) -> tuple[tuple[str, str], str] | None:
    """The namesake village of a merged town (see _namesake_village) in the one county that took towns of
    ``county`` where one lies, and that county; None otherwise."""
    found = [
        (seat, other)
        for other in sorted(gazetteer.counties_given_towns().get(county, ()))
        if (seat := _namesake_village(other, written)) is not None
    ]
    return found[0] if len(found) == 1 else None


def _namesake_village(county: str, written: str) -> tuple[str, str] | None:
    """(village, its town's code) when the villages and communities of the county that bear the name of
    the town ``written`` lie in one town (党山镇: 党山村 of 瓜沥镇; 庙港镇: 庙港村 and 庙港社区 of 七都镇): a town
    merged away, whose seat kept its name."""
    stem = written.removesuffix("街道").removesuffix("镇").removesuffix("乡")
    g = gazetteer.load()
    if len(stem) < 2 or (g.name(county) or "").startswith(stem):
        return None  # (水磨沟区|水磨沟街道: a town named after its county, as places in it are)
    found = [
        (name, code[:9])
        for town in g.children(county)
        for code, name in g._communities(town).items()
        if name.startswith(stem) and len(name) > len(stem) and _COMMITTEE_OF.fullmatch(name, len(stem))
    ]
    if len({town for _, town in found}) != 1:
        return None  # (沙头: 沙头社区 of 九江镇 and of 狮山镇)
    return found[0]


def moved_town(text: str, hits: list[Hit], reading: Reading) -> tuple[Reading, str] | None:
    """A town written right after a county it does not lie under, when exactly one town of that name
    (or a 镇 since made a 街道: 石碶镇 for 石碶街道) lies under another county of the same
    city: the town moved between them (宁波市鄞州区集士港镇, in 海曙区 since 2016; 黄岩市路桥镇, 路桥区
    since 1994), or the county was written wrong. The town is read, under its county, as a former
    placing (the chain's county is the town's). Returns the new reading and the note to add."""
    chain = reading.chain
    if not chain.hits or chain.hits[-1].entry.level != 2:
        return None
    county = chain.hits[-1].entry.code
    m = _TOWN_WRITTEN.match(text, match_end(_NOISE, text, reading.end))
    if m is None:
        return None
    written = m.group()
    if any(h.start == m.start() and h.entry.code.startswith(county) for h in hits):
        return None  # a town of the county, which the chain did not take for a reason of its own
    g = gazetteer.load()
    stem = TOWN_MARK_END.sub("", written)
    found = {
        e.code
        for name in ((written, stem + "街道") if written.endswith("镇") else (written,))
        for e in g.lookup(name)
        if e.level == 3 and e.kind == FULL and e.code[:4] == county[:4] and not e.code.startswith(county)
    }
    if len(found) != 1 or stem in gazetteer.COUNTY_SEAT_STEMS:
        # (三穗县城关镇: a county's seat town, by the generic name records give it, is no other county's
        # 城关镇 however near.)
        return None
    code = found.pop()
    hit = Hit(m.start(), m.end(), written, Entry(code, 3, HISTORIC, county, stem=len(stem)))
    now = g.name(code[:6]) or code[:6]
    note = f"{written} is not under {chain.hits[-1].key}; read as the town of {now} ({code[:6]}) of that name"
    return Reading(Chain((*chain.hits, hit), chain.score), reading.repeats, m.end()), note


TOWN_MARK_END = re.compile("(?:街道|镇|乡)$")


def _one_slip_of_sound(written: str, name: str) -> bool:
    """Whether two names of one length differ in one character, of the same toneless sound (悟 / 梧)."""
    slips = [(a, b) for a, b in zip(written, name, strict=True) if a != b]
    if len(slips) != 1:
        return False
    from pypinyin import lazy_pinyin  # on first need: it loads its dictionary (about 0.1 s)

    a, b = slips[0]
    return bool(lazy_pinyin(a) == lazy_pinyin(b))


_COUNTRY = re.compile(
    r"[^\u3400-\u9fff\U00020000-\U0003ffff]*(?:中国|中华人民共和国)?[^\u3400-\u9fff\U00020000-\U0003ffff]*"
)


def next_place(text: str, hits: list[Hit], reading: Reading) -> tuple[Reading, str] | None:
    """When another place follows the divisions read, written with at least two official names that
    nest (浙江省杭州市, 杭州市余杭区) and contradicting them, and the text goes on after it, that place is
    the address: the street part is next to it. The first place's divisions become ``others``.
    Returns the new reading and the note to add."""
    chain = reading.chain
    if not chain.hits:
        return None
    pos = match_end(_COUNTRY, text, reading.end)
    if not any(h.start == pos for h in hits):
        # 永嘉县瓯北镇|张记小吃店|平阳县水头镇新城大道145号: an organisation named after the first place,
        # then the address.
        # 户籍地：湖南省邵阳市邵东市|现住址：|浙江省温州市…: the label of the second address.
        later = next((h for h in hits if h.start > pos and h.entry.kind == FULL), None)
        if later is not None and (
            _organisation_between(text, pos, later.start)
            or _ADDRESS_LABEL.fullmatch(text[pos : later.start].strip(",;/|、 ")) is not None
        ):
            pos = later.start
    seq: list[Hit] = []
    for h in hits:  # ordered by start, longest first
        if h.start < pos or h.entry.kind != FULL:
            continue
        if h.start > pos:
            break
        if not seq or (h.entry.level > seq[-1].entry.level and h.entry.under(seq[-1].entry.code)):
            seq.append(h)
            pos = h.end
    code = chain.code
    if len(seq) < 2 or seq[-1].entry.code.startswith(code) or code.startswith(seq[-1].entry.code):
        return None
    if _CONTENT_RUN.search(text, seq[-1].end) is None:
        # Nothing after it: a second place named at the end; the address is the first.
        second = "".join(h.key for h in seq)
        return Reading(chain, reading.repeats, seq[-1].end, (*reading.others, *seq)), (
            f"the text names two places; read the first, not {second}"
        )
    found = extend(text, hits, Chain(tuple(seq), chain.score))
    taken = {(h.start, h.end) for h in (*found.chain.hits, *found.repeats)}
    others = tuple(h for h in (*chain.hits, *reading.repeats) if (h.start, h.end) not in taken)
    first = "".join(h.key for h in chain.hits)
    return Reading(found.chain, found.repeats, found.end, others), (
        f"the text names two places; read the one next to the street part, not {first}"
    )


def later_unit(text: str, hits: list[Hit], reading: Reading) -> tuple[Reading, str] | None:
    """A town (or county) written after the street part (解放街123号五马街道): the one official name of a
    unit under the chain's last unit, one or two levels finer, found later in the text, continues the
    chain where it stands. The division part of the text still ends where it did, so that what lies
    between is read as the street part. Returns the new reading and the note to add."""
    h = _finer_unit(hits, reading, lambda h: h.start > reading.end)
    if h is None:
        return None
    return _continued(reading, h), f"{h.key} is written after the street part"


def sibling_unit(text: str, hits: list[Hit], reading: Reading) -> tuple[Reading, str] | None:
    """Two units of one parent written one after the other (深圳市 南山区 福田区福华三路88号, 五马街道 南汇街道
    车站大道: a region picker's choice, then the address typed with its own): the one written next to the
    street part is read, and the chain goes on under it (南山区 粤海街道…). The other is a note. Returns the
    new reading and the note to add."""
    chain = reading.chain
    if not chain.hits or reading.others:
        return None
    last = chain.hits[-1]
    level = last.entry.level
    if level not in (2, 3) or last.entry.kind != FULL:
        return None
    parent = last.entry.code[: 4 if level == 2 else 6]
    at = match_end(_NOISE, text, reading.end)
    siblings = [
        h
        for h in hits
        if h.start == at
        and h.entry.kind == FULL
        and h.entry.level == level
        and h.entry.code != last.entry.code
        and h.entry.code.startswith(parent)
    ]
    if len({h.entry.code for h in siblings}) != 1:
        return None
    h = max(siblings, key=lambda h: h.end)
    longer = extend(text, hits, Chain((*chain.hits[:-1], h), chain.score))
    if not CJK.match(text, longer.end):
        return None  # 北京通州区、北京怀柔区, 越秀区/广州市增城区: a list of places, no street part after one
    return longer, f"{last.key} and {h.key} are both written; {h.key}, next to the street part, is read"


def organisation_first(text: str, hits: list[Hit], reading: Reading) -> tuple[Reading, str] | None:
    """An organisation named after its county opening the text, then its address from the county (or a
    unit above it) again (郸城县绿源种植专业合作社 郸城县吴台镇大张村): the address is read from the unit
    written again on, with the unit under it written right after; the first is the start of the
    organisation's name."""
    chain = reading.chain
    if not chain.hits or reading.others:
        return None
    last = chain.hits[-1]
    # The chain's last unit written again, or one above it (温州市泰顺鼎盛阀门有限公司温州市赤坑村…: the
    # county was the firm's name's).
    at = {h.entry.code: i for i, h in enumerate(chain.hits)}
    later = [r for r in reading.repeats if r.entry.code in at and r.start > last.end + 1]
    again = next((r for r in later if r.entry.code == last.entry.code), later[0] if later else None)
    if (
        again is None
        or not _organisation_between(text, last.end, again.start)
        or any(h.start == last.end for h in hits)  # 新蔡县|驻马店|新蔡县: divisions written again, no name
    ):
        return None
    level = again.entry.level
    under = [
        h
        for h in hits
        if h.start == again.end
        and h.entry.kind == FULL
        and h.entry.level == level + 1
        and h.entry.code.startswith(again.entry.code)
    ]
    if len({h.entry.code for h in under}) > 1 or not under and any(h.start == again.end for h in hits):
        return None
    # 龙港市第二高级中学 龙港市金钗河社区: a county without towns, its community next.
    moved = Chain((*chain.hits[: at[again.entry.code]], again, *under[:1]), chain.score)
    repeats = tuple(r for r in reading.repeats if r is not again)
    end = under[0].end if under else again.end
    return Reading(moved, repeats, end, reading.others), (
        f"{text[last.start : again.start].strip(',')} is an organisation named before its address"
    )


def earlier_unit(text: str, hits: list[Hit], reading: Reading) -> tuple[Reading, str] | None:
    """A town (or county) written first, right before the divisions above it (如城街道江苏省南通市如皋市…,
    安洲街道,浙江省仙居县…): the one official name of a unit under the chain's last unit, one or two
    levels finer, opening the text, continues the chain. Returns the new reading and the note to add."""
    if not reading.chain.hits:
        return None
    first = reading.chain.hits[0].start
    h = _finer_unit(
        hits,
        reading,
        lambda h: _NOISE.fullmatch(text, 0, h.start) is not None and match_end(_NOISE, text, h.end) == first,
    )
    if h is None:
        return None
    return _continued(reading, h), f"{h.key} is written before the units above it"


def _finer_unit(hits: list[Hit], reading: Reading, where: Callable[[Hit], bool]) -> Hit | None:
    """The hit ``where`` accepts that officially names a unit one or two levels under the chain's last
    unit (down to the town), when all such hits name one unit."""
    chain = reading.chain
    if not chain.hits or chain.hits[-1].entry.level >= 3:
        return None
    code, level = chain.code, chain.hits[-1].entry.level
    taken = [(h.start, h.end) for h in (*chain.hits, *reading.repeats)]
    found = [
        h
        for h in hits
        if h.entry.kind == FULL
        and level < h.entry.level <= 3
        and h.entry.code.startswith(code)
        and where(h)
        and not _overlaps(h, taken)
    ]
    if not found or len({h.entry.code for h in found}) != 1:
        return None
    return found[0]


def _continued(reading: Reading, h: Hit) -> Reading:
    chain = reading.chain
    return Reading(Chain((*chain.hits, h), chain.score), reading.repeats, reading.end, reading.others)


def _organisation_between(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]``, separators aside, is an organisation's name (绿源种植专业合作社)."""
    return _ORGANISATION.fullmatch(text[start:end].strip(",;/|、 ")) is not None


# The rest of an organisation's name after the division it is named after (绿源种植专业合作社).
_ORGANISATION = re.compile(
    "[\u3400-\u9fff\U00020000-\U0003ffff]{2,20}(?:公司|合作社|经营部|厂|店|商行|医院|卫生院|学校|中学|小学|"
    "幼儿园|中心|养殖场|农场|门市部|农家乐|宾馆|超市|诊所|药房|加油站|工作室|馆)"
)
# The label of an address (现住址, 居住地址, 经营场所).
_ADDRESS_LABEL = re.compile("[\u3400-\u9fff]{0,4}(?:地址|住址|住所|居住地?|经营场所)")
# An address's label right before a place (…二组,现住址,|浙江省…, …,暂住地,|北京市…).
_LABEL_BEFORE = re.compile(
    r"[\u3400-\u9fff]{0,4}(?:地址|住址|住所|居住地|暂住地|现住地|户籍地|经营场所)[,;:：\s]*$"
)
# Street content: the first address is complete before a second place begins.
_STREET = re.compile(r"[0-9]+号|路|街|大道|巷|弄")
_PLACE_SEPARATOR = re.compile(r"[,;/|、\s]+$")


def second_place(text: str, hits: list[Hit], reading: Reading) -> int | None:
    """Where a second address begins after the street part of the first (解放街1号;温州市瓯海区…,
    孱陵大道9号/武汉市江夏区…): official names of a place the divisions read do not contain, two
    nesting or after a separator. What follows is another address, a note to this one."""
    code = reading.chain.code
    if not code:
        return None
    for h in hits:  # ordered by start
        if h.start < reading.end or h.entry.kind != FULL or h.entry.level > 2:
            continue
        other = h.entry.code
        if code.startswith(other) or other.startswith(code):
            continue  # the same place again
        if _STREET.search(text, reading.end, h.start) is None and not _LABEL_BEFORE.search(
            text, reading.end, h.start
        ):
            # the divisions go on; no street part was written yet, nor the label of another address (户籍地址：
            # …水塘村二组 现住址：浙江省…: the first address ends with its village and group)
            return None
        start, names = h.start, 1
        while True:  # its upper levels written right before it (温州市|瓯海区, 石家庄:|桥西区)
            up = next(
                (
                    u
                    for u in hits
                    if u.entry.kind != HISTORIC
                    and other.startswith(u.entry.code)
                    and u.end <= start
                    and _NOISE.fullmatch(text, u.end, start)
                ),
                None,
            )
            if up is None or up.start < reading.end:
                break
            start, names = up.start, names + 1
        after = any(
            h2.start == h.end and h2.entry.kind == FULL and h2.entry.code.startswith(other) for h2 in hits
        )
        if names + after >= 2 or _PLACE_SEPARATOR.search(text, 0, start):
            return start
        return None
    return None
