"""Geocoding each department's file once: results are kept as Parquet and re-used while the input is the same.

A geocoded file is found again by a key made of the SHA-256 of the input file's bytes, the options that
change what geocoding yields (address column, encoding, sheet), the identity of the base and the grid
(the embedded default by its parameters, a file by the SHA-256 of its bytes and its options), the
stdaddr version and a digest of its code and data (:func:`stdaddr.batch.code_digest`: a development
install or an upgrade that reads addresses otherwise geocodes again). So renaming or touching a file re-uses its results, and editing one cell geocodes it
again. The cache holds, per department, ``NAME-KEY.parquet`` (the batch output: every input column as
text, then :data:`stdaddr.batch.RESULT_COLUMNS`) and ``NAME-KEY.json`` (what the join needs to know
without opening the input); older files of the department are removed when a new one is written.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stdaddr.errors import DataError
from stdaddr.io import replace_atomically
from stdaddr.join.config import BaseSpec, DepartmentSpec, GridSpec, JoinConfig, check_columns

if TYPE_CHECKING:
    from stdaddr.base import AddressBase
    from stdaddr.batch import Progress
    from stdaddr.grid import GridIndex

__all__ = ["CACHE_FOLDER", "Geocoded", "cache_key", "file_digest", "geocode_departments", "store", "lookup"]

CACHE_FOLDER = "stdaddr-cache"
# Bump when what is stored changes, so older caches are not read.
_CACHE_VERSION = 1
_KEY_CHARS = 20
_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class Geocoded:
    """One department's geocoded file: its path, the input's columns, rows and CRS of the points, and
    whether it came from the cache (``cached``) or was geocoded now (taking ``elapsed_s``)."""

    spec: DepartmentSpec
    path: Path
    columns: tuple[str, ...]
    rows: int
    crs: str
    cached: bool
    elapsed_s: float


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_BLOCK):
            h.update(block)
    return h.hexdigest()


def base_identity(spec: BaseSpec) -> dict[str, Any]:
    """What identifies the base's contents: the embedded default's parameters, or a file's digest and options."""
    if spec.path is None:
        from stdaddr.default import DEFAULT_SEED, DEFAULT_SIZE

        return {"default": True, "size": DEFAULT_SIZE, "seed": DEFAULT_SEED}
    if not spec.path.is_file():
        raise DataError(f'base file "{spec.path.resolve()}" does not exist')
    options = {
        k: getattr(spec, k) for k in ("id_column", "address_column", "x_column", "y_column", "crs", "layer")
    }
    return {"file": file_digest(spec.path), **options}


def grid_identity(spec: GridSpec | None) -> dict[str, Any] | None:
    """Like :func:`base_identity`, for the grid (None: no grid)."""
    if spec is None:
        return None
    if spec.path is None:
        return {"default": True}
    if not spec.path.is_file():
        raise DataError(f'grid file "{spec.path.resolve()}" does not exist')
    return {
        "file": file_digest(spec.path),
        "code_column": spec.code_column,
        "crs": spec.crs,
        "layer": spec.layer,
    }


def cache_key(spec: DepartmentSpec, base: dict[str, Any], grid: dict[str, Any] | None) -> str:
    """The key of a department's geocoded file (see the module docstring)."""
    from stdaddr import __version__
    from stdaddr.batch import code_digest

    parts = {
        "cache": _CACHE_VERSION,
        "stdaddr": __version__,
        "code": code_digest(),  # a development install changes without a new version
        "input": file_digest(spec.file),
        "address_column": spec.address_column,
        "encoding": spec.encoding,
        "sheet": spec.sheet,
        "base": base,
        "grid": grid,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[
        :_KEY_CHARS
    ]


def lookup(folder: Path, spec: DepartmentSpec, key: str) -> Geocoded | None:
    """The cached geocoded file of ``spec`` under ``key``, or None when there is none (or it is damaged)."""
    data, meta = _paths(folder, spec.name, key)
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if info.get("key") != key or info.get("cache") != _CACHE_VERSION or not data.is_file():
        return None
    if _unreadable(data, int(info.get("rows", -1))):
        return None  # cut or damaged since it was stored (a full disk, a copy gone wrong): geocoded again
    return Geocoded(spec, data, tuple(info["columns"]), int(info["rows"]), info["crs"], True, 0.0)


def _unreadable(path: Path, rows: int) -> bool:
    """Whether a cached Parquet file cannot be read as the one stored: no footer, or another row count."""
    import pyarrow.parquet as pq

    try:
        return pq.read_metadata(path).num_rows != rows
    except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError
        return True


def store(
    folder: Path, spec: DepartmentSpec, key: str, *, columns: list[str], rows: int, crs: str
) -> Geocoded:
    """Record that ``NAME-KEY.parquet`` in ``folder`` is complete, and remove the department's older files.

    Also used by ``bench/join_bench.py`` to lay down geocoded files made without geocoding.
    """
    data, meta = _paths(folder, spec.name, key)
    info = {
        "cache": _CACHE_VERSION,
        "key": key,
        "input": str(spec.file),
        "columns": columns,
        "rows": rows,
        "crs": crs,
    }
    replace_atomically(meta, json.dumps(info, ensure_ascii=False, indent=1).encode("utf-8"))
    stale = re.compile(rf"^{re.escape(spec.name)}-(?!{key})[0-9a-f]{{{_KEY_CHARS}}}\.")
    for old in folder.iterdir():
        if stale.match(old.name):
            # (an interrupted geocoding's .parts folder and checkpoint too: 城管-<older key>.parquet.parts)
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)
    return Geocoded(spec, data, tuple(columns), rows, crs, False, 0.0)


