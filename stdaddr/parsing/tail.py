"""The part below the divisions: community, group, road, number, compound, building, unit, floor, room.

One compiled pattern splits the text into tokens (a road, a house number, ``3-2-301``, a note in
brackets, a phone number, …); the characters between tokens are free text. Then a left-to-right pass
gives each token its field from its kind and from what came before it: a bare ``123`` after a road is
a house number, after a building it is a room; free text after the house number is the compound
(poi), after the room it is a note (extra).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdaddr.parsing.alternation import guarded_alternation
from stdaddr.text import CN_DIGITS, PLAIN_NUMERALS, chinese_numeral, match_end, to_number
from stdaddr.text import NUMERAL as N

__all__ = [
    "Piece",
    "split_tail",
    "ORDER",
    "PUNCTUATION",
    "ROAD_AHEAD",
    "road_ahead",
    "bare_road_tail_at",
    "ring_road_key",
    "road_number_key",
]

ORDER = {
    "province": 0,
    "city": 1,
    "county": 2,
    "town": 3,
    "community": 4,
    "group": 5,
    "road": 6,
    "house_number": 7,
    "poi": 8,
    "building": 9,
    "unit": 10,
    "floor": 11,
    "room": 12,
}

# A CJK character that can be part of a name: a negated class (fast) of everything else and of the markers
# (ideographs are U+3400-4DBF, extension A: 㐀 䶮; U+4E00-9FFF; U+20000-3FFFF, extensions B-H: 𠮷).
_CJK_NAME = "[^\x00-\u33ff\u4dc0-\u4dff\ua000-\U0001ffff\U00040000-\U0010ffff路街巷弄号幢栋单室层组村社]"
# Road names may contain 村 and 社 (中关村大街); a community written before a road is split off later.
_ROAD_NAME = "[^\x00-\u33ff\u4dc0-\u4dff\ua000-\U0001ffff\U00040000-\U0010ffff路街巷弄号幢栋单室层组]"
_TOWN_NAME = "[^\x00-\u33ff\u4dc0-\u4dff\ua000-\U0001ffff\U00040000-\U0010ffff路街巷弄号幢栋单室层组社镇乡]"
# In the lexer, 乡 may be inside a town's name (良乡镇) and 巷 inside a road's (杨巷路): the marks that end
# those names refuse them where the name goes on (乡(?!镇), 巷(?!路)), and the lazy match then extends.
_TOWN_NAME_LEXED = "[^\x00-\u33ff\u4dc0-\u4dff\ua000-\U0001ffff\U00040000-\U0010ffff路街巷弄号幢栋单室层组镇]"
_ROAD_NAME_LEXED = "[^\x00-\u33ff\u4dc0-\u4dff\ua000-\U0001ffff\U00040000-\U0010ffff路街弄号幢栋单室层组]"
# Words that end a zone's name, for the lexer here and the division finder (divisions.ZONE); no word
# is a prefix of another that starts at the same character, so their order does not matter.
ZONE_WORDS = tuple(  # noqa: SIM905 - a word list reads better as one string
    "高新技术产业开发区 经济技术开发区 经济开发区 经开区 开发区 工业园区 工业区 工业园 高新区 园区 新区 "
    "旅游度假区 度假区 自由贸易试验区 自由贸易区 自贸区 综合保税区 保税港区 保税区 出口加工区 物流园区 商务区 "
    "产业集聚区 集聚区 台商投资区 合作区 港区".split()
)
_BARE_ZONES = frozenset(ZONE_WORDS)
_DOOR_AHEAD = re.compile(f"{N}号(?!楼)")
_CN_DIGIT = "[〇零一二三四五六七八九]"
_ANY_DIGIT = "[0-9〇零一二三四五六七八九]"
# Three to five digits, some Chinese, some Arabic (五0一); not 8一5 (一 for a dash) nor 之二|502.
_MIXED_DIGITS = (
    f"(?<![之附])(?={_ANY_DIGIT}{{3,5}}[室户房])(?![0-9]+一[0-9])"
    f"(?:{_CN_DIGIT}+[0-9]|[0-9]+{_CN_DIGIT}){_ANY_DIGIT}*"
)
# 交道口|南大街, 新街口|外大街, 五道口|成府路: 街 (or 道, always) before 口 and a road names a crossing, which
# names the road (or an area before it, see _CROSSING_PREFIX); it ends no road itself. 单 not of 单元 may be
# inside a road's name too (西单北大街).
_MOUTH_ROAD = f"口{_ROAD_NAME}{{0,8}}?(?:大街|大道|路|街|巷)"
# 东四十条, 北新桥头条, 西四北三条: a Beijing hutong numbered in a row, a road named without a road word.
HUTONG_NUMBER = "(?:头|[一二三四五六七八九十]{1,3})条"
# Not before more of a name (东四十条桥); a door may follow in Chinese digits or with 甲 (东四三条五十四号, 三条甲5号).
NUMBERED_HUTONG = (
    f"{HUTONG_NUMBER}(?![\u3400-\u9fff\U00020000-\U0003ffff](?<![〇零一二三四五六七八九十甲乙丙丁]))"
)
_ZONE_ALTERNATION = "|".join((*ZONE_WORDS, "经济区"))
# The committees of a community (居委会 of a 社区, 村委会 of a 村), written after its name or alone.
COMMITTEE_WORDS = "居委会|居民委员会|村委会|村民委员会|村民委(?!员)|村委(?!会)|村部(?![门队])"
_POI_AFTER = r"(?:小区|花园|公寓|大厦|新村|家园|苑|广场|山庄|别墅|名苑|华庭|公馆|大楼|商城|楼)"

# A mobile number, or a fixed line with its area code.
# A mobile or landline number, its groups maybe parted by spaces (folded to commas: 139 0677 1234).
_PHONE_NUMBER = (
    # (+86 138 1666 1234, +86-21-68881234: the country's code first; 021-68881234转8001: an extension)
    "(?:(?:(?:\\+|00)86[,-]?)?(?:1[3-9][0-9](?:[,-]?[0-9]{4}){2}"
    "|1[3-9][0-9]\\*{4}[0-9]{4}"  # 139****1234: a mobile number masked
    "|1[3-9][0-9](?=[0-9]*[X*])[0-9X*]{8}(?![0-9X*])"  # 1393770XXXX, 138XXXX1234
    "|0[0-9]{2,3}(?:-?[0-9]{7,8}|,[0-9]{7,8}|,[0-9]{3,4},[0-9]{4}))"
    "|(?:\\+|00)86[,-]?[1-9][0-9]{1,2}[,-]?[0-9]{7,8})(?:转[0-9]{1,6})?"
)
# Teams and committees' groups, not a villager group named by its place (村民组 and 村小组 are numbered).
# A person's name masked in a published record: a surname, then 某某, XX or stars.
_MASKED_NAME = "[\u3400-\u9fff](?:某某?|XX?|\\*{1,3}|×{1,3})(?![\u3400-\u9fff\U00020000-\U0003ffff])"
_NOT_GROUP_NAME = "工作|专案|督查|巡查|巡逻|调解|网格|治保|党|民(?=组)|小(?=组)"
# After 号: no 楼 of a building (12号楼), but 楼下/楼上 where something happens (218号楼上漏水, 16号楼下吵架,
# 3008号楼上每天…).
_UPSTAIRS = "(?![下顶道]|上(?=$|[^\u3400-\u9fff\U00020000-\U0003ffff]|[面边有漏装吵噪的住每经一长天总]))"
_NOT_BUILDING = f"(?!楼{_UPSTAIRS})"
# The syllables of Hanyu Pinyin without tones, upper-cased, by initial (the Pinyin table; the rarest left
# out), for a place written again in pinyin.
_PINYIN_TABLE = {
    "": "A AI AN ANG AO E EI EN ENG ER O OU",
    "ZH": "A AI AN ANG AO E EN ENG I ONG OU U UA UAI UAN UANG UI UN UO",
    "CH": "A AI AN ANG AO E EN ENG I ONG OU U UA UAI UAN UANG UI UN UO",
    "SH": "A AI AN ANG AO E EN ENG I OU U UA UAI UAN UANG UI UN UO",
    "B": "A AI AN ANG AO EI EN ENG I IAN IAO IE IN ING O U",
    "P": "A AI AN ANG AO EI EN ENG I IAN IAO IE IN ING O OU U",
    "M": "A AI AN ANG AO EI EN ENG I IAN IAO IE IN ING IU O OU U",
    "F": "A AN ANG EI EN ENG O OU U",
    "D": "A AI AN ANG AO E EI ENG I IAN IAO IE IN ING IU ONG OU U UAN UI UN UO",
    "T": "A AI AN ANG AO E ENG I IAN IAO IE ING ONG OU U UAN UI UN UO",
    "N": "A AI AN ANG AO E EI ENG I IA IAN IANG IAO IE IN ING IU ONG U UAN UE UN UO",
    "L": "A AI AN ANG AO E EI ENG I IA IAN IANG IAO IE IN ING IU ONG OU U UAN UE UN UO",
    "G": "A AI AN ANG AO E EI EN ENG ONG OU U UA UAI UAN UANG UI UN UO",
    "K": "A AI AN ANG AO E EN ENG ONG OU U UA UAI UAN UANG UI UN UO",
    "H": "A AI AN ANG AO E EI EN ENG ONG OU U UA UAI UAN UANG UI UN UO",
    "J": "I IA IAN IANG IAO IE IN ING IONG IU U UAN UE UN",
    "Q": "I IA IAN IANG IAO IE IN ING IONG IU U UAN UE UN",
    "X": "I IA IAN IANG IAO IE IN ING IONG IU U UAN UE UN",
    "R": "AN ANG AO E EN ENG I ONG OU U UAN UI UN UO",
    "Z": "A AI AN ANG AO E EI EN ENG I ONG OU U UAN UI UN UO",
    "C": "A AI AN ANG AO E EN ENG I ONG OU U UAN UI UN UO",
    "S": "A AI AN ANG AO E EN ENG I ONG OU U UAN UI UN UO",
    "Y": "A AN ANG AO E I IN ING ONG OU U UAN UE UN",
    "W": "A AI AN ANG EI EN ENG O U",
}
_PINYIN_SYLLABLE = "|".join(
    f"{initial}(?:{'|'.join(sorted(finals.split(), key=len, reverse=True))})"
    if initial
    else "|".join(sorted(finals.split(), key=len, reverse=True))
    for initial, finals in sorted(_PINYIN_TABLE.items(), key=lambda kv: -len(kv[0]))
)
# Scripts other than Chinese and Latin that addresses of China are written in too.
OTHER_SCRIPT = re.compile(
    "[\u0400-\u04ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u0f00-\u0fff\u1800-\u18af"
    "\u3040-\u30ff\uac00-\ud7af\ufb50-\ufdff\ufe70-\ufeff]"
)
# The tokenizer's alternatives, in order of precedence (the first that matches at a position wins).
_TOKEN_ALTERNATIVES = (
    # (and a run of another script: Uyghur, Tibetan, Mongolian, Cyrillic, Korean, kana — the place
    # written again in its own language, a note)
    rf"(?P<note>\([^()]*(?:\)|$)|{OTHER_SCRIPT.pattern}+(?:[·.'\-]+{OTHER_SCRIPT.pattern}+)*)",
    # Room 1203, Bldg 3, Unit 2, Floor 12, No.88 (spaces folded away, letters upper-cased): the
    # English label of a level, as foreign-facing records and couriers write them.
    r"(?P<english>(?<![A-Z])(?:(ROOM|RM|APT|FLAT|SUITE)|(BLDG|BUILDING|BLOCK|BLK|TOWER)|(UNIT)|(FLOOR|FL)"
    r"|(NO(?=\.?[0-9])))\.?#?([0-9]+(?:[A-Z](?![A-Z]))?|(?<=[GKR])[A-Z](?![A-Z]))"
    # Chaoyang District, Jianguo Road: a place written again in English or pinyin, a note.
    # (CITY, ROAD … only before a separator, a number or the end: 天健ID CITY创意园 is a name.)
    r"|[A-Z]*(?:DISTRICT|PROVINCE|COUNTY|TOWNSHIP|(?<![A-Z])(?:CHINA|PRC))(?![A-Z])"
    r"|[A-Z]*(?:CITY|STREET|AVENUE|ROAD|VILLAGE)(?=[,.0-9]|$)"
    # Chengzhong Qu, Yining Shi, Bayituohai: a place written again in pinyin (spaces folded away),
    # two syllables or more, five letters or more.
    # (two consonants at least: AAAAA, a masked name, is no place)
    rf"|(?<![A-Z0-9])(?=[A-Z]{{5}})(?=[AEIOUV]*[B-DF-HJ-NP-TW-Z][AEIOUV]*[B-DF-HJ-NP-TW-Z])"
    rf"(?:{_PINYIN_SYLLABLE}){{2,8}}(?![A-Z0-9]))",
    # 邮编325000, and a bare six-digit code at the end, set apart or right after the door (解放街88号,325000;
    # 人民南路四段11号610041: no room has six digits).
    r"(?P<postcode>邮政?编码?,?[0-9]{6}(?![0-9])|(?<=[,号])[1-8][0-9]{5}(?=,*$))",
    # 电话13812345678, 手机：139…, TEL:0577-…: a phone number with the label before it.
    r"(?P<phone>(?:(?:联系|办公|固定)?(?:电话|手机|座机|固话|TEL|PHONE|MOBILE)(?:号码?)?[,\s]*)?"
    rf"(?<![0-9]){_PHONE_NUMBER}(?![0-9]))",
    # 45岁, 3人, 3000元, 98.5平方米: a measure, not a level (its number is no building or room).
    # XC0402-R21-17地块, YZ13-03-A3地块: a plot's code in a land record, no building or room.
    # 第3网格, 3号网格, 网格2, 网格员巡查, 网格长: a cell of the community's grid (网格化管理) and its
    # staff, where a ticket was filed, not a door or a building.
    # (a Chinese numeral after 网格 opens the next name when one follows: 网格|五常大道)
    rf"(?P<measure>(?:第?(?:{N}|[A-Z])号?)?网格(?!化)(?:(?<!号网格)(?:[0-9]+|[{CN_DIGITS}十]+(?![\u3400-\u9fff]))|[A-Z](?![A-Z0-9]))?(?:员|长)?"
    r"(?:(?<=[员长])(?:巡查|巡逻|上报|报告|发现|反映|走访))?"
    r"|(?<![0-9A-Z-])(?=[A-Z0-9-]*[0-9])[A-Z0-9]+(?:-[A-Z0-9]+)*地块"
    r"|(?<![0-9A-Z.-])[0-9]+(?:\.[0-9]+)?(?:周岁|岁|人|名|元|万元|平方米|平米|平方|M2|亩|公斤|吨|辆)(?![\u3400-\u9fff\U00020000-\U0003ffff])"
    # 2.5米, 1.5元上调至…, 1.2万元: a number with a decimal point and its unit (no door has one)
    r"|(?<![0-9A-Z.-])[0-9]+\.[0-9]+(?:万?元|米|公里|千米|厘米|平方米|平米|平方|亩|公斤|斤|吨|小时|天|倍|%|％)"
    # 出租8间, 隔断4间, 租户 2户: rooms or households counted in a rental record, no building or room
    r"|(?:出租|隔断|共有|共)[0-9]{1,3}间|(?:租户|住户)[,\s]*[0-9]{1,3}户"
    # 45岁男子, 70多岁老人: who, by age, in a ticket's account
    r"|(?<![0-9A-Z.-])[0-9]+多?(?:周岁|岁)(?:男子|女子|男性|女性|男孩|女孩|老人|儿童|小孩|孩子)"
    # 3辆车, 10多人, 三户人家, 约200平方米: counts in a ticket's account of what happened.
    r"|(?<![0-9A-Z.-])(?:[0-9]+|[一二两三四五六七八九十几]{1,3})(?:多|余)?(?:辆|个(?!体)|人(?!民)|户人家|平方米|平米)"
    r"(?=[\u3400-\u9fff\U00020000-\U0003ffff])(?!号|室|幢|栋|楼|层|单元)"
    # 5名男子, 8家烧烤店: people and firms counted, by a number too small for a room (1477|家友货运 is a
    # room, then a firm) in Arabic digits (三家村, 五家渠 are names).
    r"|(?<![0-9A-Z.-])[1-9][0-9]?(?:多|余)?[名家](?=[\u3400-\u9fff\U00020000-\U0003ffff])(?!号|室|幢|栋|楼|层|单元)"
    # 停水2天, 10分钟, 20户居民, 12盒: a duration or a count in Arabic digits (七天, 一家 open names: 七天酒店).
    r"|(?<![0-9A-Z.-])[0-9]+(?:多|余)?(?:天|分钟|小时|只|盒|件|次|户居民|户村民)(?![号室幢栋楼层单])"
    # 地铁1号线, 3路公交站: a metro line or a bus route, no door.
    r"|(?:地铁|轨道交通|轻轨)?(?<![0-9])(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})号线(?![材缆厂管板圈槽])"
    r"|(?<![0-9])[0-9]{1,3}路(?:公交车?|汽车|公共汽车|车)(?:站|车站)?"
    # 10点, 8点半, 2024年3月5日, 2023.12.01: a time or a date.
    r"|(?<![0-9])[0-9]{1,2}(?:点|时)(?:半|钟|[0-9]{1,2}分?)?(?!位|缀)"
    r"|(?<![0-9])[0-9]{4}年(?:[0-9]{1,2}月(?:[0-9]{1,2}[日号])?)?|(?<![0-9])[0-9]{1,2}月[0-9]{1,2}[日号]"
    r"|(?<![0-9])[0-9]{4}[./][0-9]{1,2}[./][0-9]{1,2}(?![0-9])"
    # 2024-07-01, 20:00-23:00 (the colon folded to a comma): a date or a time of day.
    r"|(?<![0-9-])(?:19|20)[0-9]{2}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12][0-9]|3[01])(?![0-9-])"
    r"|(?<![0-9,-])(?:(?:[01]?[0-9]|2[0-3]),[0-5][0-9]-(?:[01]?[0-9]|2[0-3]),[0-5][0-9]"
    r"|(?:[01]?[0-9]|2[0-3]),(?:00|15|30|45))(?![0-9]|[号楼层幢栋室座单,-])"
    # 16度, 38℃: a temperature; 50余辆: a count (more than …).
    r"|(?<![0-9A-Z.-])[0-9]+(?:\.[0-9]+)?(?:度|℃)(?![\u3400-\u9fff\U00020000-\U0003ffff])"
    r"|(?<![0-9A-Z.-])[0-9]+(?:多|余)(?:辆|个|人|名|户|只|条|平方米|平米|米)"
    # 车牌甘A8K123, 车牌号：浙C12345, 粤B·D12345: a vehicle's plate (province, letter, five or six more), no
    # building.
    r"|(?=[车京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼])(?:车牌号?码?[为是]?,?)?(?<![A-Z0-9])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][·•]?(?=(?:[A-Z]*[0-9]){3})[A-Z0-9]{5,6}(?![A-Z0-9])"
    # 工位号058, 工位A-12: a workstation in a shared office, no room.
    r"|工位号?,?[A-Z]?-?[0-9]{1,5})",
    # 2-1-8-2 (重庆): a building, its unit, and the second flat of the 8th floor.
    r"(?P<quad>(?<![0-9A-Z-])([0-9]{1,3})-([0-9]{1,2})-([0-9]{1,2})-([0-9]{1,2})(?![0-9-]))",
    # A-1-1101: a building named by a letter, its unit and room.
    r"(?P<triple>((?<![0-9-])[0-9]+|(?<![0-9A-Z-])[A-Z][0-9]*)-([0-9]+)-([0-9]+)(?:室|号)?(?![0-9-]))",
    # 2、3楼, 13、14、15号, 3、4幢 (、 folded to a comma): a list of floors, doors, buildings or rooms.
    # Its numbers are of about one length (not 1924 2幢: a door, then a building).
    r"(?P<numlist>(?<![0-9A-Z-])([0-9]{1,2}(?:,[0-9]{1,2}){1,8}|[0-9]{2,3}(?:,[0-9]{2,3}){1,8}"
    r"|[0-9]{3,4}(?:,[0-9]{3,4}){1,8}|[一二三四五六七八九十]{1,3}(?:,[一二三四五六七八九十]{1,3}){1,8})"
    r"(号楼|楼|层|幢|栋|座|号|室|F)(?![房盘道梯宇下线路街门]))",
    # 第一层、第二层, 1楼、2楼, 801室、802室: a list whose items each repeat the mark; 101室至103室: a
    # span of rooms so written.
    rf"(?P<unitlist>(?<![0-9A-Z-])第?({N})(?P<list_mark>层|楼|室)((?:,第?{N}(?P=list_mark)){{1,8}})(?![房盘道梯宇下上顶])"
    rf"|(?<![0-9A-Z-])({N})室(?:至|到|-)({N})室)",
    # 1555弄3支弄5号: a sub-lane of the lane, then the door; 424弄堂6号: the lane written 弄堂.
    rf"(?P<lane>({N})弄(?:堂(?={N}))?(?![乡镇])(?:({N})(?:支弄|支(?={N}号)))?(?:({N})(?:-([0-9]{{1,4}}))?号{_NOT_BUILDING})?)",
    # 八角北里12楼3门: 楼 right before an entrance (门, a unit) marks the building, not a floor; B塔 a tower.
    rf"(?P<building>第?({N}|(?<![A-Z])[A-Z][0-9]+[A-Z]|(?<![A-Z])[A-Z][0-9]*|[0-9]+[A-Z])(?:幢|栋|座|号楼{_UPSTAIRS}|#楼?(?!街坊)|号?栋|号馆|号(?:厂房|车间|仓库)|楼(?=[, ]?{N}门(?![\u3400-\u9fff\U00020000-\U0003ffff])|(?:[0-9]{{1,2}}|[一二三四五六七八九十]{{1,3}})单元)|(?<=[A-Z])塔楼?(?![路街巷])|(?<=[号,][A-Z])楼(?![下上道梯顶层房盘宇面])))",
    # 下沙0号大街, 经济开发区三号路: a numbered road, not a door number.
    # 大塘街6巷12号: a lane numbered within the street before it (多宝坊3巷 is read as one road);
    # 下沙村5坊27号, 5坊3巷: a village's quarter (坊) and its lane, numbered so; 某村3排5号, 家具城A区3排7号,
    # 家具城A3排7号: a row of houses or of a market's stalls, numbered so, its doors after it.
    rf"(?P<numbered_road>(?<![0-9]){N}号(?:大街|大道|(?:路|街)(?=$|[^\u3400-\u9fff\U00020000-\U0003ffff]|交|与|和))"
    rf"|(?<=[\u3400-\u9fff\U00020000-\U0003ffff])(?<!第)(?:(?:[东西南北](?=[0-9]))?[0-9]{{1,2}}坊(?:{N}巷)?|{N}巷|(?:[A-Z](?=[0-9]))?{N}排|第{N}排(?=[0-9〇零一二三四五六七八九十第]))(?![\u3400-\u9fff\U00020000-\U0003ffff](?<![〇零一二三四五六七八九十]))(?![〇零一二三四五六七八九十](?![〇零一二三四五六七八九十百]*号)))",
    rf"(?P<house>([甲乙丙丁](?=[0-9〇零一二三四五六七八九十百]))?([A-Z]?{N}(?:[A-Z]|[甲乙丙丁](?=号))?)(?:-([0-9]+))?(?:号(?!楼{_UPSTAIRS}|大街|大道|街坊|(?:路|街)(?![\u3400-\u9fff\U00020000-\U0003ffff]))院?(?:(?:附|付(?=[0-9〇零一二三四五六七八九十])|之)({N})号?|-([0-9]{{1,2}})(?![0-9-]|[号楼层幢栋室单座F])|([甲乙丙丁])(?!(?<=丁)[0-9\u3400-\u9fff\U00020000-\U0003ffff]|[级醇烷酸苯类等方]))?|(?:附|付(?=[0-9〇零一二三四五六七八九十])|之)({N})(?:号(?!楼)|(?![0-9〇零一二三四五六七八九十百千]|[幢栋楼层室座号梯]|单元|-))))",
    # 12号楼3门401: in Beijing a building's entrance 门 is its unit, in Guangdong its stair 梯; so is it
    # right after the door in 长春 and 哈尔滨 (人民大街2724号1门502)
    # (A11栋3梯); 2幢2单102室, 1号楼2单1502室: 单 is 单元 cut short.
    rf"(?P<unit>({N}|[甲乙丙丁](?=单元)|(?<![A-Z])[A-Z](?=单元))单元|(?<=[楼幢栋座号#])({N})(?:门(?=楼[下上道]|门口|口|前|外|旁|附近)|门(?![\u3400-\u9fff\U00020000-\U0003ffff](?<![〇零一二三四五六七八九十]))|梯(?![子形田级]))|(?:(?<=[幢栋座])|(?<=号楼))({N})单(?![元位身间人车号据]))",
    # 110-111栋, 2至6栋: a range of buildings; 5-2栋: building 2 of block 5. Either way one building value.
    r"(?P<building_range>(?<![0-9A-Z-])([0-9]{1,4})(?:-|至|到)([0-9]{1,4})(?:幢|栋|号楼|号?栋))",
    # 40-43楼: a range of floors; B2-5楼, 52-11楼: a building, then its floor.
    # 22-25F: the same written the English way.
    r"(?P<floor_range>(?<![0-9A-Z-])([A-Z]?)([0-9]{1,3})(?:-|至|到)([0-9]{1,3})(?:(?:层|楼)(?![房盘道梯宇下])|F(?![A-Z])))",
    # 1层-3层, 2楼至3楼, 一至三层: a span of floors written with each floor's mark, or in words.
    rf"(?P<floor_span>({N})[层楼](?:-|至|到)({N})[层楼](?![房盘道梯宇下])|([{CN_DIGITS}十]+)(?:至|到)([{CN_DIGITS}十]+)层)",
    # (not 1802 楼上漏水: a room, then the spot above it)
    rf"(?P<floor>第?(负|地下|-)?({N}|首(?=层)|(?<=[号楼幢栋座元室])底(?=[层楼])|(?<![A-Z])[A-Z][0-9]+|[0-9]+[A-Z])(?:层|楼)(?!房(?![东主])|[盘道梯宇下]|(?<=[0-9]{{3}}楼)[上顶]))",
    # 13F, B2F, -2F: a floor written the English way; a room may follow at once (3F302). (Not A座-24F:
    # no basement lies so deep, the dash is a separator.)
    r"(?P<floor_f>(?<![0-9A-Z])(B|-(?=[1-5]F))?([0-9]{1,3})F(?![A-Z]))",
    # 五0一室: Chinese and Arabic digits mixed in one room number.
    # (千户苗寨 is no room 1000: 户 after a round number counts households)
    rf"(?P<room>((?<![A-Z])[A-Z]?[0-9]+[A-Z]?|{_MIXED_DIGITS}|{N})(?:室|(?<![千百万])户|房)(?![子间村屋巷]))",
    # 泉秀路321号店面, 1栋101店面, 1楼商铺: the shop front at a door, flat or floor (a place of its own, as
    # bases list it beside the door's record).
    r"(?P<shopfront>(?:(?<=[0-9]号)|(?<=[0-9]层)|(?<=[0-9]楼)|(?<![0-9A-Z])[0-9]{1,5})(?:店面|门面|商铺|铺面)(?!门口|门前|前|旁|外|对面|房))",
    # 3层东户, 2单元西户: in the north a flat by its side of the landing, after the floor or unit.
    r"(?P<side_flat>(?<=[层楼元])(?:东|西|中|南|北|东边|西边|中间)户(?![\u3400-\u9fff\U00020000-\U0003ffff]))",
    # 石碾村2社, 卓伦高勒嘎查2社: after a village (嘎查 in 内蒙古), 社 is its villager group (重庆, 四川, 甘肃).
    # 坑头村第三经济社5号: 广东's villager group is the 经济社 (经济合作社).
    rf"(?P<group>第?({N})(?:组(?!团)|村民小组|村民组|生产队|小组|队|经济合作社|经济社)|(?:(?<=村)|(?<=嘎查)|(?<=社区)|(?<=委会)|(?<=[旁面边近口])|(?<=[旁面边近口] ))第?({N})社(?![区会])"
    # 承天村大岩组12号, 嘎中村民委员会南蚌村民小组: a group named by its place, right after its village or
    # community (not 沈村三组: a natural village, then its numbered group).
    rf"|(?:(?<=村)|(?<=嘎查)|(?<=社区)|(?<=委员会)|(?<=委会))((?!村|{_NOT_GROUP_NAME})(?:(?!组|村民)[\u3400-\u9fff\U00020000-\U0003ffff]){{1,4}}?(?<![{CN_DIGITS}十拾]))"
    # (新屋小组, 新屋村小组: the group 新屋组, as 新屋村民小组 is)
    # (a phone's label may follow it, glued as spaces between words are dropped: 张湾组|电话13993801234)
    r"(?:村民小组|村民组|村小组|小组|组|生产队|队|经济合作社|经济社)"
    r"(?:(?![团长员\u3400-\u9fff\U00020000-\U0003ffff])|(?=(?:联系)?电话|手机|座机)))",
    # 1714-1715室: a range of rooms.
    r"(?P<room_range>(?<![0-9-])([0-9]+)-([0-9]+)室)",
    # 12-301, 5-2; A-101, B2-1201: a building (maybe named by a letter), then its room or unit.
    r"(?P<pair>(?<![0-9-])(?:([0-9]+)|(?<![A-Z])([A-Z][0-9]{0,2})(?=-[0-9]+(?![0-9A-Z-]|[栋幢号楼层室房区座单])))-([0-9]+)(?![0-9-]))",
    rf"(?P<part>(?<![0-9])(?:{N}|(?<![A-Z])[A-Z][0-9]{{0,2}})(?:期|区|组团|片(?!区)|[号#]?街坊)(?![0-9]*[期区]))",
    # A bare number; Chinese digits read one by one (三〇一, 叁零壹) count when nothing follows them.
    # (not digits inside an estate's name: 阳光100国际新城, 华润24城, 保利2046花园)
    # (nor 石河子's neighbourhoods named by number, a road after them: 15小区|北四路)
    r"(?P<number>(?!(?=[0-9])(?<=[\u3400-\u9fff])(?<![路街道巷弄里院东西南北中口段])[0-9]{1,4}[\u3400-\u9fff]{0,5}?(?:新城|城|花园|广场|国际|中心|公馆|家园|公寓|小区|苑|府)(?![\u3400-\u9fff])|(?=[0-9])(?<=[\u3400-\u9fff])(?<![路街道巷弄里院东西南北中口段])[0-9]{1,3}小区)"
    r"(?:(?<![0-9A-Z])|(?<=[0-9]F))((?<=[单元层楼])(?=[0-9〇零一二三四五六七八九]{3,4}(?![0-9〇零一二三四五六七八九\u3400-\u9fff\U00020000-\U0003ffff]))(?:[〇零一二三四五六七八九]+[0-9]|[0-9]+[〇零一二三四五六七八九])[0-9〇零一二三四五六七八九]*|[A-Z]?[0-9]+[A-Z]?|[〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖]{3,4}(?![\u3400-\u9fff\U00020000-\U0003ffff]))(?![0-9]|国道|省道|县道|米|公里|厘米|毫米|个月|亩|平方|吨|公斤|斤|两|元|万(?:元|块|余|多)|余(?:元|人|户|平|米|斤|年|天)|倍|块钱|分贝|%|％|年(?!级)|岁|(?<=[A-Z])店|[A-Z]店))",
    # 湖南总部：, 工厂地址：: a label before an address (the colon is folded to a comma).
    r"(?P<label>(?:[\u3400-\u9fff\U00020000-\U0003ffff]{0,4}(?:地址|住址|住所|地点|位置|坐落|总部|总公司|分公司|工厂|厂区)"
    r"|[\u3400-\u9fff\U00020000-\U0003ffff]{0,2}(?:办公区|办公地|经营场所|生产基地|仓库)"
    # 村委会上报：, 群众反映：: who reports, before the address.
    r"|[\u3400-\u9fff\U00020000-\U0003ffff]{0,4}(?:上报|报告|反映|报称|来电|报警|求助)|问题(?:描述)?|事由|诉求(?:内容)?|(?:12345)?(?:工单|热线)"
    # 涉及问题：, 具体情况：, 反映内容：, 上报内容：: a ticket's label of the account after the address
    r"|[\u3400-\u9fff\U00020000-\U0003ffff]{0,4}(?:问题|情况|内容|事项|类型|描述|说明|意见))(?=,)"
    # 来电人称东四三条39号…, 群众反映…: a ticket's account opening the text, glued to the address.
    r"|^[^路街巷弄区县省镇乡村号0-9]{0,8}?(?:反映|投诉人称|举报人称|来电人称|报称|来电称|人称)(?=(?![路街巷道])[\u3400-\u9fff\U00020000-\U0003ffff]))",
    # 联系人：李四, 收件人张三, 301室张三收: whom to give it to, after the address.
    rf"(?P<note_words>(?:(?:联系人|收货人|收件人|负责人|经办人|户主|报警人|来电人|当事人|申请人|投诉人|举报人|反映人|法定代表人|法人代表|法人|业主|租户|房东|房主|住户|经营者|申报人|承租人|出租人|贫困户|低保户|五保户|脱贫户|监测户|困难户|商户|种植户|养殖户|承包户|个体户|经营户)(?!委|大会|服务|之家|联合|协会|会|中心|合作社),?(?:[A-Z]{{2,16}}(?![A-Z])|{_MASKED_NAME}|[\u3400-\u9fff\U00020000-\U0003ffff]{{0,3}}(?![\u3400-\u9fff\U00020000-\U0003ffff]))"
    # 户号1234567890, 身份证号码330302…, 工单号WZ2024…: an account, ID or order number and its label.
    r"|(?:户|账|帐|编|学|工单|单|注册|身份证|证件|卡|合同|订单|执照|许可证|统一社会信用代)(?:号码?|码),?[A-Z]{0,4}-?"
    r"(?:[0-9]{5,}[0-9A-Z]*|[0-9]{3,}(?:-[0-9A-Z]{2,})+)(?:-[0-9A-Z]+)*"
    r"|身份证,?[0-9]{17}[0-9X]|身份证,?[0-9]{15}(?![0-9])"
    # 备注：夜间施工, 建筑面积98.5㎡, 微信：…: a label and its value, to the next separator.
    r"|(?:备注|说明|建筑面积|使用面积|面积|租金|月租|微信号?|QQ|邮箱|年龄|性别|民族|姓名)(?:,|(?=[0-9A-Z]))[^,()]*"
    # 周末不送, 工作日9点后送, 晚上送: when to deliver.
    r"|(?:周末|周六|周日|晚上|白天|工作日|节假日|上午|下午|中午)(?:[0-9]{1,2}点(?:以?[前后])?)?[不勿]?(?:送货|配送|派送|送|收货|收件|在家)"
    # 请勿放门口, 放菜鸟驿站, 快递放村委会, 送货上门, 到了打我电话, 敲门别按铃, 前台签收, 取件码1234: how to deliver.
    r"|(?:请勿|请|麻烦|务必|不要)?(?:快递|包裹|外卖)?[放送交寄存投](?:在|到|至|进)?(?:家门口|门口|丰巢|物业|[\u3400-\u9fff]{0,4}(?:驿站|快递柜|快递点|快递中心|收发室|传达室|前台|门卫|保安亭|保安室|村委会))(?:就行|就好|就可以|即可)?"
    r"|送货上门|送上楼|送到家|送到楼上|(?:到了?|到达后)(?:请|麻烦)?(?:打|拨)?(?:我|俺)?的?电话|(?:别|勿|不要)按门?铃|前台签收|签收"
    # 少冰半糖, 不要辣, 多放花椒, 多加饭: a takeaway's order notes; 东门进来左转, 右转第二栋, 我出来拿, 敲门2声,
    # 不要打电话, 请在…前送达, 谢谢老板: how the rider finds the door
    r"|(?:不要|不加|别放|少放|多放|多加|少|去|微|特|半)(?:辣|冰|糖|葱|蒜|香菜|花椒|饭)"
    r"|(?:骑手|小哥|师傅)?(?:请|麻烦)?(?:从|走)?[东西南北]门进(?:来|去)?(?:[左右]转)?|[左右]转(?:第[一二三四五六七八九十0-9]+[栋个家间幢])?"
    r"|(?:我|本人)?(?:下来|出来|下楼)(?:拿|取)|(?:别|勿|不要)?敲门(?:[0-9一二两三][声下])?|(?:不要|别|勿)(?:打电话|致电)"
    r"|请在|前送达|尽快送达|准时送达|谢谢(?:老板|师傅|小哥)"
    r"|(?:取件码|取货码|提货码|验证码),?[0-9A-Z-]{3,10}"
    # 居民来电, 村民反映: who reported, in a ticket's account after the address.
    r"|(?:市民|居民|村民|群众|住户|业主|商户|网格员)(?:来电|反映|投诉|举报|报称)(?:称|说)?"
    # 来电人住在|凤林花园…, 麻烦尽快派人到|国华苑…: where the caller lives or wants someone sent, before it
    r"|[\u3400-\u9fff]{0,6}?(?:居住在|家住在?|住在|住于|派人到|派人去)|位于|来到|前往"
    r"|(?:来电人|投诉人|举报人|反映人|当事人|报警人|求助人|诉求人|(?:有|某|一名|一位)?(?:市民|居民|村民|群众)|有人)(?:称|说)?[其他她]?在"
    # 第一中学|收|王老师: 收 (to be received by) before whom, or ending the text.
    r"|(?<=[学院司店厂馆心厦楼室号])收(?=[\u3400-\u9fff](?:老师|先生|女士|小姐|师傅|经理|主任|医生)|$)"
    # 张某某, 陈XX, 王**: a name masked in a published record, after the address
    rf"|(?<=[0-9号室楼幢栋层,组村户])(?:村民|居民|业主|住户|户主)?{_MASKED_NAME}"
    r"|(?:寄给|交给|转给)[\u3400-\u9fff\U00020000-\U0003ffff]{1,3}(?![\u3400-\u9fff\U00020000-\U0003ffff])"
    r"|(?<=[0-9号室楼幢栋层,镇乡村组苑园城店厂馆院场庭居府阁轩墅寓厦所站局司行社部处队〇零一二三四五六七八九十])[\u3400-\u9fff\U00020000-\U0003ffff]{2,3}收(?=$|[^\u3400-\u9fff\U00020000-\U0003ffff]|电话|手机|联系|座机)|(?:门卫室?|前台|保安室?|传达室|收发室|物业|快递柜|驿站)代?收|代收|转交|(?:市民|居民|村民|群众|住户)?[\u3400-\u9fff\U00020000-\U0003ffff](?:先生|女士|小姐|师傅)(?:收)?|[\u3400-\u9fff\U00020000-\U0003ffff](?:老师|医生|书记|主任|阿姨|叔叔|老板|大爷|大妈|大娘|奶奶|爷爷|总)(?:家|家里|家中)?(?=$|[^\u3400-\u9fff\U00020000-\U0003ffff]|电话|手机|联系|座机)|[\u3400-\u9fff\U00020000-\U0003ffff](?:同学|老师|经理)收|(?:送货|送达|配送|派送|到达?)?前?电联|(?:请|麻烦)?(?:送货|送达|配送|派送|到了)?(?:提前|先|前)?(?:致电|电话联系|打电话|联系)(?:[\u3400-\u9fff\U00020000-\U0003ffff]{0,6})?|电话(?:提前|先)?(?:联系|通知)|谢谢|收货|收件))",
    # 88号门口, 锦江花园楼下, 3组18号东边, 村口: a spot at the place just read; the place stays.
    # 陈淋子镇街上, 马鞍镇场镇: on the town's main street, at its market town (a note, not a compound).
    # 山西大学|东门: a gate of the place just read, at the end; 柳巷|南口: an end of the street read.
    # 村民委员会|办公室: the committee's office, a room of the committee's own record
    r"(?P<at>(?<=[镇乡])(?:街上|场镇|集上|集镇上?)|(?<=委员会|居委会|村委会)(?:办公室|会议室)|(?<=[学院园场馆厦苑城区岛])[东南西北]门(?:[外口前旁]|(?![\u3400-\u9fff\U00020000-\U0003ffff]))|(?:[大正]?门口|门前|(?<=[馆店厦院楼司心场])(?:前台|大堂|收发室|门卫室?|保安室|传达室)|门外|后门|侧门|边上|里面|里边|屋后|屋前|房前|屋内|(?<=[号组室村])家[中里]|路边|路旁|拐角处?|转角处?|巷口|村口|弄口|(?<=[路街巷弄])[东西南北]口(?![东西南北]|[路街巷村镇乡区])|楼上|楼下|楼顶|楼道|之间|一带|周边|周围|沿线|沿街|(?<=大桥)[下底]"
    r"|(?<=[号楼幢栋室])店[外内门](?:口)?|(?:(?<=区|园|苑|村|城|场|校)|(?<=大院))(?:内|里(?![A-Za-z0-9]))(?![\u3400-\u9fff\U00020000-\U0003ffff])"
    r"|(?<=[号楼幢栋室村组])[东西南北左右](?:边|面|首|头)|(?<=[号楼幢栋室])[东西南北]{1,2}侧)(?![村路街巷弄桥山岭湾垟洋岙社]))",
    # 旁边的小卖部: the place a relation word names (的 ...) is part of the note.
    r"(?P<assist>(?:斜?对面|村村通(?:公路|道路|水泥路|路)?|附近|旁边|隔壁|对过|(?<=[镇乡道区县市村])(?:辖区内?|范围内|一带|周边区?域?)|(?<=[号楼幢栋室村])(?:[前后]面|[前后]边|背后)(?:的?[\u3400-\u9fff\U00020000-\U0003ffff]{1,10})?|交叉(?:路?口)?|交(?:界|汇)?[口处]|交汇点?|(?:十字|丁字)?路口|(?:往|向)?(?:[东西南北]{1,2}|里|前)?(?:侧|面|边)?(?:走|行|进去)?约?[0-9]+(?:米|公里|M|KM)处?|[0-9]+(?:米|公里)处?|[东西南北]侧|(?<=[米口处])路[东西南北][侧边面]?(?![\u3400-\u9fff\U00020000-\U0003ffff])|(?<!村)[东西南北]{1,2}角(?![0-9\u3400-\u9fff\U00020000-\U0003ffff]?(?:小区|大厦|花园|广场))|(?<=村)[东西南北]{1,2}角(?![0-9〇零一二三四五六七八九十])|旁)(?:的[\u3400-\u9fff\U00020000-\U0003ffff]{1,10})?)",
    # A town may be named with 村 (付村镇); it is tried before the community pattern.
    # 新街镇, 大路乡: a town name may end in 街 or 路 right before 镇/乡; 五乡|中路 is a road.
    rf"(?P<town>(?:(?:{_TOWN_NAME_LEXED}{{1,2}}[路街巷](?=[镇乡]|街道)|{_TOWN_NAME_LEXED}{{1,6}}?)(?:街道|(?<!小)(?<!新区)(?<!发区)(?<!业区)(?<!园区)镇|乡(?!镇|[一二三四五六七八九十]{{1,2}}村|园|苑|小区|花园|家园|公寓|胡同|里(?=[0-9一二三四五六七八九十]+号)))|(?:路[东西南北])?(?:(?!大道){_CJK_NAME}){{0,6}}?(?:{_ZONE_ALTERNATION}))(?![东西南北中]?(?:路|街|大道)|区|村|政府|中学|小学|医院|卫生院|中心|管委会))",
    # 牛槽村|刘家屯, 十八洞村|梨子寨, 六答村委会|那利坡: a natural village of 东北 and 广西, 贵州 and 湘西 right after its
    # village (not 三里屯, 后屯南路), also
    # before a label (八郎村后屯 联系人…).
    r"(?P<hamlet>(?:(?<=村)|(?<=村委会)|(?<=村民委员会))[\u3400-\u9fff\U00020000-\U0003ffff]{1,4}?(?:自然)?[屯寨坡](?!(?!联系|电话|手机|收件|收货|户主)[\u3400-\u9fff\U00020000-\U0003ffff]))",
    # (苍苔街社区|路灯不亮, 战旗村|路边: the street lamps, surface or side of the roads in it, no road named
    # after it)
    # A community may be named after its road (解放路社区, 前街村); 垟西村|民主路 and 杏里村|花园路 are
    # a village before a road, 林山新村 a compound (settled in _community).
    rf"(?P<community>{_CJK_NAME}{{1,8}}?(?:路|街|巷|弄)?(?:村?社区|{COMMITTEE_WORDS}|(?<!度假|农家|山庄)村(?:村(?!部))?|嘎查|委(?=第?{N}组))(?:{COMMITTEE_WORDS})?"
    rf"(?!{_POI_AFTER}(?!路|街|大道|巷)|委|民委|民小组|口|路(?![灯面边旁])|街|道|巷|庄|段|坊|大街|大道|信用|商业银行|合作|[东西南北中内外]{{1,2}}(?:大街|大道)|[东西南北中]路|[东西南北]?{HUTONG_NUMBER}|[0-9{CN_DIGITS}十]*(?:号楼|幢|栋)|[0-9{CN_DIGITS}十]{{1,3}}[横纵直](?:路|街)|[0-9]{{1,3}}(?:路|街(?!道))))",
    rf"(?P<road>(?!沿街|临街|靠街|道路|小区(?![0-9])|(?<=[小园])区(?![0-9]))(?:(?<=[道镇乡区县市])路(?=[\u3400-\u9fff\U00020000-\U0003ffff]))?(?:(?:{_ROAD_NAME_LEXED}|街(?={_MOUTH_ROAD})|(?<=[\u3400-\u9fff\U00020000-\U0003ffff])单(?!元)|(?<=[\u3400-\u9fff\U00020000-\U0003ffff])(?<![〇零一二三四五六七八九十百下])[室层](?=路|街|巷|大道)){{1,10}}?(?:[0-9]{{1,3}}(?:[横纵直]?路|大街|街(?![道坊])|大道)|(?<!村)[0-9]{{1,3}}巷(?![\u3400-\u9fff\U00020000-\U0003ffff])|(?<=[\u3400-\u9fff])水道(?=[0-9〇零一二三四五六七八九十]+号)|大道|大街|公路(?!局)|路(?!灯(?:[不坏闪杆下旁边亮灭损柱]|$|[^\u3400-\u9fff\U00020000-\U0003ffff])|(?<=[铁公]路)局)|街路(?!口)|街(?![道坊]|{_MOUTH_ROAD}|[东西南北]里(?![路街巷]|{N}号(?!楼)))|巷子(?![里口])|巷(?!路|街(?!口)|大道|工业|[东西南北中]路)|胡同|(?<![0-9])弄|(?:(?<![街通渠隧栈车跑步人水行占索])|(?<=[^跑游身行人]步)(?=道[0-9]+号))道街?(?![路口]|(?<=[国省县]道)[GSXY]?[0-9]{{3}}|[\u3400-\u9fff\U00020000-\U0003ffff]{{1,2}}胡同|[东西南北中](?:路|街)|(?<=[一二三四五六七八九十头]道)[湾沟河岭梁桥岔])|{NUMBERED_HUTONG}|[东西南北中]里(?={N}号(?!楼)))|[A-Z]?[0-9]+(?:国道|省道|县道)"
    # 省道S205, 国道207线: a national or provincial highway by its number after its kind
    r"|(?:国道|省道|县道)[GSXY]?[0-9]{3}(?![0-9])线?"
    # 南二环西段 (西安): a ring road's side and its segment, no road kind written
    r"|[东西南北](?:[一二三四五六]|[1-6](?![0-9]))环(?:[东西南北中]段)?(?![东西南北中]?[路线街道]))"
    # 人民南路四段, 一环路南三段: a segment; 广州大道中, 江南大道西100号: a part of an avenue by its direction.
    rf"(?:[东西南北中]段|[东西南北中]?{N}段|(?<=大道)[东西南北中](?![\u3400-\u9fff\U00020000-\U0003ffff]|[0-9]+(?:米|公里|M|KM)))?)",
    r"(?P<sep>,+)",
)
_TOKEN = re.compile(guarded_alternation(_TOKEN_ALTERNATIVES))


@dataclass(slots=True)  # built per element found: cheaper than a frozen class
class Piece:
    """A classified span of the cleaned text: field, span, canonical value."""

    field: str
    start: int
    end: int
    value: str
    code: str | None = None
    repeated: bool = False


_LETTERED_NUMBER = re.compile(r"([A-Z]?)([0-9]+)([A-Z]?)")


def _code(s: str) -> str:
    """A number with letters (B12, 12A): digits without leading zeros, letters kept."""
    if s.isascii() and s.isdigit():
        return _num(s)  # no letters: what the pattern below would give
    m = _LETTERED_NUMBER.fullmatch(s)
    return f"{m.group(1)}{_num(m.group(2))}{m.group(3)}" if m else s


def _num(s: str | None) -> str:
    """Canonical digits of a number: Arabic, without leading zeros (0301 -> 301)."""
    if not s:
        return ""
    if s.isascii() and s.isdigit():
        return s.lstrip("0") or "0"  # the common case, as to_number would leave it
    n = to_number(s)
    return n.lstrip("0") or "0" if n.isdigit() else n


class _State:
    """What has been assigned so far, and the pieces in order."""

    def __init__(self, after: int, known: frozenset[str] = frozenset()) -> None:
        self.pieces: list[Piece] = []
        self.fields: set[str] = set()
        self.last = after  # order of the last assigned field: the tail starts below the divisions found
        self.first = after
        self.known = set(known)  # values already read (divisions), so that a repeat is a note
        # A landmark made a note with the relation word after it: (index of that note, the landmark, where
        # the word starts), for _landmark_alone.
        self.landmark: tuple[int, Piece, int] | None = None
        # Where a second address begins (居住地址：… after a road or door read): all after it is a note.
        self.closed_at: int | None = None

    def put(self, field: str, start: int, end: int, value: str) -> bool:
        order = ORDER[field]
        if field in self.fields or order <= self.last:
            return False
        self.pieces.append(Piece(field, start, end, value))
        self.fields.add(field)
        self.known.add(value)
        self.last = order
        return True

    def extra(self, start: int, end: int, text: str) -> None:
        self.pieces.append(Piece("extra", start, end, text))

    def take_back(self) -> Piece:
        """The piece put last, taken out again (its field free, the order back to what remains)."""
        piece = self.pieces.pop()
        self.fields.discard(piece.field)
        self.last = max([self.first, *(ORDER[p.field] for p in self.pieces if p.field != "extra")])
        return piece


def _house_value(m: re.Match[str]) -> str:
    i = _G["house"]
    prefix, main, sub, annex, dashed, stem, inside = m.group(i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7)
    annex = annex or dashed or inside  # 155号-1: an annex written after a dash; 9附1号 (成都): 9号附1
    value = (prefix or "") + _num(main) + (f"-{sub}" if sub else "") + "号"
    if annex:
        value += "附" + _num(annex)
    elif stem:
        value += stem
    return value


# Index of each named group, so the numbered groups inside it can be read by offset.
_G = {name: _TOKEN.groupindex[name] for name in _TOKEN.groupindex}


def _floor_value(m: re.Match[str]) -> str:
    sign, n = m.group(_G["floor"] + 1, _G["floor"] + 2)
    if not sign and n[0] == "B" and n[1:].isdigit():
        sign, n = "-", n[1:]  # B1层: the first floor below ground
    elif n[0] == "L" and n[1:].isdigit():
        n = n[1:]  # L3层: a mall's level 3
    if n in ("首", "底"):
        return "1层"  # 首层 (广东), 底楼 and 底层 (上海): the ground floor
    return ("-" if sign else "") + _num(n) + "层"


def _named_section(st: _State, at: int) -> bool:
    """Whether the two pieces read last are roads written one after the other, right before ``at``, the
    second named after the first (下东大街 of 东大街; not 解放路|中山路段, the stretch of 解放路 at 中山路)."""
    if len(st.pieces) < 2:
        return False
    street, section = st.pieces[-2], st.pieces[-1]
    return (
        street.field == section.field == "road"
        and not street.repeated
        and not section.repeated
        and street.end == section.start
        and section.end == at
        and street.value in section.value
    )


def _building_named_by_direction(st: _State, m: re.Match[str]) -> bool:
    """Whether a floor in Chinese numerals (一楼, 十二楼) right after a compound's name ending in a side
    (华中科技大学南) is the compound's building named by that side and number (南一楼)."""
    i = _G["floor"]
    if m.group(i + 1) or m.group(0)[0] == "第" or not m.group(0).endswith("楼"):
        return False
    number = m.group(i + 2)
    last = st.pieces[-1] if st.pieces else None
    return (
        last is not None
        and last.field == "poi"
        and last.end == m.start()
        and len(last.value) >= 4
        and last.value[-1] in "东西南北"
        and _ORGANISATION_NAME.search(last.value, 0, len(last.value) - 1) is not None
        and "building" not in st.fields
        and all(ch in "一二三四五六七八九十" for ch in number)
    )


