"""The national gazetteer: five levels of divisions with codes, short names, aliases and history.

Built by ``data/build_gazetteer.py`` from the NBS 2023 division codes (see ``data/README.md``) and
loaded on first use, never at import. Levels are numbered 0 (province) to 4 (community); a code's
level follows from its length (2, 4, 6, 9, 12 digits). Codes that are no address level (市辖区,
省直辖县级行政区划, 龙港市's 直辖村级区划) carry the name ``"-"`` and are skipped when naming a unit.

>>> g = load()
>>> g.name("330302006"), g.path("330302006")
('五马街道', ('33', '3303', '330302', '330302006'))
>>> sorted(e.code for e in g.lookup("朝阳区") if e.level == 2)
['110105', '220104']
"""

from __future__ import annotations

import gzip
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources

from stdaddr.text import clean, fold_all, to_number

__all__ = [
    "LEVELS",
    "CODE_LENGTHS",
    "FULL",
    "SHORT",
    "HISTORIC",
    "Entry",
    "Gazetteer",
    "load",
    "written_forms",
    "after_county_and_town",
    "level_of",
    "short_names",
    "derive_readings",
    "COUNTY_SEAT_STEMS",
    "counties_given_towns",
]

LEVELS = ("province", "city", "county", "town", "community")
# The names and aliases of levels 0-3 with their readings, as derive_readings gives them.
READINGS_FILE = "readings.tsv.gz"
ALIASES_FILE = "aliases.tsv"
COMMUNITY_INDEX_FILE = "community_index.tsv.gz"
CODE_LENGTHS = (2, 4, 6, 9, 12)
_LEVEL_BY_LENGTH = {n: i for i, n in enumerate(CODE_LENGTHS)}

# How a name was written: the full official name, a short name or alias, or a former name.
FULL, SHORT, HISTORIC = 0, 1, 2

ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 "
    "景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 "
    "保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ETHNIC_TAIL = re.compile(
    "(?:"
    + "|".join(sorted((e + "族" for e in ETHNIC_GROUPS), key=len, reverse=True))
    # named without 族 in Xinjiang's autonomous counties (巴里坤哈萨克自治县, 察布查尔锡伯自治县)
    + "|维吾尔|蒙古|哈萨克|锡伯|塔吉克|柯尔克孜"
    # of several peoples (龙胜各族自治县, written 龙胜县)
    + "|各族)$"
)

# Level suffixes stripped to form a short name (温州市 -> 温州), longest first.
_SUFFIXES = (
    ("特别行政区", "自治区", "省", "市"),
    ("自治州", "地区", "林区", "盟", "市", "州"),
    ("自治县", "自治旗", "林区", "特区", "新区", "区", "县", "市", "旗"),
    ("街道办事处", "民族乡", "街道", "办事处", "苏木", "镇", "乡"),
    (
        "社区居民委员会",
        "社区居委会",
        "居民委员会",
        "村民委员会",
        "社区",
        "居委会",
        "村委会",
        "委会",
        "嘎查委员会",
        "嘎查",
        "村",
    ),
)
# Stems too generic to name a place on their own (城区, 郊区, 开发区 ...).
GENERIC_STEMS = frozenset("城 郊 矿 新 开发 工业 工业园 园 林 农 高新 经济 市 城关 城厢 城郊 中心".split())
# Stems of a county's seat (城关镇, 城厢街道) and of a city's old town (城关区 of 拉萨 and 兰州, 城厢区):
# generic nationwide, but written alone after the unit above (新县城关金兰大道, 兰州城关张掖路), where a
# short name is read.
COUNTY_SEAT_STEMS = frozenset(("城关", "城厢", "城郊"))
# Suffixes of zones, farms and offices: 高新区 or 开发区 alone names no place.
_ZONE_SUFFIXES = (
    "高新技术产业开发区",
    "经济技术开发区",
    "经济开发区",
    "开发区",
    "工业园区",
    "工业区",
    "工业园",
    "高新区",
    "新区",
    "园区",
    "经济区",
    "农场",
    "林场",
    "管理区",
    "管委会",
)
_ROAD_TAILS = ("路", "街", "大道", "大街", "巷", "弄", "道")
# A stem ending like this is a zone's name cut short (高新技术产业开发区 -> 高新技术产业开发), not a short name.
_ZONE_TAILS = (
    "开发",
    "工业园",
    "产业园",
    "科技园",
    "创业园",
    "创新园",
    "物流园",
    "科学园",
    "软件园",
    "工业",
    "保税",
    "示范",
    "风景",
    "旅游",
    "度假",
    "管理",
    "经济",
    "合作",
    "试验",
    "实验",
    "集聚",
    "产业",
    "科技",
    "农场",
    "林场",
    "生活",
)


@dataclass(frozen=True, slots=True, eq=False)  # identity: each reading is one object, hashed fast
class Entry:
    """One reading of a name: the unit it names, at which level, how it was written.

    ``code`` is the current code the name resolves to. For a former name (``kind == HISTORIC``),
    ``level`` is the level of the unit as it was written and ``parent`` the code of the unit it sat
    under then (龙港镇 under 苍南县 330327), so that 苍南县龙港镇 stays hierarchy-consistent.
    """

    code: str
    level: int
    kind: int
    parent: str = ""
    stem: int = 0  # characters of the name without its level suffix

    def under(self, ancestor: str) -> bool:
        """Whether the unit named here sat (or sits) under ``ancestor``."""
        return self.code.startswith(ancestor) or (self.parent != "" and self.parent.startswith(ancestor))


def fold(name: str) -> str:
    """A name folded like input text (traditional forms, full-width), as the indexes key it."""
    return clean(name)[0]


