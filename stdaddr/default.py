"""The embedded default: a synthetic Wenzhou address base and a grid layer consistent with it.

With no base or grid of one's own, ``stdaddr geocode`` and ``stdaddr demo`` use these:

- :func:`default_base`: :func:`stdaddr.synth.generate_base` (``DEFAULT_SIZE`` records, seed 0)
  indexed as an :class:`~stdaddr.base.AddressBase`;
- :func:`default_grid`: :func:`stdaddr.grid.community_grid` over the mean point of each community's
  records, county by county, clipped to the county outlines (:func:`stdaddr.synth.county_polygons`),
  with 15-digit codes.

Both are built once and cached on disk in :func:`cache_dir`, in a folder named after the package
version and the generator parameters (a new version builds its own). Files are written atomically,
so two processes building at once both end with a whole file; a file that does not load is rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stdaddr.errors import InputError
from stdaddr.io import temp_beside

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    from stdaddr.base import AddressBase
    from stdaddr.grid import GridIndex

__all__ = [
    "DEFAULT_SIZE",
    "DEFAULT_SEED",
    "cache_dir",
    "default_base",
    "default_base_table",
    "default_grid",
    "default_grid_layer",
    "base_grid_layer",
]

# 40,000 records: every county, most towns and about half the communities have records, and the
# first build (generate + index) takes about 10 s on 2 cores; later runs load the cache in well under 1 s.
DEFAULT_SIZE = 40_000
DEFAULT_SEED = 0
CRS = "EPSG:4490"
# Bump when what is built from the parameters changes (columns, grid rule), so old caches are not read.
_RECIPE = 3  # 2: slivers between county outlines merged into the grid; 3: cells densified before changing CRS
_ENV = "STDADDR_CACHE"


def cache_dir() -> Path:
    """Where the default data is cached: ``$STDADDR_CACHE``, else ``$XDG_CACHE_HOME/stdaddr``, else
    ``~/.cache/stdaddr``."""
    if os.environ.get(_ENV):
        return Path(os.environ[_ENV]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return root / "stdaddr"


def default_base_table(size: int = DEFAULT_SIZE, *, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The synthetic base table (:func:`stdaddr.synth.generate_base`), from the cache when it is there."""
    import pandas as pd

    _check(size, seed)

    def build(path: Path) -> None:
        from stdaddr.synth import generate_base

        _write_atomically(path, lambda tmp: generate_base(size, seed=seed).to_parquet(tmp, index=False))

    return _cached(_folder(size, seed) / "base.parquet", build, pd.read_parquet)


def default_base(size: int = DEFAULT_SIZE, *, seed: int = DEFAULT_SEED) -> AddressBase:
    """The synthetic Wenzhou base of ``size`` records as an :class:`~stdaddr.base.AddressBase` (EPSG:4490).

    The first call builds and caches it (about 10 s for the default size on 2 cores); later ones load
    the index file. The result is shared within a process.
    """
    _check(size, seed)
    return _default_base(_folder(size, seed), size, seed)


@cache
def _default_base(folder: Path, size: int, seed: int) -> AddressBase:
    from stdaddr.base import AddressBase

    def build(path: Path) -> None:
        table = default_base_table(size, seed=seed)
        base = AddressBase.from_dataframe(
            table, id_column="addr_id", address_column="address", x_column="lon", y_column="lat", crs=CRS
        )
        _write_atomically(path, base.save)

    def load(path: Path) -> AddressBase:
        base = AddressBase.load(path)
        if len(base) == 0 or base.crs != CRS:
            raise ValueError(f"{path} holds {len(base)} records in {base.crs}")
        return base

    return _cached(folder / "base.npz", build, load)


