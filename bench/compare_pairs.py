"""stdaddr.compare on the CCKS 2021 address relevance pairs: 3-class macro-F1, per class, confusion matrix.

Reads ``../shared/data/matching/ccks2021_pairs.tsv`` (query, candidate, label: 2 same, 1 partial,
0 different; nationwide; evaluation only, never copied into the project) and exits 0 with a message
when it is absent. Published figures on the same task family (GeoGLUE GeoEAG): MGeo macro-F1 79.99,
BERT 78.88. ``--errors N`` prints N sample errors per confusion cell, to study kinds of errors (for
general rules only, never rules for single examples).

    python bench/compare_pairs.py [--errors 20] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DATA_DIR, prf, require, table  # noqa: E402

from stdaddr.comparison import compare  # noqa: E402

PAIRS = DATA_DIR / "matching" / "ccks2021_pairs.tsv"
LABELS = {"2": "same", "1": "partial", "0": "different"}
CLASSES = ("same", "partial", "different")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errors", type=int, default=20, help="sample errors printed per confusion cell")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N pairs")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    require(PAIRS)
    with PAIRS.open(encoding="utf-8", newline="") as f:
        rows = [
            r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if len(r) == 3 and r[2] in LABELS
        ]
    rows = rows[: args.limit] if args.limit else rows
    start = time.perf_counter()
    results = [(a, b, LABELS[label], compare(a, b)) for a, b, label in rows]
    elapsed = time.perf_counter() - start
    confusion = {(g, p): [] for g in CLASSES for p in CLASSES}
    for a, b, gold, c in results:
        confusion[(gold, c.relation)].append((a, b, c))
    print(f"{len(rows):,} pairs from {PAIRS} in {elapsed:.1f} s ({len(rows) / elapsed:,.0f} pairs/s)\n")
    scores = []
    for cls in CLASSES:
        tp = len(confusion[(cls, cls)])
        fp = sum(len(confusion[(g, cls)]) for g in CLASSES if g != cls)
        fn = sum(len(confusion[(cls, p)]) for p in CLASSES if p != cls)
        scores.append((cls, tp + fn, *prf(tp, fp, fn)))
    print(table(["class", "gold", "precision", "recall", "F1"], scores))
    macro = sum(s[4] for s in scores) / len(scores)
    print(f"\nmacro-F1 {100 * macro:.2f}   (published: MGeo 79.99, BERT 78.88)")
    accuracy = sum(len(confusion[(c, c)]) for c in CLASSES) / len(rows)
    print(f"accuracy {accuracy:.4f}\n")
    print("confusion (rows gold, columns predicted)")
    print(
        table(
            ["gold \\ predicted", *CLASSES],
            [(g, *(len(confusion[(g, p)]) for p in CLASSES)) for g in CLASSES],
        )
    )
    rng = random.Random(args.seed)
    for (gold, pred), cell in confusion.items():
        if gold == pred or not cell or not args.errors:
            continue
        print(
            f"\n--- gold {gold}, predicted {pred}: {len(cell)} pairs; {min(args.errors, len(cell))} samples"
        )
        for a, b, c in rng.sample(cell, min(args.errors, len(cell))):
            print(f"{a}  |  {b}  ->  {c.explanation}")


if __name__ == "__main__":
    main()