_ORGANISATION_NAME = re.compile("(?:大学|学院|医院|中学|研究院|研究所)$")


def split_tail(
    text: str,
    start: int,
    end: int,
    state: _State | None = None,
    *,
    after: int = 2,
    known: frozenset[str] = frozenset(),
) -> _State:
    """Classify ``text[start:end]``, continuing ``state`` (segments of one address share it).

    ``after`` is the order of the finest division already found (2 county, 3 town, 4 community);
    ``known`` the values of the divisions found, so that a repeat of one is a note.
    """
    st = state or _State(max(after, 2), known)
    pos = start
    for m in _TOKEN.finditer(text, start, end):
        if m.start() > pos:
            _free(st, text, pos, m.start())
        _token(st, m)
        pos = m.end()
    if pos < end:
        _free(st, text, pos, end)
    _landmark_alone(st)
    return st


_FINANCIAL_SECTION = re.compile("(?<=[路街道])[东西南北中]?[壹贰叁肆伍陆柒捌玖拾]{1,2}段$")


def _landmark_alone(st: _State) -> None:
    """鸿景大厦对面, 云涛新村附近: a landmark before 对面/附近/旁 that is all the place a text names (no road,
    door, group or compound besides, nothing read after it but notes) is the place: the compound, with
    only the relation word as the note."""
    if st.landmark is None:
        return
    i, landmark, s = st.landmark
    if (
        i >= len(st.pieces)
        or st.pieces[i].field != "extra"
        or st.pieces[i].start != landmark.start
        or "poi" in st.fields
        or not st.fields.isdisjoint(("road", "house_number", "group"))
        or any(p.field != "extra" for p in st.pieces[i + 1 :])
    ):
        return
    note = st.pieces[i]
    st.pieces[i : i + 1] = [landmark, Piece("extra", s, note.end, note.value[len(landmark.value) :])]
    st.fields.add("poi")
    st.last = max(st.last, ORDER["poi"])
    st.landmark = None