def level_of(code: str) -> int:
    """Level 0-4 of a division code by its length."""
    return _LEVEL_BY_LENGTH[len(code)]


# Per level: a name cut into a non-empty stem and the longest of the suffixes above it ends with.
_SUFFIX_SPLIT = tuple(re.compile("(.+?)(?:" + "|".join(suffixes) + ")$") for suffixes in _SUFFIXES)


def _strip_level_suffix(name: str, level: int) -> str:
    m = _SUFFIX_SPLIT[level].match(name)
    if m is None:
        return name
    if len(m.group(1)) == 1 and name.endswith("林区"):
        return name[:-1]  # 碑林区 is 碑林 and 区, not 碑 and 林区 (神农架林区, a forest district)
    return m.group(1)


def _strip_ethnic(name: str) -> str:
    while True:
        m = _ETHNIC_TAIL.search(name)
        if m is None:
            return name
        if m.start() < 2:
            # 东乡族自治县: a unit named after its people, who are named after the place (东乡县, 东乡)
            people = name[:-1] if name.endswith("族") else ""
            return people if m.start() == 0 and len(people) >= 2 and people in ETHNIC_GROUPS else name
        name = name[: m.start()]


@cache
def _derived(name: str, level: int) -> tuple[int, tuple[str, ...]]:
    """Stem length and short names of a name at a level (town names repeat: 城关镇 is in 100+ counties)."""
    return _stem_length(name, level), tuple(short_names(name, level))


@lru_cache(maxsize=1 << 16)
def _community_keys(name: str) -> tuple[tuple[str, int, int], ...]:
    """Index keys of a community name with their kind and stem (names repeat: 620,573 units, 371,189 names)."""
    keys = [(fold(name), FULL, _stem_length(name, 4))]
    keys.extend((fold(alias), SHORT, len(alias)) for alias in short_names(name, 4))
    # 少先二十一号街坊 (包头's quarters) written with Arabic digits: 少先21号街坊.
    keys.extend(
        (digits, SHORT, len(digits))
        for key, _, _ in list(keys)
        if (digits := _QUARTER_NUMBER.sub(lambda m: to_number(m.group(1)), key)) != key
    )
    return tuple(keys)


# The number of a quarter (街坊) in a community's name.
# (not opening the name, as every key of a name opens with its first character: 一街坊 stays as it is)
_QUARTER_NUMBER = re.compile("(?<=.)([一二三四五六七八九十]+)(?=号?街坊)")


# The committee words after a 嘎查 (the village of Inner Mongolia's pastoral areas) in official names.
_GACHA_COMMITTEE = re.compile("嘎查(?:委员会|村委员会|人民委员会|委会)$")