def cache_path(folder: Path, spec: DepartmentSpec, key: str) -> Path:
    """Where the geocoded Parquet of ``spec`` under ``key`` goes."""
    return _paths(folder, spec.name, key)[0]


def _paths(folder: Path, name: str, key: str) -> tuple[Path, Path]:
    return folder / f"{name}-{key}.parquet", folder / f"{name}-{key}.json"


class _Loaded:
    """The base and grid, loaded on first need: a run whose files are all cached loads neither."""

    def __init__(self, config: JoinConfig):
        self.config = config
        self._pair: tuple[AddressBase, GridIndex | None] | None = None

    def get(self) -> tuple[AddressBase, GridIndex | None]:
        if self._pair is None:
            self._pair = (load_base(self.config.base), load_grid(self.config.grid))
        return self._pair


def load_base(spec: BaseSpec) -> AddressBase:
    """The base a :class:`BaseSpec` names (the embedded default when it names none)."""
    if spec.path is None:
        from stdaddr.default import default_base

        return default_base()
    from stdaddr.batch import load_base as load

    return load(
        spec.path,
        id_column=spec.id_column,
        address_column=spec.address_column,
        x_column=spec.x_column,
        y_column=spec.y_column,
        crs=spec.crs,
        layer=spec.layer,
    )


def load_grid(spec: GridSpec | None) -> GridIndex | None:
    """The grid a :class:`GridSpec` names (the embedded default when it names none; None for no grid)."""
    if spec is None:
        return None
    if spec.path is None:
        from stdaddr.default import default_grid

        return default_grid()
    from stdaddr.batch import load_grid as load

    return load(spec.path, code_column=spec.code_column, crs=spec.crs, layer=spec.layer)


def geocode_departments(
    config: JoinConfig,
    folder: Path,
    *,
    workers: int | None = None,
    log: Callable[[str], None] | None = None,
    progress: Callable[[Progress], None] | None = None,
    checked: Callable[[], None] | None = None,
) -> list[Geocoded]:
    """Each department's geocoded file: from the cache when its key is there, else geocoded now with
    :func:`stdaddr.batch.geocode_file` (base and grid loaded once, on first need). ``checked`` is called
    once every department's columns are checked, before anything is written (the join takes its
    output's lock there)."""
    from stdaddr import batch

    say = log or (lambda _: None)
    base_id, grid_id = base_identity(config.base), grid_identity(config.grid)
    # Every file's columns are checked before anything is geocoded: a typo in the last department
    # should not cost the time of geocoding the others first.
    plan = []
    for spec in config.departments:
        key = cache_key(spec, base_id, grid_id)
        hit = lookup(folder, spec, key)
        columns = list(hit.columns) if hit else _input_columns(spec)
        check_columns(spec, columns)
        plan.append((spec, key, hit, columns))
    if checked is not None:
        checked()
    folder.mkdir(parents=True, exist_ok=True)  # only once the configuration holds
    loaded = _Loaded(config)
    out = []
    for spec, key, hit, columns in plan:
        if hit is not None:
            say(f"{spec.name}: {hit.rows:,} rows, geocoded results re-used ({hit.path.name})")
            out.append(hit)
            continue
        base, grid = loaded.get()
        shown = (
            spec.address_column if isinstance(spec.address_column, str) else " + ".join(spec.address_column)
        )
        say(f"{spec.name}: geocoding {spec.file.name} (column {shown})")
        started = time.perf_counter()
        summary = batch.geocode_file(
            spec.file,
            cache_path(folder, spec, key),
            column=spec.address_column,
            base=base,
            grid=grid,
            output_format="parquet",
            encoding=spec.encoding,
            sheet=spec.sheet,
            workers=workers,
            progress=progress,
        )
        done = store(folder, spec, key, columns=columns, rows=summary.rows, crs=summary.crs)
        elapsed = round(time.perf_counter() - started, 3)
        say(f"{spec.name}: {summary.rows:,} rows geocoded in {elapsed:.1f} s")
        out.append(Geocoded(spec, done.path, done.columns, done.rows, done.crs, False, elapsed))
    return out


def _input_columns(spec: DepartmentSpec) -> list[str]:
    """The columns of the department's table, of the sheet ``geocode_file`` reads: without a sheet named,
    a workbook's cover sheet (填表说明) before the data gives way to the one sheet with the address."""
    from stdaddr.batch import open_input
    from stdaddr.errors import ColumnError, InputError
    from stdaddr.io import MAX_RECORD_LINES, open_table

    try:
        try:
            reader, _ = open_input(
                spec.file, spec.address_column, spec.encoding, spec.sheet, MAX_RECORD_LINES, None
            )
        except ColumnError:
            reader = open_table(spec.file, encoding=spec.encoding, sheet=spec.sheet)  # check_columns says why
    except InputError as exc:  # a sheet or encoding not in the file: which department's it is
        raise type(exc)(f'department "{spec.name}": {exc}') from exc
    try:
        return list(reader.columns)
    finally:
        reader.close()
