"""``join_events``: the departments' files in, the joined tables, the map and the report out.

config ─► geocode each file (or re-use its cached result) ─► events ─► shared addresses,
counts per cell × department (× month), cells with totals ─► [PostGIS] ─► map ─► report
                                  └─► GeoPackage, layer by layer, on a background thread
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stdaddr.errors import InputError
from stdaddr.join.config import GridSpec, JoinConfig, check_identifier, check_output, load_config
from stdaddr.join.outputs import GeoPackageWriter
from stdaddr.join.tables import Events, read_events

if TYPE_CHECKING:
    import geopandas as gpd
    import pyarrow as pa

    from stdaddr.batch import Progress
    from stdaddr.join.cache import Geocoded

__all__ = ["DepartmentResult", "JoinResult", "join_events"]


@dataclass(frozen=True, slots=True)
class DepartmentResult:
    """One department in a join: its file, rows, how its rows came out (``statuses``: the batch
    statuses; ``match_levels``; ``time_statuses``: :data:`stdaddr.join.times.TIME_STATUSES`), where its
    geocoded rows are kept and whether they were re-used from the cache (else ``geocode_s`` says how
    long geocoding took)."""

    name: str
    file: Path
    rows: int
    statuses: dict[str, int]
    match_levels: dict[str, int]
    time_statuses: dict[str, int]
    geocoded: Path
    cached: bool
    geocode_s: float


@dataclass(frozen=True, slots=True)
class JoinResult:
    """What :func:`join_events` wrote and counted.

    ``output`` is the GeoPackage with ``layers``; ``map_png`` and ``report_html`` are None when not
    drawn; ``postgis`` is the database URL (password hidden) the tables went to, with ``postgis_tables``.
    ``n_events`` counts every row of every file (each is in the events table, with its status);
    ``statuses`` adds up the departments'. ``timings`` gives the seconds of each step.
    """

    output: Path
    layers: tuple[str, ...]
    map_png: Path | None
    report_html: Path | None
    postgis: str | None
    postgis_tables: tuple[str, ...]
    departments: tuple[DepartmentResult, ...]
    n_events: int
    statuses: dict[str, int]
    n_multi_department_addresses: int
    n_cells: int
    n_cells_with_events: int
    n_events_in_cells: int
    crs: str
    elapsed_s: float
    timings: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (paths as text)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "departments":
                value = [{g.name: _plain(getattr(d, g.name)) for g in fields(d)} for d in value]
            out[f.name] = _plain(value)
        return out

    def __str__(self) -> str:
        cached = sum(d.cached for d in self.departments)
        lines = [
            f"stdaddr join: {_plural(len(self.departments), 'department')}, {self.n_events:,} events -> {self.output}",
            f"  geocoded {len(self.departments) - cached} file(s), re-used {cached} from the cache",
        ]
        width = max(len(d.name) for d in self.departments)
        for d in self.departments:
            matched = d.statuses.get("matched", 0)
            line = f"  {d.name:<{width}} {d.rows:>10,} events, {100 * matched / max(d.rows, 1):5.1f} % at a standard address"
            if not d.time_statuses.get("no_column"):
                line += f", {d.time_statuses.get('parsed', 0):,} with a time"
            lines.append(line)
        lines += [
            f"  standard addresses with events from 2+ departments: {self.n_multi_department_addresses:,}",
            f"  grid cells with events: {self.n_cells_with_events:,} of {self.n_cells:,} "
            f"({self.n_events_in_cells:,} events in cells)",
            f"  layers: {', '.join(self.layers)} ({self.crs})",
        ]
        if self.postgis:
            lines.append(f"  PostGIS: {', '.join(self.postgis_tables)} at {self.postgis}")
        if self.map_png:
            lines.append(f"  map: {self.map_png}")
        if self.report_html:
            lines.append(f"  report: {self.report_html}")
        lines.append(
            f"  {self.elapsed_s:.1f} s in all ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items())
            + ")"
        )
        return "\n".join(lines)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def join_events(
    config_or_path: JoinConfig | Mapping[str, Any] | str | Path,
    *,
    out: str | Path | None = None,
    postgis: str | None = None,
    postgis_schema: str | None = None,
    cache_dir: str | Path | None = None,
    pictures: bool | None = None,
    report: bool | None = None,
    workers: int | None = None,
    log: Callable[[str], None] | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> JoinResult:
    """Join the departments' events on location (see ``docs/join.md``).

    ``config_or_path`` is a TOML file, a :class:`JoinConfig` or a mapping shaped like the TOML (its
    relative paths taken from the current folder). Keyword options override the configuration:
    ``out`` the GeoPackage path (the map ``STEM_map.png`` and the report ``STEM_report.html`` go beside
    it), ``postgis`` a ``postgresql://`` URL to write the same tables to (``postgis_schema``: default
    "public"), ``cache_dir`` where geocoded files are kept (default: ``stdaddr-cache`` beside the
    output), ``pictures``/``report`` whether to draw the map and write the report. ``workers`` is
    passed to geocoding; ``log`` gets a line per step and ``progress`` the geocoding progress.

    Raises InputError/ColumnError/DataError for configuration and file mistakes before anything is
    written; never for a bad row (each gets a status).
    """
    from stdaddr.batch import stop_signals
    from stdaddr.parsing import check_workers

    started = time.perf_counter()
    check_workers(workers)  # also when every file comes from the cache and no worker would start
    config = _configure(config_or_path, out, postgis, postgis_schema, cache_dir, pictures, report)
    # Ctrl-C and SIGTERM (status 143) stop the run with its temporary file removed.
    with stop_signals() as stop:
        return _join(config, started, workers, log, progress, stop)


def _join(
    config: JoinConfig,
    started: float,
    workers: int | None,
    log: Callable[[str], None] | None,
    progress: Callable[[Progress], None] | None,
    stop: Any,
) -> JoinResult:
    from stdaddr.io import output_lock
    from stdaddr.join.cache import CACHE_FOLDER, geocode_departments

    say = log or (lambda _: None)
    timings: dict[str, float] = {}
    clock = _Clock(timings)

    with contextlib.ExitStack() as held:

        def lock() -> None:
            # One run at a time geocodes for and writes the output (two would geocode the departments
            # twice into the same cache files), from the moment the configuration is checked; the hidden
            # temporary files a killed run left are removed.
            config.output.parent.mkdir(parents=True, exist_ok=True)
            held.enter_context(output_lock(config.output))

        geocoded = geocode_departments(
            config,
            config.cache_dir or config.output.parent / CACHE_FOLDER,
            workers=workers,
            log=log,
            progress=progress,
            checked=lock,
        )
        clock.lap("geocoding")
        stop.check()
        crs = _crs(geocoded)
        events = read_events(geocoded)
        clock.lap("events")
        say(f"joining {len(events):,} events; writing {config.output}")
        stop.check()
        with GeoPackageWriter(config.output, crs=crs) as gpkg:
            # Each layer is written in the background as soon as it is made, while the next is computed.
            gpkg.points("events", events.table, spatial=True)
            tables = _tables(events, config, crs, gpkg, say)
            clock.lap("tables")
            postgis_tables = _postgis(config, crs, tables, log)
            clock.lap("postgis")
            map_path, png = _map(config, crs, tables, say)
            clock.lap("map")
            report_path = (
                config.output.with_name(f"{config.output.stem}_report.html") if config.report else None
            )
            layers = tuple(gpkg.layers)
            result = _result(
                config, geocoded, tables, crs, layers, map_path, report_path, postgis_tables, started, timings
            )
            if report_path is not None:
                _report(report_path, result, tables, png, say)
                clock.lap("report")
            stop.check()  # a signal whose exception a finalizer dropped: the file is not put in place
            gpkg.finish()
    clock.lap("geopackage")
    skipped = {"postgis": not config.postgis_url, "map": map_path is None}
    timings = {k: v for k, v in timings.items() if not skipped.get(k)}
    return replace(result, elapsed_s=round(time.perf_counter() - started, 3), timings=timings)


class _Clock:
    def __init__(self, timings: dict[str, float]):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[step] = round(now - self.last, 3)
        self.last = now


def _configure(
    source: JoinConfig | Mapping[str, Any] | str | Path,
    out: str | Path | None,
    postgis: str | None,
    postgis_schema: str | None,
    cache_dir: str | Path | None,
    pictures: bool | None,
    report: bool | None,
) -> JoinConfig:
    if isinstance(source, JoinConfig):
        config = source
    elif isinstance(source, Mapping):
        config = JoinConfig.from_dict(source)
    elif isinstance(source, (str, Path)):
        config = load_config(source)
    else:
        raise InputError(
            f"config_or_path was {type(source).__name__}; expected a TOML path, a JoinConfig or a mapping"
        )
    changes: dict[str, Any] = {}
    if out is not None:
        changes["output"] = check_output(out)
    if postgis is not None:
        if not isinstance(postgis, str) or not postgis.startswith(("postgresql://", "postgres://")):
            raise InputError(
                f"postgis was {postgis!r}; expected a URL like postgresql://user:password@host:5432/db"
            )
        changes["postgis_url"] = postgis
    if postgis_schema is not None:
        changes["postgis_schema"] = check_identifier(postgis_schema, "postgis_schema")
    if cache_dir is not None:
        changes["cache_dir"] = Path(cache_dir)
    for name, value in (("pictures", pictures), ("report", report)):
        if value is not None:
            if not isinstance(value, bool):
                raise InputError(f"{name} was {value!r}; expected True, False or None (the configuration's)")
            changes[name] = value
    return replace(config, **changes) if changes else config


def _crs(geocoded: list[Geocoded]) -> str:
    """The CRS of the events' points: the base's, as the geocoded files recorded it (all the same)."""
    crss = {g.crs for g in geocoded}
    if len(crss) > 1:
        raise InputError(f"the geocoded files are in several CRSs {sorted(crss)}; expected one (the base's)")
    return crss.pop()


@dataclass(frozen=True, slots=True, eq=False)
class _Tables:
    events: Events
    multi: pa.Table
    cell_counts: pa.Table | None
    months: pa.Table | None
    cells: gpd.GeoDataFrame | None

    def layers(self) -> dict[str, Any]:
        return {
            "events": self.events.table,
            "multi": self.multi,
            "cell_counts": self.cell_counts,
            "month_counts": self.months,
            "cells": self.cells,
        }


def _tables(
    events: Events, config: JoinConfig, crs: str, gpkg: GeoPackageWriter, say: Callable[[str], None]
) -> _Tables:
    """What is computed from the events, each table queued for the GeoPackage as soon as it is made."""
    from stdaddr.join import tables as t

    multi = t.multi_department_addresses(events)
    gpkg.points("multi_department_addresses", multi)
    if config.grid is None:
        return _Tables(events, multi, None, None, None)
    counts = t.cell_department_counts(events)
    gpkg.table("cell_department_counts", counts)
    months = None
    if any(d.time_column for d in config.departments):
        months = t.cell_month_counts(events)
        gpkg.table("cell_month_counts", months)
    cells = t.grid_cells(grid_layer(config.grid, crs, say), counts, events.departments)
    gpkg.cells("grid_cells", cells)
    return _Tables(events, multi, counts, months, cells)


def _postgis(
    config: JoinConfig, crs: str, tables: _Tables, log: Callable[[str], None] | None
) -> tuple[str, ...]:
    if not config.postgis_url:
        return ()
    from stdaddr.join.postgis import write_postgis

    if log:
        log("writing the tables to PostGIS")
    return write_postgis(
        config.postgis_url, schema=config.postgis_schema, crs=crs, log=log, **tables.layers()
    )


def _map(
    config: JoinConfig, crs: str, tables: _Tables, say: Callable[[str], None]
) -> tuple[Path | None, bytes | None]:
    if not config.pictures or tables.cells is None or not len(tables.cells):
        return None, None
    from stdaddr.crs import is_geographic
    from stdaddr.io import replace_atomically
    from stdaddr.join.pictures import choropleth_png

    say("drawing the map")
    shown = config.map_departments if config.map_departments is not None else tables.events.departments
    png = choropleth_png(tables.cells, shown, geographic=is_geographic(crs), title="Events per grid cell")
    path = config.output.with_name(f"{config.output.stem}_map.png")
    replace_atomically(path, png)
    return path, png


def _report(
    path: Path, result: JoinResult, tables: _Tables, png: bytes | None, say: Callable[[str], None]
) -> None:
    from stdaddr.io import replace_atomically
    from stdaddr.join.report import render_report

    say(f"writing {path.name}")
    html = render_report(
        result,
        multi=tables.multi,
        cells=None if tables.cells is None else tables.cells.drop(columns="geometry"),
        months=None if tables.months is None else tables.months.to_pandas(),
        png=png,
    )
    replace_atomically(path, html.encode("utf-8"))


def grid_layer(spec: GridSpec, crs: str, say: Callable[[str], None] | None = None) -> gpd.GeoDataFrame:
    """The grid's cells as ``grid_code`` and ``geometry`` in ``crs`` (the base's), for the cell layer and
    the map, cleaned as the grid index cleans them: rows without a code or a polygon left out, invalid
    polygons repaired, and the rows of one code (an exploded multipolygon) one cell, so that the
    cell's events count once. ``say`` is told of the problems of a layer that has any."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from stdaddr.grid.layer import codes_column, project, read_layer, resolve_crs
    from stdaddr.grid.report import clean_layer
    from stdaddr.join.cache import load_grid
    from stdaddr.join.outputs import file_crs

    if spec.path is None:
        from stdaddr.default import CRS, default_grid_layer

        frame, layer_crs, code_column = default_grid_layer(), CRS, "code"
    else:
        frame = read_layer(spec.path, layer=spec.layer)
        layer_crs = resolve_crs(frame.crs, spec.crs, what=f'the grid layer "{spec.path}"')
        code_column = spec.code_column or ""
    codes = codes_column(frame, code_column, what="the grid layer")
    clean = clean_layer(codes, frame.geometry.to_numpy())
    grid = load_grid(spec)
    if say is not None and grid is not None and not grid.report.ok:
        say("the grid layer has problems; cells may be wrong (stdaddr grid validate shows them all):")
        for problem in grid.report.problems:
            say(f"  {problem}")
    cells: dict[str, list[Any]] = {}
    for code, geom in zip(clean.codes, clean.geoms, strict=True):
        cells.setdefault(code, []).append(geom)
    geoms = [parts[0] if len(parts) == 1 else shapely.union_all(parts) for parts in cells.values()]
    projected = project(np.array(geoms, dtype=object), layer_crs, crs)
    return gpd.GeoDataFrame({"grid_code": list(cells)}, geometry=projected, crs=file_crs(crs))


