"""Parsing accuracy of stdaddr on CCKS 2021 and NAACL 2019, and a comparison with cpca and jionlp.

Two methods, both printed for each dataset:

1. **Spans** (stdaddr only): gold = the set of ``(field, start, end)`` after mapping the dataset's tags
   to our fields (``CCKS_MAP``, ``NAACL_MAP``); predicted = ``(c.field, c.start, c.end)`` of ``Address.components``.
   A span counts only when field, start and end all agree. Per-field P/R/F1 and support, micro over
   all mapped tags. Fields the dataset does not annotate (``room`` in CCKS) are not scored.
2. **Values** (division levels, all systems on the same seeded sample): for an address whose gold has a
   span at a level, the system is right when its name for that level equals the gold text once both
   lose their level suffix (省 市 区 县 街道 镇 乡 社区 村 ... and ethnic-autonomy words), wrong when it
   names something else, missing when it names nothing. Values at levels the text does not contain are
   not scored: every system infers upper levels, and the gold annotates only what is written.
   cpca and jionlp (``change2new=False``) report names as written (older names kept); stdaddr reports
   the current name, so its value also counts when the text it read for that level matches.

    python bench/parse_accuracy.py                 # both datasets, all addresses
    python bench/parse_accuracy.py --limit 500     # quick run
    python bench/parse_accuracy.py --errors road -n 20 --dataset ccks
    python bench/parse_accuracy.py --json accuracy.json
    python bench/parse_accuracy.py --devzone town  # map devzone to town instead of poi
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import CCKS_TRAIN, NAACL_DEV, TaggedText, prf, read_tagged, require, table, timed  # noqa: E402

from stdaddr.models import DIVISION_FIELDS, FIELDS  # noqa: E402

# Dataset tag (lower-cased) -> our field. Tags absent from a map are not evaluated.
# devzone -> town: the model puts development zones at the town level, as the division codes do (town codes
# 400-599 are 开发区/工业区/farms). 942 of the 1,020 CCKS devzone spans match no division name of the NBS
# gazetteer, so it is a judgement call: --devzone poi|skip changes it, and the figures under each choice are printed.
# subpoi -> poi: our model has one poi level, so a subpoi directly after a poi (or after another
# subpoi of that run) is merged with it into one gold poi span (小区 + 组团 = one compound name);
# a subpoi elsewhere is a poi span of its own. A devzone span is never merged.
CCKS_MAP = {
    "prov": "province",
    "city": "city",
    "district": "county",
    "devzone": "town",
    "town": "town",
    "community": "community",
    "village_group": "group",
    "road": "road",
    "roadno": "house_number",
    "poi": "poi",
    "subpoi": "poi",
    "houseno": "building",
    "cellno": "unit",
    "floorno": "floor",
}
CCKS_NOT_EVALUATED = ("assist", "distance", "intersection", "O")
# subroad stays a road span of its own (江南大道创业大道: two roads) and subroadno a house_number.
NAACL_MAP = {
    "prov": "province",
    "city": "city",
    "district": "county",
    "devzone": "town",
    "town": "town",
    "community": "community",
    "road": "road",
    "subroad": "road",
    "roadno": "house_number",
    "subroadno": "house_number",
    "poi": "poi",
    "subpoi": "poi",
    "houseno": "building",
    "cellno": "unit",
    "floorno": "floor",
    "roomno": "room",
}
NAACL_NOT_EVALUATED = ("country", "person", "assist", "redundant", "otherinfo")
_MERGE_INTO_POI = ("poi", "subpoi")
# A division written twice (浙江省杭州市浙江省杭州市...): CCKS tags every copy with its level; NAACL tags the
# first copies "redundant" and the copy next to the rest of the address with its level. stdaddr reports the first
# copy as the level and later copies as components of their level marked `repeated` (their text is in
# Address.extra). So all of stdaddr's copies are scored, and a prediction on a span the gold calls "redundant"
# (not evaluated) is not counted, as on any other span that is not evaluated.
MUNICIPALITIES = frozenset({"北京", "上海", "天津", "重庆"})
_MUNICIPALITY_TWIN = {"province": "city", "city": "province"}


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    path: Path
    tag_map: dict[str, str]
    repeats_tagged: bool

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for f in FIELDS if f in self.tag_map.values())


DATASETS = (
    Dataset("ccks", "CCKS 2021 train (BIOES, digits masked to 0)", CCKS_TRAIN, CCKS_MAP, True),
    Dataset("naacl", "NAACL 2019 dev (BIO)", NAACL_DEV, NAACL_MAP, False),
)
DEVZONE_CHOICES = ("poi", "town", "skip")
TARGETS = (("province", 0.97), ("city", 0.97), ("county", 0.97), ("town", 0.93), ("micro", 0.85))


@dataclass(frozen=True)
class Item:
    """One address: its text, gold spans of evaluated fields, and all gold spans as (label, field, s, e)."""

    text: str
    gold: frozenset[tuple[str, int, int]]
    raw: tuple[tuple[str, str | None, int, int], ...]
    repeats_scored: bool


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def with_devzone(tag_map: dict[str, str], devzone: str) -> dict[str, str]:
    """The tag map with devzone mapped to ``devzone`` ("poi", "town") or left out ("skip")."""
    out = dict(tag_map)
    if devzone == "skip":
        out.pop("devzone", None)
    else:
        out["devzone"] = devzone
    return out


def build_item(tagged: TaggedText, tag_map: dict[str, str], repeats_tagged: bool) -> Item:
    """Map tags to fields, merge poi+subpoi runs, trim spaces at span edges, set repeats aside unless the
    dataset tags them with their level."""
    merged: list[list[Any]] = []
    for span in tagged.spans:
        label = span.label.lower() if span.label != "O" else "O"
        last = merged[-1] if merged else None
        if label == "subpoi" and last is not None and last[0] in _MERGE_INTO_POI and last[2] == span.start:
            last[2] = span.end
            continue
        merged.append([label, span.start, span.end])
    raw: list[tuple[str, str | None, int, int]] = []
    seen: set[tuple[str, str]] = set()
    for label, s, e in merged:
        s, e = _trim(tagged.text, s, e)
        if s >= e:
            continue
        field = tag_map.get(label)
        if field in DIVISION_FIELDS:
            key = (field, level_key(tagged.text[s:e]))
            if key in seen and not repeats_tagged:
                label, field = "repeat", None
            seen.add(key)
        raw.append((label, field, s, e))
    gold = frozenset((field, s, e) for _, field, s, e in raw if field is not None)
    return Item(tagged.text, gold, tuple(raw), repeats_tagged)


def predicted(address: Any, item: Item) -> list[tuple[str, int, int]]:
    """All components of a parse as (field, start, end), trimmed like the gold, in text order.

    A municipality is both province and city and stdaddr writes it once; its span counts for
    whichever of the two levels the gold gives it.
    """
    out = set()
    not_scored = {(s, e) for label, field, s, e in item.raw if field is None and label == "redundant"}
    for c in address.components:
        s, e = _trim(item.text, c.start, c.end)
        if (s, e) in not_scored:
            continue
        if s >= e:
            continue
        field = c.field
        twin = _MUNICIPALITY_TWIN.get(field)
        if twin and level_key(item.text[s:e]) in MUNICIPALITIES and (twin, s, e) in item.gold:
            field = twin
        out.add((field, s, e))
    return sorted(out, key=lambda x: (x[1], x[2], FIELDS.index(x[0]) if x[0] in FIELDS else 99))


@dataclass
class SpanScores:
    tp: Counter[str]
    fp: Counter[str]
    fn: Counter[str]
    kinds: dict[str, Counter[str]]
    errors: dict[str, list[int]]
    shared_spans: int = 0


def _overlaps(a: tuple[Any, ...], s: int, e: int) -> bool:
    return a[-2] < e and s < a[-1]


def _missed_kind(field: str, s: int, e: int, preds: list[tuple[str, int, int]]) -> str:
    exact = [p[0] for p in preds if p[1] == s and p[2] == e]
    if exact:
        return f"missed: read as {'+'.join(exact)} (same span)"
    over = [p for p in preds if _overlaps(p, s, e)]
    same = [p for p in over if p[0] == field]
    if same:
        ps, pe = same[0][1], same[0][2]
        shape = "too long" if ps <= s and pe >= e else "too short" if ps >= s and pe <= e else "shifted"
        return f"missed: {field} span {shape}"
    if over:
        return f"missed: split/covered by {'+'.join(dict.fromkeys(p[0] for p in over))}"
    return "missed: not found"


def _spurious_kind(field: str, s: int, e: int, item: Item) -> str:
    exact = [r for r in item.raw if r[2] == s and r[3] == e]
    if exact:
        label, gfield = exact[0][0], exact[0][1]
        return f"spurious: gold is {_gold_name(label, gfield)} (same span)"
    over = [r for r in item.raw if _overlaps(r, s, e)]
    if any(r[1] == field for r in over):
        return f"spurious: boundary differs from gold {field}"
    if not over:
        return "spurious: outside every gold span"
    return f"spurious: over gold {'+'.join(dict.fromkeys(_gold_name(r[0], r[1]) for r in over))}"


def _gold_name(label: str, field: str | None) -> str:
    if field is not None:
        return field
    return "untagged text" if label == "O" else f"{label} [not evaluated]"


def score_spans(items: Sequence[Item], addresses: Sequence[Any], fields: Sequence[str]) -> SpanScores:
    """Count TP/FP/FN per field and classify every error."""
    sc = SpanScores(Counter(), Counter(), Counter(), defaultdict(Counter), defaultdict(list))
    wanted = set(fields)
    for i, (item, address) in enumerate(zip(items, addresses, strict=True)):
        preds = predicted(address, item)
        pred_set = {p for p in preds if p[0] in wanted}
        by_span = Counter((p[1], p[2]) for p in preds if p[0] in FIELDS)
        sc.shared_spans += sum(n for n in by_span.values() if n > 1)
        bad: set[str] = set()
        for g in item.gold:
            if g in pred_set:
                sc.tp[g[0]] += 1
            else:
                sc.fn[g[0]] += 1
                sc.kinds[g[0]][_missed_kind(*g, preds)] += 1
                bad.add(g[0])
        for p in pred_set - item.gold:
            sc.fp[p[0]] += 1
            sc.kinds[p[0]][_spurious_kind(*p, item)] += 1
            bad.add(p[0])
        for f in bad:
            sc.errors[f].append(i)
    return sc


def span_rows(sc: SpanScores, fields: Sequence[str]) -> tuple[list[list[Any]], dict[str, Any]]:
    rows, out = [], {}
    for f in [*fields, "micro"]:
        if f == "micro":
            tp, fp, fn = (sum(c[x] for x in fields) for c in (sc.tp, sc.fp, sc.fn))
        else:
            tp, fp, fn = sc.tp[f], sc.fp[f], sc.fn[f]
        p, r, f1 = prf(tp, fp, fn)
        rows.append([f, p, r, f1, tp + fn, tp, fp, fn])
        out[f] = {"precision": p, "recall": r, "f1": f1, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn}
    return rows, out


_ETHNIC = (  # noqa: SIM905 - a word list reads better as one string
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_LEVEL_SUFFIX = re.compile(
    "(?:特别行政区|自治区|自治州|自治县|自治旗|街道办事处|社区居民委员会|社区居委会|居民委员会|村民委员会|"
    "办事处|居委会|村委会|地区|新区|街道|社区|省|市|州|盟|区|县|旗|镇|乡|村)$"
)
_ETHNIC_TAIL = re.compile(
    "(?:" + "|".join(sorted((e + "族" for e in _ETHNIC), key=len, reverse=True)) + ")+$|维吾尔$"
)
_NOT_A_CITY = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def level_key(name: str) -> str:
    """A division name without its level suffix and ethnic-autonomy words.

    >>> [level_key(n) for n in ("广西壮族自治区", "杭州", "杭州市", "五马街道", "红河州")]
    ['广西', '杭州', '杭州', '五马', '红河']
    """
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    suffix = _LEVEL_SUFFIX.search(key)
    if suffix and suffix.start() >= 2:  # 杭州 stays 杭州: a two-character name is its own stem
        key = key[: suffix.start()]
    stem = _ETHNIC_TAIL.sub("", key)
    return stem if len(stem) >= 2 else key


Values = list[dict[str, set[str]]]


def stdaddr_values(addresses: Sequence[Any]) -> Values:
    out = []
    for a in addresses:
        row: dict[str, set[str]] = {}
        for level in DIVISION_FIELDS:
            names = {getattr(a, level)} | {c.text for c in a.components if c.field == level}
            row[level] = {n for n in names if n}
        out.append(row)
    return out


def cpca_values(texts: Sequence[str]) -> Values:
    import cpca

    df = cpca.transform(list(texts))
    out = []
    for prov, city, county in zip(df["省"], df["市"], df["区"], strict=True):
        prov, city, county = (v if isinstance(v, str) and v else None for v in (prov, city, county))
        if city == "市辖区":
            city = prov  # a municipality: its city level is itself
        elif city in _NOT_A_CITY:
            city = None
        out.append({"province": {prov} - {None}, "city": {city} - {None}, "county": {county} - {None}})
    return out


def jionlp_values(texts: Sequence[str]) -> tuple[Values, int]:
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp
    out, failures = [], 0
    for text in texts:
        try:
            r = jionlp.parse_location(text, town_village=True, change2new=False)
        except Exception:  # noqa: BLE001 - a peer failing on one text is a figure, not a crash
            failures += 1
            r = {}
        names = {
            "province": r.get("province"),
            "city": r.get("city"),
            "county": r.get("county"),
            "town": r.get("town"),
            "community": r.get("village"),
        }
        out.append({k: {v} if v else set() for k, v in names.items()})
    return out, failures


def score_values(items: Sequence[Item], values: Values, levels: Sequence[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for level in levels:
        correct = wrong = missing = 0
        for item, row in zip(items, values, strict=True):
            gold = {level_key(item.text[s:e]) for f, s, e in item.gold if f == level}
            if not gold:
                continue
            got = {level_key(v) for v in row.get(level, ())}
            if not got:
                missing += 1
            elif got & gold:
                correct += 1
            else:
                wrong += 1
        p, r, f1 = prf(correct, wrong, wrong + missing)
        out[level] = {
            "precision": p,
            "recall": r,
            "f1": f1,
            "support": correct + wrong + missing,
            "correct": correct,
            "wrong": wrong,
            "missing": missing,
        }
    return out


SYSTEM_LEVELS = {
    "stdaddr": DIVISION_FIELDS,
    "cpca": ("province", "city", "county"),
    "jionlp": DIVISION_FIELDS,
}


def compare(
    items: Sequence[Item], addresses: Sequence[Any], ds: Dataset, sample: int, seed: int
) -> dict[str, Any]:
    """Value-based scores of stdaddr, cpca and jionlp on one seeded sample of the dataset."""
    rng = random.Random(seed)
    idx = (
        sorted(rng.sample(range(len(items)), min(sample, len(items)))) if sample else list(range(len(items)))
    )
    chosen = [items[i] for i in idx]
    texts = [it.text for it in chosen]
    levels = [lv for lv in DIVISION_FIELDS if lv in ds.fields]
    values: dict[str, Values] = {"stdaddr": stdaddr_values([addresses[i] for i in idx])}
    values["cpca"], cpca_seconds = timed(cpca_values, texts)
    (values["jionlp"], failures), jionlp_seconds = timed(jionlp_values, texts)
    systems = {
        name: score_values(chosen, v, [lv for lv in levels if lv in SYSTEM_LEVELS[name]])
        for name, v in values.items()
    }
    return {
        "n": len(idx),
        "seed": seed,
        "systems": systems,
        "jionlp_failures": failures,
        "seconds": {"cpca": cpca_seconds, "jionlp": jionlp_seconds},
    }


def print_comparison(cmp: dict[str, Any], ds: Dataset) -> None:
    levels = [lv for lv in DIVISION_FIELDS if lv in ds.fields]
    rows = []
    for level in levels:
        for system, scores in cmp["systems"].items():
            s = scores.get(level)
            if s is None:
                rows.append([level, system, None, None, None, None, "does not output this level"])
            else:
                rows.append(
                    [
                        level,
                        system,
                        s["precision"],
                        s["recall"],
                        s["f1"],
                        s["support"],
                        f"{s['correct']} right, {s['wrong']} wrong, {s['missing']} missing",
                    ]
                )
    print(
        f"\nValue-based comparison, division levels, same {cmp['n']:,}-address sample (seed {cmp['seed']}):"
    )
    print(table(["level", "system", "P", "R", "F1", "support", "detail"], rows))
    if cmp["jionlp_failures"]:
        print(f"(jionlp raised on {cmp['jionlp_failures']} addresses; counted as missing)")


def print_kinds(sc: SpanScores, fields: Sequence[str], top: int) -> dict[str, list[tuple[str, int]]]:
    print(
        f"\nstdaddr: {top} most common error kinds per field (missed = gold span not predicted, "
        "spurious = predicted span not in gold):"
    )
    out = {}
    for f in fields:
        kinds = sc.kinds.get(f)
        if not kinds:
            continue
        total = sum(kinds.values())
        out[f] = kinds.most_common(top)
        print(f"  {f} ({total:,} errors)")
        for kind, n in out[f]:
            print(f"    {n:6,}  {n / total:5.1%}  {kind}")
    return out


def _show(text: str, spans: Sequence[tuple[str, int, int]]) -> str:
    return " | ".join(f"{f}={text[s:e]}" for f, s, e in spans)


def print_errors(
    ds: Dataset,
    items: Sequence[Item],
    addresses: Sequence[Any],
    sc: SpanScores,
    field: str,
    n: int,
    seed: int,
) -> None:
    ids = sc.errors.get(field, [])
    print(
        f"\n{ds.key}: {len(ids):,} addresses with a {field} error; {min(n, len(ids))} samples (seed {seed}):"
    )
    for i in sorted(random.Random(seed).sample(ids, min(n, len(ids)))):
        item = items[i]
        preds = predicted(addresses[i], item)
        gold = [
            (_gold_name(label, f) if f is None else f, s, e) for label, f, s, e in item.raw if label != "O"
        ]
        pred_set = set(preds)
        print(f"[{ds.key} #{i}] {item.text}")
        print(f"    gold: {_show(item.text, gold)}")
        print(f"    pred: {_show(item.text, preds)}")
        for g in sorted(item.gold, key=lambda x: x[1]):
            if g[0] == field and g not in pred_set:
                print(f"    missed {field}={item.text[g[1] : g[2]]}: {_missed_kind(*g, preds)}")
        for p in preds:
            if p[0] == field and p not in item.gold:
                print(f"    spurious {field}={item.text[p[1] : p[2]]}: {_spurious_kind(*p, item)}")


def not_evaluated(items: Sequence[Item]) -> Counter[str]:
    return Counter(label for it in items for label, field, _, _ in it.raw if field is None)


def run_dataset(ds: Dataset, args: argparse.Namespace) -> dict[str, Any]:
    import stdaddr

    tagged = read_tagged(ds.path, limit=args.limit)
    items = [build_item(t, with_devzone(ds.tag_map, args.devzone), ds.repeats_tagged) for t in tagged]
    addresses, seconds = timed(stdaddr.parse_many, [it.text for it in items])
    sc = score_spans(items, addresses, ds.fields)
    rows, scores = span_rows(sc, ds.fields)
    print(
        f"\n=== {ds.title}: {len(items):,} addresses ({ds.path.name}), stdaddr parsed them in {seconds:.1f} s ==="
    )
    print("\nstdaddr, exact spans (field, start, end):")
    print(table(["field", "P", "R", "F1", "support", "TP", "FP", "FN"], rows))
    skipped = ", ".join(f"{k} {v:,}" for k, v in not_evaluated(items).most_common())
    print(f"not evaluated (gold spans): {skipped}")
    unscored = [f for f in FIELDS if f not in ds.fields]
    if unscored:
        print(f"not annotated in this dataset, predictions not scored: {', '.join(unscored)}")
    if sc.shared_spans:
        print(
            f"note: {sc.shared_spans:,} predicted components share their span with a component of another field "
            "(shorthand such as 3-2-301 gives building, unit and room one span); they match only a gold span "
            "covering the same characters"
        )
    result: dict[str, Any] = {"title": ds.title, "n": len(items), "parse_seconds": seconds, "spans": scores}
    result["devzone_sensitivity"] = devzone_sensitivity(ds, tagged, items, addresses, args.devzone)
    result["error_kinds"] = print_kinds(sc, ds.fields, args.top)
    if args.errors:
        print_errors(ds, items, addresses, sc, args.errors, args.n, args.seed)
    if args.sample >= 0:
        cmp = compare(items, addresses, ds, args.sample, args.seed)
        print_comparison(cmp, ds)
        result["comparison"] = cmp
    return result


def devzone_sensitivity(
    ds: Dataset, tagged: Sequence[TaggedText], items: Sequence[Item], addresses: Sequence[Any], chosen: str
) -> dict[str, dict[str, float]]:
    """Town, poi and micro F1 under each mapping of devzone, since that mapping is a judgement call."""
    spans = sum(1 for t in tagged for s in t.spans if s.label.lower() == "devzone")
    if not spans:
        return {}
    out, rows = {}, []
    for choice in DEVZONE_CHOICES:
        alt = (
            items
            if choice == chosen
            else [build_item(t, with_devzone(ds.tag_map, choice), ds.repeats_tagged) for t in tagged]
        )
        _, scores = span_rows(score_spans(alt, addresses, ds.fields), ds.fields)
        out[choice] = {f: scores[f]["f1"] for f in ("town", "poi", "micro")}
        rows.append([f"{choice}{' (used above)' if choice == chosen else ''}", *out[choice].values()])
    print(f"\ndevzone ({spans:,} gold spans) mapped to another field instead (F1):")
    print(table(["devzone ->", "town", "poi", "micro"], rows))
    return out


def print_targets(results: dict[str, Any], devzone: str) -> list[dict[str, Any]]:
    ccks = results.get("ccks")
    if ccks is None:
        return []
    out = []
    print(f"\nTargets (CCKS, stdaddr, exact spans, devzone -> {devzone}):")
    for field, target in TARGETS:
        f1 = ccks["spans"][field]["f1"]
        out.append({"field": field, "target": target, "f1": f1, "met": f1 >= target})
        print(f"  {field:<9} F1 {f1:.3f}  target >= {target:.2f}  {'met' if f1 >= target else 'NOT met'}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", choices=[d.key for d in DATASETS], help="only this dataset (default: both)")
    ap.add_argument("--limit", type=int, help="only the first N addresses of each dataset")
    ap.add_argument(
        "--devzone",
        choices=DEVZONE_CHOICES,
        default="town",
        help="field the devzone tag maps to (skip = not evaluated); default town, see README",
    )
    ap.add_argument(
        "--sample",
        type=int,
        default=2000,
        help="addresses in the cpca/jionlp comparison sample (0 = all, -1 = skip the comparison)",
    )
    ap.add_argument(
        "--seed", type=int, default=20240601, help="seed of the comparison sample and error samples"
    )
    ap.add_argument("--top", type=int, default=10, help="error kinds shown per field")
    ap.add_argument("--errors", metavar="FIELD", choices=FIELDS, help="print sample errors of this field")
    ap.add_argument("-n", type=int, default=20, help="how many sample errors --errors prints")
    ap.add_argument("--json", type=Path, help="also write all figures to this JSON file")
    args = ap.parse_args(argv)

    chosen = [d for d in DATASETS if args.dataset in (None, d.key)]
    require(*(d.path for d in chosen))
    results = {ds.key: run_dataset(ds, args) for ds in chosen}
    targets = print_targets(results, args.devzone)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "datasets": results,
                    "targets": targets,
                    "tag_maps": {d.key: with_devzone(d.tag_map, args.devzone) for d in chosen},
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