def _token(st: _State, m: re.Match[str]) -> None:
    kind = m.lastgroup
    s, e = m.span()
    g = m.group
    if kind == "sep":
        return
    if st.closed_at is not None:
        st.extra(s, e, g(0))
        return
    if (
        kind == "label"
        and _SECOND_ADDRESS.search(g(0))
        and not st.fields.isdisjoint(("road", "house_number"))
    ):
        # 户籍地址：茶山路12号；居住地址：东圃大马路8号3栋502: the label of a second address after the first.
        st.closed_at = s
    if kind == "assist" and st.pieces and st.pieces[-1].field == "poi" and st.pieces[-1].end == s:
        # 五马美食林对面: the landmark before 对面/附近/旁 is a note too, not the compound (but see
        # _landmark_alone).
        landmark = st.take_back()
        st.extra(landmark.start, e, landmark.value + g(0))
        st.landmark = (len(st.pieces) - 1, landmark, s)
    elif (
        kind == "assist"
        and st.pieces
        and st.pieces[-1].field == "road"
        and st.pieces[-1].end == s
        and not st.pieces[-1].repeated
        and "house_number" not in st.fields
        and _NEAR_LANDMARK.fullmatch(g(0)) is not None
        and road_read_at(m.string, match_end(_SEPARATOR_RUN, m.string, e))
    ):
        # 解放碑步行街旁边 民权路28号: a street before 旁边/对面/附近 with another road after it is a landmark;
        # the address is on the road after.
        landmark = st.take_back()
        st.extra(landmark.start, e, landmark.value + g(0))
    elif kind == "assist" and _CROSSING.fullmatch(g(0)) and _two_roads(st, s):
        # 人民西路信河街交叉口: two roads before a crossing word cross; the address is on the first.
        crossing = st.pieces.pop()
        st.pieces.append(Piece("road", crossing.start, crossing.end, crossing.value, repeated=True))
        st.extra(s, e, g(0))
    elif kind == "part":
        # 阳光丽园二期, 福田二区: a phase or area of a compound belongs to its name; so does a quarter's number
        # (包头's 少先21号街坊), also after a name of one character (钢|23号街坊).
        last = st.pieces[-1] if st.pieces else None
        if last is not None and last.field == "poi" and m.string[last.end : s] == ")":
            # (恒大御景湾)|1期: the phase of the estate named in brackets
            st.pieces[-1] = Piece("poi", last.start, e, last.value + g(0))
            return
        if (
            g(0).endswith("街坊")
            and st.pieces
            and st.pieces[-1].field == "extra"
            and st.pieces[-1].end == s
            and len(st.pieces[-1].value) == 1
            and "\u3400" <= st.pieces[-1].value <= "\u9fff"
        ):
            s = st.take_back().start
        _free(st, m.string, s, e)
    elif kind == "room_range":
        i = _G["room_range"]
        _put_or_extra(st, "room", s, e, f"{_num(g(i + 1))}-{_num(g(i + 2))}室", g(0))
    elif kind == "note" and _named_tower(st, g(0), m.string, e):
        # 中江路118弄22号(海亮大厦)2201室: the tower at the door, named in brackets, is the compound.
        st.put("poi", s + 1, e - 1, g(0)[1:-1])
    elif kind in ("note", "phone", "postcode", "assist", "note_words", "label", "at", "measure"):
        st.extra(s, e, g(0))
    elif kind == "town":
        # A town the gazetteer does not know (renamed or merged since 2023), or a zone inside the town
        # found (余新镇|某某工业区): kept as a town component, without a code. A zone may follow a town
        # the lexer read (瓯北镇|五星工业区): both are town components, the first fills the town.
        zone = not g(0).endswith(TOWN_MARKS)
        if not zone and "poi" not in st.fields and _BUILDINGS_AHEAD.match(m.string, e):
            # 天湖美镇2-1-5-2, 天湖美镇3栋: a name in 镇 the gazetteer does not know, with a building right
            # after it, is an estate's (no town numbers buildings without a road or compound between).
            _free(st, m.string, s, e)
        elif _COMPOUND_WORD_AHEAD.match(m.string, e) and (
            (len(g(0)) == 2 and g(0).endswith("乡")) or (not zone and st.last >= ORDER["town"])
        ):
            # 侨乡|花园, 水乡|花园: a word in 乡 before a compound's kind is the compound's name, no township;
            # so is a town's name after the town (周市镇|新镇花苑, 塘下镇|新镇小区: 新镇 is no second town).
            _free(st, m.string, s, e)
        elif (
            zone
            and (st.last >= ORDER["town"] or "town" in st.fields)
            and "poi" not in st.fields
            and g(0) not in _BARE_ZONES
            and _BUILDING_AHEAD.match(m.string, e)
        ):
            # 福永街道|凤凰第一工业区|A栋3楼: a zone in the town read, with its buildings right after it, is the
            # compound they stand in. (Without the town it stays a zone: its name may say the town, 柳市|新光工业区.)
            _free(st, m.string, s, e)
        elif st.last <= ORDER["town"] and ("town" not in st.fields or zone):
            st.pieces.append(Piece("town", s, e, g(0)))
            st.fields.add("town")
            st.last = ORDER["town"]
        elif zone and g(0) in _BARE_ZONES and st.last == ORDER["community"]:
            # 穗丰村|工业区|穗丰路8号|某某鞋业有限公司: the village's zone, without a name of its own, is a
            # note; the compound (the firm at the door) is still to come.
            st.extra(s, e, g(0))
        elif (
            zone
            and st.last == ORDER["community"]
            and "town" not in st.fields
            and (road_ahead(m.string, e) or bare_road_tail_at(m.string, e))
        ):
            # 东风社区|新光工业区|旭升路18号|正泰电器有限公司: a zone named after the community, with its road
            # after it, is a zone, as it is without the community (柳市|新光工业区), not the compound the
            # firm at the door is; with its doors or buildings right after it (塔下村|萧江工业区3号,
            # 怀德社区|翠岗工业区A3栋) it is the compound.
            st.pieces.append(Piece("town", s, e, g(0)))
            st.fields.add("town")
        else:
            _free(st, m.string, s, e)
    elif kind == "quad":
        i = _G["quad"]
        if "building" in st.fields or st.last >= ORDER["building"]:
            st.extra(s, e, g(0))
            return
        st.put("building", m.start(i + 1), m.end(i + 1), _num(g(i + 1)) + "幢")
        st.put("unit", m.start(i + 2), m.end(i + 2), _num(g(i + 2)) + "单元")
        st.put("room", m.start(i + 3), e, f"{_num(g(i + 3))}-{_num(g(i + 4))}室")
    elif kind == "triple":
        # 3-2-301: each number is its own component, with its own span.
        i = _G["triple"]
        parts = [("building", "幢"), ("unit", "单元"), ("room", "室")]
        if (
            st.last == ORDER["building"]
            and "unit" not in st.fields
            and all(len(g(i + k)) <= 2 for k in (2, 3))
            and not g(0).endswith("室")
        ):
            # 1栋1-6-1 (成都, 重庆): after the building, its unit, the floor and the flat on it.
            for k, (field, mark) in enumerate((("unit", "单元"), ("floor", "层"), ("room", "室")), start=1):
                st.put(field, m.start(i + k), e if k == 3 else m.end(i + k), _num(g(i + k)) + mark)
            return
        if "building" in st.fields or st.last >= ORDER["building"]:
            st.extra(s, e, g(0))
            return
        if g(0).endswith("号") and st.last == ORDER["road"]:
            # 星港路65-3-4号: a door number with its sub-numbers, right after the road.
            numbers = "-".join(_num(g(i + k)) for k in range(1, 4))
            _put_or_extra(st, "house_number", s, e, numbers + "号", g(0))
            return
        for k, (field, mark) in enumerate(parts, start=1):
            end = e if k == len(parts) else m.end(i + k)  # the last span takes a written 室/号
            st.put(field, m.start(i + k), end, _num(g(i + k)) + mark)
    elif kind == "lane":
        i = _G["lane"]
        sub = f"{_num(g(i + 2))}支弄" if g(i + 2) else ""
        # 1588弄1号楼: lane 1588, building 1; 280弄3-5号: doors 3 to 5 of the lane, as 12-18号 of a road
        door = f"{_num(g(i + 3))}{'-' + g(i + 4) if g(i + 4) else ''}号" if g(i + 3) else ""
        _put_or_extra(st, "house_number", s, e, f"{_num(g(i + 1))}弄{sub}{door}", g(0))
    elif kind == "building":
        if g(0).endswith("#") and st.last == ORDER["road"] and "house_number" not in st.fields:
            # 石湖路9#: # typed for 号 right after a road is the door, not a building.
            st.put("house_number", s, e, _num(g(_G["building"] + 1)) + "号")
            return
        if (
            g(0).endswith(("厂房", "车间", "仓库"))
            and "house_number" not in st.fields
            and st.last <= ORDER["poi"]
        ):
            # 纯派路26号厂房: the door, then the kind of building at it (a note); past the door, 3号厂房 is
            # the building.
            kind_at = len(g(0)) - 2
            if st.last == ORDER["poi"]:
                # 某某公司11号仓库: a door after a name the lexer did not know as a road
                st.last = ORDER["road"]
            door = _num(g(_G["building"] + 1)) + "号"
            _put_or_extra(st, "house_number", s, s + kind_at, door, g(0)[:kind_at])
            st.extra(s + kind_at, e, g(0)[kind_at:])
            return
        if _NUMBER_LOU.search(g(0)) and _in_a_tower(st):
            # 富力中心41楼01单元, 地王大厦主楼46楼16单元: in a tower N楼 is its floor, 单元 a suite on it
            _put_or_extra(st, "floor", s, e, _num(g(_G["building"] + 1)) + "层", g(0))
            return
        if g(0).endswith("座") and st.last == ORDER["building"] and "unit" not in st.fields:
            # 海月花园8栋A座2402: a block (座) written after the building's number is its part with stairs
            # of its own, as a unit is.
            st.put("unit", s, e, _num(g(_G["building"] + 1)) + "座")
            return
        _put_or_extra(st, "building", s, e, _num(g(_G["building"] + 1)) + "幢", g(0))
    elif kind == "english":
        _english_label(st, m, s, e)
    elif kind == "house":
        if "house_number" in st.fields and (annexed := _BARE_SUB_DOOR.fullmatch(g(0))) is not None:
            # 创新三路12-14号501之一: past the door, a room numbered with a sub-number, no second door.
            _put_or_extra(
                st, "room", s, s + annexed.end(1), _code(_num(annexed.group(1))) + "室", annexed.group(1)
            )
            st.extra(s + annexed.end(1), e, annexed.group(2))
            return
        if _named_one(st, m):
            # 秀湖壹号, 中海壹号院, 中海城南一号5栋: 壹号 (1 written in its financial form) right after a name is
            # the end of the name, as estates and towers are named, not a door.
            last = st.pieces[-1]
            st.pieces[-1] = Piece("poi", last.start, e, last.value + g(0))
            return
        if _building_as_door(st, m):
            # 锦绣花园3号2单元501: a number marked 号 right after the compound, with a unit after it, is
            # the compound's building.
            _put_or_extra(st, "building", s, e, _num(g(_G["house"] + 2)) + "幢", g(0))
            return
        if _flat_as_door(st, m):
            # 1栋1单元8-2号 (重庆): right after the unit, the floor and the flat on it, marked 号.
            i = _G["house"]
            _put_or_extra(st, "room", s, e, f"{_num(g(i + 2))}-{_num(g(i + 3))}室", g(0))
            return
        if _market_stall(st, m):
            # 青瓷市场6号摊位, 市场A06号: past the door, a stall of the market (a room of it), numbered 号
            _put_or_extra(st, "room", s, e, _code(_num(g(_G["house"] + 2))) + "室", g(0))
            return
        if _room_as_door(st, m):
            # 3栋2单元1501号, 保利中心A1705号: past the door, a number of three or more digits marked 号
            # is the room.
            _put_or_extra(st, "room", s, e, _code(_num(g(_G["house"] + 2))) + "室", g(0))
            return
        if st.last == ORDER["poi"] and "house_number" not in st.fields:
            _lane_before_door(st, s)
            st.last = ORDER[
                "road"
            ]  # 某某大厦12号: a door number after a name the lexer did not know as a road
        _put_or_extra(st, "house_number", s, e, _house_value(m), g(0))
    elif kind == "unit":
        i = _G["unit"]
        value = _num(g(i + 1) or g(i + 2) or g(i + 3)) + "单元"
        if (
            "unit" not in st.fields
            and "building" in st.fields
            and st.last == ORDER["floor"]
            and len(value) <= 4
        ):
            # 8号楼3层1单元302 (Beijing's property records): the floor written before the unit; both stand.
            # (30层3002单元: a suite of an office floor, no unit.)
            st.pieces.append(Piece("unit", s, e, value))
            st.fields.add("unit")
            st.known.add(value)
        else:
            _put_or_extra(st, "unit", s, e, value, g(0))
    elif kind == "floor_f":
        i = _G["floor_f"]
        _floor_as_building(st, s, m.string)
        _put_or_extra(st, "floor", s, e, ("-" if g(i + 1) else "") + _num(g(i + 2)) + "层", g(0))
    elif kind == "floor" and _building_named_by_direction(st, m):
        # 华中科技大学南一楼, 西十二楼: a campus's building named by its side and number, no floor.
        place = st.pieces.pop()
        st.pieces.append(Piece("poi", place.start, s - 1, place.value[:-1]))
        st.put("building", s - 1, e, place.value[-1] + g(0))
    elif kind == "floor":
        _floor_as_building(st, s, m.string)
        _put_or_extra(st, "floor", s, e, _floor_value(m), g(0))
    elif kind == "room":
        _put_or_extra(st, "room", s, e, _code(_num(g(_G["room"] + 1))) + "室", g(0))
    elif kind == "shopfront":
        # (店面, 门面, 商铺 and 铺面 are one word for it: 店面)
        number = st.pieces[-1] if st.pieces else None
        if (
            g(0)[0] not in "0123456789"
            and number is not None
            and number.field == "extra"
            and number.end == s
            and _SHOP_NUMBER.fullmatch(number.value)
        ):
            # 98号负1层|B1-12号|商铺, 168号|A08号|商铺: the shop's own number, left as a note past the door
            st.pieces.pop()
            _put_or_extra(
                st, "room", number.start, e, number.value.removesuffix("号") + "店面", number.value + g(0)
            )
            return
        _put_or_extra(st, "room", s, e, g(0)[:-2] + "店面", g(0))
    elif kind == "side_flat":
        _put_or_extra(st, "room", s, e, g(0).replace("边", "").replace("中间", "中"), g(0))
    elif kind == "group":
        if st.last == ORDER["poi"] and not st.fields & {"road", "house_number"}:
            st.last = ORDER["community"]  # 岱岭大厝基一组: a natural village, then its group
            last = st.pieces[-1]
            if (
                last.field == "poi"
                and last.end == s
                and _VILLAGE_BEFORE_GROUP.search(last.value)
                and "community" not in st.fields
            ):
                # 篁社村1组: a village (its name holds 社, so the lexer did not read it as one) and its group.
                st.pieces[-1] = Piece("community", last.start, last.end, last.value)
                st.fields.discard("poi")
                st.fields.add("community")
        i = _G["group"]
        value = g(i + 3) + "组" if g(i + 3) else _num(g(i + 1) or g(i + 2)) + "组"
        if not st.put("group", s, e, value):
            if g(i + 2):
                _free(st, m.string, s, e)  # 均禾街新科上村八社…: no group after a road, part of the name
            else:
                st.extra(s, e, g(0))
    elif kind == "numlist":
        _number_list(st, m)
    elif kind == "unitlist":
        _marked_list(st, m)
    elif kind == "building_range":
        i = _G["building_range"]
        _put_or_extra(st, "building", s, e, f"{_num(g(i + 1))}-{_num(g(i + 2))}幢", g(0))
    elif kind == "floor_range":
        _floor_range(st, m)
    elif kind == "floor_span":
        i = _G["floor_span"]
        low, high = _num(g(i + 1) or g(i + 3)), _num(g(i + 2) or g(i + 4))
        if low.isdigit() and high.isdigit() and int(low) < int(high):
            _put_or_extra(st, "floor", s, e, f"{low}-{high}层", g(0))
        else:
            st.extra(s, e, g(0))
    elif kind == "pair":
        _pair(st, m)
    elif kind == "number":
        if not _number_in_a_name(st, m):
            _number(st, s, e, _code(_num(g(_G["number"] + 1))))
    elif kind in ("community", "hamlet"):
        _community(st, s, e, g(0), m.string)
    elif kind in ("road", "numbered_road"):
        if kind == "numbered_road":
            _row_of_a_market(st, s, g(0))
        _road(st, s, e, g(0), m.string)


