"""Robustness of stdaddr's parser: real messy rows and random strings must never raise.

1. Every row of ``messy/raw_company_addresses.csv`` (first column, 原始地址) through ``parse_many`` and
   through ``parse`` one by one (cache cleared in between): exceptions (must be 0), rows out == rows in,
   offsets that do not point back into the input, and how many levels were found.
2. Fuzz: random strings (any code point incl. lone surrogates and controls, emoji, NUL bytes, 100k-character
   strings, digits only, punctuation only, NFKC-expanding characters, mutated messy rows, bytes) through
   ``parse``, ``normalize`` and ``parse_many``: zero exceptions, offsets valid.
3. ``normalize`` idempotency, ``normalize(normalize(x)) == normalize(x)``, on the messy rows (and on the
   fuzz strings), with counterexamples.

    python bench/parse_robustness.py [--fuzz 20000] [--seed N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import MESSY, clear_parse_cache, read_messy, require, table, timed  # noqa: E402

from stdaddr.models import FIELDS  # noqa: E402

SHOW = 10
_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~，。、；：？！“”‘’（）【】《》〈〉「」『』—…·￥～－"
_MARKERS = list("省市区县镇乡街道路巷弄号幢栋座单元层楼室户附之甲-—－#") + [
    "街道",
    "社区",
    "村委会",
    "号楼",
    "单元",
]
_DIGITS = "0123456789０１２３４５６７８９〇一二三四五六七八九十百千零壹贰叁肆伍陆柒捌玖拾"
# Characters whose NFKC form is longer or shorter than themselves, or that vanish.
_TRICKY = "ﷺ㍻ﬃ㈱㉑⑳Ⅻ№℡\u200b\u200d\u2060\ufeff\u00ad\u0301\u20dd\u202e\ufe0f\U000e0041ß İ ǅ"


class Failures:
    """Exceptions seen, counted by (where, type), with the first few examples."""

    def __init__(self) -> None:
        self.count: Counter[tuple[str, str]] = Counter()
        self.examples: list[dict[str, str]] = []

    def call(self, where: str, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - the figure this script exists to produce
            self.count[(where, type(exc).__name__)] += 1
            if len(self.examples) < SHOW:
                tb = traceback.extract_tb(exc.__traceback__)[-1]
                self.examples.append(
                    {
                        "where": where,
                        "input": repr(args[0])[:120],
                        "error": f"{type(exc).__name__}: {exc}"[:200],
                        "at": f"{Path(tb.filename).name}:{tb.lineno}",
                    }
                )
            return None

    @property
    def total(self) -> int:
        return sum(self.count.values())

    def print(self, title: str) -> None:
        print(f"{title}: {self.total:,} exceptions")
        for (where, kind), n in self.count.most_common():
            print(f"    {n:6,}  {where}: {kind}")
        for ex in self.examples:
            print(f"    e.g. {ex['where']}({ex['input']}) -> {ex['error']} at {ex['at']}")


_SURROGATE = re.compile("[\ud800-\udfff]")


def bad_offsets(text: str, address: Any) -> int:
    """Components whose (start, end, text) do not point back into the input (as ``Address.text`` keeps
    it: a surrogate code point, no character, replaced one for one by U+FFFD)."""
    text = _SURROGATE.sub("\ufffd", text)
    return sum(
        1
        for c in address.components
        if not (0 <= c.start <= c.end <= len(text)) or text[c.start : c.end] != c.text
    )


_CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


def uncovered(text: str, address: Any) -> str:
    """Letters, digits and Chinese characters of the input that no component covers (text lost); none
    for a text the parser declares a placeholder for no address ('0', '无', 'NULL': said in its notes)."""
    if not address.components and any(n.startswith("a placeholder for no address") for n in address.notes):
        return ""
    covered = bytearray(len(text))
    for c in address.components:
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    return "".join(ch for i, ch in enumerate(text) if not covered[i] and _CONTENT.match(ch))


def levels_found(address: Any) -> tuple[int, int]:
    """Levels with a value, and levels read from the text (not inferred from the hierarchy)."""
    filled = [f for f in FIELDS if getattr(address, f)]
    return len(filled), len([f for f in filled if f not in address.inferred])


def check_messy(rows: list[str]) -> dict[str, Any]:
    import stdaddr

    out: dict[str, Any] = {"rows_in": len(rows)}
    fails = Failures()
    clear_parse_cache()
    parsed, seconds = timed(fails.call, "parse_many", stdaddr.parse_many, rows)
    if parsed is None:  # one exception sank the whole batch: find the rows with parse()
        parsed = [fails.call("parse (locating parse_many failure)", stdaddr.parse, r) for r in rows]
    out["parse_many_seconds"] = seconds
    out["rows_out"] = len(parsed)
    clear_parse_cache()
    singles = [fails.call("parse", stdaddr.parse, r) for r in rows]
    out["same_result_parse_vs_parse_many"] = sum(
        1 for a, b in zip(parsed, singles, strict=True) if a is not None and b is not None and a == b
    )
    out["exceptions"] = fails.total
    out["bad_offsets"] = sum(bad_offsets(r, a) for r, a in zip(rows, parsed, strict=True) if a is not None)
    out["text_mismatch"] = sum(1 for r, a in zip(rows, parsed, strict=True) if a is not None and a.text != r)
    lost = [(r, u) for r, a in zip(rows, parsed, strict=True) if a is not None and (u := uncovered(r, a))]
    out["uncovered_rows"] = len(lost)
    out["uncovered_examples"] = lost[:5]
    found = [levels_found(a) for a in parsed if a is not None]
    out["levels_found"] = Counter(n for n, _ in found)
    out["levels_read"] = Counter(n for _, n in found)
    out["field_rate"] = {
        f: sum(1 for a in parsed if a is not None and getattr(a, f)) / max(1, len(rows)) for f in FIELDS
    }
    out["ambiguous"] = sum(1 for a in parsed if a is not None and a.ambiguous)
    out["with_extra"] = sum(1 for a in parsed if a is not None and a.extra)
    out["failures"] = fails
    return out


def _rand_text(rng: random.Random, alphabet: Sequence[str], lo: int, hi: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def _any_code_point(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return chr(rng.randint(0, 0x10FFFF))
    if r < 0.7:
        return chr(rng.randint(0x4E00, 0x9FFF))
    if r < 0.8:
        return chr(rng.randint(0xD800, 0xDFFF))  # lone surrogate
    return chr(rng.randint(0, 0x9F))  # ASCII and C0/C1 controls


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        pos = rng.randint(0, len(chars))
        if op < 0.4:
            chars.insert(pos, _any_code_point(rng))
        elif op < 0.7 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif chars:
            chars[min(pos, len(chars) - 1)] = rng.choice(_MARKERS + list(_TRICKY))
    return "".join(chars)


def fuzz_inputs(rng: random.Random, n: int, messy: list[str]) -> Iterable[tuple[str, Any]]:
    """``n`` (category, value) pairs; values are str except in the ``bytes`` category."""
    emoji = [chr(c) for c in range(0x1F300, 0x1FAFF, 7)] + ["\u200d", "\ufe0f", "🏳️‍🌈", "👨‍👩‍👧‍👦"]
    makers: list[tuple[str, Callable[[], Any]]] = [
        ("any code point", lambda: "".join(_any_code_point(rng) for _ in range(rng.randint(0, 60)))),
        (
            "controls + CJK",
            lambda: _rand_text(rng, [chr(c) for c in range(32)] + list("温州鹿城区解放街号幢"), 1, 40),
        ),
        (
            "lone surrogates in an address",
            lambda: _mutate(rng, rng.choice(messy)).replace("号", "号\udc80", 1) + "\ud800",
        ),
        ("emoji", lambda: _rand_text(rng, emoji + list("路号室"), 1, 30)),
        (
            "NUL bytes",
            lambda: "\x00".join(rng.choice(messy)) if rng.random() < 0.5 else "\x00" * rng.randint(1, 50),
        ),
        ("digits only", lambda: _rand_text(rng, _DIGITS, 1, 40)),
        ("punctuation only", lambda: _rand_text(rng, _PUNCT, 1, 40)),
        ("markers + digits", lambda: _rand_text(rng, _MARKERS + list(_DIGITS), 1, 60)),
        ("NFKC-changing chars", lambda: _rand_text(rng, list(_TRICKY) + list("温州号幢3-2-301"), 1, 40)),
        (
            "whitespace",
            lambda: _rand_text(rng, [" ", "\t", "\n", "\r", "\u3000", "\xa0", "\u2028", "\x0b"], 0, 20),
        ),
        ("mutated messy row", lambda: _mutate(rng, rng.choice(messy))),
        (
            "bytes",
            lambda: (
                rng.choice(messy).encode("utf-8") if rng.random() < 0.5 else rng.randbytes(rng.randint(0, 40))
            ),
        ),
    ]
    huge = 20
    for i in range(n):
        if i < huge:
            unit = rng.choice(messy) if i % 2 else _rand_text(rng, _MARKERS + list(_DIGITS), 10, 30)
            yield "100k characters", (unit * (100_000 // max(1, len(unit)) + 1))[:100_000]
        else:
            category, make = makers[i % len(makers)]
            yield category, make()


def check_fuzz(n: int, seed: int, messy: list[str]) -> dict[str, Any]:
    import stdaddr

    rng = random.Random(seed)
    fails = Failures()
    categories: Counter[str] = Counter()
    bad = not_idempotent = 0
    examples: list[tuple[str, str, str]] = []
    strings: list[Any] = []
    for category, value in fuzz_inputs(rng, n, messy):
        categories[category] += 1
        strings.append(value)
        address = fails.call("parse", stdaddr.parse, value)
        text = value if isinstance(value, str) else (address.text if address is not None else "")
        if address is not None:
            bad += bad_offsets(text, address)
        once = fails.call("normalize", stdaddr.normalize, value)
        if once is not None:
            twice = fails.call("normalize", stdaddr.normalize, once)
            if twice is not None and twice != once:
                not_idempotent += 1
                if len(examples) < SHOW:
                    examples.append((repr(value)[:80], once[:80], twice[:80]))
    odd = [None, float("nan"), 123, 4.5, b"\xff\xfe", bytearray(b"\xe6\xb8\xa9"), object(), ["温州"], ""]
    many = fails.call("parse_many", stdaddr.parse_many, strings + odd)
    return {
        "n": n,
        "seed": seed,
        "categories": categories,
        "failures": fails,
        "bad_offsets": bad,
        "parse_many_rows_out": None if many is None else len(many),
        "parse_many_rows_in": len(strings) + len(odd),
        "normalize_not_idempotent": not_idempotent,
        "idempotency_examples": examples,
    }


def check_idempotent(rows: list[str]) -> tuple[int, int, list[tuple[str, str, str]]]:
    """(rows checked, rows where normalize is idempotent, counterexamples)."""
    import stdaddr

    same, examples = 0, []
    for row in rows:
        once = stdaddr.normalize(row)
        twice = stdaddr.normalize(once)
        if once == twice:
            same += 1
        elif len(examples) < SHOW:
            examples.append((row, once, twice))
    return len(rows), same, examples


def report_messy(m: dict[str, Any]) -> None:
    print(f"=== messy company addresses ({MESSY.name}, first column) ===")
    ok = "OK" if m["rows_out"] == m["rows_in"] else "MISMATCH"
    print(
        f"rows in {m['rows_in']:,}, rows out of parse_many {m['rows_out']:,} ({ok}); "
        f"parse_many took {m['parse_many_seconds']:.1f} s (cold cache)"
    )
    m["failures"].print("exceptions (parse_many and parse, must be 0)")
    print(f"parse() and parse_many() gave equal results on {m['same_result_parse_vs_parse_many']:,} rows")
    print(
        f"components whose offsets do not point back into the input: {m['bad_offsets']:,}; "
        f"Address.text differing from the input: {m['text_mismatch']:,}"
    )
    print(
        f"rows with letters, digits or Chinese characters in no component (text lost, must be 0): "
        f"{m['uncovered_rows']:,}" + "".join(f"\n    e.g. {r!r}: {u!r}" for r, u in m["uncovered_examples"])
    )
    print(f"ambiguous: {m['ambiguous']:,}; with extra (notes, names ...): {m['with_extra']:,}")
    n = m["rows_in"]
    rows = [
        [
            k,
            m["levels_found"].get(k, 0),
            m["levels_found"].get(k, 0) / n,
            m["levels_read"].get(k, 0),
            m["levels_read"].get(k, 0) / n,
        ]
        for k in range(len(FIELDS) + 1)
    ]
    print("\nlevels per row (of 13): with a value, and read from the text (not inferred):")
    print(table(["levels", "rows with value", "share", "rows read from text", "share read"], rows))
    print("\nshare of rows with each level:")
    print(table(["field", "share"], [[f, r] for f, r in m["field_rate"].items()]))


def report_fuzz(f: dict[str, Any]) -> None:
    print(f"\n=== fuzz: {f['n']:,} random inputs (seed {f['seed']}) ===")
    print(", ".join(f"{c} {k:,}" for c, k in f["categories"].items()))
    f["failures"].print("exceptions (parse, normalize, parse_many; must be 0)")
    print(
        f"parse_many on all of them plus None/NaN/numbers/bad bytes/objects: rows in {f['parse_many_rows_in']:,}, "
        f"rows out {f['parse_many_rows_out'] if f['parse_many_rows_out'] is not None else 'none (raised)'}"
    )
    print(f"components whose offsets do not point back into the input: {f['bad_offsets']:,}")
    print(f"normalize not idempotent on {f['normalize_not_idempotent']:,} fuzz inputs")
    for x, once, twice in f["idempotency_examples"]:
        print(f"    {x}\n      once : {once!r}\n      twice: {twice!r}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fuzz", type=int, default=20_000, help="random inputs in the fuzz section")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--json", type=Path, help="also write all figures to this JSON file")
    args = ap.parse_args(argv)

    require(MESSY)
    rows = read_messy(MESSY)
    messy = check_messy(rows)
    report_messy(messy)
    fuzz = check_fuzz(args.fuzz, args.seed, [r for r in rows if r])
    report_fuzz(fuzz)
    n, same, examples = check_idempotent(rows)
    print(
        f"\n=== normalize idempotency on the messy rows ===\nnormalize(normalize(x)) == normalize(x) on "
        f"{same:,} of {n:,} rows ({same / n:.2%}); {n - same:,} counterexamples, first {len(examples)}:"
    )
    for row, once, twice in examples:
        print(f"    {row}\n      once : {once}\n      twice: {twice}")
    total = messy["failures"].total + fuzz["failures"].total
    print(
        f"\nverdict: {total} exceptions in total; rows out == rows in: {messy['rows_out'] == messy['rows_in']}"
    )
    if args.json:
        payload = {
            "messy": {k: v for k, v in messy.items() if k != "failures"}
            | {
                "exceptions_by_kind": {f"{w}: {k}": c for (w, k), c in messy["failures"].count.items()},
                "exception_examples": messy["failures"].examples,
            },
            "fuzz": {k: v for k, v in fuzz.items() if k != "failures"}
            | {
                "exceptions_by_kind": {f"{w}: {k}": c for (w, k), c in fuzz["failures"].count.items()},
                "exception_examples": fuzz["failures"].examples,
            },
            "idempotency": {"rows": n, "idempotent": same, "examples": examples},
        }
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
