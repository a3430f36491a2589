"""Labelled fields of a form around an address: 学生：王梓涵 家庭住址：… 监护人：李娜 电话：….

A department's record often comes as one text of labelled fields (a school's enrolment form, a rental
registration, a household register). The fields that are not an address (a name, a count, an ID, a
remark), the address field's own label and a form's title before them are notes; reading them as address
parts makes a compound of 监护人 or of 出租房屋登记. This module finds them in the text as written: its
spaces, tabs, semicolons and colons end a field (the cleaned text has lost most of them). Only labels of
a known kind are taken, each with a value of its kind (a name, a number), so that a label of a place
(北京公司：, 总部：, 济南：) keeps its address. A label is followed by a colon, or, at the start of a field
(after a separator), by a space or by its value at once (姓名王浩然;性别女;地址龙港…).
"""

from __future__ import annotations

import re

__all__ = ["form_notes", "FORM_HINT"]

_CJK = "\u3400-\u9fff\U00020000-\U0003ffff"
_PERSON_LABELS = (
    "学生姓名|姓名|学生|监护人|家长|紧急联系人|联系人|负责人|法定代表人|法人代表|法人|房东姓名|房主姓名|户主姓名|"
    "租户姓名|二房东|房东|房主|出租人|户主|业主|承租人|租户|"
    "申请人|当事人|诉求人|投诉人|举报人|反映人|经营者|收件人|收货人|寄件人|报警人|来电人|网格员|民警|经办人"
)
_NUMBER_LABELS = (  # (a phone's label is the address reading's own: it reads a name after the number too)
    "身份证号码?|身份证|证件号码?|户号|编号|工单号|单号|学号|统一社会信用代码|信用代码|营业执照号?|注册号|车牌号?|"
    "暂住证号?|居住证号?|房屋编[号码]|出租屋编号|不动产单元号|不动产权证号|权证号|宗地号|地号|宗地代码|社保卡号|"
    "医保卡号|社会保障卡号|卡号|电表号|水表号|燃气表号|表号|表箱号|抄表段"
)
_COUNT_LABELS = "承租人数|居住人数|出租间数|出租户数|人数|户数|间数|层数"
_ATTRIBUTE_LABELS = (
    "性别|民族|年龄|出生日期|学校|班级|年级|职业|工作单位|面积|建筑面积|使用面积|用途|房屋用途|结构|租金|月租|"
    "时间|日期|类型|来源|与户主关系|关系|状态|等级|所属网格|网格|婚姻状况|兵役状况|文化程度|政治面貌|房屋性质|"
    "房屋类型|户口性质|户别|籍贯|出生地|表箱位置|表箱|宅基地面积|宗地面积|宅基地使用权人|参保单位|参保人|户名"
)
# Labels of a name or number the address goes on with (酒店名称：睦南道花园酒店, 房号：8215): the label alone.
_LEAD_IN_LABELS = "酒店名称|宾馆名称|旅馆名称|单位名称|场所名称|小区名称|房间号|房号|客房"
_FREE_TEXT_LABELS = (
    "备注|问题描述|问题|事由|诉求内容|诉求|描述|内容|情况说明|情况|说明|处理意见|意见|处理结果|原因|事项|经营范围|"
    "反映内容|投诉内容|举报内容|上报内容|具体情况|具体内容|涉及问题|事件描述|事件"
)
# (the words before 地址 name whose address it is, no place: 五山路|自编地址 is no label)
_ADDRESS_LABELS = f"(?:(?![路街巷道区县市镇乡村号])[{_CJK}]){{0,6}}?(?:地址|住址|住所|经营场所|事发地点|户籍地|居住地|暂住地|现住地)"
_KINDS = (  # counts first: 承租人数 is no 承租人
    ("count", _COUNT_LABELS),
    ("person", _PERSON_LABELS),
    ("number", _NUMBER_LABELS),
    ("attribute", _ATTRIBUTE_LABELS),
    ("free", _FREE_TEXT_LABELS),
    ("lead_in", _LEAD_IN_LABELS),
    ("address", _ADDRESS_LABELS),
)
_NAMES = "|".join(f"(?P<{kind}>{words})" for kind, words in _KINDS)
# Labels that are labels only with their colon (单位：…; 单位宿舍 is a place).
_COLON_ONLY = {"attribute": "单位"}
_COLON_NAMES = "|".join(
    f"(?P<{kind}>{words}|{_COLON_ONLY[kind]})" if kind in _COLON_ONLY else f"(?P<{kind}>{words})"
    for kind, words in _KINDS
)
# A field separator as forms write them (not the comma of an address: 5栋1单元，秀水小区).
_FIELD_END = r"[;；\t\r\n]|\s{2,}|[,，](?=\s*(?:" + "|".join(w for _, w in _KINDS[:-1]) + "))"
_FIELD_END_RE = re.compile(_FIELD_END)
# A label with its colon, anywhere a field may start (after a separator, a door, a room or a bracket).
_COLON_LABEL = re.compile(rf"(?:^|(?<=[\s,，;；。、)）】\]0-9号室:：]))(?:{_COLON_NAMES})\s*[:：]\s*")
# A label at the start of a field with a space or its value right after it (姓名 张三; 姓名张三;).
# (not the opening of an address's label: 诉求|地址, 问题|地址)
_BARE_LABEL = re.compile(rf"(?:^|(?<=[\s,，;；]))(?!同)(?:{_NAMES})(?![:：]|地址|住址|住所|地点)\s*")
# Each kind's value, right after its label.
_VALUES = {
    "person": re.compile(  # (a list of names too: 租户：赵磊、钱多多)
        rf"(?:[{_CJK}](?:某某?|XX?|\*{{1,3}}|×{{1,3}})|[{_CJK}·]{{1,5}}(?![{_CJK}])|[A-Za-z ]{{2,20}})"
        rf"(?:、(?:[{_CJK}](?:某某?|XX?|\*{{1,3}}|×{{1,3}})|[{_CJK}·]{{2,4}}(?![{_CJK}])))*"
    ),
    "number": re.compile(rf"[{_CJK}]{{0,2}}[0-9A-Za-z()（）+-]{{3,}}"),  # (暂住证号：京暂110105…)
    "count": re.compile("[0-9一二三四五六七八九十两]{1,3}[人户间层]?"),
    "attribute": re.compile(r"[^\s,，;；。]{1,20}"),
}
_VALUE_END = re.compile(rf"\s|$|{_FIELD_END}|[,，。]")
# What follows an address's name that is not its value (地址是…, 办公地址一：…).
_NOT_A_VALUE = re.compile("[是为一二三四五:：]")
# An address field's value that says there is none of its own (现住址：同户籍地址).
# (or none at all: 暂无, 不详, 无。)
_SAME = re.compile(
    r"\s*(?:同上|同户籍地?址?|同住所|同居住地址?|暂无|无地址|无|不详|不明|未知|未填写?|待定|待补充|没有)[\s。.]*"
)
# The label of a former address (原住址, 原地址, 旧址, 原户籍地址), when the form gives the current one too.
_FORMER = re.compile("原|旧|曾|以前")
# A form's title before its first label (新生入学登记, 出租房屋信息登记表, 消防检查记录).
# (or the scheme a record is of: 城乡居民医保, 职工养老保险, 低保)
_TITLE = re.compile(
    "(?:登记表?|信息表?|申请表?|申报表?|记录|检查|核查|巡查|台账|明细|医保|社保|保险|低保|救助|补贴|补助)$"
)
# A firm's name before its labelled address (新兴五金店 住所：…).
_FIRM = re.compile("(?:公司|商店|店|厂|经营部|商行|门市部|工作室|诊所|合作社)$")
_LEAD_END = " \t\r\n:：;；,，"
# A ticket's header before its labelled address (沈阳市12345 工单 受理时间 2024年1月8日 诉求地址 …, 广州12345
# 工单号… 分类：市容 地址：…): what the record is, who filed it and when; a city named there is the hotline's,
# not the address's.
_TICKET_HEAD = re.compile(
    "12345|工单|受理|编号|来源|渠道|热线|诉求人|反映人|来电人|投诉人|举报人|案件|登记日期"
)
# The first word of a text, to any separator (a form's title: 出租房屋信息登记表 联系电话 …).
_FIRST_FIELD = re.compile(r"\s*[^\s:：;；,，]+")
# Words of a form's labels: a text without any is no form (a cheap test before the full search).
FORM_HINT = re.compile(
    "姓名|地址|住址|住所|场所|身份证|网格|备注|房东|房主|业主|承租|监护|户主|性别|经营|问题|登记|记录|信用代码|负责人|"
    "户籍|居住|暂住|现住|证号|状况|程度|面貌|房号|房间号|名称|租户|籍贯|"
    "联系人|收件人|收货人|寄件人|法人|申请人|当事人|户名|户号|表号|表箱|抄表|宗地|地号|单位|卡号|参保|宅基地"
)