# A name's words after a number that is part of the name (阳光100|城市广场, 331|厂生活区), to the kind of place,
# or the phase of the estate so named (阳光100|二期).
_NAME_AFTER_NUMBER = re.compile(
    f"{_CJK_NAME}{{0,6}}?(?:广场|花园|小区|家园|公寓|大厦|中心|国际|商城|新城|城|苑|府|湾|山庄|公馆|"
    "厂|生活区|宿舍|家属区|家属院|大院)|[一二三四五六七八九十]{1,2}期"
)


# A works named by its number, and its housing (331厂, 430厂宿舍, 331宿舍 for the works' own; not 51厂房, a
# numbered workshop).
_WORKS = re.compile("厂(?!房)|宿舍|生活区|家属区|家属院")


_WORKS_IN_WORDS = re.compile(f"([〇零一二三四五六七八九]{{2,4}})(?={_WORKS.pattern})")
_DIGIT_OF = str.maketrans("〇零一二三四五六七八九", "00123456789")


def _number_in_a_name(st: _State, m: re.Match[str]) -> bool:
    """阳光100城市广场, 331厂生活区, 430厂宿舍: a number glued between a name's words, or opening a works named
    by its number (厂) or its housing, is part of the compound's name, no room or door. Puts it and returns
    True if so."""
    s, e = m.span()
    digits = m.group()
    if not digits.isdigit() or not 2 <= len(digits) <= 4 or _NAME_AFTER_NUMBER.match(m.string, e) is None:
        return False
    last = st.pieces[-1] if st.pieces else None
    if (
        last is not None
        and last.field == "poi"
        and last.end == s
        and len(last.value) >= 2
        and not _PLACE_END.search(last.value)
        and not last.value.endswith("区")
    ):
        # (not after a compound's whole name: 利泽中园二区|203|洛娃大厦 is a building of it, then a tower)
        st.pieces[-1] = Piece("poi", last.start, e, last.value + digits)
        return True
    if (
        _WORKS.match(m.string, e)
        and "poi" not in st.fields
        and (last is None or last.end < s or last.field != "road")
    ):
        return st.put("poi", s, e, digits)
    return False


# A shop's number before its word (A08号商铺, B1-12号商铺, 13-18号商铺).
_SHOP_NUMBER = re.compile("[A-Z]?[0-9]{1,5}[A-Z]?(?:-[0-9]{1,4})?号")


def _named_tower(st: _State, note: str, text: str, end: int) -> bool:
    """Whether a bracketed note right after the door names the tower or park the door is (海亮大厦,
    凌空SOHO), with no compound read yet; or the estate, its phase or building after the brackets
    (珠海路15号(恒大御景湾)1期2栋)."""
    return (
        st.last == ORDER["house_number"]
        and "poi" not in st.fields
        and note.endswith(")")
        and (
            _TOWER_IN_BRACKETS.fullmatch(note, 1, len(note) - 1) is not None
            or (
                _ESTATE_IN_BRACKETS.fullmatch(note, 1, len(note) - 1) is not None
                and _PHASE_OR_BUILDING_AHEAD.match(text, end) is not None
            )
        )
    )


# An estate's name alone in brackets (恒大御景湾, 阳光花园), and what follows it: its phase or building.
_ESTATE_IN_BRACKETS = re.compile(
    "(?!.*(?:对面|对过|附近|旁|隔壁|靠近))[\u3400-\u9fff\U00020000-\U0003ffff]{2,12}"
    "(?:花园|小区|家园|嘉园|苑|园|湾|城|府|庭|居|公馆|华庭|名都|新村|山庄)"
)
_PHASE_OR_BUILDING_AHEAD = re.compile(
    "[,\\s]*(?:[0-9一二三四五六七八九十]{1,2}期|[0-9A-Z一二三四五六七八九十]{1,3}(?:栋|幢|号楼|座))"
)


# A tower's or park's name alone: a name of its own, then a word such names end with (no landmark note:
# 同人花园对面…).
_TOWER_IN_BRACKETS = re.compile(
    "(?!.*(?:对面|对过|附近|旁|隔壁|靠近))[\u3400-\u9fff\U00020000-\U0003ffffA-Za-z0-9·]{2,16}"
    "(?:大厦|大楼|商厦|广场|中心|公寓|SOHO|园区|产业园|科技园|创意园)"
)


def _number_list(st: _State, m: re.Match[str]) -> None:
    """2、3楼 (floors 2 and 3), 3、4幢, 101、102室: the list is the value. 167、169、171号: of a list of doors
    the first is the address's door (a base numbers each door), the rest a note; after the door, numbers
    marked 号 are rooms."""
    i = _G["numlist"]
    listed, mark = m.group(i + 1, i + 2)
    items = [_num(x) for x in listed.split(",")]
    s, e = m.span()
    value = "、".join(items)
    if mark in ("楼", "层", "F"):
        _put_or_extra(st, "floor", s, e, value + "层", m.group())
    elif mark in ("幢", "栋", "座", "号楼"):
        _put_or_extra(st, "building", s, e, value + "幢", m.group())
    elif mark == "号" and "house_number" not in st.fields and st.last <= ORDER["poi"]:
        if st.last == ORDER["poi"]:
            _lane_before_door(st, s)
            st.last = ORDER["road"]  # 某某市场3、4号: doors after a name the lexer did not know as a road
        door_end = s + listed.index(",")
        _put_or_extra(st, "house_number", s, door_end, items[0] + "号", m.string[s:door_end])
        st.extra(door_end, e, m.string[door_end:e])
    elif mark == "号" and (lane := st.pieces[-1] if st.pieces else None) and _lane_door_list(st, lane, s):
        # 东方路873弄49、51号: doors of the lane; the first is the address's.
        door_end = s + listed.index(",")
        st.pieces[-1] = Piece("house_number", lane.start, door_end, f"{lane.value}{items[0]}号")
        st.extra(door_end, e, m.string[door_end:e])
    else:
        _put_or_extra(st, "room", s, e, value + "室", m.group())


_MARKED_ITEM = re.compile(f"第?({N})[层楼室]")


def _marked_list(st: _State, m: re.Match[str]) -> None:
    """第一层、第二层 (floors 1 and 2), 801室、802室; 101室至103室 (rooms 101 to 103)."""
    i = _G["unitlist"]
    s, e = m.span()
    if m.group(i + 4) is not None:
        low, high = _num(m.group(i + 4)), _num(m.group(i + 5))
        _put_or_extra(st, "room", s, e, f"{_code(low)}-{_code(high)}室", m.group())
        return
    items = [_num(x.group(1)) for x in _MARKED_ITEM.finditer(m.group())]
    if m.group(i + 2) == "室":
        _put_or_extra(st, "room", s, e, "、".join(_code(x) for x in items) + "室", m.group())
    else:
        _put_or_extra(st, "floor", s, e, "、".join(items) + "层", m.group())


def _lane_door_list(st: _State, last: Piece, s: int) -> bool:
    return (
        last.field == "house_number"
        and last.end == s
        and last.value.endswith("弄")
        and st.last < ORDER["poi"]
    )


def _floor_as_building(st: _State, s: int, text: str) -> None:
    """12A楼|四层, A2楼|西二层: a number marked 楼 read as the floor, with a floor right after it (a side
    of the building's between them at most), is the building."""
    if "building" in st.fields or "floor" not in st.fields or "room" in st.fields:
        return
    pieces = st.pieces
    k = len(pieces) - 1
    if k >= 1 and pieces[k].field == "extra" and pieces[k].end == s and _SIDE.fullmatch(pieces[k].value):
        s, k = pieces[k].start, k - 1
    last = pieces[k] if k >= 0 else None
    if last is None or last.field != "floor" or last.end != s or not last.value.endswith("层"):
        return
    raw = text[last.start : last.end]
    if not raw.endswith("楼") or raw.startswith("-") or last.value.startswith("-"):
        return
    pieces[k] = Piece("building", last.start, last.end, last.value[:-1] + "幢")
    st.fields.discard("floor")
    st.fields.add("building")
    st.last = ORDER["building"]


# A side of a building before its floor (西二层: the west part of the second floor).
_SIDE = re.compile("[东西南北]")