def short_names(name: str, level: int) -> list[str]:
    """Short names and aliases of an official name at a level (not including the name itself).

    >>> short_names("黔南布依族苗族自治州", 1), short_names("广西壮族自治区", 0), short_names("五马街道", 3)
    (['黔南州', '黔南'], ['广西'], ['五马'])
    >>> short_names("多福巷社区居委会", 4), short_names("城区", 2)
    (['多福巷社区', '多福巷居委', '多福巷居', '多福巷委'], [])
    """
    out: list[str] = []
    stem = _strip_level_suffix(name, level)
    if level == 4:
        # Communities are written with 社区/村 but without 居委会/村委会.
        if name.endswith(("村委会", "村民委员会")) and not stem.endswith(("村", "嘎查")):
            # 北杏社区村民委员会: a village made a community is written 北杏社区
            out.append(stem if stem.endswith("社区") else stem + "村")
        elif name.endswith(("居委会", "居民委员会")):
            if stem.endswith("居") and len(stem) >= 3:
                out.append(stem)  # 八一居居委会 (海南's farms), 卓悦居居委会: written 八一居
            if stem.endswith("居民") and len(stem) >= 4:
                stem = stem[:-2]  # 珍珠湖居民居委会 (共青城): written 珍珠湖社区
            out.append(stem + "社区")
        elif name.endswith("生活区") and _SETTLEMENT.search(name, 0, len(name) - 3):
            # 十连生活区 (兵团), 两江林场生活区, 康保牧场一分场生活区: written 十连, 两江林场
            out.append(name[:-3])
        elif (gacha := _GACHA_COMMITTEE.search(name, 2)) is not None:
            # 锡林贝尔嘎查委员会, 陶利嘎查村委员会, …嘎查委会 are written 锡林贝尔嘎查, 陶利嘎查
            out.append(name[: gacha.start() + 2])
        elif name.endswith("村委员会") and len(name) >= 6:
            village = name[: -len("村委员会")]  # 杨甘固村委员会, 崇串村村委员会: written 杨甘固村, 崇串村
            out.append(village if village.endswith("村") else village + "村")
        base = _strip_level_suffix(out[-1], 4) if out else stem
        # 中春路社区 is written 中春路 only when the road is meant.
        if len(base) >= 2 and base not in out and not base.endswith(_ROAD_TAILS):
            out.append(base)
        core = base.removesuffix("村")
        if (plain := _strip_ethnic(core)) != core:
            # 沙洲瑶族村委会, 北穆家峪回族村村民委员会: an ethnic village written without its people (沙洲村)
            out.append(plain + ("社区" if "社区" in name or "居" in name[len(core) :] else "村"))
        elif core.endswith("民族") and len(core) >= 4:
            # 驮尖民族村委会 (畲族 villages of 文成, 泰顺, 桐庐): written without 民族 (驮尖村)
            out.append(core[:-2] + ("社区" if "社区" in name or "居" in name[len(core) :] else "村"))
        if name.endswith(("居委会", "居民委员会")) and len(base) >= 2:
            out.append(base + "居委")  # 顺庆里居委: the committee cut short, as 上海's registers write it
            if not base.endswith(("居", "委")):
                out.append(base + "居")  # 才存居 (海南): the committee cut to its first word
        if name.endswith(("居委会", "居民委员会", "社区")) and len(base) >= 2 and not base.endswith("委"):
            out.append(base + "委")  # 天宝委 (长春): a residents' committee cut to its last word
        return [s for s in out if s != name]
    if level == 3 and name.endswith("街道办事处"):
        out.append(name[: -len("办事处")])
    if level == 3 and name.startswith("兵团") and len(name) >= 6 and not name.endswith("团"):
        out.append(name[2:])  # 兵团红山农场 (XPCC farms) is written 红山农场; regiments by number elsewhere
    if level == 3 and (owner := _PROVINCE_OWNED.match(name)) is not None and len(name) - owner.end() >= 3:
        # 江苏省新曹农场, 广东省惠州市国营惠东梁化林场, 辽宁省北镇市高山子监狱: a farm, forest or prison the
        # province runs, named with its province (and city, 国营) first, is written without them
        out.append(name[owner.end() :])
    if level == 3 and name.endswith("地区") and len(name) >= 4:
        # 黄村地区, 十八里店地区: Beijing's area offices, which addresses write as the town (镇) or township
        # (乡) they were before.
        out.extend((name[:-2] + "镇", name[:-2] + "乡"))
    # A town named after its road (四川北路街道) is that road when written without 街道; an ethnic
    # township's name (青街畲族乡) is no road's.
    # A town or township named after its old market lane (周巷镇, 吕巷镇) is written so, though.
    road_like = level == 3 and stem.endswith(_ROAD_TAILS) and not (stem.endswith("巷") and name[-1] in "镇乡")
    stem = _strip_ethnic(stem)
    for autonomous, plain in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
        # 黔南布依族苗族自治州 is written 黔南州, 乳源瑶族自治县 乳源县.
        if name.endswith(autonomous) and len(stem) >= 2:
            out.append(stem + plain)
    if level == 2 and (short := _banner_short(name)) is not None:
        out.append(short)
    forms = [name, *_zone_forms(name)] if level in (2, 3) else [name]
    out.extend(forms[1:])
    for form in forms:
        if "经济技术开发区" in form:
            out.append(form.replace("经济技术开发区", "经开区"))
        if "高新技术产业开发区" in form:
            out.append(form.replace("高新技术产业开发区", "高新区"))
    if (
        len(stem) >= 2
        and stem != name
        and (stem not in GENERIC_STEMS or (level in (2, 3) and stem in COUNTY_SEAT_STEMS))
        and not stem.endswith(_ZONE_TAILS)
        and stem not in _ZONE_SUFFIXES  # 工业园区 of 工业园区街道 (霍尔果斯) names no place alone
        # 桃园, 果园, 花园 (桃园镇, 花园乡) name compounds everywhere; 潘家园, 苹果园, 核桃园 are the town.
        and not (len(stem) == 2 and stem.endswith("园"))
        and not road_like
    ):
        out.append(stem)
    return out


def _zone_forms(name: str) -> list[str]:
    """How addresses write a zone NBS lists as a town (a unit coded 4xx under its county): without its
    committee (诸城经济开发区管理委员会), without the province NBS puts first (河北任丘经济开发区), and by
    the other of its formal and plain names (昆山开发区 is written 昆山经济技术开发区, 任丘经济开发区
    任丘开发区)."""
    core = _ZONE_COMMITTEE.sub("", name)
    if not _named_zone(core):
        return []  # (经济开发区管理委员会 is no 经济开发区 of no name)
    forms = [core] if core != name else []
    province = next((p for p in PROVINCE_SHORTS if core.startswith(p)), None)
    if province is not None and _named_zone(rest := core[len(province) :]):
        forms.append(core := rest)  # (北京经济技术开发区 is no 经济技术开发区 either)
    stem = core.removesuffix("开发区")
    # (not a 高新区: a city's 开发区 is its 经济开发区)
    if stem != core and len(stem) >= 2 and not stem.endswith(("高新技术产业", "高新技术", "高新")):
        plain = _ZONE_FORMAL.sub("", stem)
        if plain == stem and not stem.endswith(("技术", "产业", "科技", "新兴")):
            forms.extend((stem + "经济技术开发区", stem + "经济开发区"))
        elif len(plain) >= 2:
            forms.append(plain + "开发区")
    return [f for f in forms if f != name]


def _named_zone(name: str) -> bool:
    """Whether a name is a zone's kind after a name of two characters or more (任丘经济开发区)."""
    kind = next((z for z in _ZONE_SUFFIXES if name.endswith(z)), None)
    return kind is not None and len(name) - len(kind) >= 2


_ZONE_COMMITTEE = re.compile("(?:管理委员会|管委会)$")
# The words of a zone's formal name before 开发区.
_ZONE_FORMAL = re.compile("(?:经济技术|经济|新兴技术)$")
# The short names of the provinces, which NBS puts before some zones' names (河北乐亭经济开发区).
PROVINCE_SHORTS = (
    "内蒙古", "黑龙江", "北京", "天津", "河北", "山西", "辽宁", "吉林", "上海", "江苏", "浙江", "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
    "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
)  # fmt: skip

# The province (and city) a town-level farm, forest or prison that a province runs is named with first.
_PROVINCE_OWNED = re.compile(
    f"(?:{'|'.join(PROVINCE_SHORTS)})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)"
    "(?:[\u4e00-\u9fff]{2,3}市)?(?:国营|国有)?"
    # 国营金安农场 (海南's farms): the state-run mark alone, written without it too
    "|国营|国有"
)


