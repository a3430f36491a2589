"""Words the generator draws from: name stems (shipped files), confusable and variant characters, and
the few short lists (surnames, landmarks, delivery notes) that messy queries are decorated with.

Files are read on first use and cached; see data/README-synth.md for where they come from.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from stdaddr.text import clean

__all__ = [
    "road_stems",
    "compound_stems",
    "confusables",
    "traditional_forms",
    "radical_forms",
    "SURNAMES",
    "LANDMARKS",
    "RELATIONS",
    "DELIVERY_NOTES",
]

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余叶程苏吕魏卢"
)
# Places people give their address by: a shop or office, named after the town or road (五马美食林).
LANDMARKS = (
    "美食林",
    "农业银行",
    "工商银行",
    "超市",
    "加油站",
    "菜场",
    "公交站",
    "幼儿园",
    "卫生院",
    "派出所",
    "邮政所",
    "药店",
    "酒店",
)
RELATIONS = ("对面", "旁边", "隔壁", "附近", "斜对面", "东侧", "西侧", "后面")
DELIVERY_NOTES = ("放前台", "放门卫", "放快递柜", "送货前电话联系", "放物业")


def _lines(name: str) -> list[str]:
    path = resources.files("stdaddr").joinpath("data")
    for part in name.split("/"):
        path = path.joinpath(part)  # one part per call: Python 3.10's Traversable takes one
    text = path.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@cache
def road_stems() -> tuple[str, ...]:
    """Road-name stems, most frequent first (人民, 解放, ...)."""
    return tuple(_lines("synth/road_stems.txt"))


@cache
def compound_stems() -> tuple[str, ...]:
    """Compound-name stems, most frequent first (阳光, 锦绣, ...)."""
    return tuple(_lines("synth/compound_stems.txt"))


@cache
def confusables() -> dict[str, tuple[str, ...]]:
    """Characters typed for one another (园 -> 圆 元 源)."""
    out = {}
    for line in _lines("synth/confusables.txt"):
        char, *others = line.split("|")
        out[char] = tuple(others)
    return out


def _reversed_table(name: str) -> dict[str, tuple[str, ...]]:
    """Variant forms of each character from a ``variant<TAB>standard`` table, kept only where the
    library's character folding really maps the variant back (so a query stays resolvable)."""
    out: dict[str, list[str]] = {}
    for line in _lines(name):
        variant, standard = line.split("\t")[:2]
        if len(variant) == 1 and len(standard) == 1 and clean(variant)[0] == standard:
            out.setdefault(standard, []).append(variant)
    return {k: tuple(sorted(v)) for k, v in out.items()}


@cache
def traditional_forms() -> dict[str, tuple[str, ...]]:
    """Traditional forms of simplified characters (温 -> 溫), from the library's t2s table reversed."""
    return _reversed_table("t2s.tsv")


@cache
def radical_forms() -> dict[str, tuple[str, ...]]:
    """CJK radical-supplement forms of ideographs (西 -> ⻄), from the library's radical table reversed."""
    return _reversed_table("radicals.tsv")
