"""Labelled fields of a form around an address: 学生：王梓涵 家庭住址：… 监护人：李娜 电话：….

A department's record often comes as one text of labelled fields (a school's enrolment form, a rental
registration, a household register). The fields that are not an address (a name, a count, an ID, a
remark) and a form's title before them are notes; reading them as address parts makes a compound of
监护人 or of 出租房屋登记. This module finds them in the text as written: its spaces and colons end a
field (the cleaned text has lost both). Only labels of a known kind are taken, each with a value of its
kind (a name, a number), so that a label of a place (北京公司：, 总部：, 济南：) keeps its address.
"""

from __future__ import annotations

import re

__all__ = ["form_notes"]

_CJK = "\u3400-\u9fff\U00020000-\U0003ffff"
_PERSON_LABELS = (
    "姓名|学生|学生姓名|监护人|家长|联系人|负责人|法定代表人|法人代表|法人|房东|房主|出租人|户主|业主|承租人|租户|"
    "申请人|当事人|诉求人|投诉人|举报人|反映人|经营者|收件人|收货人|寄件人|报警人|来电人|网格员|民警|经办人"
)
_NUMBER_LABELS = "身份证号码?|身份证|证件号码?|户号|编号|工单号|单号|学号|统一社会信用代码|信用代码|营业执照号?|注册号|车牌号?"
_COUNT_LABELS = "承租人数|居住人数|人数|户数|间数|层数"
_ATTRIBUTE_LABELS = (
    "性别|民族|年龄|出生日期|学校|班级|年级|职业|工作单位|面积|建筑面积|使用面积|用途|房屋用途|结构|租金|月租|"
    "时间|日期|类型|来源|与户主关系|关系|状态|等级"
)
_FREE_TEXT_LABELS = (
    "备注|问题|问题描述|事由|诉求|诉求内容|描述|内容|情况|情况说明|说明|意见|处理意见|处理结果|原因|事项"
)
# A label and its colon, at the start, after a separator, or right after a door, room or bracket.
_LABEL = re.compile(
    rf"(?:^|(?<=[\s,，;；。、)）】\]0-9号室]))(?:(?P<person>{_PERSON_LABELS})|(?P<number>{_NUMBER_LABELS})"
    rf"|(?P<count>{_COUNT_LABELS})|(?P<attribute>{_ATTRIBUTE_LABELS})|(?P<free>{_FREE_TEXT_LABELS})"
    rf"|(?P<address>[{_CJK}]{{0,6}}?(?:地址|住址|住所)))\s*[:：]\s*"
)
# Each kind's value, right after its label.
_VALUES = {
    "person": re.compile(
        rf"[{_CJK}](?:某某?|XX?|\*{{1,3}}|×{{1,3}})|[{_CJK}·]{{1,5}}(?![{_CJK}])|[A-Za-z ]{{2,20}}"
    ),
    "number": re.compile(r"[0-9A-Za-z-]{3,}"),
    "count": re.compile("[0-9一二三四五六七八九十两]{1,3}[人户间层]?"),
    "attribute": re.compile(r"[^\s,，;；。]{1,20}"),
}
# An address field's value that says there is none of its own (现住址：同户籍地址).
_SAME = re.compile(r"\s*(?:同上|同户籍地?址?|同住所|同居住地址?|无|不详)\s*")
# A form's title before its first label (新生入学登记, 出租房屋登记, 消防安全检查).
_TITLE = re.compile("(?:登记表?|信息表?|申请表?|申报表?|记录|检查|核查|巡查|台账|明细)$")
# A firm's name before its labelled address (新兴五金店 住所：…).
_FIRM = re.compile("(?:公司|商店|店|厂|经营部|商行|门市部|工作室|诊所|合作社)$")


def form_notes(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that are a form's fields other than its address (姓名：…, 监护人：…, 备注：…, an
    address field that says 同上), and its title or the firm whose address it labels, before its labels.

    >>> t = "学生：王梓涵 家庭住址：鹿城区解放街6号 监护人：李娜 人数：3人"
    >>> [t[s:e] for s, e in form_notes(t)]
    ['学生：王梓涵', '监护人：李娜', '人数：3人']
    """
    labels = list(_LABEL.finditer(text))
    if not labels:
        return []
    spans = []
    lead = text[: labels[0].start()].rstrip()
    if lead and not any(c.isdigit() for c in lead) and (_TITLE.search(lead) or _FIRM.search(lead)):
        # 出租房屋登记 房东：…, 新兴五金店 住所：…: the form's title, or whose address the form gives
        spans.append((len(lead) - len(lead.lstrip()), len(lead)))
    addressed = any(m.group("address") for m in labels)
    for i, m in enumerate(labels):
        stop = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        kind = m.lastgroup
        if kind == "address":
            if _SAME.fullmatch(text, m.end(), stop):
                spans.append((m.start(), stop))  # 现住址：同户籍地址
            continue
        if kind == "free":
            if not addressed and not text[: m.start()].strip(" ,，;；"):
                continue  # 问题：瓯海区…12号 垃圾满溢: the ticket's text opens with its address
            spans.append((m.start(), stop))
            continue
        value = _VALUES[str(kind)].match(text, m.end(), stop)
        spans.append((m.start(), value.end() if value is not None else m.end()))
    return [(s, len(text[:e].rstrip())) for s, e in spans if e > s]