def _banner_short(name: str) -> str | None:
    """How addresses write a banner of Inner Mongolia named by its part or side: 科尔沁左翼中旗 -> 科左中旗,
    察哈尔右翼前旗 -> 察右前旗, 土默特左旗 -> 土左旗, 乌拉特前旗 -> 乌前旗, 东乌珠穆沁旗 -> 东乌旗."""
    if (m := _BANNER_PART.fullmatch(name)) is not None:
        return m.group(1) + "".join(g for g in m.groups()[1:] if g) + "旗"
    if (m := _BANNER_SIDE.fullmatch(name)) is not None:
        return m.group(1) + "旗"
    return None


_BANNER_PART = re.compile("([^东西])[^左右前中后旗]{1,3}(?:([左右])翼([前中后])|([左右前中后]))旗")
_BANNER_SIDE = re.compile("([东西][^东西旗])[^旗]{2,4}旗")


# A community's committee at the end of its official name, and what an address writes instead
# (府前社区居委会, 府前居委会 -> 府前社区; 下垟村村委会, 下垟村委会 -> 下垟村); longest first.
_WRITTEN_ENDINGS = (
    ("社区村民委员会", "社区"),  # 北杏社区村民委员会 (2,086 of them): a village made a community, written so
    ("社区村委会", "社区"),
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村居民委员会", "村"),  # 崂山三村居委会, 彭村居委会: an estate or former village, written by its name
    ("村居委会", "村"),
    ("居居民委员会", "居"),  # 八一居居委会 (海南's farms), 卓悦居居委会: written by its name
    ("居居委会", "居"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("嘎查村民委员会", "嘎查"),  # 沙日扎嘎查村民委员会 is written 沙日扎嘎查: 嘎查 is the village
    ("嘎查村委会", "嘎查"),
    ("嘎查委员会", "嘎查"),  # 江岸嘎查委员会 is written 江岸嘎查
    ("嘎查村委员会", "嘎查"),  # 陶利嘎查村委员会, 嘎查人民委员会, 嘎查委会: other committee words of one 嘎查
    ("嘎查人民委员会", "嘎查"),
    ("嘎查委会", "嘎查"),
    ("村村民委员会", "村"),
    ("村村委会", "村"),
    ("村民委员会", "村"),
    ("村村委员会", "村"),  # 崇串村村委员会, 杨甘固村委员会
    ("村委员会", "村"),
    ("村委会", "村"),
)


def after_county_and_town(name: str, county: str, town: str, above: tuple[str, ...] = ()) -> str | None:
    """A community's official name without the county and town it opens with (栾川县合峪镇杨山村村民委员会
    -> 杨山村村民委员会), also after its province and city (``above``, in order: 广东省河源市和平县阳明镇东山社区
    居民委员会 -> 东山社区居民委员会), or None when it does not open with its county."""
    for unit in above:
        if len(unit) >= 2 and name.startswith(unit):
            name = name[len(unit) :]
    if len(county) < 2 or not name.startswith(county):
        return None
    rest = name[len(county) :]
    rest = rest[len(town) :] if len(town) >= 2 and rest.startswith(town) else rest
    return rest if len(rest) >= 2 else None


# A company, farm or forestry settlement whose community NBS names …生活区.
_SETTLEMENT = re.compile("(?:连|连队|林场|农场|分场|牧场|渔场|种场|大队|作业站|林业站)$")
_COMMUNITY_MARKS = ("村", "社区", "嘎查", "委会", "委员会")


def written_forms(names: list[str]) -> list[str]:
    """Official community names as addresses write them, folded like input text, in one pass.

    >>> written_forms(["府前社区居委会", "府前居委会", "下垟村村委会", "下垟村委会", "新村"])
    ['府前社区', '府前社区', '下垟村', '下垟村', '新村']
    """
    end = "\n"  # each ending is replaced only at a name's end
    joined = end.join(names) + end
    if joined.count(end) != len(names):  # a name holding it: one by one, without it
        return [written_forms([name.replace(end, " ")])[0] for name in names]
    for ending, written in _WRITTEN_ENDINGS:
        joined = joined.replace(ending + end, written + end)
    return fold_all(joined.split(end)[:-1])


def _stem_length(name: str, level: int) -> int:
    if name in _SUFFIXES[level]:
        return 0  # a unit named just 街道 or 社区
    stem = _strip_ethnic(_strip_level_suffix(name, level))
    for generic in _ZONE_SUFFIXES:
        if stem.endswith(generic):
            stem = stem[: -len(generic)]
            break
    return 0 if stem in GENERIC_STEMS else len(stem)


def derive_readings(
    names: dict[str, str], history: list[list[str]], aliases: Sequence[tuple[str, str]] = ()
) -> dict[str, list[Entry]]:
    """Every name and alias at levels 0-3, folded, with its readings, derived by rule from the divisions
    (their names as :class:`Gazetteer` keeps them), the history table and the hand-kept aliases (昆区 for
    昆都仑区, read as short names). ``data/build_readings.py`` ships this as ``readings.tsv.gz``, so that
    loading need not derive it."""
    entries: dict[str, list[Entry]] = defaultdict(list)
    for code, name in names.items():
        # A municipality's city (上海市 3101) is named like its province and found through it; a unit the
        # divisions name by its level's mark alone (two towns called 街道) is found by no name.
        if name not in _BARE_MARKS and not (len(code) == 4 and name == names.get(code[:2])):
            _add_unit(entries, code, name)
    for row in (*history, *_former_cities(names, history)):
        _add_history(entries, names, row)
    for code, alias in aliases:
        if names.get(code, "-") != "-":
            entries[fold(alias)].append(Entry(code, level_of(code), SHORT, stem=len(alias)))
    return dict(entries)


# Names that are no name: "-" (a unit without one) and a level's mark alone.
_BARE_MARKS = frozenset(("-", "街道", "镇", "乡", "区", "县", "市", "办事处"))


def _former_cities(names: dict[str, str], history: list[list[str]]) -> list[list[str]]:
    """History rows of former prefectures (那曲地区, 铜仁地区, 襄樊市, 伊克昭盟) named as the parent of
    former counties in the history table, each to the one current city all its counties now lie in, or
    that most of them lie in and its name opens with the former one's (none when they were shared out
    among several: 南宁地区)."""
    members: dict[str, list[str]] = defaultdict(list)
    for row in history:
        level_name, _, old_code, old_parent, current = row[:5]
        if level_name == "county" and not old_parent.isdigit() and names.get(current[:4], "-") != "-":
            members[old_parent].append(current[:4] + "|" + old_code[:2])
    current_names = set(names.values())
    out = []
    for old_name, listed in members.items():
        mark = next((m for m in _FORMER_CITY_MARKS if old_name.endswith(m)), None)
        if old_name in current_names or mark is None or len(old_name) < len(mark) + 2:
            continue
        (first, n), *rest = Counter(listed).most_common()
        stem = old_name[: -len(mark)]
        # 海东地区: six counties in 海东市, 湟中县 given to 西宁市; the city named by its stem holding most
        # of them is the one it became.
        if rest and not (2 * n > len(listed) and (names.get(first[:4]) or "").startswith(stem)):
            continue
        city, province = first.split("|")
        out.append(
            ["city", old_name, "", province, city, "", "", "derived: the parent of its former counties"]
        )
    return sorted(out)


# What the names of former prefectures end with (县, 市辖区 and the like are no prefecture's name).
_FORMER_CITY_MARKS = ("地区", "盟", "市", "自治州")


# Where a 街道 is written X街: Guangdong, Wuhan.
_STREET_WRITTEN_JIE = ("44", "4201")


def _add_unit(entries: dict[str, list[Entry]], code: str, name: str) -> None:
    level = level_of(code)
    stem, aliases = _derived(name, level)
    entries[fold(name)].append(Entry(code, level, FULL, stem=stem))
    if level == 3 and name.endswith("街道") and len(name) > 3:
        # 中南路街办事处, 小寨路街办: the street office written short (Hubei, Shaanxi), as marked
        # as the official name, so it may open a chain as that does.
        # Wuhan calls its street offices 杨园街, officially 杨园街道 or 花楼街街道: either is written
        # with 街 once or twice.
        written_forms = [name[:-1] + "办事处", name[:-1] + "办"]
        if name.endswith("街街道"):
            if len(name) >= 5:  # not 大街街道 -> 大街道, a word of many names (朝外大街道)
                written_forms.append(name[:-3] + "街道")
            if code.startswith(_STREET_WRITTEN_JIE):
                # 花楼街办事处, 花楼街办: the office of 花楼街街道, as Wuhan writes it
                written_forms.extend((name[:-2] + "办事处", name[:-2] + "办"))
        else:
            written_forms.append(name[:-2] + "街街道")
        for written in written_forms:
            entries[fold(written)].append(Entry(code, level, FULL, stem=stem))
        if code.startswith(_STREET_WRITTEN_JIE):
            # 番禺区大石街, 天河区石牌街, 江汉区花楼街 (花楼街街道): Guangdong and Wuhan write a 街道 as X街 (after
            # its county, as a short name must be: alone, X街 is more often a street).
            short = name[:-2] if name.endswith("街街道") else name[:-1]
            entries[fold(short)].append(Entry(code, level, SHORT, stem=stem))
    for alias in aliases:
        # 城关 of 城关区 is generic: read only after the city (兰州城关), never opening a chain
        generic = level == 2 and alias in COUNTY_SEAT_STEMS
        entries[fold(alias)].append(Entry(code, level, SHORT, stem=0 if generic else len(alias)))
    if level == 3 and (zoned := _ZONE_PREFIXED.fullmatch(name)) is not None:
        # 天津经济技术开发区东区泰达街道, 郑州经济技术开发区明湖街道: a town NBS names after its zone, written
        # by its own name (泰达街道, 泰达).
        own = zoned.group(1)
        entries[fold(own)].append(Entry(code, level, FULL, stem=_stem_length(own, level)))
        for alias in short_names(own, level):
            entries[fold(alias)].append(Entry(code, level, SHORT, stem=len(alias)))


# A town named after the zone it lies in, then its own name (not 特殊街道, 直属乡镇: no name of its own).
_ZONE_PREFIXED = re.compile(
    "(?:[（(][^）)]*[）)]|.{0,12}?(?:开发区|新区|园区|高新区)(?:[东西南北]区)?)"
    "((?!特殊|直属|管理)[\u3400-\u9fff]{2,6}(?:街道|镇|乡))"
)


def _add_history(entries: dict[str, list[Entry]], names: dict[str, str], row: list[str]) -> None:
    level_name, old_name, old_code, old_parent, current = row[:5]
    level = LEVELS.index(level_name)
    if names.get(current, "-") == "-":
        return
    if level == 2 and any(e.level < 2 and e.kind == FULL for e in entries.get(fold(old_name), ())):
        return  # a former county named like a current city (绍兴市) would shadow the city
    parent = old_parent if old_parent.isdigit() else (old_code[: CODE_LENGTHS[level - 1]] if old_code else "")
    entry = Entry(current, level, HISTORIC, parent, _stem_length(old_name, level))
    for key in (old_name, *short_names(old_name, level)):
        # Skip what the current names already say (same unit, same parent); and the short name of a county
        # gone before 2000 that names a unit under its successor now (川沙 of 川沙县, 1992: the town 川沙新镇 of
        # 浦东新区).
        here = entries.get(fold(key), ())
        if key != old_name and level == 2 and _long_gone(row) and _names_a_unit_under(names, current, key):
            continue
        if not any(e.code == current and (not parent or e.under(parent)) for e in here):
            entries[fold(key)].append(
                entry if key == old_name else Entry(current, level, HISTORIC, parent, len(key))
            )


def _long_gone(row: list[str]) -> bool:
    """Whether a history row's unit was last named so before 2000."""
    last = row[6] if len(row) > 6 else ""
    return last.isdigit() and int(last) < 2000


def _names_a_unit_under(names: dict[str, str], code: str, short: str) -> bool:
    """Whether a unit under ``code`` (a town of a county) has a name that opens with ``short``."""
    return any(c.startswith(code) and c != code and n.startswith(short) for c, n in names.items())


def encode_readings(entries: dict[str, list[Entry]]) -> Iterator[str]:
    """Lines ``key<TAB>reading|reading…`` of the readings table; a reading is ``code level kind parent
    stem`` (parent ``-`` when none), in the order they are tried."""
    for key in entries:  # in the order derived, so that either way the automaton is the same
        items = "|".join(f"{e.code} {e.level} {e.kind} {e.parent or '-'} {e.stem}" for e in entries[key])
        yield f"{key}\t{items}"


def decode_readings(raw: str) -> tuple[Entry, ...]:
    """The readings of one line of the table (what follows the key)."""
    out = []
    for item in raw.split("|"):
        code, level, kind, parent, stem = item.split(" ")
        out.append(Entry(code, int(level), int(kind), "" if parent == "-" else parent, int(stem)))
    return tuple(out)


def encoded_community_index(community_rows: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(written name, codes joined by ",") of every community nationwide, sorted by name: what
    ``community_index.tsv.gz`` holds. ``community_rows`` maps a town's code to its shipped row
    (code suffix and official name, alternating, tab-separated)."""
    from stdaddr.workers import fewer_collections

    codes: list[str] = []
    names: list[str] = []
    for town, row in community_rows.items():
        fields = row.split("\t")
        pairs = len(fields) // 2 * 2
        codes.extend([town + c for c in fields[0:pairs:2]])
        names.extend(fields[1:pairs:2])
    index: dict[str, list[str]] = {}
    with fewer_collections():
        for key, code in zip(written_forms(names), codes, strict=True):
            found = index.get(key)
            if found is None:
                index[key] = [code]
            else:
                found.append(code)
    return ((key, ",".join(index[key])) for key in sorted(index))


# A number in Chinese digits before a lane's or door's mark, in a community's name (一二四四弄, 一零七弄).
_LANE_NUMERAL = re.compile("[〇零一二三四五六七八九十百]+(?=弄|号)")


def _arabic_numeral(m: re.Match[str]) -> str:
    return to_number(m.group())


# How the keys of a community's name, or of the part of it addresses write, are read.
_AS_NAMED, _AFTER_TOWN, _MARKED_ONLY = range(3)


class CommunityIndex:
    """The communities under one county or town by the names addresses write them, with their readings.

    Every key of a name opens with the name's first character (short names cut its end), so the keys are
    derived by first character, on first use: a county has hundreds of communities, a text asks after a
    few openings.

    >>> index = load().communities("330302")
    >>> [e.code for e in index.get("府前社区")], index.longest("府前") >= 4, "府前路" in index
    (['330302006109'], True, False)
    """

    __slots__ = ("_forms", "_keys", "_longest")

    def __init__(self, forms: list[tuple[str, str, int]]) -> None:
        self._forms: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for folded, form in zip(fold_all([f[0] for f in forms]), forms, strict=True):
            if folded:
                self._forms[folded[0]].append(form)
        self._keys: dict[str, dict[str, tuple[Entry, ...]]] = {}
        self._longest: dict[str, dict[str, int]] = {}

    def _bucket(self, first: str) -> dict[str, tuple[Entry, ...]]:
        found = self._keys.get(first)
        if found is not None:
            return found
        index: dict[str, list[Entry]] = defaultdict(list)
        longest: dict[str, int] = {}
        for form, code, how in self._forms.get(first, ()):
            for key, kind, stem in _community_keys(form):
                if how == _MARKED_ONLY and not key.endswith(_COMMUNITY_MARKS):
                    continue
                index[key].append(Entry(code, 4, kind if how == _AS_NAMED else SHORT, stem=stem))
                if len(key) >= 2 and len(key) > longest.get(key[:2], 0):
                    longest[key[:2]] = len(key)
        found = self._keys[first] = {k: tuple(v) for k, v in index.items()}
        self._longest[first] = longest
        return found

    def get(self, key: str, default: tuple[Entry, ...] = ()) -> tuple[Entry, ...]:
        """The readings of a folded key, ``default`` when no community here is written so."""
        return self._bucket(key[:1]).get(key, default) if key else default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(self.get(key))

    def longest(self, opening: str) -> int:
        """Length of the longest key opening with these two characters, 0 when none does: no longer
        name need be looked up there."""
        if len(opening) < 2:
            return 0
        self._bucket(opening[0])
        return self._longest[opening[0]].get(opening, 0)

    def items(self) -> Iterator[tuple[str, tuple[Entry, ...]]]:
        """Every key with its readings (deriving them all)."""
        for first in self._forms:
            yield from self._bucket(first).items()


class Gazetteer:
    """Division names and codes, with lookups by name, alias, code and former name.

    Build one with :func:`load`; it is immutable after loading and safe to share between threads.
    ``readings`` is the shipped table of names and their readings (``data/readings.tsv.gz``), decoded
    name by name on first use; without it they are derived from ``names``, ``history`` and ``aliases``.
    ``community_index`` reads the shipped index of communities by written name
    (``data/community_index.tsv.gz``) on first use; without it that is derived from ``communities``.
    """

    def __init__(
        self,
        names: dict[str, str],
        communities: dict[str, str],
        history: list[list[str]],
        readings: dict[str, str] | None = None,
        community_index: Callable[[], dict[str, str]] | None = None,
        aliases: Sequence[tuple[str, str]] = (),
    ):
        self._names = names
        self._community_rows = communities  # town code -> raw row, split on first use
        self._community_index = community_index  # reads the shipped index: written name -> codes
        _drop_county_names(names)
        self._entries: dict[str, tuple[Entry, ...] | str]
        if readings is None:
            self._entries = {k: tuple(v) for k, v in derive_readings(names, history, aliases).items()}
        else:
            self._entries = dict(readings)

    def name(self, code: str) -> str | None:
        """Official name of a code, or None for an unknown code or one that is no address level."""
        if len(code) == 12:
            town = self._communities(code[:9])
            return town.get(code)
        name = self._names.get(code)
        return None if name in (None, "-") else name

    def path(self, code: str) -> tuple[str, ...]:
        """Codes from the province down to ``code`` itself, skipping levels that are not address levels."""
        return tuple(code[:n] for n in CODE_LENGTHS if n <= len(code) and self.name(code[:n]) is not None)

    def lookup(self, name: str) -> tuple[Entry, ...]:
        """Every reading of a name at levels 0-3 (official, short, former)."""
        return self.entries_of(fold(name))

    def index_keys(self) -> list[str]:
        """All names and aliases at levels 0-3, folded (for building an automaton)."""
        return list(self._entries)

    def entries_of(self, key: str) -> tuple[Entry, ...]:
        """The readings of one folded name or alias, () when it names nothing."""
        found = self._entries.get(key, ())
        if isinstance(found, str):
            found = self._entries[key] = decode_readings(found)
        return found

    def readings(self) -> Iterator[tuple[str, tuple[Entry, ...]]]:
        """All names and aliases at levels 0-3 with their readings."""
        for key in self.index_keys():
            yield key, self.entries_of(key)

    def _communities(self, town: str) -> dict[str, str]:
        return self._split_communities(town)

    @cache  # noqa: B019 - one gazetteer per process, cached for its lifetime
    def _split_communities(self, town: str) -> dict[str, str]:
        row = self._community_rows.get(town)
        if row is None:
            return {}
        fields = row.split("\t")
        return {town + fields[i]: fields[i + 1] for i in range(0, len(fields) - 1, 2)}

    @cache  # noqa: B019
    def communities(self, parent: str) -> CommunityIndex:
        """Names and aliases of the communities under a county or town code, with their readings."""
        towns = [parent] if len(parent) == 9 else self._towns_under.get(parent, [])
        county = self.name(parent[:6]) or ""
        above = (self.name(parent[:2]) or "", self.name(parent[:4]) or "")
        forms: list[tuple[str, str, int]] = []  # (name or part of it, code, how its keys are read)
        for town_code in towns:
            town = self.name(town_code) or ""
            for code, name in self._communities(town_code).items():
                forms.append((name, code, _AS_NAMED))
                if (arabic := _LANE_NUMERAL.sub(_arabic_numeral, name)) != name:
                    # 临汾路一二四四弄居委会 (上海): its lane's number written in Arabic digits (临汾路1244弄).
                    forms.append((arabic, code, _AS_NAMED))
                if len(town) >= 3 and name.startswith(town) and len(name) - len(town) >= 3:
                    # 七星农场第一管理区 of 七星农场: after the town, written without its name (第一管理区).
                    forms.append((name[len(town) :], code, _AFTER_TOWN))
                elif (rest := after_county_and_town(name, county, town, above)) is not None:
                    # 栾川县合峪镇杨山村村民委员会 (栾川, 东源, 连平): written without its county and town, with
                    # its mark (杨山村; not the bare 杨山, which many words open with).
                    forms.append((rest, code, _MARKED_ONLY))
        return CommunityIndex(forms)

    @cached_property
    def _towns_under(self) -> dict[str, list[str]]:
        """Town codes (with communities) under each province, city and county code."""
        out: dict[str, list[str]] = defaultdict(list)
        for town in self._community_rows:
            for n in (2, 4, 6):
                out[town[:n]].append(town)
        return dict(out)

    def communities_written(self, key: str) -> list[str]:
        """Codes of the communities nationwide whose name, as addresses write it with 社区/村 and folded,
        is ``key`` (府前社区, 下垟村).

        >>> [c for c in load().communities_written("府前社区") if c.startswith("3303")]
        ['330302006109', '330326100022']
        """
        raw = self._national_communities.get(key)
        return [] if raw is None else raw.split(",")

    @cached_property
    def _national_communities(self) -> dict[str, str]:
        """The shipped index (``community_index.tsv.gz``), else derived from the communities (about a
        second nationwide)."""
        if self._community_index is not None:
            return self._community_index()
        return dict(encoded_community_index(self._community_rows))

    def units(self, level: int) -> Iterable[tuple[str, str]]:
        """(code, name) of every unit at a level 0-3 that is an address level."""
        n = CODE_LENGTHS[level]
        return ((c, nm) for c, nm in self._names.items() if len(c) == n and nm != "-")

    def units_under(self, code: str, level: int) -> list[tuple[str, str]]:
        """(code, name) of the units of a level 1-3 under ``code`` that are address levels, in code order.

        >>> [name for _, name in load().units_under("3303", 2)][:3]
        ['鹿城区', '龙湾区', '瓯海区']
        """
        return [(c, self._names[c]) for c in self._codes_under.get((code, CODE_LENGTHS[level]), ())]

    @cached_property
    def _codes_under(self) -> dict[tuple[str, int], list[str]]:
        """Codes of the units that are address levels, by each shorter code above them and their length."""
        out: dict[tuple[str, int], list[str]] = defaultdict(list)
        for code, name in sorted(self._names.items()):
            if name != "-":
                for n in CODE_LENGTHS[: CODE_LENGTHS.index(len(code))]:
                    out[(code[:n], len(code))].append(code)
        return dict(out)

    def children(self, code: str) -> list[str]:
        """Codes of the units one address level below ``code`` (skipping non-address levels)."""
        level = level_of(code)
        if level == 3:
            return sorted(self._communities(code))
        for below in range(level + 1, 4):
            found = self._codes_under.get((code, CODE_LENGTHS[below]))
            if found:
                return list(found)
        return sorted(c for t in self._towns_under.get(code, []) for c in self._communities(t))


_TOWN_TAILS = ("街道", "镇", "乡")


def _drop_county_names(names: dict[str, str]) -> None:
    """Rename in place the towns whose NBS name starts with their county's name (当阳市河溶镇 → 河溶镇).

    About 90 towns of a few counties (博爱县, 濮阳县, 济源市, 当阳市, …) are listed so; written
    addresses name the county and then the town, so the county's name is not part of the town's.
    Zones keep theirs (东丽区经济技术开发区: without it the name says nothing).
    """
    for code, name in names.items():
        county = names.get(code[:6], "-") if len(code) == 9 else "-"
        if county == "-" or not name.startswith(county):
            continue
        rest = name[len(county) :]
        if rest.endswith(_TOWN_TAILS) and _stem_length(rest, 3) > 0 and "政府" not in rest:
            names[code] = rest


def _read(name: str) -> str:
    path = resources.files("stdaddr").joinpath("data").joinpath(name)
    if name.endswith(".gz"):
        return gzip.decompress(path.read_bytes()).decode("utf-8")
    return path.read_text(encoding="utf-8")


@cache
def zones() -> dict[str, str]:
    """Zones that are no division but name where they lie (郑东新区 -> 4101), from ``data/zones.tsv``."""
    out = {}
    for line in _read("zones.tsv").splitlines():
        if line and not line.startswith("#"):
            name, code, _ = line.split("\t", 2)
            out[name] = code
    return out


@cache
def former_seats() -> dict[tuple[str, str], str]:
    """Former county-level cities named like the city their prefecture became, by (prefecture's former
    name, the county's former name): 日喀则地区日喀则市 names the county-level 日喀则市, now 桑珠孜区
    (540202), though 日喀则市 alone is the city today. From the shipped history table."""
    names, history = _shipped_divisions()
    cities = {name for code, name in names.items() if len(code) == 4}
    return {
        (row[3], row[1]): row[4]
        for row in history
        if row[0] == "county" and row[1] in cities and not row[3].isdigit() and names.get(row[4], "-") != "-"
    }


@cache
def counties_given_towns() -> dict[str, frozenset[str]]:
    """The counties that took towns of another, by the code the other is read as: 余杭区 (330110) gave
    临平街道, 乔司街道 … to 临平区 (330113) in 2021, so its villages may still be written under 余杭区. From
    the town rows of the shipped history table."""
    out: dict[str, set[str]] = {}
    for row in _shipped_divisions()[1]:
        if row[0] == "town" and len(row[3]) == 6 and row[4][:6] != row[3]:
            out.setdefault(row[3], set()).add(row[4][:6])
    return {k: frozenset(v) for k, v in out.items()}


def _shipped_divisions() -> tuple[dict[str, str], list[list[str]]]:
    """The names of levels 0-3 by code and the history rows, as shipped."""
    names: dict[str, str] = {}
    for line in _read("divisions.tsv").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            names[code] = name
    history = [
        line.split("\t") for line in _read("history.tsv").splitlines() if line and not line.startswith("#")
    ]
    return names, history


def shipped_aliases() -> list[tuple[str, str]]:
    """The hand-kept colloquial names, as (code, alias), from ``aliases.tsv``."""
    rows = [
        line.split("\t") for line in _read(ALIASES_FILE).splitlines() if line and not line.startswith("#")
    ]
    return [(row[0], row[1]) for row in rows]


def derived_from_shipped_files() -> dict[str, list[Entry]]:
    """:func:`derive_readings` of the shipped divisions, history and aliases: what ``readings.tsv.gz``
    must hold."""
    names, history = _shipped_divisions()
    _drop_county_names(names)
    return derive_readings(names, history, shipped_aliases())


@cache
def load() -> Gazetteer:
    """The shipped gazetteer, loaded once per process."""
    names, history = _shipped_divisions()
    communities: dict[str, str] = {}
    for line in _read("communities.tsv.gz").splitlines():
        if line and not line.startswith("#"):
            town, _, rest = line.partition("\t")
            communities[town] = rest
    readings: dict[str, str] = {}
    for line in _read(READINGS_FILE).splitlines():
        if line and not line.startswith("#"):
            key, _, raw = line.partition("\t")
            readings[key] = raw
    return Gazetteer(names, communities, history, readings, _shipped_community_index)


def _shipped_community_index() -> dict[str, str]:
    lines = _read(COMMUNITY_INDEX_FILE).splitlines()
    return dict(line.split("\t", 1) for line in lines if line and not line.startswith("#"))