def _lane_before_door(st: _State, s: int) -> None:
    """墨池坊20号墨池新村: a name ending in 坊 right before a door number is the lane the door is on (the
    compound may follow); after its street (宝源路德兴坊7号) it is the road, as a lane so written is
    (人民路中山巷12号)."""
    last = st.pieces[-1] if st.pieces else None
    if last is None or last.field != "poi" or last.end != s or "house_number" in st.fields:
        return
    street = st.pieces[-2] if len(st.pieces) >= 2 else None
    if "road" in st.fields and (street is None or street.field != "road" or street.end != last.start):
        return
    if not last.value.endswith("坊") or last.value.endswith("工业坊"):  # 创投工业坊: a park of workshops
        return
    st.pieces[-1] = Piece("road", last.start, last.end, last.value)
    st.fields.discard("poi")
    st.fields.add("road")


def _flat_as_door(st: _State, m: re.Match[str]) -> bool:
    """Whether a door number written N-M号 follows the unit read right before it: the flat M of floor N."""
    i = _G["house"]
    return (
        "room" not in st.fields
        and bool(st.pieces)
        and st.pieces[-1].field == "unit"
        and st.pieces[-1].end == m.start()
        and bool(m.group(i + 3))
        and not any(m.group(i + k) for k in (1, 4, 5, 6, 7))
        and len(_num(m.group(i + 2))) <= 2
    )


# A market's or a mall's name, whose stalls are numbered 号 (青瓷市场6号摊位, 服装城A06号).
_MARKET_WORDS = "市场|商城|批发城|商贸城|服装城|家具城|建材城|小商品城|物流园|交易中心|商场|美食街|夜市"
_MARKET = re.compile(f"(?:{_MARKET_WORDS})$")
# A stall's word, before its number or after it (摊位6号, 6号铺位, 3号档口).
# (档, 铺 and 摊 alone after the number as Guangdong's markets write them: 12号档, 3号铺; not 档案)
_STALL = re.compile("摊位|铺位|档口|档位|档(?!案|次)|铺|摊")
# What may follow a stall's number: its word (then anything: 25号档|放档口, a note), or nothing of a name
# (not 5号|厅4楼, a hall, nor a finer number).
_STALL_AHEAD = re.compile(f"{_STALL.pattern}|(?![\u3400-\u9fff\U00020000-\U0003ffff0-9A-Z])")


# A word after a stall's number (a note: 8号|临沂到上海专线), not a finer number nor a gate (79号门).
_NAME_AHEAD = re.compile("(?![门楼层幢栋座单室号院])[\u3400-\u9fff\U00020000-\U0003ffff]")
# A market's name, maybe with its zone (临沂小商品城A区, 西郊批发市场二区), before a row of its stalls.
_MARKET_ZONE = re.compile(f"(?:{_MARKET_WORDS})(?:[A-Z]|[一二三四五六七八九十0-9]{{1,2}})?区?$")


def _row_of_a_market(st: _State, s: int, raw: str) -> None:
    """通达路|临沂小商品城A区|3排|15号: a row of the market's stalls after its name, the road read before it
    with no door: the row is the road the stalls are numbered on (as with no road written: 小商品城A区3排15号),
    so the road before is made a note."""
    if not raw.endswith("排") or "house_number" in st.fields or len(st.pieces) < 2:
        return
    market, road = st.pieces[-1], st.pieces[-2]
    if not (
        market.field == "poi"
        and market.end == s
        and _MARKET_ZONE.search(market.value)
        and road.field == "road"
        and not road.repeated
    ):
        return
    st.pieces[-2] = Piece("extra", road.start, road.end, road.value)
    st.fields.discard("road")


def _market_stall(st: _State, m: re.Match[str]) -> bool:
    """Whether a door number (N号) after a market's name, its door read before (or no road, or the stall's
    word beside it), is a stall of it: a plain number, maybe lettered, with nothing after it but the stall's
    word or a separator."""
    i = _G["house"]
    text, e = m.string, m.end()
    # (with a road read and no door, the stall's word says it: 人民路农贸市场|摊位|7号; 人民路农贸市场7号 is the
    # road's door)
    worded = _STALL.match(text, e) is not None or (bool(st.pieces) and _STALL.fullmatch(st.pieces[-1].value))
    market = next((p for p in reversed(st.pieces) if p.field == "poi"), None)
    if market is None or _MARKET_ZONE.search(market.value) is None:
        return False  # (its zone too: 霞山水产品批发市场A区|12号档)
    # A number after the market's zone is a stall of it, whatever the road and what follows (解放路西段|
    # 华丰国际服装城A区|108号, …物流园1区|8号 临沂到上海专线): no road numbers its doors after a zone.
    zoned = _MARKET.search(market.value) is None
    return not (
        "room" in st.fields
        or ("house_number" not in st.fields and "road" in st.fields and not worded and not zoned)
        or st.last != ORDER["poi"]
        or any(m.group(i + k) for k in (1, 3, 4, 5, 6, 7))
        or (_STALL_AHEAD.match(text, e) is None and not (zoned and _NAME_AHEAD.match(text, e)))
    )


def _room_as_door(st: _State, m: re.Match[str]) -> bool:
    """Whether a door number (N号) stands where the room is: a compound, building, unit or floor is read
    after the door (or without one: 香园83幢1227号), the number is a plain one of three to five digits,
    maybe with a letter, and no finer number follows (134幢105号704室: 105号 is no room), nor a gate
    (000号门), nor does it close a range (000号-000号)."""
    i = _G["house"]
    if (
        "house_number" in st.fields
        and "room" not in st.fields
        and m.string.startswith("房", m.end())
        and not any(m.group(i + k) for k in (1, 3, 4, 5, 6, 7))
        and _ROOM_NUMBER.fullmatch(m.group(i + 2)) is not None
    ):
        return True  # 三巷5号|301号房 (广东's rented rooms): the room, marked 号房, right after the door
    if "room" in st.fields or st.last < ORDER["poi"] or any(m.group(i + k) for k in (1, 3, 4, 5, 6, 7)):
        return False
    if "house_number" not in st.fields and st.last < ORDER["building"]:
        return False
    text, s, e = m.string, m.start(), m.end()
    if (s and text[s - 1] in _RANGE_MARKS) or _FINER_AHEAD.match(text, e) is not None:
        return False
    if st.pieces and st.pieces[-1].field == "road" and st.pieces[-1].end == s:
        return False  # a road written again, then its door: a repeat, no room
    number = m.group(i + 2)
    last = st.pieces[-1] if st.pieces else None
    if (
        last is not None
        and last.field in ("unit", "floor", "building")
        and last.end == m.start()
        and (flat := _num(number)).isdigit()
        and len(flat) <= 2
        # (175栋4号|电梯, 8号楼2号|入口: a building's lift or entrance, no flat)
        and (last.field != "building" or _NUMBERED_FEATURE.match(text, e) is None)
    ):
        # 2单元12号, 5门12号, 5层2号, 二楼二号: right after the unit or floor, the flat; 杨村社区12幢3号 (义乌):
        # right after the building, the house in its row
        return True
    # (二〇三号, 五〇二号: the room in Chinese digits, as 公安 and household records write it)
    return _ROOM_NUMBER.fullmatch(number if number.isascii() else _num(number)) is not None


_UNIT_AHEAD = re.compile(rf"{N}单元")
# What a building numbers besides its flats (its lifts, entrances, towers; not a flat's 门口).
_NUMBERED_FEATURE = re.compile("电梯|梯|入口|口|门(?!口)|座")


def _named_one(st: _State, m: re.Match[str]) -> bool:
    """Whether a door number is 壹号 (壹号院) glued to the compound read right before it, or 一号 so glued
    where it can be no door: after the door (交子大道300号中海城南一号) or before a building (中海城南一号5栋:
    no compound numbers its buildings twice)."""
    one = m.group(_G["house"] + 2)
    return (
        one in ("壹", "一")
        and not any(m.group(_G["house"] + k) for k in (1, 3, 4, 5, 6, 7))
        and bool(st.pieces)
        and st.pieces[-1].field == "poi"
        and st.pieces[-1].end == m.start()
        and not st.pieces[-1].value.endswith(_LANE_KINDS)  # (火神庙巷|一号: a door of the lane)
        and not m.string.startswith("门", m.end())  # (世博园|一号门: its gate No. 1)
        and (
            one == "壹"
            or "house_number" in st.fields
            or _BUILDING_AHEAD.match(m.string, match_end(_SEPARATOR_RUN, m.string, m.end())) is not None
        )
    )


_LANE_KINDS = ("巷", "街", "路", "里", "弄", "胡同")
# A number with a sub-number after 之 and no 号 (195之1: a sub-door where no door is read yet).
_BARE_SUB_DOOR = re.compile("([0-9]+)(之[0-9〇零一二三四五六七八九十]+)")


def _building_as_door(st: _State, m: re.Match[str]) -> bool:
    """Whether a number marked 号 is a building written as a door (锦绣花园3号2单元): it follows the
    compound read last, right before a unit or after a lane read as the door (1500弄控江二村15号), and
    is a plain number of one to three digits."""
    i = _G["house"]
    if "building" in st.fields or any(m.group(i + k) for k in (1, 3, 4, 5, 6, 7)):
        return False
    if (
        st.last == ORDER["community"]
        and not st.fields & {"road", "house_number"}
        and _ESTATE_NAMED.search(m.string, 0, m.start()) is not None
        and _ROOM_AHEAD.match(m.string, m.end()) is not None
        and len(_num(m.group(i + 2))) <= 3
    ):
        # 曹杨一村12号201室, 田林十二村15号301室: a residents' committee named after its estate (a numbered
        # 村, a 新村), right before a number and a room: the estate's numbered house, as in 凤城新村27号102室.
        return True
    if (
        st.pieces
        and st.pieces[-1].field == "house_number"
        and st.pieces[-1].end == m.start()
        and st.pieces[-1].value[:-1].isdigit()
        and m.group(i + 2).isdigit()
        and len(m.group(i + 2)) <= 2
        and _ROOM_AHEAD.match(m.string, m.end()) is not None
    ):
        # 三泉路424号6号201室: a second number marked 号 right after the door, then a room: the house in it
        # (a lane written 号, 424弄6号), no second door.
        return True
    if st.last != ORDER["poi"]:
        return False
    if not (st.pieces and st.pieces[-1].field == "poi" and st.pieces[-1].end == m.start()):
        return False
    if len(_num(m.group(i + 2))) > 3:
        return False
    # 控江路1500弄控江二村15号302室: in a lane (its door read as 1500弄), the compound's numbered houses.
    in_lane = any(p.field == "house_number" and p.value.endswith("弄") for p in st.pieces)
    if in_lane or _UNIT_AHEAD.match(m.string, m.end()) is not None:
        return True
    if "house_number" in st.fields and m.group(i + 2).isdigit() and _ROOM_AHEAD.match(m.string, m.end()):
        # 田林路200号田林十二村11号201室: past the door (a lane written 号), the compound's house (苏河一号 is
        # a tower's name)
        return True
    # 凤城新村27号102室, 上海康城3号601室: with no road read, a residential compound's numbered house, or a
    # compound's house numbered low (a door needs a road), then its room. Not a lane's door (丰家兜71号1717,
    # 东三坊225号1883), a natural village's (高殿社1号101室) nor a tower's (某某大厦12号301室).
    if "road" in st.fields or _ROOM_AHEAD.match(m.string, m.end()) is None:
        return False
    name = st.pieces[-1].value
    return _RESIDENTIAL.search(name) is not None or (
        len(_num(m.group(i + 2))) <= 2 and _LANE_OR_TOWER.search(name) is None
    )


_RESIDENTIAL = re.compile("(?:新村|小区|花园|家园|嘉园|公寓|苑|[一二三四五六七八九十0-9]村)$")
_ESTATE_NAMED = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff](?:新村|[一二三四五六七八九十0-9]村)$")
# The last character of a lane's or natural village's name read as a compound (湖滨四里, 丰家兜; 高殿社, 林厝,
# 那旺屯): it numbers its doors, as a road does.
NUMBERING_ITS_DOORS = "里坊兜巷弄社厝屯寨坡村"
_LANE_OR_TOWER = re.compile(f"[{NUMBERING_ITS_DOORS}街路道厦楼座塔]$")
_ROOM_AHEAD = re.compile("[0-9]{3,4}(?:室|房)?(?![0-9号楼层])")


_ROOM_NUMBER = re.compile("[A-Z]?[0-9]{3,5}[A-Z]?")
_RANGE_MARKS = "-~至到"
_FINER_AHEAD = re.compile("(?:[A-Z]?[0-9〇零一二三四五六七八九十]|门(?!口|前|外|旁|边|锁|窗|铃|禁|坏))")


def _community(st: _State, s: int, e: int, raw: str, text: str = "") -> None:
    if raw[0] in "与及跟" and len(raw) > 3 and _right_after_community(st, s):
        # 长虹村与新光村交界处: the neighbouring village, without the conjunction; it fills no field. (Not
        # 和, which opens village names: 和平村.)
        st.extra(s, s + 1, raw[0])
        st.pieces.append(Piece("community", s + 1, e, raw[1:], repeated=True))
        st.known.add(raw[1:])
        return
    if st.first == ORDER["town"] and not st.pieces and (office := _TOWN_OFFICE.match(raw)) is not None:
        # 洛城|办事处东高湛东村: right after a town's short name its office is the town's, not the village's.
        st.extra(s, s + office.end(), office.group())
        s, raw = s + office.end(), raw[office.end() :]
    last = st.pieces[-1] if st.pieces else None
    # 北孙庄行政村北孙庄村: the administrative village, then its natural village of that name.
    natural = last is not None and last.field == "community" and last.end - last.start > len(raw)
    if raw in st.known and not natural:
        st.extra(s, e, raw)  # 墨池社区墨池社区: written twice
        return
    # 林山新村, 绿园新村: a name of two or more characters before 新村 is a compound; 建新村 is a village.
    # 鲤鱼池社区|嘉陵一村: a numbered 村 right after a residents' committee is an estate of it (after a
    # 社区 made of a village, 巴曹社区|新桥村 is a natural village).
    compound = (raw.endswith("新村") and len(raw) >= 4) or (
        _NUMBERED_ESTATE.fullmatch(raw) is not None
        and text.endswith(_RESIDENTS_COMMITTEE, 0, s)
        and _right_after_community(st, s)
    )
    # 刘家屯, 梨子寨: a natural village of 东北 and 广西, of 贵州 and 湘西 (the lexer reads it after 村)
    hamlet = raw.endswith(("屯", "寨", "坡"))
    if not compound and (hamlet or raw.endswith("村")) and _right_after_community(st, s):
        # 五星村泥河村, 吴山村羊家自然村: a natural village inside the administrative one keeps the
        # community level but fills no field (the administrative village does); its text is in extra.
        st.pieces.append(Piece("community", s, e, raw, repeated=True))
        st.known.add(raw)
        return
    if compound or not (st.last < ORDER["road"] and st.put("community", s, e, _without_committee(raw))):
        _free(st, "", s, e, raw)


_RESIDENTS_COMMITTEE = ("社区", "居委会", "居民委员会")
_TOWN_OFFICE = re.compile("(?:街道办事处|街道办|办事处)(?=[\u3400-\u9fff\U00020000-\U0003ffff]{2})")
_NUMBERED_ESTATE = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]{2,}[一二三四五六七八九十]{1,3}村")


def _without_committee(name: str) -> str:
    """A community's name without its committee (长虹村村民委员会 -> 长虹村, 墨池居委会 -> 墨池社区), and a
    village written as the administrative village it is (东垟行政村 -> 东垟村); 外村村 is the village 外村."""
    if name.endswith("行政村") and len(name) > 4:
        name = name[:-3] + "村"
    if len(name) == 3 and name.endswith("村村"):
        # 外村村: the village 外村 (外村村委会) written with its mark, as the gazetteer's reading gives it.
        return name[:-1]
    if name.endswith("委") and len(name) >= 3 and not name.endswith(("村委", "居委")):
        return name[:-1] + "社区"  # 陵东委15组 (东北): the residents' committee written 委
    m = _COMMITTEE_END.search(name)
    if m is None or m.start() == 0:
        return name
    stem = name[: m.start()]
    if stem.endswith(("村", "社区")):
        return stem
    return stem + ("社区" if m.group().startswith("居") else "村")


_COMMITTEE_END = re.compile(f"(?:{COMMITTEE_WORDS})$")


def _right_after_community(st: _State, s: int) -> bool:
    """Whether nothing but separators lies between the community read last (in the tail, or the
    divisions' own when the tail has read nothing yet) and ``s``."""
    if not st.pieces:
        return st.last == ORDER["community"]
    last = st.pieces[-1]
    return last.field == "community" and last.end == s


# Fields of the English labels' groups, in the order of the pattern, and the mark each value takes.
_ENGLISH_FIELDS = (
    ("room", "室"),
    ("building", "幢"),
    ("unit", "单元"),
    ("floor", "层"),
    ("house_number", "号"),
)


def _english_label(st: _State, m: re.Match[str], s: int, e: int) -> None:
    """Room 1203 → 1203室, Bldg B → B幢, No.88 → 88号; a place written in English or pinyin → a note."""
    i = _G["english"]
    number = m.group(i + 6)
    for k, (field, mark) in enumerate(_ENGLISH_FIELDS):
        if number is not None and m.group(i + 1 + k):
            _put_or_extra(st, field, s, e, _code(number) + mark, m.group(0))
            return
    st.extra(s, e, m.group(0))


def english_labels(text: str, start: int, end: int) -> list[Piece] | None:
    """The levels English labels name in ``text[start:end]`` when nothing else is written there
    (ROOM1203,FLOOR12, folded from Room 1203, Floor 12 written before the address, as English orders
    them), or None."""
    pieces = []
    pos = start
    while pos < end:
        if text[pos] in PUNCTUATION:
            pos += 1
            continue
        m = _ENGLISH_LEVEL.match(text, pos, end)
        if m is None:
            return None
        k = next(i for i in range(len(_ENGLISH_FIELDS)) if m.group(i + 1))
        field, mark = _ENGLISH_FIELDS[k]
        pieces.append(Piece(field, m.start(), m.end(), _code(m.group(6)) + mark))
        pos = m.end()
    return pieces or None


_ENGLISH_LEVEL = re.compile(
    r"(ROOM|RM|APT|FLAT|SUITE)?(BLDG|BUILDING|BLOCK|BLK|TOWER)?(UNIT)?(FLOOR|FL)?(NO(?=\.?[0-9]))?"
    r"(?<=[A-Z])\.?#?([0-9]+(?:[A-Z](?![A-Z]))?)"
)


def _in_a_tower(st: _State) -> bool:
    """Whether the compound read is an office tower or centre (大厦, 中心, 广场), where 楼 counts floors."""
    poi = next((p.value for p in reversed(st.pieces) if p.field == "poi"), None)
    return poi is not None and _TOWER_OR_CENTRE.search(poi) is not None


def _put_or_extra(st: _State, field: str, s: int, e: int, value: str, raw: str) -> None:
    if not st.put(field, s, e, value):
        st.extra(s, e, raw)