def _result(
    config: JoinConfig,
    geocoded: list[Geocoded],
    tables: _Tables,
    crs: str,
    layers: tuple[str, ...],
    map_path: Path | None,
    report_path: Path | None,
    postgis_tables: tuple[str, ...],
    started: float,
    timings: dict[str, float],
) -> JoinResult:
    from stdaddr.batch import ROW_STATUSES
    from stdaddr.join.postgis import redact
    from stdaddr.join.tables import crosstab
    from stdaddr.join.times import TIME_STATUSES
    from stdaddr.models import MATCH_LEVELS

    events = tables.events
    statuses = crosstab(events, "status", ROW_STATUSES)
    levels = crosstab(events, "match_level", tuple(reversed(MATCH_LEVELS)))
    times = crosstab(events, "time_status", TIME_STATUSES)
    departments = tuple(
        DepartmentResult(
            name=g.spec.name,
            file=g.spec.file,
            rows=g.rows,
            statuses=statuses[g.spec.name],
            match_levels={k: v for k, v in levels[g.spec.name].items() if k},
            time_statuses={k: v for k, v in times[g.spec.name].items() if v},
            geocoded=g.path,
            cached=g.cached,
            geocode_s=g.elapsed_s,
        )
        for g in geocoded
    )
    total: dict[str, int] = {}
    for d in departments:
        for k, v in d.statuses.items():
            total[k] = total.get(k, 0) + v
    cells = tables.cells
    return JoinResult(
        output=config.output,
        layers=layers,
        map_png=map_path,
        report_html=report_path,
        postgis=redact(config.postgis_url) if config.postgis_url else None,
        postgis_tables=postgis_tables,
        departments=departments,
        n_events=len(events),
        statuses=total,
        n_multi_department_addresses=tables.multi.num_rows,
        n_cells=0 if cells is None else len(cells),
        n_cells_with_events=0 if cells is None else int((cells["n_events"] > 0).sum()),
        n_events_in_cells=0 if cells is None else int(cells["n_events"].sum()),
        crs=crs,
        elapsed_s=round(time.perf_counter() - started, 3),
        timings=dict(timings),
    )