def form_notes(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that are a form's fields other than its address (姓名：…, 监护人：…, 备注：…, an
    address field that says 同上), the address field's label when it has no colon, and the form's title
    or the firm whose address it labels, before its labels.

    >>> t = "学生：王梓涵 家庭住址：鹿城区解放街6号 监护人：李娜 人数：3人"
    >>> [t[s:e] for s, e in form_notes(t)]
    ['学生：王梓涵', '监护人：李娜', '人数：3人']
    """
    labels = _labels(text)
    if not labels:
        return []
    spans = []
    # The first field of the text when no label opens it: 出租房屋登记 房东：…, 新兴五金店 住所：…, the
    # form's title or whose address the form gives.
    head = _FIRST_FIELD.match(text, 0, labels[0][0])
    lead = head.group() if head is not None else ""
    if lead and not any(c.isdigit() for c in lead) and (_TITLE.search(lead) or _FIRM.search(lead)):
        spans.append((len(lead) - len(lead.lstrip()), len(lead)))
    addressed = any(kind == "address" for _, _, kind, _ in labels)
    first = next((start for start, _, kind, _ in labels if kind == "address"), 0)
    if first and _TICKET_HEAD.search(text, 0, first):
        spans.append((0, first))
    first_address = True
    for i, (start, end, kind, colon) in enumerate(labels):
        stop = labels[i + 1][0] if i + 1 < len(labels) else len(text)
        if kind == "address":
            if _SAME.fullmatch(text, end, stop):
                spans.append((start, stop))  # 现住址：同户籍地址
            elif _FORMER.match(text, start) and any(k == "address" for _, _, k, _ in labels[i + 1 :]):
                spans.append((start, stop))  # 原住址：…；现住址：…: the former address is a note
            elif first_address and not colon and _NOT_A_VALUE.match(text, end) is None:
                # 现住址瓯海银河花园…, 地址 龙港…: the label set apart, so that the address opens after it (a
                # label with its colon is the address reading's own, and so is a second address's)
                spans.append((start, end))
            first_address = False
            continue
        if kind == "lead_in":
            spans.append((start, end))  # 房号：|8215, 酒店名称：|睦南道花园酒店: the value is the address's
            continue
        if kind == "free":
            if not addressed and not text[:start].strip(" ,，;；"):
                continue  # 问题：瓯海区…12号 垃圾满溢: the ticket's text opens with its address
            field_end = _FIELD_END_RE.search(text, end, stop)
            spans.append((start, stop if colon or field_end is None else field_end.start()))
            continue
        value = _VALUES[kind].match(text, end, stop)
        if value is None or (not colon and _VALUE_END.match(text, value.end()) is None):
            if colon:
                spans.append((start, end))  # the label alone: its value is no value of its kind
            continue  # 学生公寓3幢: no label, the start of a name
        spans.append((start, value.end()))
    return [(s, len(text[:e].rstrip(_LEAD_END))) for s, e in spans if e > s]


def _labels(text: str) -> list[tuple[int, int, str, bool]]:
    """The labels found, as (start, end past the label and its separator, kind, with a colon), in order;
    where a bare label and one with a colon overlap, the one with the colon."""
    found: dict[int, tuple[int, int, str, bool]] = {}
    for m in _BARE_LABEL.finditer(text):
        found[m.start()] = (m.start(), m.end(), str(m.lastgroup), False)
    for m in _COLON_LABEL.finditer(text):
        found[m.start()] = (m.start(), m.end(), str(m.lastgroup), True)
    out: list[tuple[int, int, str, bool]] = []
    for label in sorted(found.values()):
        if out and label[0] < out[-1][1]:
            continue  # inside the previous label (身份证号 of 身份证号码)
        out.append(label)
    return out