# Words that end a compound, zone or institution name and cannot be inside a road name (紫郡小区|紫城路,
# 科技学院咸安校区|永安大道, 温州分行|车站大道).
_INSTITUTION = (
    "(?:校区|大学(?!城)|学院|中学|小学|医院|卫生院|诊所|药房|药店|派出所|法院|.局|银行|分行|支行|信用社|营业厅|公司"
    "|商厦|酒店|宾馆|饭店|超市|商场|菜场|菜市场|加油站|办事处|政府|管委会)"
)
# The name of an organisation, written whole (温州市第四中学, 韩田诊所, 某某鞋业有限公司).
ORGANISATION_NAME = re.compile(
    f"([\u3400-\u9fff\U00020000-\U0003ffff]{{1,20}})(?:{_INSTITUTION}|厂|店|幼儿园|学校|卫生室|中心|商行|门市部|合作社|经营部|养殖场|农场)"
)
_ROAD_PREFIX = re.compile(
    r".*(?:(?:小区|花园|大厦|广场|公寓|新村|家园|嘉园|华庭|公馆|工业区|开发区|工业园区|园区|苑|园(?!区)|农场|村|社区"
    r"|(?<=[\u3400-\u9fff\U00020000-\U0003ffff])[一二三四五六七八九十0-9]期"
    rf"|街道|镇|乡|{_INSTITUTION})(?=.{{3}})"
    # an institution with a name of its own also before a road of one character's name (第四中学|蝉街), but
    # no bare tail (医院|西路) and no road named after the institution (大学园路)
    rf"|(?<=.){_INSTITUTION}(?=[^东西南北中内外大小新老上下前后正横直园城府0-9一二三四五六七八九十][路街巷]$))"
)
# Words that end the name of an area or a centre written before its road (钱江新城|五星路, 购物中心|开罗西路,
# 未来科技城|向往街, 软件产业基地|文一西路, 滑县|县城|人民路: the county seat, 阆中|古城|学道街: the old town): a note on where the road lies, no part of its name. Not 新城区, and not before a
# numbered road, which is the area's own (新城|十三路 is one road).
_AREA_PREFIX = re.compile(
    r".*(?:新城|科技城|科学城|大学城|商贸城|中心|市场|基地|县城|古城(?![东西南北中])|(?:(?<=[\u3400-\u9fff\U00020000-\U0003ffff])|^)[东西南北中]区(?!块))(?![区城路街巷道大])(?=.{3})(?![0-9零〇一二两三四五六七八九十百]+(?:路|街|巷|大道))"
)
# An area named after a crossing (五道口|成府路): a note on where the road lies. Not before a road named by its
# direction alone (交道口南大街, 新街口北路 are one name).
_CROSSING_PREFIX = re.compile(
    "[^街道口]{1,4}[街道]口(?![东西南北中内外]{0,2}(?:大街|大道|路|街))(?=[\u3400-\u9fff\U00020000-\U0003ffff]{2})"
)
# A road starting right here (for a community's short name written just before its road: 潘坑|北星东路).
ROAD_AHEAD = re.compile(rf"{_ROAD_NAME}{{2,8}}?(?:大道|大街|路|街(?![道坊])|巷)")
# A road tail with no name of its own (中关村|南大街, 五乡|中路): the name before it is the road's.
_BARE_ROAD_TAIL = re.compile(
    "(?:[东西南北中内外]{1,2}|[东西南北中]?(?:[一二三四五六七八九十]{1,3}|(?<=村)[0-9]{1,3})[横纵]?)(?:大街|大道|大路|路|街|巷)(?![\u3400-\u9fff\U00020000-\U0003ffff]*[路街巷])"
    f"|[东西南北]?{NUMBERED_HUTONG}"
    # 杨家坪|正街, 沙坪坝|正街 (重庆, 四川): the main street, named by the place it runs through.
    "|正街(?![㐀-鿿𠀀-𿿿]*[路街巷])"
    # 芳村|大道中, 广州|大道北: an avenue's part by its direction, the avenue named before it.
    "|(?:大道|大街)[东西南北中](?:段)?(?![\u3400-\u9fff\U00020000-\U0003ffff])"
    # 临园|路东段, 西园|路二段: a road's section, the road named before it.
    "|(?:路|街)[东西南北中]?(?:[一二三四五六七八九十]{1,2}|[0-9]{1,2})?段(?![\u3400-\u9fff\U00020000-\U0003ffff])"
)

# A village's lane named by its direction (岭脚村|西巷): the village stays a village. (A road so named is one
# road: 仙门村北路, 江村北路, 黄村西路.)
_VILLAGE_LANE = re.compile("村[东西南北中]{1,2}(?:街|巷)")


def bare_road_tail_at(text: str, pos: int) -> bool:
    """Whether a road tail with no name of its own starts at ``pos`` (建国门|内大街, 中关村|南大街)."""
    return _BARE_ROAD_TAIL.match(text, pos) is not None


def road_ahead(text: str, pos: int) -> bool:
    """Whether a road with a name of its own starts at ``pos``."""
    return ROAD_AHEAD.match(text, pos) is not None and _BARE_ROAD_TAIL.match(text, pos) is None


# Words of a village or community, which no road's name starts with (龙洋|社区牛路).
_VILLAGE_WORD = re.compile("村|社区|居委|居民|街道|镇|乡")


def road_read_at(text: str, pos: int) -> bool:
    """Whether the lexer reads a road with a name of its own at ``pos``, with no village, community or
    compound before it in its name (底村陵阳巷 is a village, then a lane)."""
    if not road_ahead(text, pos) or _VILLAGE_WORD.match(text, pos) is not None:
        return False
    m = _TOKEN.match(text, pos)
    return (
        m is not None and m.lastgroup in ("road", "numbered_road") and _ROAD_PREFIX.match(m.group()) is None
    )


# A compound with a name of its own: two to five characters free of address marks, then its kind, then
# nothing or a number (民丰小区, 锦绣花园3幢).
_COMPOUND_AHEAD = re.compile(
    r"[^\x00-\u33ff\u4dc0-\u4dff\ua000-\U0001ffff\U00040000-\U0010ffff路街巷弄号幢栋单室层组社村镇乡区县市道园苑庭府城湾居轩阁庄]{2,5}?"
    r"(?:小区|花园|公寓|大厦|家园|嘉园|华庭|名苑|公馆|山庄|苑)(?=$|[0-9一二三四五六七八九十,])"
)


def compound_read_at(text: str, pos: int) -> bool:
    """Whether a compound with a name of its own starts at ``pos`` (昆阳|民丰小区3幢)."""
    return _COMPOUND_AHEAD.match(text, pos) is not None


TOWN_MARKS = ("镇", "乡", "街道")


def _left_over(st: _State, text: str, s: int) -> bool:
    """Whether the one mark character at ``s``, before a road, belongs to the name before it rather than to
    the road: a town read without its mark (良乡|镇|良官大街), a division whose official name goes on with
    this character, or a village's 村 written twice (定村|村|王村道)."""
    if text.startswith("村村", s - 1):
        return True
    head = text[s : s + 1]
    last = st.pieces[-1] if st.pieces and st.pieces[-1].end == s else None
    if (
        last is not None
        and last.field == "town"
        and head in "镇乡"
        and not last.value.endswith((*TOWN_MARKS, *ZONE_WORDS))
    ):
        return True
    return any(k[n] == head and text.endswith(k[:n], 0, s) for k in st.known for n in range(2, len(k)))


# A door number starting here (解放街|12号): a road followed by its own door is no earlier door's road.
_DOOR_AHEAD = re.compile(rf"[A-Z]?{N}号")


def _door_before_road(st: _State, s: int) -> bool:
    """Whether the piece read last is a door number right before ``s`` and no road, compound or finer
    level is read: the road after it is the door's (12号解放街)."""
    return (
        "road" not in st.fields
        and st.last == ORDER["house_number"]
        and not st.fields & {"poi", "building", "unit", "floor", "room"}
        and bool(st.pieces)
        and st.pieces[-1].field == "house_number"
        and st.pieces[-1].end == s
    )


# Words of a crossing, and whether the last two pieces are roads written one after the other.
_CROSSING = re.compile("交叉(?:路?口)?|交(?:界|汇)?[口处]|交汇点?|(?:十字|丁字)?路口")
# A corner or side of a crossing (西北, 东南角, 北侧).
_CORNER = re.compile("[东西][南北](?:角|侧)?(?![方门湖山城])|[东西南北](?:角|侧)")


def _two_roads(st: _State, s: int) -> bool:
    p = st.pieces
    return (
        len(p) >= 2
        and p[-1].field == p[-2].field == "road"
        and not p[-1].repeated
        and p[-2].end == p[-1].start
        and p[-1].end == s
    )


_COMPOUND_WORD_AHEAD = re.compile("花园|小区|新村|家园|公寓|花苑|大厦|广场|山庄|名苑|华庭")
# A building's number and kind (3幢, A座, 12号楼).
BUILDING_NUMBER = f"第?(?:{N}|[A-Z][0-9]*|[0-9]+[A-Z])(?:幢|栋|座|号楼)"
_BUILDING_AHEAD = re.compile(BUILDING_NUMBER)
# A building, or building-unit-room shorthand (2-1-5-2, 3-2-301), right ahead.
_BUILDINGS_AHEAD = re.compile(f"{BUILDING_NUMBER}|[0-9]{{1,3}}-[0-9]{{1,4}}(?![0-9])")
_NUMBERED_LANE = re.compile("(?<=[^0-9])[0-9]{1,3}巷$")
_VILLAGE_HEAD = re.compile(".*(?:(?<!新)村|社区)")


# 鞋都1路, 经济开发区3号路, 纬12路: the number of a road numbered in a row, in Arabic digits.
_ROAD_ORDINAL = re.compile(
    "(?<![0-9A-Za-z])([0-9]{1,3})(?=(?:号|[横纵直])?(?:大道|大街|路|街|巷|排)(?:[东西南北中]段|[0-9零〇一二两三四五六七八九十]+段)?$)"
    # 人民南路4段: a segment's number too
    "|(?<=[路街道巷东西南北中])([0-9]{1,2})(?=段$)"
    # 5坊3巷: a village's quarter, before its lane or alone
    "|(?<![0-9A-Za-z])([0-9]{1,2})(?=坊(?:[0-9零〇一二两三四五六七八九十]+巷)?$)"
)


# 头道 (the first of a row of streets numbered 二道, 三道…: 哈尔滨's 头道街, 长春's 头道沟).
_FIRST_IN_A_ROW = re.compile("(?<![一二三四五六七八九十0-9])头道(?=[街巷沟河路])")


def road_number_key(road: str) -> str:
    """A road's name with the number of a road numbered in a row written in Chinese, as matching compares
    roads (鞋都1路 and 鞋都一路 are one road; official names use either, 科园二路 and 6号大街, so the
    parse keeps the form written).

    >>> road_number_key("鞋都1路"), road_number_key("6号大街"), road_number_key("人民南路4段")
    ('鞋都一路', '六号大街', '人民南路四段')
    >>> road_number_key("5坊3巷"), road_number_key("3排"), road_number_key("北头道街")
    ('五坊三巷', '三排', '北一道街')
    """
    if "头道" in road:
        road = _FIRST_IN_A_ROW.sub("一道", road)  # 头道街 (the first street), as 1道街 and 一道街 write it
    if not any(c.isdigit() for c in road):
        return road
    return _ROAD_ORDINAL.sub(lambda m: chinese_numeral(int(m.group(1) or m.group(2) or m.group(3))), road)


def ring_road_key(road: str) -> str:
    """A ring road's name one way whichever way its side is written (南二环西段, 南二环路西段, 二环南路西段;
    南2环; 成都's 二环路南一段 and 南二环路一段), to tell that two names are one road; other roads as
    road_number_key keys them. Cities write their own form, which the base keeps.

    >>> ring_road_key("南二环西段"), ring_road_key("南二环路西段"), ring_road_key("二环路南一段")
    ('二环南路西段', '二环南路西段', '二环南路一段')
    """
    road = road_number_key(road)
    if "环" not in road:
        return road
    road = _RING_SIDE.sub(_ring_side_after, road)
    return _RING_SECTION_SIDE.sub(r"\1环\2路", road)


def _ring_side_after(m: re.Match[str]) -> str:
    number = m.group(2)
    return (chinese_numeral(int(number)) if number.isdigit() else number) + "环" + m.group(1) + "路"


# 二环路南一段 (成都): the side written between the ring road and its section, as 南二环路一段 writes it before.
_RING_SECTION_SIDE = re.compile("^([一二三四五六七八九十])环路([东西南北])(?=[一二三四五六七八九十]+段$)")
# 南二环 (路): the side of a ring road written before its ring, as 二环南路 writes it after.
_RING_SIDE = re.compile("^([东西南北])([一二三四五六七八九十]|[1-9])环(?:路)?")


_TOWN_OFFICE = re.compile("办事处|办(?!公)")
# The other end of a stretch of road written after its start (从解放街|到车站大道).
_STRETCH_AHEAD = re.compile("[到至]")
# Near: before a road written after the address's road or door, that road is a landmark (not 近江, a
# place's name, before other names).
_NEAR = re.compile("(?:靠|临|邻|紧邻|接)?近(?=.{2})")
_NEAR_WORDS = ("靠近", "临近", "邻近", "紧邻", "紧靠", "接近")


# A road numbered, a road named by a direction alone, and the name of an area alone (two to four characters
# ending in no kind of place).
_NUMBERED_ROAD = re.compile(f"{N}号(?:大街|大道|路|街)$")
_DIRECTION_ROAD = re.compile("[东西南北中](?:路|街|大街|大道)")
_AREA_NAME = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]{2,4}(?<![区园城村苑庄厦场楼院店镇乡里])")


def _named_after_place_before(st: _State, s: int, raw: str) -> bool:
    """Whether a road whose own name is only a number or a direction is named after the place read right
    before it, which is then part of its name:

    - 新港二号路, 泰达3号路: numbered within an area named alone (the name is no compound);
    - 中关村东路, 黄村西路: a road by its direction after a place in 村 read by the lexer (no village of the
      gazetteer), where no town was read, or a town named like the place (中关村街道中关村东路). (A village
      written with 村 before such a road is never read as one: 仙门村北路 is one road.)
    """
    if not st.pieces or st.pieces[-1].end != s or st.fields & {"road", "house_number"}:
        return False
    place = st.pieces[-1]
    if place.field == "poi":
        return _NUMBERED_ROAD.match(raw) is not None and _AREA_NAME.fullmatch(place.value) is not None
    if place.field != "community" or place.code is not None or _DIRECTION_ROAD.fullmatch(raw) is None:
        return False
    towns = [k for k in st.known if k.endswith(TOWN_MARKS)]
    return not towns or any(k.startswith(place.value) for k in towns)


def _road(st: _State, s: int, e: int, raw: str, text: str) -> None:
    stray = st.pieces[-1] if st.pieces else None
    if (
        stray is not None
        and stray.field == "extra"
        and stray.end == s
        and len(stray.value) == 1
        and _CJK_CHAR.match(stray.value)
        and stray.value not in _NOT_A_NAMES_START
        and not raw[0].isdigit()  # (国道南|320国道: a numbered road has its own start)
    ):
        # 织里镇|栋|梁路, 33号|福|州闽都…东街: a character the lexer left alone (a mark, or one no road starts
        # with right after a door) is the road's first
        st.pieces.pop()
        s, raw = stray.start, stray.value + raw
    if (section := _FINANCIAL_SECTION.search(raw)) is not None:
        # 一环路东伍段: a section numbered in the financial numerals, as 一环路东五段 (one character each)
        raw = raw[: section.start()] + section.group().translate(PLAIN_NUMERALS) + raw[section.end() :]
    if raw == "河道" or raw.endswith("的河道"):
        st.extra(s, e, raw)  # 村边河道有死鱼: a river channel, no road (黄河道, 海河道 of 天津 are roads)
        return
    if raw[0] == "从" and len(raw) > 3 and "road" not in st.fields and _STRETCH_AHEAD.match(text, e):
        st.extra(s, s + 1, raw[0])  # 从|解放街到车站大道: a stretch of road from one to another
        s, raw = s + 1, raw[1:]
    if (
        raw[0] in "与和及跟到至"
        and len(raw) > 2
        and st.pieces
        and st.pieces[-1].field == "road"
        and st.pieces[-1].end == s
    ):
        # 城星路与富春路: the crossing road, without the conjunction; 解放街至车站大道: the stretch's end
        st.extra(s, s + 1, raw[0])
        s, raw = s + 1, raw[1:]
        if "road" in st.fields and _ROAD_PREFIX.match(raw) is None:
            # It keeps its level but fills no field: the address lies on the road written first.
            st.pieces.append(Piece("road", s, e, raw, repeated=True))
            return
    near = _NEAR.match(raw)
    if (
        near is not None
        and st.pieces
        and st.pieces[-1].field in ("road", "house_number")
        and st.pieces[-1].end == s
    ):
        # 学院路近车站大道, 大田路靠近北京西路: the road it is near, a note; the address lies on the first.
        st.extra(s, e, raw)
        return
    office = _TOWN_OFFICE.match(raw) if text.endswith(("街道", "地区"), 0, s) else None
    if office is not None and len(raw) - office.end() >= 2:
        # 青屏街街道办事处|大鸿路, 粤海街道办|科苑路: the subdistrict's office is how its name is written, before
        # its road; a note.
        st.extra(s, s + office.end(), office.group())
        s, raw = s + office.end(), raw[office.end() :]
    # 林村新村3巷: a lane numbered within a place takes the place's whole name; a village's stays a village
    # (下吕浦村|3巷).
    numbered = _NUMBERED_LANE.search(raw)
    m = _VILLAGE_HEAD.fullmatch(raw, 0, numbered.start()) if numbered else _ROAD_PREFIX.match(raw)
    if m is not None and m.end() == 1 and not _left_over(st, text, s):
        m = None  # 镇宁西路, 园区中路, 镇海区|镇骆东路: the character starts the road's name
    if m is not None and text.startswith(("店", "分店"), e):
        m = None  # 好心情大药房花园路店: a shop's branch named after its road, one name
    if (
        m is not None
        and _BARE_ROAD_TAIL.fullmatch(raw, m.end())
        and not _VILLAGE_LANE.fullmatch(raw, m.end() - 1)
    ):
        # 中关村南大街, 名园北大道: the rest has no name of its own. But 岭脚村|西巷: a village's lane, named
        # by its direction.
        m = None
    if m is not None:
        head = raw[: m.end()]
        if head.endswith(("村", "社区")) and "community" not in st.fields and st.last < ORDER["community"]:
            _community(st, s, s + m.end(), head)
        else:
            _free(st, "", s, s + m.end(), head)
        s, raw = s + m.end(), raw[m.end() :]
    m = _AREA_PREFIX.match(raw) or _CROSSING_PREFIX.match(raw)
    if m is not None:
        st.extra(s, s + m.end(), raw[: m.end()])
        s, raw = s + m.end(), raw[m.end() :]
    if _named_after_place_before(st, s, raw):
        place = st.take_back()
        s, raw = place.start, place.value + raw
    if st.last == ORDER["poi"] and not st.fields & {"road", "house_number"}:
        st.last = ORDER["community"]  # 某某小区解放路5号: a compound written before its road
    if st.last <= ORDER["road"] and "road" not in st.fields:
        st.put("road", s, e, raw)
    elif _door_before_road(st, s) and raw[0] not in "门线口" and not _DOOR_AHEAD.match(text, e):
        # 12号解放街: a door number written before its road (nothing else of the street part read yet).
        st.pieces.append(Piece("road", s, e, raw))
        st.fields.add("road")
    elif (
        text.startswith("口", e)
        and raw.endswith(("路", "街", "道"))
        and st.pieces
        and st.pieces[-1].field == "road"
        and st.pieces[-1].end == s
    ):
        # 永强大道机场路口: the junction with another road, which crosses the address's road.
        st.pieces.append(Piece("road", s, e, raw, repeated=True))
    elif raw in _STREET_PARTS and st.pieces and st.pieces[-1].field == "road" and st.pieces[-1].end == s:
        st.extra(s, e, raw)  # 中山路步行街: the pedestrian part of the road before it
    elif st.last == ORDER["road"] and st.pieces and st.pieces[-1].field == "road" and st.pieces[-1].end == s:
        # 人民路中山巷12号: the number belongs to the lane written last, which becomes the road;
        # both stay road components.
        st.pieces.append(Piece("road", s, e, raw))
    elif _zone_after_road(st, s) and _DOOR_AHEAD.match(text, e):
        # 莘塍镇人民路东新工业区新兴东路12号: the main road, a zone off it, and the road in the zone with the
        # door; the zone is a town component that fills nothing, the address lies on the road written last.
        zone = st.pieces[-1]
        st.pieces[-1] = Piece("town", zone.start, zone.end, zone.value, repeated=True)
        st.fields.discard("poi")
        st.pieces.append(Piece("road", s, e, raw))
        st.last = ORDER["road"]
    elif any(p.field == "road" and p.value == raw for p in st.pieces):
        # 解放街123号 浙江省…解放街123号: the road written again keeps its level and fills nothing.
        st.pieces.append(Piece("road", s, e, raw, repeated=True))
    else:
        _free(st, "", s, e, raw)