def default_grid_layer(size: int = DEFAULT_SIZE, *, seed: int = DEFAULT_SEED) -> gpd.GeoDataFrame:
    """The grid cells of the default base (see :func:`base_grid_layer`): columns ``code``,
    ``community_code``, ``geometry``, in EPSG:4490."""
    import geopandas as gpd

    _check(size, seed)

    def build(path: Path) -> None:
        layer = base_grid_layer(default_base_table(size, seed=seed))
        _write_atomically(path, lambda tmp: layer.to_parquet(tmp, index=False))

    return _cached(_folder(size, seed) / "grid.parquet", build, gpd.read_parquet)


def default_grid(size: int = DEFAULT_SIZE, *, seed: int = DEFAULT_SEED) -> GridIndex:
    """The grid of the default base of ``size`` records as a :class:`~stdaddr.grid.GridIndex` (codes in ``code``)."""
    _check(size, seed)
    return _default_grid(_folder(size, seed), size, seed)


@cache
def _default_grid(folder: Path, size: int, seed: int) -> GridIndex:
    from stdaddr.grid import GridIndex

    return GridIndex.from_geodataframe(default_grid_layer(size, seed=seed), code_column="code", crs=CRS)


def base_grid_layer(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """A community grid for a table made by :func:`stdaddr.synth.generate_base`: one cell per
    community with records, grown from the mean point of its records (or, when that falls outside
    its county, the record nearest to it), clipped to its county's outline; 15-digit codes
    (community code + ``001``). Cells of one county never cross into another."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    from stdaddr.grid import community_grid
    from stdaddr.synth import county_polygons

    seeds = _community_seeds(table)
    layers = []
    for county, polygon in sorted(county_polygons().items()):
        own = seeds[seeds["county_code"] == county]
        if own.empty:
            continue
        x, y = own["x"].to_numpy(), own["y"].to_numpy()
        inside = shapely.contains_xy(polygon, x, y)
        layers.append(
            community_grid(
                (x[inside], y[inside]),
                polygon,
                community_codes=own["community_code"].to_numpy()[inside].tolist(),
                crs=CRS,
            )
        )
    frame = pd.concat(layers, ignore_index=True)
    frame["geometry"] = _fill_gaps(frame["geometry"].to_numpy())
    order = np.argsort(frame["code"].to_numpy(), kind="stable")
    return gpd.GeoDataFrame(frame.iloc[order].reset_index(drop=True), geometry="geometry", crs=CRS)


_MIN_GAP_M2 = 10_000.0


def _fill_gaps(cells: np.ndarray) -> np.ndarray:
    """Merge each hole of the cells' union (slivers between the simplified county outlines) into the
    cell it shares the longest border with, so that the default grid has no gaps."""
    import shapely

    union = shapely.union_all(cells)
    # Only real slivers: the union also has specks of a few m² from floating-point noding, which
    # merging would turn into overlaps. About 1e10 m² per square degree at Wenzhou's latitude.
    holes = [
        hole
        for part in getattr(union, "geoms", [union])
        for hole in map(shapely.Polygon, part.interiors)
        if hole.area * 1.08e10 > _MIN_GAP_M2
    ]
    out = cells.copy()
    for hole in holes:
        shared = shapely.length(shapely.intersection(out, hole.boundary))
        best = int(shared.argmax())
        # The hole's ring comes from the union's noding; cut the neighbours back out so nothing overlaps.
        neighbours = [i for i in range(len(out)) if i != best and shared[i] > 0]
        grown = shapely.union(out[best], hole)
        out[best] = shapely.difference(grown, shapely.union_all(out[neighbours])) if neighbours else grown
    return out


def _community_seeds(table: pd.DataFrame) -> pd.DataFrame:
    """Per community: its county and a point of its own, the mean of its records' points, or the
    record nearest to that mean when the mean lies outside the county (a concave county)."""
    import numpy as np
    import shapely

    from stdaddr.synth import county_polygons

    rows = table.dropna(subset=["community_code", "lon", "lat"])
    seeds = rows.groupby("community_code", sort=True).agg(
        county_code=("county_code", "first"), x=("lon", "mean"), y=("lat", "mean")
    )
    polygons = county_polygons()
    outside = [
        code
        for code, county, x, y in zip(seeds.index, seeds["county_code"], seeds["x"], seeds["y"], strict=True)
        if county in polygons and not shapely.contains_xy(polygons[county], x, y)
    ]
    for code in outside:
        own = rows[rows["community_code"] == code]
        d = (own["lon"].to_numpy() - seeds.at[code, "x"]) ** 2 + (
            own["lat"].to_numpy() - seeds.at[code, "y"]
        ) ** 2
        nearest = int(np.argmin(d))
        seeds.loc[code, ["x", "y"]] = [own["lon"].iloc[nearest], own["lat"].iloc[nearest]]
    return seeds.reset_index()


def _check(size: int, seed: int) -> None:
    from stdaddr.synth import MAX_RECORDS

    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_RECORDS:
        raise InputError(f"size was {size!r}; expected an int from 1 to {MAX_RECORDS:,}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InputError(f"seed was {seed!r}; expected an int")


def _folder(size: int, seed: int) -> Path:
    """The cache folder of one version and parameter set, e.g. ``default-0.1.0-n40000-s0-3f2a9c1e``."""
    from stdaddr import __version__
    from stdaddr.base import INDEX_VERSION
    from stdaddr.parsing import parser_digest

    params = {
        "version": __version__,
        "size": size,
        "seed": seed,
        "index": INDEX_VERSION,
        "parser": parser_digest(),  # records read by another parser may not agree with texts read now
        "recipe": _RECIPE,
    }
    digest = hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:8]
    return cache_dir() / f"default-{__version__}-n{size}-s{seed}-{digest}"


# Cache folders of the same size and seed kept besides the one in use: built by other versions of the
# package or parser (each is about 13 MB at the default size; a tree under development makes many).
_KEEP_OTHERS = 2
_SIZE_SEED = re.compile(r"-n[0-9]+-s-?[0-9]+-(?=[0-9a-f]+$)")  # of default-<version>-n<size>-s<seed>-<digest>


def _prune_others(folder: Path) -> None:
    """Remove the oldest cache folders of ``folder``'s size and seed beyond the newest :data:`_KEEP_OTHERS`.

    A process still using a removed folder rebuilds what it had not loaded yet; nothing else is touched.
    """
    size_seed = _SIZE_SEED.search(folder.name)
    if size_seed is None:
        return
    others = []
    for other in folder.parent.glob("default-*"):
        found = _SIZE_SEED.search(other.name)
        if other != folder and found and found.group() == size_seed.group() and other.is_dir():
            with contextlib.suppress(OSError):
                others.append((other.stat().st_mtime, other))
    others.sort(reverse=True)
    for _, old in others[_KEEP_OTHERS:]:
        shutil.rmtree(old, ignore_errors=True)


def _cached(path: Path, build: Callable[[Path], None], load: Callable[[Path], Any]) -> Any:
    """``load(path)``, building the file first when it is missing or does not load.

    When the cache cannot be written (a read-only home), the file is built in a temporary folder
    and a warning says so.
    """
    if path.exists():
        try:
            return load(path)
        except Exception:  # a corrupt or foreign file: build it again
            pass
    try:
        try:
            path.parent.mkdir(parents=True)
        except FileExistsError:
            pass
        else:  # a new folder: the parser or package changed since the others were built
            _prune_others(path.parent)
        build(path)
    except OSError as exc:
        warnings.warn(
            f"cannot write the stdaddr cache in {path.parent} ({exc}); set {_ENV} to a writable folder",
            stacklevel=3,
        )
        with tempfile.TemporaryDirectory() as tmp:
            fallback = Path(tmp) / path.name
            build(fallback)
            return load(fallback)
    return load(path)


def _write_atomically(path: Path, write: Callable[[str], None]) -> None:
    """Run ``write(name)`` on a temporary file beside ``path``, fsync it and rename it into place."""
    tmp = str(temp_beside(path))
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
