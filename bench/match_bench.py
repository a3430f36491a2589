"""Matching against a synthetic standard address base: build, persistence, speed, accuracy, calibration.

Everything is synthetic (stdaddr.synth), so nothing is read from ../shared/data:

1. ``generate_base(--records)`` is written to a temporary Parquet file; a child process builds the
   index from that file (``AddressBase.from_file``, both cores) and saves it, reporting the build time
   and its peak RSS (the child's own and its parse workers'); the index is then loaded here.
2. ``messy_queries(--queries)`` are matched on one core (``base.match`` in a loop, parse cache
   cleared first) and on ``--workers`` cores (``base.match_many``).
3. Accuracy on in-base queries (top-1: the expected record's id; for queries naming only a road,
   compound, community or town: a match at that level whose place holds the expected record), by
   kind and by expected level; false matches on out-of-base queries (a returned id is false); the
   reliability table (score bins -> share right) that ``stdaddr.match._CALIBRATION`` is fitted on
   (``--fit`` prints new knots from an isotonic fit of the uncalibrated scores).
4. Side by side on a ``--brute-records`` base: ``rapidfuzz.process.extractOne(query, addresses,
   scorer=fuzz.WRatio)`` over the full strings, on ``--brute-queries`` queries, in a fresh child
   process (so that the big base above, alive in this one, slows neither side's collector).

    python bench/match_bench.py [--records 1000000] [--queries 100000] [--workers 2]
    python bench/match_bench.py --records 100000 --queries 20000 --fit
    python bench/match_bench.py --brute-only          # the brute-force comparison alone
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import table  # noqa: E402

from stdaddr.base import AddressBase  # noqa: E402

UPPER_TARGETS = ("road_only", "compound_only", "community_only", "town_only")
OOB_TARGETS = ("oob_door", "oob_road", "oob_compound")
CUTOFFS = (0.0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9)
BINS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1.0001)


def build_child(parquet: str, index: str, workers: int) -> None:
    """Run in a child process: build the index from the Parquet file, save it, print figures as JSON."""
    start = time.perf_counter()
    base = AddressBase.from_file(
        parquet,
        id_column="addr_id",
        address_column="address",
        x_column="lon",
        y_column="lat",
        workers=workers,
    )
    built = time.perf_counter() - start
    start = time.perf_counter()
    base.save(index)
    saved = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "build_s": built,
                "save_s": saved,
                "rss_mb": own,
                "worker_rss_mb": workers_rss,
                "n": len(base),
                "report_ok": base.report.ok,
                "report": str(base.report),
            }
        )
    )


def build(base_df, workers: int, tmp: Path) -> tuple[AddressBase, dict]:
    parquet = tmp / "base.parquet"
    index = tmp / "base.npz"
    base_df.to_parquet(parquet)
    out = subprocess.run(
        [sys.executable, __file__, "--build-child", str(parquet), str(index), "--workers", str(workers)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    start = time.perf_counter()
    base = AddressBase.load(index)
    figures["load_s"] = time.perf_counter() - start
    figures["index_mb"] = index.stat().st_size / 2**20
    return base, figures


class Judge:
    """Decides whether a match is right for a query of the messy generator."""

    def __init__(self, base_df):
        self.rows = {a: i for i, a in enumerate(base_df["addr_id"])}
        self.df = base_df

    def record_fields(self, addr_id: str) -> dict:
        row = self.df.iloc[self.rows[addr_id]]
        return {k: (v if isinstance(v, str) and v else None) for k, v in row.items()}

    def place_holds(self, m, addr_id: str) -> bool:
        """Whether the matched place (its standard address, parsed) holds the expected record."""
        import stdaddr

        place = stdaddr.parse(m.standard)
        record = self.record_fields(addr_id)
        from stdaddr.models import FIELDS

        return all(getattr(place, f) is None or getattr(place, f) == record[f] for f in FIELDS)

    def right(self, m, target: str, addr_id, level) -> bool | None:
        """True/False for a match; None when it cannot be judged (an out-of-base query matched above the records)."""
        if target in OOB_TARGETS:
            return False if m.address_id is not None else None
        if target == "record":
            return m.address_id == addr_id
        return m.level == level and self.place_holds(m, addr_id)

    def lenient(self, m, target: str, addr_id) -> bool | None:
        """Right or right-but-coarser: the id is the expected one, or no id and the place holds the record."""
        if target in OOB_TARGETS:
            return False if m.address_id is not None else None
        if m.address_id is not None:
            return m.address_id == addr_id or (target != "record" and self.place_holds(m, addr_id))
        return self.place_holds(m, addr_id)


def target_of(kind: str) -> str:
    first = kind.split("+")[0]
    return first if first in UPPER_TARGETS + OOB_TARGETS else "record"


def evaluate(matches, queries, judge: Judge) -> dict:
    by_kind: dict[str, list[bool]] = defaultdict(list)
    by_level: dict[str, list[bool]] = defaultdict(list)
    in_base: list[bool] = []
    oob_false = oob_false_09 = n_oob = 0
    scored: list[tuple[float, bool, bool]] = []
    by_cutoff: dict[float, list[int]] = {c: [0, 0] for c in CUTOFFS}  # right in-base, false out-of-base
    misses = []
    for m, (q, addr_id, level, kind) in zip(matches, queries, strict=True):
        target = target_of(kind)
        if target in OOB_TARGETS:
            n_oob += 1
            if m is not None and m.address_id is not None:
                oob_false += 1
                for c in CUTOFFS:
                    by_cutoff[c][1] += m.score >= c
                oob_false_09 += m.score >= 0.9
                scored.append((m.score, False, False))
                if len(misses) < 40:
                    misses.append(
                        (kind, q, "(not in the base)", (m.address_id, m.level, m.score, m.standard))
                    )
            continue
        ok = m is not None and bool(judge.right(m, target, addr_id, level))
        in_base.append(ok)
        for c in CUTOFFS:
            by_cutoff[c][0] += ok and m.score >= c
        by_level[level].append(ok)
        for pattern in kind.split("+"):
            by_kind[pattern].append(ok)
        if m is not None:
            scored.append((m.score, ok, bool(judge.lenient(m, target, addr_id))))
        if not ok and len(misses) < 40:
            misses.append(
                (kind, q, addr_id, None if m is None else (m.address_id, m.level, m.score, m.standard))
            )
    return {
        "in_base": in_base,
        "by_kind": by_kind,
        "by_level": by_level,
        "n_oob": n_oob,
        "oob_false": oob_false,
        "oob_false_09": oob_false_09,
        "scored": scored,
        "misses": misses,
        "by_cutoff": by_cutoff,
    }


def reliability(scored) -> list[tuple]:
    rows = []
    scores = np.array([s for s, _, _ in scored])
    right = np.array([r for _, r, _ in scored])
    lenient = np.array([r for _, _, r in scored])
    for lo, hi in zip(BINS[:-1], BINS[1:], strict=True):
        sel = (scores >= lo) & (scores < hi)
        if sel.any():
            rows.append(
                (
                    f"[{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}",
                    int(sel.sum()),
                    float(right[sel].mean()),
                    float(lenient[sel].mean()),
                )
            )
    for cut in (0.5, 0.8, 0.9, 0.95):
        sel = scores >= cut
        if sel.any():
            rows.append((f">= {cut}", int(sel.sum()), float(right[sel].mean()), float(lenient[sel].mean())))
    return rows


def isotonic_knots(scored, n_knots: int = 12) -> list[tuple[float, float]]:
    """Pool-adjacent-violators fit of "right" on the score; a few knots of the step function."""
    order = sorted(scored, key=lambda t: t[0])
    xs = [s for s, _, _ in order]
    blocks: list[list[float]] = []  # [sum right, count, max x]
    for x, ok, _ in order:
        blocks.append([float(ok), 1.0, x])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            s, c, mx = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
            blocks[-1][2] = mx
    steps = [(b[2], b[0] / b[1]) for b in blocks]
    picks = np.linspace(0, len(steps) - 1, min(n_knots, len(steps))).round().astype(int)
    knots = [(0.0, 0.0)] + [(round(steps[i][0], 3), round(steps[i][1], 3)) for i in sorted(set(picks))]
    return knots + [(1.0, max(k[1] for k in knots))] if xs and knots[-1][0] < 1.0 else knots


def brute_force(n_records: int, n_queries: int, seed: int, base_df=None):
    from rapidfuzz import fuzz, process

    from stdaddr.parsing import clear_cache
    from stdaddr.synth import generate_base, messy_queries

    df = generate_base(n_records, seed=seed)
    queries = messy_queries(df, n_queries, seed=seed + 1)
    base = AddressBase.from_dataframe(
        df, id_column="addr_id", address_column="address", x_column="lon", y_column="lat"
    )
    addresses = df["address"].tolist()
    ids = df["addr_id"].tolist()
    judge = Judge(df)
    rows = list(queries[["query", "addr_id", "expected_level", "kind"]].itertuples(index=False, name=None))
    start = time.perf_counter()
    brute = [process.extractOne(q, addresses, scorer=fuzz.WRatio) for q, *_ in rows]
    t_brute = time.perf_counter() - start
    for text in messy_queries(df, 1_000, seed=seed + 2)["query"]:
        base.match(text)
    clear_cache()
    start = time.perf_counter()
    ours = [base.match(q) for q, *_ in rows]
    t_ours = time.perf_counter() - start
    ok_brute, ok_ours, n = 0, 0, 0
    for (_q, addr_id, level, kind), b, m in zip(rows, brute, ours, strict=True):
        target = target_of(kind)
        if target != "record":
            continue
        n += 1
        ok_brute += b is not None and ids[b[2]] == addr_id
        ok_ours += m is not None and judge.right(m, target, addr_id, level)
    return {
        "n_records": n_records,
        "n_queries": len(rows),
        "n_record_queries": n,
        "brute_acc": ok_brute / n,
        "ours_acc": ok_ours / n,
        "brute_qps": len(rows) / t_brute,
        "ours_qps": len(rows) / t_ours,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=100_000)
    ap.add_argument("--single", type=int, default=20_000, help="queries timed on one core (a subset)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--brute-records", type=int, default=20_000)
    ap.add_argument("--brute-queries", type=int, default=2_000)
    ap.add_argument("--skip-brute", action="store_true")
    ap.add_argument("--fit", action="store_true", help="fit calibration knots on uncalibrated scores")
    ap.add_argument("--cutoff", type=float, default=None, help="score_cutoff for the accuracy tables")
    ap.add_argument("--misses", type=int, default=0, help="print this many misses")
    ap.add_argument("--brute-only", action="store_true", help="only the comparison with brute force")
    ap.add_argument("--build-child", nargs=2, metavar=("PARQUET", "INDEX"), help=argparse.SUPPRESS)
    ap.add_argument("--brute-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build_child:
        build_child(*args.build_child, args.workers)
        return
    if args.brute_child:
        print(json.dumps(brute_force(args.brute_records, args.brute_queries, args.seed)))
        return
    if args.brute_only:
        print_brute(args)
        return

    from stdaddr import match as match_module
    from stdaddr.parsing import clear_cache
    from stdaddr.synth import generate_base, messy_queries

    if args.fit:
        match_module._CALIBRATION = ((0.0, 0.0), (1.0, 1.0))
    print(
        f"machine: {os.cpu_count()} cores; records {args.records:,}, queries {args.queries:,}, seed {args.seed}"
    )
    start = time.perf_counter()
    base_df = generate_base(args.records, seed=args.seed)
    print(f"generate_base: {time.perf_counter() - start:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        base, figures = build(base_df, args.workers, Path(tmp))
    print(
        table(
            ["step", "value"],
            [
                ("records indexed", figures["n"]),
                ("index build from Parquet, s", figures["build_s"]),
                ("peak RSS of the build process, MiB", figures["rss_mb"]),
                ("peak RSS of one parse worker, MiB", figures["worker_rss_mb"]),
                ("save, s", figures["save_s"]),
                ("index file, MiB", figures["index_mb"]),
                ("load, s", figures["load_s"]),
                ("build / load", figures["build_s"] / figures["load_s"]),
            ],
        )
    )
    if not figures["report_ok"]:
        print(figures["report"])

    start = time.perf_counter()
    queries = messy_queries(base_df, args.queries, seed=args.seed + 1)
    print(f"messy_queries: {time.perf_counter() - start:.1f} s")
    rows = list(queries[["query", "addr_id", "expected_level", "kind"]].itertuples(index=False, name=None))
    texts = [r[0] for r in rows]

    # Warm up on other queries: the gazetteer loads its per-county tables on first use.
    for text in messy_queries(base_df, 2_000, seed=args.seed + 2)["query"]:
        base.match(text)
    clear_cache()
    subset = texts[: args.single]
    start = time.perf_counter()
    for text in subset:
        base.match(text)
    one_core = len(subset) / (time.perf_counter() - start)
    clear_cache()
    start = time.perf_counter()
    # Matched with no cutoff, so that the cutoff table below can show every score.
    matches = base.match_many(texts, workers=args.workers, score_cutoff=0.0)
    both = len(texts) / (time.perf_counter() - start)
    print(
        table(
            ["speed", "queries/s"],
            [
                ("one core (match, cold parse cache)", one_core),
                (f"{args.workers} workers (match_many)", both),
            ],
        )
    )

    judge = Judge(base_df)
    every = evaluate(matches, rows, judge)
    cutoff = match_module.DEFAULT_SCORE_CUTOFF if args.cutoff is None else args.cutoff
    print(f"\nscore_cutoff {cutoff} (the default is {match_module.DEFAULT_SCORE_CUTOFF})")
    ev = evaluate([m if m is not None and m.score >= cutoff else None for m in matches], rows, judge)
    in_base = ev["in_base"]
    print(f"\nin-base queries: {len(in_base):,}; top-1 accuracy {np.mean(in_base):.4f}")
    print(
        f"out-of-base queries: {ev['n_oob']:,}; false matches {ev['oob_false']} "
        f"({ev['oob_false'] / max(1, ev['n_oob']):.4f}), at score >= 0.9: {ev['oob_false_09']}"
    )
    print("\nby expected level")
    print(
        table(
            ["level", "n", "accuracy"],
            sorted((k, len(v), float(np.mean(v))) for k, v in ev["by_level"].items()),
        )
    )
    print("\nby kind (a query counts under each pattern it has)")
    print(
        table(
            ["kind", "n", "accuracy"],
            sorted((k, len(v), float(np.mean(v))) for k, v in ev["by_kind"].items()),
        )
    )
    print(
        "\nreliability (every match, no cutoff; right = expected id or level place; lenient also counts a coarser true place)"
    )
    print(table(["score", "n", "right", "lenient"], reliability(every["scored"])))
    print("\nscore cutoff: top-1 accuracy of in-base queries and false-match rate of out-of-base ones")
    print(
        table(
            ["cutoff", "top-1", "false matches"],
            [
                (c, right / max(1, len(in_base)), false / max(1, ev["n_oob"]))
                for c, (right, false) in every["by_cutoff"].items()
            ],
        )
    )
    if args.fit:
        print("\n_CALIBRATION =", tuple(isotonic_knots(every["scored"])))
    for miss in ev["misses"][: args.misses]:
        print(miss)

    if not args.skip_brute:
        print_brute(args)


def print_brute(args: argparse.Namespace) -> None:
    """Run the brute-force comparison in a fresh child process and print it."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--brute-child",
            "--brute-records",
            str(args.brute_records),
            "--brute-queries",
            str(args.brute_queries),
            "--seed",
            str(args.seed),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    b = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"\nbrute force on a {b['n_records']:,}-record base, {b['n_queries']:,} queries "
        f"(accuracy over {b['n_record_queries']:,} record queries)"
    )
    print(
        table(
            ["method", "top-1", "queries/s"],
            [
                ("rapidfuzz extractOne WRatio, full strings", b["brute_acc"], b["brute_qps"]),
                ("stdaddr AddressBase.match", b["ours_acc"], b["ours_qps"]),
            ],
        )
    )
    print(f"speed ratio: {b['ours_qps'] / b['brute_qps']:.0f}x")


if __name__ == "__main__":
    main()
