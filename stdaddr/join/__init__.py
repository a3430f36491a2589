"""Joining the departments' events on location: the data pool (``stdaddr join CONFIG.toml``).

    config ─► geocode each file (cached) ─► events ─► shared addresses, counts per cell ─► GeoPackage,
                                                                                          PostGIS, map, report

- :mod:`stdaddr.join.config`: the TOML configuration, checked (:class:`JoinConfig`)
- :mod:`stdaddr.join.cache`: each file geocoded once by :func:`stdaddr.batch.geocode_file`, re-used by content hash
- :mod:`stdaddr.join.times`: event times in the formats departments write them
- :mod:`stdaddr.join.tables`: the events table and what is computed from it
- :mod:`stdaddr.join.outputs`, :mod:`stdaddr.join.postgis`: GeoPackage and PostgreSQL/PostGIS
- :mod:`stdaddr.join.pictures`, :mod:`stdaddr.join.report`: the choropleth PNG and the HTML summary
- :mod:`stdaddr.join.run`: :func:`join_events`, where the steps are composed
- :mod:`stdaddr.join.demo`, :mod:`stdaddr.join.cli`: the demo and the ``stdaddr join`` command

See docs/join.md.
"""

from __future__ import annotations

from stdaddr.join.cli import add_join_command, run_join_cli
from stdaddr.join.config import BaseSpec, DepartmentSpec, GridSpec, JoinConfig, load_config
from stdaddr.join.demo import run_join_demo
from stdaddr.join.run import DepartmentResult, JoinResult, join_events

__all__ = [
    "join_events",
    "JoinResult",
    "DepartmentResult",
    "JoinConfig",
    "DepartmentSpec",
    "BaseSpec",
    "GridSpec",
    "load_config",
    "run_join_demo",
    "add_join_command",
    "run_join_cli",
]
