"""Joining many departments' events: wall time and peak memory of ``stdaddr.join_events``.

Two measurements, each in a fresh process (so its peak RSS is its own):

1. **The join step once geocoding is cached, at full size** (default 28 departments x 100,000 events =
   2.8 million). Geocoding 2.8 million rows takes about an hour on 2 cores, so the geocoded files are
   made *synthetically*: each event is a record of a synthetic base (``--base-size`` records, drawn
   with ``stdaddr.synth.generate_base``) with its known id, point and grid cell (the embedded grid's
   ``assign``), written as the batch pipeline writes its Parquet output and recorded in the join's
   cache under the key of the department file (``stdaddr.join.cache.store``). A share of events is
   written as not matched, upper level, ambiguous or empty, as real runs give. ``join_events`` then
   finds every file cached, and the time measured is everything after geocoding: hashing the files,
   reading the geocoded rows, parsing the times (each department its own format, 2 % unreadable),
   the tables, the GeoPackage, the map and the report.
2. **End to end on a subset** (``--e2e-events`` per department, default 1,000): real department files
   of messy addresses (``stdaddr.synth.messy_queries``) geocoded against the embedded default base and
   joined from an empty cache. The full-size end-to-end time is **extrapolated**: geocoding rows/s of
   the subset applied to all events, plus the measured cached join step.

Every event row must be accounted for: the events layer holds one row per input row, each with a
status; the script checks it and prints the statuses.

    python bench/join_bench.py                                  # 28 x 100,000, and the e2e subset
    python bench/join_bench.py --departments 6 --events 20000   # smaller
    python bench/join_bench.py --skip-e2e --postgis postgresql://...   # also time the PostGIS write
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_S = 60.0
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%dT%H:%M:%S+08:00")
_BAD_TIMES = ("", "不详", "2024-02-30")
# Shares of synthetic geocoded outcomes (the rest is "matched"), close to what messy queries give.
_OUTCOMES = {"no_match": 0.08, "upper_level": 0.05, "ambiguous": 0.02, "empty_address": 0.01}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--departments", type=int, default=28)
    parser.add_argument(
        "--events", type=int, default=100_000, help="events per department (cached join step)"
    )
    parser.add_argument(
        "--base-size", type=int, default=200_000, help="records of the synthetic base the events are at"
    )
    parser.add_argument(
        "--e2e-events", type=int, default=1_000, help="events per department of the end-to-end subset"
    )
    parser.add_argument("--skip-e2e", action="store_true", help="only the cached join step")
    parser.add_argument("--postgis", metavar="URL", help="also write the tables to PostGIS (timed apart)")
    parser.add_argument(
        "--workdir", type=Path, help="keep the files here (default: a temporary folder, removed)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args.phase, args.config, args.postgis)
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="stdaddr-join-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: dict[str, object] = {"departments": args.departments, "events_per_department": args.events}
    try:
        started = time.perf_counter()
        config = prepare_cached(work / "full", args.departments, args.events, args.base_size)
        print(
            f"prepared {args.departments} x {args.events:,} events with synthetic cached geocoding "
            f"in {time.perf_counter() - started:.0f} s ({work / 'full'})",
            flush=True,
        )
        cached = child("join", config, None)
        figures["cached_join"] = cached
        report_cached(cached, args.departments * args.events)
        if args.postgis:
            with_postgis = child("join-postgis", config, args.postgis)
            figures["postgis"] = with_postgis
            print(
                f"  with PostGIS: {with_postgis['wall_s']:.1f} s in all, "
                f"PostGIS write {with_postgis['timings'].get('postgis', 0):.1f} s (the GeoPackage is written meanwhile)"
            )
        if not args.skip_e2e:
            config = prepare_e2e(work / "e2e", args.departments, args.e2e_events)
            e2e = child("join", config, None)
            figures["e2e_subset"] = e2e
            report_e2e(e2e, args.departments * args.e2e_events, args.departments * args.events, cached)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def child(phase: str, config: Path, postgis: str | None) -> dict:
    """Run one phase in a fresh interpreter; its last stdout line is its figures as JSON."""
    cmd = [sys.executable, __file__, "--phase", phase, "--config", str(config)]
    if postgis:
        cmd += ["--postgis", postgis]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_phase(phase: str, config: Path, postgis: str | None) -> None:
    import pyogrio

    from stdaddr.join import join_events

    started = time.perf_counter()
    result = join_events(config, postgis=postgis if phase == "join-postgis" else None)
    wall = time.perf_counter() - started
    features = pyogrio.read_info(result.output, layer="events")["features"]
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "wall_s": round(wall, 2),
                "timings": result.timings,
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "worker_peak_rss_mb": round(workers, 1),
                "n_events": result.n_events,
                "rows_in_files": sum(d.rows for d in result.departments),
                "events_layer_rows": features,
                "statuses": result.statuses,
                "multi_department_addresses": result.n_multi_department_addresses,
                "cells_with_events": result.n_cells_with_events,
                "cached": sum(d.cached for d in result.departments),
                "geocoded_rows": sum(d.rows for d in result.departments if not d.cached),
                "geocode_s": round(sum(d.geocode_s for d in result.departments), 2),
                "gpkg_mb": round(result.output.stat().st_size / 1e6, 1),
            }
        )
    )


def peak_rss_mb() -> float:
    """This process's peak RSS. Linux keeps ru_maxrss across exec, so a child started by a big parent
    would report the parent's peak; VmHWM belongs to the new address space alone."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report_cached(f: dict, expected: int) -> None:
    ok = (
        f["n_events"]
        == f["rows_in_files"]
        == f["events_layer_rows"]
        == expected
        == sum(f["statuses"].values())
    )
    verdict = "within" if f["wall_s"] <= TARGET_S else "OVER"
    print(
        f"cached join step, {expected:,} events: {f['wall_s']:.1f} s wall ({verdict} the {TARGET_S:.0f} s target), "
        f"peak RSS {f['peak_rss_mb']:,.0f} MB"
    )
    print("  steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in f["timings"].items()))
    print(
        f"  every row accounted for: {'yes' if ok else 'NO'} ({f['events_layer_rows']:,} rows in the events layer, "
        f"{f['rows_in_files']:,} in the files)"
    )
    print("  statuses: " + ", ".join(f"{k} {v:,}" for k, v in f["statuses"].items() if v))
    print(
        f"  {f['multi_department_addresses']:,} addresses with events from 2+ departments, "
        f"{f['cells_with_events']:,} cells with events, GeoPackage {f['gpkg_mb']:,.0f} MB",
        flush=True,
    )


def report_e2e(f: dict, rows: int, full_rows: int, cached: dict) -> None:
    rate = f["geocoded_rows"] / f["geocode_s"] if f["geocode_s"] else float("nan")
    projected = full_rows / rate + cached["wall_s"]
    print(
        f"end to end, subset of {rows:,} events (geocoded from an empty cache): {f['wall_s']:.1f} s wall, "
        f"peak RSS {f['peak_rss_mb']:,.0f} MB (largest geocoding worker {f['worker_peak_rss_mb']:,.0f} MB); geocoding {f['geocode_s']:.1f} s = {rate:,.0f} rows/s (start-up of each file's workers included)"
    )
    print("  steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in f["timings"].items()))
    print(
        f"  EXTRAPOLATED end to end for {full_rows:,} events: {full_rows:,} / {rate:,.0f} rows/s geocoding "
        f"+ {cached['wall_s']:.1f} s cached join = {projected / 60:,.0f} min (not measured)",
        flush=True,
    )


def _config(folder: Path, specs: list[dict]) -> Path:
    lines = ["[output]", 'path = "joined.gpkg"', ""]
    for s in specs:
        lines += ["[[departments]]"] + [f'{k} = "{v}"' for k, v in s.items()] + [""]
    path = folder / "join.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _times(rng: np.random.Generator, n: int, fmt: str) -> np.ndarray:
    import pandas as pd

    seconds = rng.integers(0, 366 * 86_400, n)
    stamps = pd.to_datetime(seconds, unit="s", origin="2024-01-01")
    text = stamps.strftime(fmt.replace("+08:00", "")).to_numpy(dtype=object)
    if fmt.endswith("+08:00"):
        text = text + "+08:00"
    if "年" in fmt:  # 2024年03月05日 -> 2024年3月5日, as such systems write it
        text = (
            pd.Series(text)
            .str.replace(r"年0", "年", regex=True)
            .str.replace(r"月0", "月", regex=True)
            .to_numpy(dtype=object)
        )
    bad = rng.random(n) < 0.02
    text[bad] = rng.choice(np.array(_BAD_TIMES, dtype=object), int(bad.sum()))
    return text


def prepare_cached(folder: Path, departments: int, events: int, base_size: int) -> Path:
    """Department CSV files and their geocoded Parquet files, laid in the join's cache without geocoding."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from stdaddr.batch import RESULT_COLUMNS
    from stdaddr.default import default_grid
    from stdaddr.join.cache import CACHE_FOLDER, base_identity, cache_key, cache_path, grid_identity, store
    from stdaddr.join.config import BaseSpec, DepartmentSpec, GridSpec
    from stdaddr.synth import generate_base

    folder.mkdir(parents=True, exist_ok=True)
    cache = folder / CACHE_FOLDER
    cache.mkdir(exist_ok=True)
    base = generate_base(base_size, seed=1)
    ids = base["addr_id"].to_numpy(dtype=object)
    standard = base["address"].to_numpy(dtype=object)
    x, y = base["lon"].to_numpy(), base["lat"].to_numpy()
    cells = default_grid().assign(x, y, crs="EPSG:4490").codes
    base_id, grid_id = base_identity(BaseSpec()), grid_identity(GridSpec())
    specs = []
    rng = np.random.default_rng(7)
    for d in range(departments):
        name = f"dept_{d + 1:02d}"
        pick = rng.integers(0, len(ids), events)
        outcome = rng.random(events)
        text = standard[pick].copy()
        time_text = _times(rng, events, _FORMATS[d % len(_FORMATS)])
        inputs = {
            "事件编号": np.array([f"{name}-{i:07d}" for i in range(events)], dtype=object),
            "地址": text,
            "发生时间": time_text,
            "事件类型": rng.choice(np.array(["投诉", "检查", "登记", "报修"], dtype=object), events),
        }
        csv_path = folder / f"{name}.csv"
        pcsv.write_csv(pa.table(inputs), csv_path)
        spec = DepartmentSpec(name, csv_path, "地址", "事件编号", "发生时间", None, "事件类型")
        specs.append(
            {
                "name": name,
                "file": csv_path.name,
                "address_column": "地址",
                "id_column": "事件编号",
                "time_column": "发生时间",
                "type_column": "事件类型",
            }
        )
        result = _outcomes(outcome, pick, ids, standard, x, y, cells)
        table = pa.table({**{k: pa.array(v, pa.string()) for k, v in inputs.items()}, **result})
        assert table.column_names[len(inputs) :] == list(RESULT_COLUMNS)
        key = cache_key(spec, base_id, grid_id)
        pq.write_table(table, cache_path(cache, spec, key))
        store(cache, spec, key, columns=list(inputs), rows=events, crs="EPSG:4490")
    return _config(folder, specs)


def _outcomes(outcome, pick, ids, standard, x, y, cells) -> dict:
    """The result columns the batch pipeline writes, for events at known records with drawn outcomes."""
    import pyarrow as pa

    from stdaddr.models import FIELDS

    n = len(pick)
    edges = np.cumsum(list(_OUTCOMES.values()))
    kind = np.searchsorted(
        edges, outcome, side="right"
    )  # 0 no_match, 1 upper, 2 ambiguous, 3 empty, 4 matched
    matched, upper, ambiguous = kind == 4, kind == 1, kind == 2
    placed = matched | upper | ambiguous
    status = np.array(["no_match", "upper_level", "ambiguous", "empty_address", "matched"], dtype=object)[
        kind
    ]
    reason = np.where(
        matched,
        "record at room level",
        np.where(
            kind == 0,
            "nothing in the base is close enough",
            np.where(kind == 3, "the address is empty", "road level (no record of its own)"),
        ),
    )

    def text(values, mask):
        return pa.array(np.where(mask, values, None), pa.string())

    def number(values, mask):
        return pa.array(np.where(mask, values, np.nan), pa.float64(), from_pandas=True)

    out = {"normalized": text(standard[pick], kind != 3)}
    for f in FIELDS:
        out[f] = pa.nulls(n, pa.string())
    out.update(
        {
            "address_id": text(ids[pick], matched),
            "standard": text(standard[pick], placed),
            "match_level": text(np.where(matched, "room", "road"), placed),
            "score": number(np.where(matched, 0.98, 0.7), placed),
            "x": number(x[pick], placed),
            "y": number(y[pick], placed),
            "crs": text(np.full(n, "EPSG:4490", dtype=object), placed),
            "grid_code": text(cells[pick], placed),
            "status": pa.array(status, pa.string()),
            "reason": pa.array(reason, pa.string()),
        }
    )
    return out


def prepare_e2e(folder: Path, departments: int, events: int) -> Path:
    """Real department files of messy addresses, to geocode from an empty cache."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from stdaddr.default import default_base_table
    from stdaddr.synth import messy_queries

    folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder / "stdaddr-cache", ignore_errors=True)
    queries = messy_queries(default_base_table(), departments * events, seed=11)["query"].to_numpy(
        dtype=object
    )
    rng = np.random.default_rng(11)
    specs = []
    for d in range(departments):
        name = f"dept_{d + 1:02d}"
        path = folder / f"{name}.csv"
        pcsv.write_csv(
            pa.table(
                {
                    "地址": queries[d * events : (d + 1) * events],
                    "发生时间": _times(rng, events, _FORMATS[d % len(_FORMATS)]),
                }
            ),
            path,
        )
        specs.append({"name": name, "file": path.name, "address_column": "地址", "time_column": "发生时间"})
    return _config(folder, specs)


if __name__ == "__main__":
    main()
