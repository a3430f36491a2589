"""Grid assignment speed and agreement: stdaddr.GridIndex.assign against geopandas.sjoin.

Three layers, each with 1,000,000 random WGS-84 points, timed from raw coordinate arrays to one
answer per point (both sides include projecting the points):

1. a regular 100 x 100 grid of 1 km squares in EPSG:4549 around Wenzhou (the arithmetic path);
2. 10,000 Voronoi cells over the same area (the STRtree path);
3. Wenzhou's 12 county polygons from ../shared/data (GCJ-02 coordinates, declared crs="GCJ02");
   sjoin runs on the points converted to GCJ-02. Skipped with a message when the data is absent.

Agreement: stdaddr's code must equal sjoin's match (the smallest code when sjoin finds several) for
every point; points stdaddr calls "nearest" must have no sjoin match. For the GCJ-02 layer, which
stdaddr indexes in EPSG:4549, points within 1 m of a county border may fall either side and are
counted apart.

    python bench/grid_bench.py [--points 1000000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from stdaddr.crs import transform
from stdaddr.grid import GridIndex, community_grid, square_grid

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WENZHOU = SHARED_DATA / "boundaries" / "city_with_districts" / "330300.json"
# 100 km x 100 km centred on Wenzhou (120.65°E, 28.0°N is about E 563,936 N 3,098,612 in EPSG:4549).
AREA = (514_000.0, 3_049_000.0, 614_000.0, 3_149_000.0)
NEAR_BORDER_DEG = 1e-5  # about 1 m


def best_time(func, repeat):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def random_lonlat(bounds_4549, n, seed):
    """Uniform WGS-84 points over the lon/lat box around a projected rectangle (a few fall outside it)."""
    minx, miny, maxx, maxy = bounds_4549
    lon, lat = transform(np.array([minx, maxx, minx, maxx]), np.array([miny, miny, maxy, maxy]), 4549, 4326)
    rng = np.random.default_rng(seed)
    return rng.uniform(lon.min(), lon.max(), n), rng.uniform(lat.min(), lat.max(), n)


def sjoin_codes(cells, code_column, x, y, points_crs, to_crs):
    """What a geopandas user writes: points, to_crs, sjoin; then one code per point for comparison."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=points_crs)
    if to_crs is not None:
        points = points.to_crs(to_crs)
    return gpd.sjoin(points, cells[[code_column, "geometry"]], how="left", predicate="intersects")


def smallest_per_point(joined, code_column, n):
    codes = joined[code_column].dropna().astype(str)
    smallest = codes.groupby(level=0).min().reindex(range(n))
    return smallest.astype(object).where(smallest.notna(), None).to_numpy()


def run_case(
    name,
    cells,
    code_column,
    lon,
    lat,
    *,
    layer_crs=None,
    sjoin_xy=None,
    sjoin_crs=None,
    repeat,
    border_geom=None,
):
    print(f"\n== {name}: {len(cells):,} cells, {len(lon):,} points")
    build, grid = best_time(
        lambda: GridIndex.from_geodataframe(cells, code_column=code_column, crs=layer_crs), 1
    )
    print(f"   index build {build:.2f} s; {grid!r}")
    ours_t, ours = best_time(lambda: grid.assign(lon, lat, crs="EPSG:4326"), repeat)
    if sjoin_xy is None:
        ref_t, joined = best_time(
            lambda: sjoin_codes(cells, code_column, lon, lat, 4326, grid.metric_crs), repeat
        )
    else:
        # The sjoin user must convert WGS-84 points to GCJ-02 first: that is part of their time.
        def convert_and_join():
            gx, gy = sjoin_xy()
            return sjoin_codes(cells, code_column, gx, gy, sjoin_crs, None), gx, gy

        ref_t, (joined, gx, gy) = best_time(convert_and_join, repeat)
    print(f"   stdaddr assign   {ours_t:6.2f} s  ({len(lon) / ours_t / 1e6:.2f} M points/s)")
    print(f"   geopandas.sjoin  {ref_t:6.2f} s  ({len(lon) / ref_t / 1e6:.2f} M points/s)")
    print(f"   speed ratio stdaddr / sjoin: {ref_t / ours_t:.2f}x")
    status = Counter(ours.status.tolist())
    print("   statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(status.items())))
    expected = smallest_per_point(joined, code_column, len(lon))
    matched = np.isin(ours.status, ["inside", "border"])
    has_match = np.array([code is not None for code in expected])
    disagree = np.flatnonzero((matched & (ours.codes != expected)) | (~matched & has_match))
    print(f"   points on borders (status 'border'): {status.get('border', 0):,}")
    if border_geom is None:
        print(f"   disagreements with sjoin: {disagree.size:,} of {len(lon):,}")
        return
    near = shapely.distance(border_geom, shapely.points(gx[disagree], gy[disagree])) <= NEAR_BORDER_DEG
    print(
        f"   disagreements with sjoin: {disagree.size:,}, of which {int(near.sum()):,} within 1 m of a border; "
        f"off borders: {int((~near).sum()):,} of {len(lon):,}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs per timing; the best is shown")
    args = parser.parse_args(argv)

    squares = square_grid(AREA, 1000, crs="EPSG:4549", code_prefix="G")
    lon, lat = random_lonlat(AREA, args.points, seed=1)
    run_case("regular 1 km squares, EPSG:4549", squares, "code", lon, lat, repeat=args.repeat)

    rng = np.random.default_rng(2)
    seeds = rng.uniform(AREA[:2], AREA[2:], size=(len(squares), 2))
    communities = [f"330302{i // 100 % 1000:03d}{i % 100:03d}" for i in range(len(seeds))]
    voronoi = community_grid(
        (seeds[:, 0], seeds[:, 1]), shapely.box(*AREA), community_codes=communities, crs=4549
    )
    run_case("Voronoi cells, EPSG:4549", voronoi, "code", lon, lat, repeat=args.repeat)

    if not WENZHOU.exists():
        print(f"\n== Wenzhou counties skipped: {WENZHOU} not found (the shared data is absent).")
        return 0
    counties = gpd.read_file(WENZHOU)
    # GeoJSON states WGS-84, but DataV coordinates are GCJ-02: declare it, and give sjoin no CRS to trust.
    counties = counties.set_crs(None, allow_override=True)
    counties["adcode"] = counties["adcode"].astype(str)  # codes are strings on both sides
    minx, miny, maxx, maxy = counties.total_bounds
    rng = np.random.default_rng(3)
    lon = rng.uniform(minx - 0.02, maxx + 0.02, args.points)
    lat = rng.uniform(miny - 0.02, maxy + 0.02, args.points)
    borders = shapely.union_all(counties.geometry.boundary.values)
    run_case(
        "Wenzhou counties (DataV, GCJ-02)",
        counties,
        "adcode",
        lon,
        lat,
        layer_crs="GCJ02",
        sjoin_xy=lambda: transform(lon, lat, "EPSG:4326", "GCJ02"),
        repeat=args.repeat,
        border_geom=borders,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