def _zone_after_road(st: _State, s: int) -> bool:
    """Whether a zone read as the compound lies right before ``s``, right after a road without a door."""
    if len(st.pieces) < 2 or "house_number" in st.fields:
        return False
    zone, road = st.pieces[-1], st.pieces[-2]
    return (
        zone.field == "poi"
        and zone.end == s
        and road.field == "road"
        and road.end == zone.start
        and zone.value.endswith(ZONE_WORDS)
        and zone.value not in _BARE_ZONES
    )


def _pair(st: _State, m: re.Match[str]) -> None:
    s, e = m.span()
    i = _G["pair"]
    lettered = m.group(i + 2)
    a, b = _num(m.group(i + 1)) if lettered is None else _code(lettered), _num(m.group(i + 3))
    if lettered is not None:
        # A-101: a building named by a letter, then a room (three digits or more) or a unit.
        if "building" not in st.fields and st.last < ORDER["building"]:
            st.put("building", m.start(i + 2), m.end(i + 2), f"{a}幢")
            field = "room" if len(b) >= 3 else "unit"
            st.put(field, m.start(i + 3), m.end(i + 3), f"{b}室" if field == "room" else f"{b}单元")
        elif (
            (len(m.group(i + 3)) >= 3 or st.last == ORDER["floor"])
            and "room" not in st.fields
            and st.last < ORDER["room"]
        ):
            st.extra(s, m.end(i + 2), lettered)  # 14楼E-085: past the building, the room of a lettered block
            st.put("room", m.start(i + 3), m.end(i + 3), f"{b}室")
        else:
            st.extra(s, e, m.group(0))
        return
    if "road" in st.fields and st.last == ORDER["road"]:
        st.put("house_number", s, e, f"{a}-{b}号")
    elif _door_of_numbered_place(st, s) and len(b) >= 3:
        # 湖滨四里21-402, 后埔社341-401 (厦门): a lane or natural village read as a compound numbers its doors,
        # so the first number is the door, then the room.
        st.last = ORDER["road"]  # (the door after the compound's name, as 某某大厦12号 reads)
        st.put("house_number", m.start(i + 1), m.end(i + 1), f"{a}号")
        st.put("room", m.start(i + 3), e, f"{b}室")
    elif len(a) >= 3 and len(b) >= 3 and st.last < ORDER["room"] and "room" not in st.fields:
        st.put("room", s, e, f"{a}-{b}室")  # 908-910: a range of rooms
    elif (
        "building" not in st.fields
        and st.last == ORDER["poi"]
        and st.pieces[-1].field == "poi"
        and _TOWER_NAME.search(st.pieces[-1].value)
        and len(b) <= 2
    ):
        # 雨田大厦18-3: in a tower, the third flat of the 18th floor (as 重庆 writes it), no building 18
        st.put("room", s, e, f"{a}-{b}室")
    elif "building" not in st.fields and st.last < ORDER["building"]:
        # 12-301 is 12幢301室; 5-2 is 5幢2单元.
        st.put("building", m.start(i + 1), m.end(i + 1), f"{a}幢")
        if len(b) >= 3:
            st.put("room", m.start(i + 3), m.end(i + 3), f"{b}室")
        else:
            st.put("unit", m.start(i + 3), m.end(i + 3), f"{b}单元")
    elif (
        st.last == ORDER["building"]
        and st.pieces
        and st.pieces[-1].field == "building"
        and st.pieces[-1].end == s
        and len(a) <= 2
        and len(b) >= 3
    ):
        # 3#2-501: right after the building, a unit and its room.
        st.put("unit", m.start(i + 1), m.end(i + 1), f"{a}单元")
        st.put("room", m.start(i + 3), m.end(i + 3), f"{b}室")
    elif st.last < ORDER["room"] and "room" not in st.fields:
        st.put("room", s, e, f"{a}-{b}室")
    else:
        st.extra(s, e, f"{a}-{b}")


def _door_of_numbered_place(st: _State, s: int) -> bool:
    """Whether the compound read right before ``s``, with no road or door read, is a lane or natural
    village (湖滨四里, 后埔社, 丰家兜), whose numbers are doors, not an estate's buildings."""
    if st.fields & {"road", "house_number", "building"} or not st.pieces:
        return False
    last = st.pieces[-1]
    return (
        last.field == "poi"
        and last.end == s
        and _NUMBERED_PLACE.search(last.value) is not None
        and _RESIDENTIAL.search(last.value) is None
    )


_NUMBERED_PLACE = re.compile(f"[{NUMBERING_ITS_DOORS}]$")


def _floor_range(st: _State, m: re.Match[str]) -> None:
    s, e = m.span()
    i = _G["floor_range"]
    letter, a, b = m.group(i + 1), _num(m.group(i + 2)), _num(m.group(i + 3))
    if not letter and int(a) < int(b):
        _put_or_extra(st, "floor", s, e, f"{a}-{b}层", m.group(0))
    elif "building" not in st.fields and st.last < ORDER["building"]:
        st.put("building", s, m.end(i + 2), f"{letter}{a}幢")
        _put_or_extra(st, "floor", m.start(i + 3), e, f"{b}层", m.string[m.start(i + 3) : e])
    else:
        st.extra(s, e, m.group(0))


def _number(st: _State, s: int, e: int, n: str) -> None:
    if len(n) >= _MAX_NUMBER_DIGITS:
        st.extra(s, e, n)  # an account, licence or ID number: no door, building or room has 7 digits
    elif st.last in (ORDER["road"], ORDER["community"], ORDER["group"]) and "house_number" not in st.fields:
        st.put("house_number", s, e, n + "号")
    elif st.last in (ORDER["building"], ORDER["unit"], ORDER["floor"]) and "room" not in st.fields:
        st.put("room", s, e, n + "室")
    elif st.last in (ORDER["house_number"], ORDER["poi"]) and "building" not in st.fields:
        if len(n) >= 3:
            st.put("room", s, e, n + "室")
        else:
            st.put("building", s, e, n + "幢")
    else:
        st.extra(s, e, n)


# A bare number this long is an account, licence or ID number, not part of an address.
_MAX_NUMBER_DIGITS = 7
PUNCTUATION = ",-.#()_?*+=~!@$%^&'\"`<>;:[]{}|/\\☎☏✆★☆●○■□◆◇※→←↑↓✔✓♥❤"


# Labels that open an address of their own (居住地址, 现住址, 经营场所).
_SECOND_ADDRESS = re.compile("地址|住址|住所|经营场所")


# The fields of a street part; a clause of a ticket's account comes before them.
_STREET_FIELDS = frozenset(("road", "house_number", "poi", "building", "unit", "room"))
# An estate and its building in a later clause (…,凤林花园13幢), after the clauses between.
_ESTATE_IN_A_LATER_CLAUSE = re.compile(
    "(?:,[^,]*?)*?,[\u3400-\u9fff]{2,10}?(?:花园|小区|苑|新村|家园|公寓|华庭|名都|大厦)"
    "(?:[0-9A-Z一二三四五六七八九十]{1,3}(?:幢|栋|号楼|座))"
)


# The bodies a village has, named after it (贾村小学, 桐木村卫生室).
_VILLAGE_BODY = re.compile(
    "(?:中心)?(?:小学|中学|完小|幼儿园|卫生室|卫生所|卫生院|医务室|诊所|便民服务站|文化礼堂|敬老院|养老院)"
)
# The ends of the names of divisions (a free chunk so ending that repeats one read is a repeat).
_DIVISION_ENDS = ("省", "市", "区", "县", "旗", "盟", "州", "镇", "乡", "街道", "社区", "村")


def _free(st: _State, text: str, s: int, e: int, raw: str | None = None) -> None:
    chunk = raw if raw is not None else text[s:e]
    if st.closed_at is not None:
        if chunk.strip(PUNCTUATION):
            st.extra(s, e, chunk)
        return
    stripped = chunk.strip(PUNCTUATION)
    if not stripped:
        return
    if stripped != chunk:  # _德胜置业大厦_: separators around a name are not part of it
        s += len(chunk) - len(chunk.lstrip(PUNCTUATION))
        e = s + len(stripped)
        chunk = stripped
    last = st.pieces[-1] if st.pieces else None
    if (
        chunk == "社"
        and st.first == ORDER["community"]
        and len(st.pieces) == 1
        and last is not None
        and last.field == "house_number"
        and last.end == s
        and (group_number := last.value.removesuffix("号")).isdigit()
    ):
        # 龙井|5社 (重庆, 四川): the group numbered with 社 right after a village written without 村
        st.take_back()
        st.put("group", last.start, e, group_number + "组")
        return
    if "poi" not in st.fields and _BARE_WARD.fullmatch(chunk):
        # 双拥路6号|门诊楼|2楼: a hospital's building named by its use alone, no place of its
        # own (the organisation is named elsewhere in the text, or not at all)
        st.extra(s, e, chunk)
        return
    if chunk == "段" and _named_section(st, s):
        # 东大街|下东大街|段 (成都): a section of the street named by a street of its own, one road.
        section = st.pieces.pop()
        street = st.pieces.pop()
        st.pieces.append(Piece("road", street.start, e, street.value + section.value + chunk))
        return
    if (works := _WORKS_IN_WORDS.match(chunk)) is not None and "poi" not in st.fields:
        # 三三一厂生活区, 四三零厂: a works named by its number, written in numerals one by one: the number as
        # 331厂 writes it
        chunk = works.group(1).translate(_DIGIT_OF) + chunk[works.end(1) :]
        text = ""  # (the chunk no longer the text's: the rules that look at the text around it pass it by)
    if len(chunk) == 1 and not _extends_poi(st, s):
        st.extra(s, e, chunk)  # one stray character names no compound
        return
    if (
        last is not None
        and last.end == s
        and (last.repeated or last.field == "extra")
        and last.value in st.known
        and _VILLAGE_BODY.fullmatch(chunk)
    ):
        # 贾村社区|贾村|小学, 桐木村|桐木村|卫生室: the village's school or clinic, named after it, no village
        # written again
        st.pieces.pop()
        st.put("poi", last.start, e, last.value + chunk)
        return
    if (
        chunk in st.known
        and chunk.endswith(_DIVISION_ENDS)
        and all(p.field in ("town", "community", "extra") for p in st.pieces)
    ):
        # 龙港镇龙港镇|龙港镇: a division written once more than the chain reads (not a name opening with it
        # after the street: 振兴路310号|姜山镇茅山小学)
        st.extra(s, e, chunk)
        return
    if text and st.fields.isdisjoint(_STREET_FIELDS) and _ESTATE_IN_A_LATER_CLAUSE.match(text, e):
        # 烟味大,影响生活,|凤林花园13幢…: a clause of the account before the estate and its building is no
        # compound of the address
        st.extra(s, e, chunk)
        return
    if (
        chunk.startswith("小区")
        and text
        and len(st.pieces) >= 2
        and st.pieces[-1].end == s
        and text[st.pieces[-1].start : s].isdigit()
        and st.pieces[-2].field == "poi"
        and st.pieces[-2].end == st.pieces[-1].start
    ):
        # 常青花园|6小区|3栋: a numbered part of the estate named before it (常青花园六小区)
        number = st.take_back()
        estate = st.take_back()
        st.put("poi", estate.start, s + 2, estate.value + text[number.start : s] + "小区")
        if len(chunk) > 2:
            _free(st, text, s + 2, e)
        return
    if (
        chunk.startswith("小区")
        and text
        and st.pieces
        and st.pieces[-1].field in ("house_number", "extra")
        and st.pieces[-1].end == s
        and text[st.pieces[-1].start : s].isdigit()
        and "poi" not in st.fields
    ):
        # 石河子 东一路|21小区|15栋, 16小区8栋 (克拉玛依): a compound named by its number
        number = st.take_back()
        st.put("poi", number.start, s + 2, text[number.start : s] + "小区")
        if len(chunk) > 2:
            _free(st, text, s + 2, e)
        return
    if (
        text
        and len(chunk) >= 4
        and (named := _PLACE_THEN_PERSON.fullmatch(chunk)) is not None
        and _PHONE_AHEAD.match(text, e)
    ):
        # 锦绣大厦|张三 13970712345, 赣州市人民医院|张三 139…: the place, then whose number follows.
        _free(st, text, s, s + named.end(1))
        st.extra(s + named.end(1), e, named.group(2))
        return
    if (
        _PERSON.fullmatch(chunk)
        and not _PLACE_END.search(chunk)
        and ((st.pieces and _PHONE_END.search(st.pieces[-1].value)) or (text and _PHONE_AHEAD.match(text, e)))
    ):
        st.extra(s, e, chunk)  # 电话13812345678 张三, 张三 13812345678: whose number it is
        return
    if _TIME_WORDS.fullmatch(chunk):
        st.extra(s, e, chunk)  # 晚上|8点到12点…: when, in a ticket's account
        return
    if (
        st.pieces
        and st.pieces[-1].field == "extra"
        and st.pieces[-1].end == s
        and _CROSSING.search(st.pieces[-1].value)
        and (side := _CORNER.match(chunk)) is not None
        and len(chunk) - side.end() >= 2
    ):
        # 桃花路与槟榔道交汇处|西北|深九科技创业园: the corner of the crossing, then the place
        st.extra(s, s + side.end(), side.group())
        s, chunk = s + side.end(), chunk[side.end() :]
    if (
        st.pieces
        and st.pieces[-1].field == "road"
        and st.pieces[-1].end == s
        and (stretch := _STRETCH.match(chunk))
    ):
        # 瓯海大道|梧田段, 104国道|柳市段: the stretch of the road, where on it; a place may follow
        # (325国道|乐从段|罗浮宫家具博览中心)
        st.extra(s, s + stretch.end(), stretch.group())
        if stretch.end() == len(chunk):
            return
        s, chunk = s + stretch.end(), chunk[stretch.end() :]
    if (collective := _COLLECTIVE.search(chunk)) is not None and collective.start() >= 2:
        # 北京理工大学|集体户, 人才交流服务中心|集体户口: the household registered at the place, a note after it
        _free(st, "", s, s + collective.start(), chunk[: collective.start()])
        st.extra(s + collective.start(), e, chunk[collective.start() :])
        return
    if (
        _STREET_FEATURE.fullmatch(chunk)
        or _REGISTRY_NOTE.fullmatch(chunk)
        or (_KIND_ALONE.fullmatch(chunk) and not _extends_poi(st, s))
    ):
        # 永宁西路东侧|绿化带: a feature of the street, no place of its own; 集体户, 户主某某之妻, 临时厂房:
        # a note of a registry
        st.extra(s, e, chunk)
        return
    if (
        _BARE_KIND.fullmatch(chunk)
        and st.pieces
        and st.pieces[-1].field == "house_number"
        and _AT_THE_PLACE.match(text, e)
    ):
        # 民主路8号|小区|门口, 友谊北大街328号|医院|门口: the place at the door, unnamed, where it happened
        st.extra(s, e, chunk)
        return
    feature = _FEATURE_END.search(chunk) if st.last <= ORDER["poi"] and "poi" not in st.fields else None
    if feature is not None and feature.start() >= 3 and _NAMED_PLACE.fullmatch(chunk, 0, feature.start()):
        # 桃花岛公园|垃圾桶: a named place, then a feature of it
        st.put("poi", s, s + feature.start(), chunk[: feature.start()])
        st.extra(s + feature.start(), e, chunk[feature.start() :])
        return
    if chunk.startswith(_NEAR_WORDS):
        st.extra(s, e, chunk)  # 延安东路靠近外滩: the place it is near, a landmark
        return
    if chunk[0] == "某" and chunk[1:2] != "某" and st.last >= ORDER["county"]:
        # 黄兴中路188号|某药店…: "a certain shop", whose name the record withholds, names no place (某某 stands
        # for a name: 某某电器有限公司)
        st.extra(s, e, chunk)
        return
    event = _EVENT.search(chunk) if st.last >= ORDER["county"] else None
    if event is not None:
        # 解放街123号噪音扰民, 金汇小区内有人饲养家禽: what happened there is a note; a compound named
        # before it stays the compound.
        named = _NAMED_PLACE.match(chunk, 0, event.start())
        cut = named.end() if named is not None and named.end() >= 3 else 0  # not 店|外经营, 小区|垃圾…
        if cut:
            _free(st, "", s, s + cut, chunk[:cut])
        st.extra(s + cut, e, chunk[cut:])
        return
    if _MASKED_PERSON.fullmatch(chunk) or (
        _SPOT_ALONE.fullmatch(chunk) and st.pieces and st.pieces[-1].field in _SPOT_AFTER
    ):
        # 长安中路123号 王*明 138****1234: the addressee, masked; 重庆大学A区|收发室: where the parcel is left
        st.extra(s, e, chunk)
        return
    part = _BUILDING_PART.search(chunk) or _PLOT_OR_SPACE.search(chunk)
    if part is None and not (text and _OPPOSITE.match(text, e)):
        # (温西工具市场西门|对面|锦桥商城: a landmark's gate the place is opposite, no spot at the place)
        part = _DELIVERY_SPOT.search(chunk)
    if part is not None and part.start() >= 3:
        # 嘉里中心|裙楼, 广东国际大厦|主楼: the part of the building, a note after its name; 凯立天香园|地下车库,
        # 齐鲁国际大厦|底商: the place's garage or ground-floor shops
        _free(st, "", s, s + part.start(), chunk[: part.start()])
        st.extra(s + part.start(), e, part.group())
        return
    if part is not None and part.start() == 0:
        st.extra(s, e, chunk)  # 梁家河村一组|宅基地, …131号|底商: what stands at the address, a note
        return
    if (
        _BARE_COMPOUND.fullmatch(chunk)
        and "poi" not in st.fields
        and (naming := _road_naming(st, s)) is not None
    ):
        # 大井巷|小区, 金汤街56号金汤街|小区: a compound named by the road right before its kind, no road of
        # its own then (before a door) or the road written again (after it)
        st.pieces.append(Piece("poi", naming.start, e, naming.value + chunk))
        st.fields.add("poi")
        st.last = max(st.last, ORDER["poi"])
        return
    if "poi" not in st.fields and st.last <= ORDER["poi"] and _in_the_account(st, chunk):
        st.extra(s, e, chunk)
        return
    if (
        "poi" not in st.fields
        and st.last <= ORDER["poi"]
        and _after_the_street(st)
        and (told := _PLACE_THEN_ACCOUNT.fullmatch(chunk)) is not None
    ):
        # 关上农贸市场|内一水果摊缺斤少两, 万达广场|某培训机构突然关门: the place named, then what happened in it
        _free(st, "", s, s + told.end(1), told.group(1))
        st.extra(s + told.end(1), e, told.group(2))
        return
    if (
        text
        and "poi" not in st.fields
        and (stall := _STALL.search(chunk)) is not None
        and stall.end() == len(chunk)
        and stall.start() >= 2
        and _MARKET.search(chunk, 0, stall.start())
        and text[e : e + 1].isalnum()
    ):
        # 青瓷市场|摊位|6号: the market, then the word of its stall before the stall's number
        _free(st, "", s, s + stall.start(), chunk[: stall.start()])
        st.extra(s + stall.start(), e, stall.group())
        return
    if (
        "poi" not in st.fields
        and len(chunk) >= 4
        and chunk[-1] in "内里"
        and _NAMED_PLACE.fullmatch(chunk, 0, len(chunk) - 1)
        and not chunk.endswith(("村里", "城里", "园里"))
    ):
        # 骡马市商城|内|负一层, 铜锣湾购物中心|内: inside the place, a note after its name
        _free(st, "", s, e - 1, chunk[:-1])
        st.extra(e - 1, e, chunk[-1])
        return
    if st.last <= ORDER["poi"] and ("poi" not in st.fields or _extends_poi(st, s)):
        if "poi" in st.fields:
            prev = st.pieces.pop()
            st.pieces.append(Piece("poi", prev.start, e, prev.value + chunk))
        elif not st.put("poi", s, e, chunk):
            st.extra(s, e, chunk)
        return
    if "poi" not in st.fields and (
        (st.last == ORDER["building"] and _BUILDING_NAME.search(chunk))
        or (st.last > ORDER["building"] and len(chunk) >= 4 and _TOWER_NAME.search(chunk))
    ):
        # 9号1号楼中国船舶大厦, 商城路618号23楼良友大厦: the building's own name after its number or floor
        # names the compound.
        st.pieces.append(Piece("poi", s, e, chunk))
        st.fields.add("poi")
        return
    if (
        st.last <= ORDER["poi"]
        and (_RESIDENTIAL.search(chunk) or _TOWER_NAME.search(chunk) or _SCHOOL_OR_HOSPITAL.search(chunk))
        and (firm := _firm_before_street(st)) is not None
    ):
        # 天府物流有限公司|桂荫路29号|锦城花园: the firm named before its address is a note, the compound
        # after the door the place; so is a park before its road (研创园|团结路99号|孵鹰大厦).
        i, firm_piece = firm
        st.pieces[i] = Piece("extra", firm_piece.start, firm_piece.end, firm_piece.value)
        st.pieces.append(Piece("poi", s, e, chunk))
        return
    st.extra(s, e, chunk)


