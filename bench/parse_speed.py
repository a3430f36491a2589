"""Parsing speed of stdaddr against cpca and jionlp on one reproducible 100,000-address mixed batch.

The batch (seeded) is every distinct text of CCKS 2021 train, NAACL 2019 train+dev and the messy company
addresses, plus synthetic Wenzhou addresses generated from stdaddr's gazetteer (short names, missing levels,
full-width and Chinese numerals, 3-2-301 shorthand, notes in brackets, repeated prefixes) up to
``--distinct`` distinct texts; the remaining rows repeat those texts with Zipf-like frequencies, as
government records repeat addresses. Each system runs in a fresh subprocess, so that its import time
and peak RSS are its own.

    python bench/parse_speed.py                       # 100,000 rows, 60,000 distinct
    python bench/parse_speed.py --size 20000 --distinct 12000 --json speed.json
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    CCKS_TRAIN,
    MESSY,
    NAACL_DEV,
    NAACL_TRAIN,
    clear_parse_cache,
    peak_rss_mb,
    read_messy,
    read_tagged,
    require,
    table,
    timed,
    timed_cpu,
)

WENZHOU = "3303"
FIRST_CALL_TEXT = "温州鹿城区五马街道解放街一百二十三号3-2-301"
# A community without its divisions: its first parse also reads the nationwide community index.
FIRST_CALL_COMMUNITY_TEXT = "府前社区解放街1号"
ROAD_STEMS = (  # noqa: SIM905 - a word list reads better as one string
    "人民 解放 中山 学院 车站 江滨 新城 锦绣 府前 胜利 建设 民航 东风 红旗 府东 新华 朝阳 环城 滨海 "
    "金海 望江 沿江 振兴 兴业 创业 工业 银都 春晖 惠民 文化 教育 体育 商城 开元 永宁 安澜 双龙 南浦 百里"
).split()
ROAD_KINDS = ("路", "街", "大道", "巷", "东路", "西路", "南路", "北路", "中路", "一路", "二路")
POI_STEMS = (  # noqa: SIM905 - a word list reads better as one string
    "锦江 华盛 阳光 金色 绿城 时代 银泰 世纪 滨江 景山 龙湖 嘉园 金都 翠微 怡景 丽都 紫金 雅苑 鑫泰 恒大"
).split()
POI_KINDS = ("小区", "花园", "大厦", "苑", "广场", "公寓", "新村", "家园", "商务中心", "工业区")
NOTES = ("(对面)", "（附近）", "东50米", "旁边", "放前台", "(门卫代收)", "【快递柜】", "(二楼后门)")
_DIGITS = "〇一二三四五六七八九"
_FULL_WIDTH = str.maketrans("0123456789-()", "０１２３４５６７８９－（）")
_LEVEL_SUFFIXES = ("街道", "镇", "乡", "区", "县", "市")
# Official community names end in 村委会/居委会; people write 村/社区.
_COMMUNITY_WRITTEN = re.compile("(村民委员会|村委会|社区居民委员会|社区居委会|居民委员会|居委会)$")


def _written(m: re.Match[str]) -> str:
    return "村" if m.group(1).startswith("村") else "社区"


def chinese_number(n: int) -> str:
    """123 -> 一百二十三 (0 < n < 10000)."""
    out, units = "", ((1000, "千"), (100, "百"), (10, "十"))
    zero = False
    for value, unit in units:
        d, n = divmod(n, value)
        if d:
            if zero:
                out += "零"
            out += ("" if value == 10 and not out and d == 1 else _DIGITS[d]) + unit
            zero = False
        elif out:
            zero = True
    if n:
        out += ("零" if zero else "") + _DIGITS[n]
    return out


def _short(name: str) -> str:
    for suffix in _LEVEL_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


class Synthesizer:
    """Wenzhou-style messy addresses built from the gazetteer; deterministic for a seed."""

    def __init__(self, rng: random.Random):
        from stdaddr import gazetteer

        self.g = gazetteer.load()
        self.rng = rng
        self.counties = sorted(c for c, _ in self.g.units(2) if c.startswith(WENZHOU))
        towns: dict[str, list[str]] = {c: [] for c in self.counties}
        for code, _ in self.g.units(3):
            if code[:6] in towns:
                towns[code[:6]].append(code)
        self.towns = {c: sorted(t) for c, t in towns.items()}

    def number(self, n: int, marker: str) -> str:
        style = self.rng.random()
        if style < 0.15:
            return chinese_number(n) + marker
        if style < 0.25:
            return str(n).translate(_FULL_WIDTH) + marker
        return f"{n}{marker}"

    def prefix(self, county: str, town: str | None) -> str:
        county_name = self.g.name(county) or ""
        town_name = (self.g.name(town) or "") if town else ""
        r = self.rng.random()
        if r < 0.3:
            return f"浙江省温州市{county_name}{town_name}"
        if r < 0.55:
            return f"温州{_short(county_name)}{town_name}"
        if r < 0.75:
            return f"{_short(county_name)}{_short(town_name)}"
        if r < 0.82:
            return f"浙江省温州市浙江省温州市{county_name}{town_name}"
        if r < 0.9:
            return f"{county_name} {town_name} "
        return ""

    def tail(self) -> str:
        rng = self.rng
        b, u, room = rng.randint(1, 30), rng.randint(1, 6), rng.randint(1, 33) * 100 + rng.randint(1, 4)
        r = rng.random()
        if r < 0.3:
            return f"{b}-{u}-{room}".translate(_FULL_WIDTH) if rng.random() < 0.2 else f"{b}-{u}-{room}"
        if r < 0.6:
            return self.number(b, "幢") + self.number(u, "单元") + f"{room}室"
        if r < 0.75:
            return f"{b}栋{room}"
        if r < 0.85:
            return self.number(b, "号楼") + self.number(rng.randint(1, 30), "层")
        return ""

    def address(self) -> str:
        rng = self.rng
        county = rng.choice(self.counties)
        town = rng.choice(self.towns[county]) if self.towns[county] else None
        parent = town or county
        body = ""
        if rng.random() < 0.35:
            community = rng.choice(self.g.children(parent) or [parent])
            body += _COMMUNITY_WRITTEN.sub(_written, self.g.name(community) or "")
        if rng.random() < 0.75:
            body += rng.choice(ROAD_STEMS) + rng.choice(ROAD_KINDS) + self.number(rng.randint(1, 999), "号")
            if rng.random() < 0.1:
                body += f"附{rng.randint(1, 9)}"
        if rng.random() < 0.6:
            body += rng.choice(POI_STEMS) + rng.choice(POI_KINDS)
        body += self.tail()
        if rng.random() < 0.2:
            body += rng.choice(NOTES)
        if rng.random() < 0.05:
            body += f" 电话1{rng.randint(3, 9)}{rng.randint(0, 10**9 - 1):09d}"
        return self.prefix(county, town) + body


def real_texts() -> list[str]:
    texts = [t.text for path in (CCKS_TRAIN, NAACL_TRAIN, NAACL_DEV) for t in read_tagged(path)]
    return texts + read_messy(MESSY)


def build_batch(size: int, distinct: int, seed: int) -> tuple[dict[str, list[str]], int]:
    """The distinct texts, the batch of ``size`` rows (every distinct text once, then Zipf repeats),
    and how many of the distinct texts are real (not synthetic)."""
    rng = random.Random(seed)
    unique = list(dict.fromkeys(t for t in real_texts() if t.strip()))
    real = len(unique)
    seen = set(unique)
    synth = Synthesizer(rng)
    while len(unique) < distinct:
        text = synth.address()
        if text not in seen:
            seen.add(text)
            unique.append(text)
    unique = unique[:distinct]
    ranked = unique[:]
    rng.shuffle(ranked)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(ranked))]
    batch = unique + rng.choices(ranked, weights=weights, k=max(0, size - len(unique)))
    batch = batch[:size]
    rng.shuffle(batch)
    return {"batch": batch, "unique": unique}, min(real, len(unique))


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def _record(label: str, texts: Sequence[str], wall: float, cpu: float) -> dict[str, Any]:
    return {
        "label": label,
        "n": len(texts),
        "distinct": len(set(texts)),
        "wall_s": wall,
        "cpu_s": cpu,
        "per_s_cpu": _rate(len(texts), cpu),
        "per_s_wall": _rate(len(texts), wall),
    }


def worker_stdaddr(data: dict[str, list[str]], sample: list[str]) -> dict[str, Any]:
    t0 = time.perf_counter()
    import stdaddr

    out: dict[str, Any] = {"import_s": time.perf_counter() - t0}
    _, out["first_parse_s"] = timed(stdaddr.parse, FIRST_CALL_TEXT)
    out["rss_after_first_call_mb"] = peak_rss_mb()
    runs: list[dict[str, Any]] = []

    def run(label: str, texts: Sequence[str], *, cold: bool, **kwargs: Any) -> None:
        if cold and not clear_parse_cache():
            label += " (NO cache found to clear)"
        _, wall, cpu = timed_cpu(stdaddr.parse_many, texts, **kwargs)
        runs.append(_record(label, texts, wall, cpu))

    # The first pass also builds lazy indexes (per-county community names ...); later passes show the
    # steady state of a long-running pipeline whose result cache is empty.
    run("distinct texts, 1st pass (incl. lazy index building)", data["unique"], cold=True)
    run("jionlp sample, cold cache", sample, cold=True)
    run("mixed batch, cold cache", data["batch"], cold=True)
    run("unique texts only, cold cache", data["unique"], cold=True)
    run("mixed batch again, all cached", data["batch"], cold=False)
    params = inspect.signature(stdaddr.parse_many).parameters
    parallel = next((p for p in ("workers", "processes", "jobs", "n_jobs") if p in params), None)
    if parallel:
        run(f"mixed batch, cold cache, {parallel}=2", data["batch"], cold=True, **{parallel: 2})
    out["parallel_parameter"] = parallel
    out["runs"] = runs
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def worker_cpca(data: dict[str, list[str]], sample: list[str]) -> dict[str, Any]:
    t0 = time.perf_counter()
    import cpca

    out: dict[str, Any] = {"import_s": time.perf_counter() - t0, "runs": []}
    _, out["first_parse_s"] = timed(cpca.transform, [FIRST_CALL_TEXT])
    out["rss_after_first_call_mb"] = peak_rss_mb()
    for label, texts in (("jionlp sample", sample), ("mixed batch", data["batch"])):
        _, wall, cpu = timed_cpu(cpca.transform, texts)
        out["runs"].append(_record(label, texts, wall, cpu))
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def worker_jionlp(data: dict[str, list[str]], sample: list[str]) -> dict[str, Any]:
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp
    out: dict[str, Any] = {"import_s": time.perf_counter() - t0}
    _, out["first_parse_s"] = timed(jionlp.parse_location, FIRST_CALL_TEXT, town_village=True)
    out["rss_after_first_call_mb"] = peak_rss_mb()
    failures = 0

    def parse_all(texts: Sequence[str]) -> None:
        nonlocal failures
        for text in texts:
            try:
                jionlp.parse_location(text, town_village=True)
            except Exception:  # noqa: BLE001 - counted, a peer's failure is a figure
                failures += 1

    _, wall, cpu = timed_cpu(parse_all, sample)
    out["runs"] = [_record("jionlp sample", sample, wall, cpu)]
    out["failures"] = failures
    out["peak_rss_mb"] = peak_rss_mb()
    return out


WORKERS: dict[str, Callable[[dict[str, list[str]], list[str]], dict[str, Any]]] = {
    "stdaddr": worker_stdaddr,
    "cpca": worker_cpca,
    "jionlp": worker_jionlp,
}


def run_worker(name: str, data_path: Path, timeout: float) -> dict[str, Any]:
    out_path = data_path.with_name(f"{name}.json")
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        name,
        "--data",
        str(data_path),
        "--out",
        str(out_path),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        return {
            "error": proc.stderr.strip().splitlines()[-1]
            if proc.stderr.strip()
            else f"exit {proc.returncode}"
        }
    return json.loads(out_path.read_text(encoding="utf-8"))


def first_call(repeats: int) -> dict[str, Any]:
    """``import stdaddr`` and import + first parse (gazetteer load included) in fresh interpreters."""
    code = (
        "import time;t=time.perf_counter();c=time.process_time();import stdaddr;t1=time.perf_counter();"
        f"stdaddr.parse({FIRST_CALL_TEXT!r});print(t1-t, time.perf_counter()-t, time.process_time()-c)"
    )
    community = code.replace(repr(FIRST_CALL_TEXT), repr(FIRST_CALL_COMMUNITY_TEXT))
    imports, firsts, cpu, communities = [], [], [], []
    for _ in range(repeats):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        a, b, c = proc.stdout.split()
        imports.append(float(a))
        firsts.append(float(b))
        cpu.append(float(c))
        proc = subprocess.run([sys.executable, "-c", community], capture_output=True, text=True, check=True)
        communities.append(float(proc.stdout.split()[1]))
    return {
        "import_s": imports,
        "first_parse_s": firsts,
        "first_parse_cpu_s": cpu,
        "first_parse_community_s": communities,
    }


def report(meta: dict[str, Any], results: dict[str, dict[str, Any]], latency: dict[str, Any]) -> None:
    print(
        f"\nbatch: {meta['size']:,} rows, {meta['distinct']:,} distinct texts ({meta['real']:,} real from "
        f"CCKS/NAACL/messy, {meta['distinct'] - meta['real']:,} synthetic Wenzhou), seed {meta['seed']}; "
        f"jionlp sample {meta['sample']:,} distinct texts of the batch"
    )
    print(
        f"load average (1 min) {meta['load_before']:.2f} before, {meta['load_after']:.2f} after, "
        f"on {meta['cpus']} CPUs"
    )
    rows = []
    for system, res in results.items():
        if "error" in res:
            rows.append([system, f"failed: {res['error']}", None, None, None, None, None, None])
            continue
        for r in res["runs"]:
            rows.append(
                [
                    system,
                    r["label"],
                    r["n"],
                    r["distinct"],
                    r["wall_s"],
                    r["cpu_s"],
                    round(r["per_s_cpu"]),
                    round(r["per_s_wall"]),
                ]
            )
    print()
    print(
        table(["system", "run", "rows", "distinct", "wall s", "CPU s", "addr/s (CPU)", "addr/s (wall)"], rows)
    )
    print(
        "addr/s (CPU) divides by the process's CPU time, steadier than wall time when other jobs share the "
        "cores; a run with worker processes is judged by wall time"
    )
    print()
    print(
        table(
            [
                "system",
                "import s",
                "first call s (not in the runs above)",
                "RSS after 1st call MiB",
                "peak RSS MiB",
            ],
            [
                [
                    s,
                    r.get("import_s"),
                    r.get("first_parse_s"),
                    r.get("rss_after_first_call_mb"),
                    r.get("peak_rss_mb"),
                ]
                for s, r in results.items()
                if "error" not in r
            ],
        )
    )
    std = results.get("stdaddr", {})
    if "runs" in std:
        if not std.get("parallel_parameter"):
            print("\nstdaddr.parse_many has no workers/processes parameter: two-core run skipped")
        by = {r["label"]: r["per_s_cpu"] for r in std["runs"]}
        ratios = []
        cp = {r["label"]: r["per_s_cpu"] for r in results.get("cpca", {}).get("runs", [])}
        jio = {r["label"]: r["per_s_cpu"] for r in results.get("jionlp", {}).get("runs", [])}
        if cp:
            ratios.append(
                [
                    "stdaddr/cpca",
                    "mixed batch, stdaddr cold cache",
                    by["mixed batch, cold cache"] / cp["mixed batch"],
                ]
            )
            ratios.append(
                [
                    "stdaddr/cpca",
                    "jionlp sample, stdaddr cold cache",
                    by["jionlp sample, cold cache"] / cp["jionlp sample"],
                ]
            )
        if jio:
            ratios.append(
                [
                    "stdaddr/jionlp",
                    "jionlp sample, stdaddr cold cache",
                    by["jionlp sample, cold cache"] / jio["jionlp sample"],
                ]
            )
        print()
        print(table(["ratio", "on", "speed ratio (CPU time)"], ratios))
    med_import = statistics.median(latency["import_s"])
    med_first = statistics.median(latency["first_parse_s"])
    n = len(latency["import_s"])
    print(
        f"\nfresh interpreter, median of {n}: import stdaddr {med_import:.3f} s (target < 0.3: "
        f"{'met' if med_import < 0.3 else 'NOT met'}); import + first parse incl. gazetteer load "
        f"{med_first:.3f} s (target < 2: {'met' if med_first < 2 else 'NOT met'})"
    )
    med_community = statistics.median(latency["first_parse_community_s"])
    print(
        f"  first parse of a community without divisions ({FIRST_CALL_COMMUNITY_TEXT}, nationwide community "
        f"index read too): {med_community:.3f} s (target < 2: {'met' if med_community < 2 else 'NOT met'})"
    )
    print(
        f"  runs: import {', '.join(f'{x:.3f}' for x in latency['import_s'])}; "
        f"first parse {', '.join(f'{x:.3f}' for x in latency['first_parse_s'])} "
        f"(CPU {', '.join(f'{x:.3f}' for x in latency['first_parse_cpu_s'])})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=100_000, help="rows in the mixed batch")
    ap.add_argument(
        "--distinct",
        type=int,
        default=60_000,
        help="distinct texts in it (real texts first, cut to this many if more; synthetic ones to fill)",
    )
    ap.add_argument(
        "--sample", type=int, default=2000, help="distinct texts given to jionlp (and to all, for ratios)"
    )
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--repeats", type=int, default=3, help="fresh interpreters for the first-call latency")
    ap.add_argument("--json", type=Path, help="also write all figures to this JSON file")
    ap.add_argument("--worker", choices=list(WORKERS), help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        data = json.loads(args.data.read_text(encoding="utf-8"))
        result = WORKERS[args.worker](data, data["sample"])
        args.out.write_text(json.dumps(result), encoding="utf-8")
        return 0

    require(CCKS_TRAIN, NAACL_TRAIN, NAACL_DEV, MESSY)
    (data, real), seconds = timed(build_batch, args.size, args.distinct, args.seed)
    data["sample"] = random.Random(args.seed).sample(data["unique"], min(args.sample, len(data["unique"])))
    meta = {
        "size": len(data["batch"]),
        "distinct": len(data["unique"]),
        "real": real,
        "seed": args.seed,
        "sample": len(data["sample"]),
        "build_s": seconds,
    }
    meta["load_before"] = os.getloadavg()[0]
    print(f"built the batch in {seconds:.1f} s; running each system in a fresh subprocess ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="stdaddr-bench-") as tmp:
        path = Path(tmp) / "data.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        results = {name: run_worker(name, path, timeout=600) for name in WORKERS}
    latency = first_call(args.repeats)
    meta["load_after"] = os.getloadavg()[0]
    meta["cpus"] = os.cpu_count()
    report(meta, results, latency)
    if args.json:
        args.json.write_text(
            json.dumps({"meta": meta, "results": results, "first_call": latency}, indent=1), encoding="utf-8"
        )
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
