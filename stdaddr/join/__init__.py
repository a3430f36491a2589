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

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module that defines it; resolved on first use, so ``stdaddr join --help`` stays fast
_EXPORTS: dict[str, str] = {
    "join_events": "stdaddr.join.run",
    "JoinResult": "stdaddr.join.run",
    "DepartmentResult": "stdaddr.join.run",
    "JoinConfig": "stdaddr.join.config",
    "DepartmentSpec": "stdaddr.join.config",
    "BaseSpec": "stdaddr.join.config",
    "GridSpec": "stdaddr.join.config",
    "load_config": "stdaddr.join.config",
    "run_join_demo": "stdaddr.join.demo",
    "add_join_command": "stdaddr.join.cli",
    "run_join_cli": "stdaddr.join.cli",
}

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

if TYPE_CHECKING:
    from stdaddr.join.cli import add_join_command, run_join_cli
    from stdaddr.join.config import BaseSpec, DepartmentSpec, GridSpec, JoinConfig, load_config
    from stdaddr.join.demo import run_join_demo
    from stdaddr.join.run import DepartmentResult, JoinResult, join_events


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stdaddr.join' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