# What opens an account of a place rather than its name: 的 (…12号的一家餐馆, 的老旧小区), a place not named
# (一家金店, 有一处, 在一个).
_UNNAMED = re.compile("的|(?:有|在)?(?:一|某)(?:家|个|处|间|座|名|辆|只|条|位|段|栋)")
# Signs of a note that tells what happened (not a landmark, a crossing or a distance): who or what did it
# (被, 一辆, 某医院, 的一家), when (12:00, 2024.4.5, 3月5日, 10分钟), how much (50元, 20余名, 2个).
_ACCOUNT_NOTE = re.compile(
    "^(?:的|一|某|有|时$)|被|以来|期间|分钟|小时|[0-9](?:[:：.年月日点时分元人名户个辆只天]|[余多][名人户个辆])"
)
# A place named by its kind, then what happened in or at it (商厦|购买的保健品系三无产品).
# (what happened opens with 内|里 and a place not named, 某, 有, 的, or a purchase: not 国正大厦|嘉乐广场, a shop
# in the tower)
_PLACE_THEN_ACCOUNT = re.compile(
    "(.{0,12}?(?:小区|市场|广场|商厦|商场|大厦|中心|医院|超市|停车场|写字楼|酒店|宾馆|公园|商城|酒楼))"
    "((?:[内里](?:一|某|有|的)|某|一[家个名处间辆只条位]|有(?!限)|的|购买|花[0-9]|买了).{2,})"
)
_STREET_PART = frozenset(("road", "house_number", "building", "unit", "floor", "room"))


def _after_the_street(st: _State) -> bool:
    """Whether the last piece that is no note is of the street part (a road, a door, a building…)."""
    return next((p.field in _STREET_PART for p in reversed(st.pieces) if p.field != "extra"), False)


def _in_the_account(st: _State, chunk: str) -> bool:
    """Whether ``chunk``, after the street part, is a clause of a ticket's account, no compound's name: it
    opens with 的 or a place not named (的一家餐馆, 一家金店以旧换新), or no place's kind ends it and it
    follows a note of what happened (…21号,发生燃气泄漏,|已疏散居民; not a landmark's: …12号附近|肯德基,
    …交叉口|苏泊尔)."""
    if not _after_the_street(st):
        return False
    if _UNNAMED.match(chunk):
        return True
    notes = []
    for piece in reversed(st.pieces):
        if piece.field != "extra":
            break
        notes.append(piece.value)
    if _NAMED_PLACE.fullmatch(chunk):
        return False
    return any(_EVENT.search(n) or _ACCOUNT_NOTE.search(n) for n in notes)


_CJK_CHAR = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]")
# Characters of a sentence before a road (在解放路, 从车站路), and a road's marks (19路|金海二道), no name's first.
_NOT_A_NAMES_START = frozenset("在于从到与和及往向近靠临沿对跟至的是为即路街道巷弄号")


def _road_naming(st: _State, s: int) -> Piece | None:
    """The road read right before ``s``, or the road's name written again there after its door, taken
    out of the pieces, when a compound's kind alone follows it."""
    if not st.pieces or st.pieces[-1].end != s:
        return None
    last = st.pieces[-1]
    if last.field == "road" and not last.repeated and st.last == ORDER["road"]:
        return st.take_back()
    road = next((p for p in st.pieces if p.field == "road" and not p.repeated), None)
    if (
        (last.field == "extra" or (last.field == "road" and last.repeated))
        and road is not None
        and last.value == road.value
        and st.last == ORDER["house_number"]
    ):
        return st.pieces.pop()
    return None


def _firm_before_street(st: _State) -> tuple[int, Piece] | None:
    """The compound read, when it is an organisation or a park named before the road and door read since."""
    at = next((i for i, p in enumerate(st.pieces) if p.field == "poi"), None)
    if at is None or not (
        ORGANISATION_NAME.fullmatch(st.pieces[at].value) or _PARK.search(st.pieces[at].value)
    ):
        return None
    later = {p.field for p in st.pieces[at + 1 :]}
    return (at, st.pieces[at]) if {"road", "house_number"} <= later else None


_BUILDING_NAME = re.compile("(?:大厦|大楼|广场|中心|公寓)$")
_SEPARATOR_RUN = re.compile("[, ]*")
# Words that make the place before them a landmark the address is near (not a side of it: 北侧).
_NEAR_LANDMARK = re.compile("斜?对面|附近|旁边|隔壁|对过|旁")
# A compound's kind written alone, which a road's name before it names (大井巷|小区).
_BARE_COMPOUND = re.compile("小区|新村|宿舍|宿舍区|大院|家属院|家属区|公寓|生活区")
# A hospital's building or department named by its use alone (门诊楼, 住院部).
_BARE_WARD = re.compile("(?:门诊|住院|急诊|医技)(?:楼|部|大楼)")
# (and a hospital's department: 山西医科大学第一医院|住院部, 人民医院|急诊)
_BUILDING_PART = re.compile(
    "(?<=大厦|中心|广场|大楼|商厦|酒店|宾馆|医院|大学)(?:裙楼|主楼|副楼|辅楼|附楼)$"
    "|(?<=医院)(?:住院部|门诊部|急诊部|急诊科|急诊|门诊|住院处)$"
)
# Where a courier leaves a parcel at the place just named, or how to get there, after its name (钱湖北苑|门卫,
# 重庆大学A区|收发室, 丽景城|物业管理处, 万科城市花园|南门快递柜, 华山小区|东门进, 赛格广场|送到): a note.
_SPOT_WORDS = (
    "(?:[东西南北]门(?:进来?|口)?)?"
    "(?:门卫(?:室|处)?|门岗|收发室|传达室|前台|总台|大堂|保安(?:室|亭|处)?|物业(?:管理处|服务中心|办公室|中心)?"
    "|(?:丰巢|菜鸟|京东|顺丰|中通|圆通|申通|韵达|极兔|邮政)?(?:快递)?(?:柜|驿站|代收点|服务站|收发中心|自提点)"
    "|[东西南北]门(?:进来?|口)?|送到|送至|自提)"
)
_DELIVERY_SPOT = re.compile(f"(?<=[苑园区城村院厦场心楼寓府邸居庭湾店校学馆司号站点柜]){_SPOT_WORDS}$")
_SPOT_ALONE = re.compile(_SPOT_WORDS)
_OPPOSITE = re.compile("斜?对[面过]")
_SPOT_AFTER = frozenset(("poi", "house_number", "building", "unit", "floor", "room"))
# A person's name masked as order exports write it (王*明, 李**), alone.
_MASKED_PERSON = re.compile("[\u3400-\u9fff][*＊×]{1,3}[\u3400-\u9fff]?")
# A homestead plot, the ground-floor shops, the garage or parking of a place (a note: the place is the address).
_PLOT_OR_SPACE = re.compile("(?:宅基地|底商|地下车库|地下停车场|地下车位|停车库|车库|车位)$")
# A park or zone with roads of its own (研创园, 软件园, 产业基地).
_PARK = re.compile("(?:[^公花家乐校庄]园|园区|基地|工业区|科技城|大学城)$")
_SCHOOL_OR_HOSPITAL = re.compile("(?:大学|学院|中学|小学|医院)$")
# A number marked 楼 alone (41楼, not 41号楼 nor B塔楼).
_NUMBER_LOU = re.compile("(?<![号塔])(?<=[0-9一二三四五六七八九十])楼$")
# A tower or centre whose 楼 count floors (富力中心41楼).
_TOWER_OR_CENTRE = re.compile("(?:大厦|大楼|商厦|中心|广场|写字楼|公寓)$")
# A tower's name (not 中心 or 广场, often a department or a hall after a floor: 5楼招商服务中心).
_TOWER_NAME = re.compile("(?:大厦|大楼|公寓|商厦)$")
# Words for a stretch of the road before them, not roads of their own.
_STREET_PARTS = frozenset(("步行街", "商业步行街"))
# A village's name before its group: two characters or more, then 村 (not 新村, a compound's kind).
_VILLAGE_BEFORE_GROUP = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]{2,}(?<!新)村$")
# A stretch of a road named by the place it passes (梧田段), not a numbered part of its name (四段).
_STRETCH = re.compile("(?![一二三四五六七八九十0-9]+段)[\u3400-\u9fff\U00020000-\U0003ffff]{1,4}段")
# A person's name beside a phone number: two or three characters with no word of a place.
_PERSON = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]{2,3}")
# A place's name ending in its kind, then a person's (two or three characters) before a phone number.
_PLACE_THEN_PERSON = re.compile(
    "(.{2,}?(?:大厦|医院|中学|小学|大学|学校|公司|中心|广场|商场|酒店|宾馆|银行|超市|小区|花园|大楼|"
    "[苑园城店厂馆院庭府阁轩墅寓厦所站局司行部处]))([\u3400-\u9fff\U00020000-\U0003ffff]{2,3})"
)
_PLACE_END = re.compile("[苑园城楼店厂村馆院场庭居府湾阁轩墅寓厦所站局司行社部处室队组号幢栋层]$")
_PHONE_END = re.compile(f"(?<![0-9]){_PHONE_NUMBER}$")
_PHONE_AHEAD = re.compile(
    f"[,\\s☎☏✆]*(?:(?:联系)?(?:手机|电话|座机|TEL|PHONE|MOBILE)(?:号码?)?,?)?{_PHONE_NUMBER}(?![0-9])"
)
# Words of what happened at an address (12345 hotline, police and inspection records), not of a place.
# (Words that also name places or firms stay out: 经营部, 施工队, 油烟机, 积水潭, 污水处理厂.)
_EVENT = re.compile(
    "扰民|噪音|噪声|异味|臭味|投诉|举报|反映|违章|违建|违法|违规|占道|乱停|乱放|乱扔|乱倒|乱搭|堆放|"
    "漏水|渗水|停水|停电|断电|堵塞|破损|损坏|松动|倒塌|脱落|摆摊|饲养|焚烧|偷盗|被盗|纠纷|诉求|要求处理|有人|"
    "有垃圾|垃圾未|垃圾堆积|冒烟|起火|着火|失火|火灾|漏雨|滑坡|塌方|打架|斗殴|盗窃|被偷|检查(?!站|所)|"
    "不亮|故障|满溢|外溢|横流|发黑|发臭|乱堆|杂物|流动摊|油烟|私搭|乱建|隐患|尽快|未清理|扬尘|乱贴|积水(?!潭)|"
    "已满|满了|缺失|丢失|坏了|坏掉|闪烁|塌陷|撞倒|被撞|走失|伤人|咬人|不合理|不及时|漂浮|死老鼠|死猫|死狗|危房|"
    "洗衣服|气味|臭气|坑洼|倾斜|断裂|泄漏|漏气|冒水|溢出|流浪狗|流浪猫|无法|严重|停放|室温|温度|供暖|暖气不|"
    "请相关|请有关|卫生差|宰客|拥堵|堵车|破裂|爆管|冒顶|漏电|掉落|坠落|结冰|被困|不通|没水|没电|"
    "发生|火情|事故|声过大|声太大|太吵|烟雾|无人看管|无人保洁|看管|裸露|毁坏|倾倒|漏液|洒落|外摆|群租|三无|反味|"
    "带泥|漂浮物|破损|乱停|犬只|高空抛物|抛物|坠物|不到位|走访|独居|空巢|受损|火险|堆积|摊贩|异响|充电|狗吠|不作为|不处理|不管|要求回电|回电|"
    "被占|被堵|占用|占满|非法|超速|超载|灯坏|营运(?!中心|部|站|公司)|遗撒|撒漏|抛撒|抛洒|成堆|被毁|堆物|建筑垃圾|"
    "经营(?!部|所|店|场|户|中心|公司|区|范围)|"
    # what happens there, and when, as hotline tickets write it; not in a firm's name (某某装修有限公司)
    "(?:施工|装修|开裂|裂缝|偷排|排放|排污|废水|废气|污水|粉尘|死鱼|死猪|电鱼|拒载|黑车|违停|乱收费|收费乱|拉客|"
    "未清运|没人管|无人管|不文明|聚集|打麻将|赌博|跑跳|广场舞|未成年|堵路|挡路|夜间|凌晨|深夜|半夜|每天|每晚|"
    "经常|长期|一直|多次|今天|昨天|"
    # how it is, and what is asked: 请处理, 影响通行, 至今未处理, 声音过大, 行人易滑倒, 擅自设置, 使用过期原料
    "请(?:处理|城管|相关|有关|尽快|派人|核实|查处|协调)|影响(?:通行|出行|休息|生活|交通|正常)|至今|仍然|还在|"
    "未(?:处理|到位|办理|清理|清除|清扫|取得|设置|悬挂|公示|落实|修复|维修|整改)|过多|过大|太短|太长|太多|很大|"
    "不畅|拥挤|浑浊|倒伏|垮塌|逆行|下沉(?!广场|式|庭院)|停运|倒了|滑倒|摔倒|绊倒|受伤|没法|易滑|被砍|被拆|积雪|有坑|"
    "有(?:大量|车辆|流浪|死)|擅自|责令|使用(?:过期|地沟油|不合格)|无(?:证|照|执业|中文|营业)|过期|"
    # a record's labels of what happened (事件：5名男子打架) and the noise of horns
    "事件|事由|案由|诉求内容|问题描述|鸣笛|鸣喇叭|按喇叭|争吵|吵架|吵闹|喧哗|烧纸|烧(?:垃圾|秸秆|树叶|杂草|轮胎|塑料|废品|电线)|"
    # a ticket's labels of the account (涉及问题：…, 具体情况：…, 反映内容：…)
    "涉及问题|涉及事项|具体情况|具体内容|反映内容|上报内容|投诉内容|举报内容|事发情况|问题类型|诉求类型|情况说明|"
    "处理意见|办理情况|问题内容|诉求事项|"
    "有(?:村民|居民|群众|商户|业主|住户|市民|游客|学生|小孩|老人))"
    "(?![\u3400-\u9fff\U00020000-\U0003ffff]{0,6}(?:公司|厂|店|站|部|中心|队))"
)


def event_at(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` tells what happened there (a ticket's 噪音扰民, 路灯不亮)."""
    return _EVENT.search(text, start, end) is not None


# Features of a street or a bank written without a name (绿化带, 公交站, 井盖): where on the street, in a
# ticket; not a place to match (西山公交站, with its name, is one).
_STREET_FEATURE = re.compile(
    "(?:的|处|边的?|旁的?)?(?:绿化带|隔离带|人行道|非机动车道|盲道|公交站台?|公交车站|站台|路灯|路灯杆|电线杆|"
    "红绿灯|信号灯|斑马线|垃圾桶|垃圾箱|垃圾房|垃圾点|垃圾堆|井盖|窨井盖?|下水道|排水沟|水沟|花坛|草坪|草地|空地|"
    "围墙|护栏|栏杆|广告牌|消防栓|岗亭|报刊亭|天桥|地下通道|涵洞|桥下|桥边|河边|河岸|岸边|路边|路面|路段|"
    "工地|道路|马路|河道|河面|停车位|车位|配电箱|变电箱|电箱|化粪池|厂房|车间|仓库|店面|门面|商铺|院内|院子|后院|楼道|楼梯间|地下室|车库|夹层|架空层|阁楼|天台|楼顶|顶楼)"
    "(?:处|边|旁|上|下|内|里|门口)?"
)
_FEATURE_END = re.compile(f"(?:{_STREET_FEATURE.pattern})$")
# Places named by their kind alone (对面|菜市场): a landmark, nothing a base could name; right after a
# name (新区|菜场) they are that name's.
_KIND_ALONE = re.compile(
    "(?:菜市场|菜场|小吃店|饭店|超市|小卖部|便利店|早餐店|理发店|药店|商店)(?:门口|旁|边)?"
)
# Kinds of place written alone after a door (…8号小区门口): the place at that door, not named.
_BARE_KIND = re.compile(
    "小区|医院|学校|商场|超市|市场|公园|广场|酒店|宾馆|大厦|大楼|步行街|商业街|写字楼|(?:地下)?停车场|酒吧|网吧"
)
# Where at such a place something happened, or someone did (门口, 门前, 内有人…).
_AT_THE_PLACE = re.compile(",?(?:门口|门前|大门口|内有|里有|内的|里的|内[0-9一二三四五六七八九十几]|有人)")
# Notes of a household or firm registry: a collective household, the relation to its head, a shared or
# temporary building.
_REGISTRY_NOTE = re.compile(
    "集体户.{0,20}|(?:与)?户主.{0,20}|与.{2,30}共用.{0,6}|临时(?:厂房|仓库|用房|车间|摊位|住所)?"
    # a relation to the household's head written alone (与户主关系：儿子)
    "|儿子|女儿|妻子|丈夫|父亲|母亲|本人|配偶|孙子|孙女|儿媳|女婿|之妻|之夫|之子|之女"
    # 自编5栋, 自编号12 (广州): a number the owner gave, which the level after it carries
    "|自编号?"
    # 出租房, 出租房屋 居住3人, 群租房: a rented home, as rental registrations note it; 现住址同上: the same address
    "|(?:出租(?:房屋?|屋|房间|户)?|群租房)(?:居住)?|居住|(?:现住址|现居住地|居住地址?|住址)?同(?:上|户籍地?址?)"
    # 流动人口5人, 出租给外来务工人员: who lives there, as a rental record notes it
    "|流动人口.{0,6}|(?:出租给)?外来(?:务工)?人员.{0,6}|每(?:间|户|人|月|年|天|平方米?|平米)"
    # 户籍地址, 暂住地: an address's label left alone (the address after it kept as a note, or none given)
    "|[\u3400-\u9fff]{0,4}(?:地址|住址|住所|居住地|暂住地|现住地|户籍地)"
)
# A collective household after the place it is registered at (浙江大学学生集体户).
_COLLECTIVE = re.compile("(?:学生|职工|单位|人才)?集体户")
# Times of day and of the week written alone (晚上, 今天下午).
_TIME_WORDS = re.compile(
    "(?:今天|昨天|前天|每天|每晚|晚上|早上|上午|下午|中午|白天|傍晚|周末|深夜|凌晨|半夜|夜间|夜里)+"
)
# A compound named before such words (金汇小区|内有人饲养家禽): its name ends with one of these.
_NAMED_PLACE = re.compile(
    ".*?(?:小区|花园|家园|嘉园|名苑|华庭|公馆|新村|大厦|大楼|广场|公寓|商城|市场|中心|学校|医院|公司|大学|学院|中学|小学|"
    "园|苑|村|店|厂|馆|楼)"
)


def _extends_poi(st: _State, s: int) -> bool:
    last = st.pieces[-1] if st.pieces else None
    return last is not None and last.field == "poi" and last.end == s
