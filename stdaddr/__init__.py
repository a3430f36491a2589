"""stdaddr: messy Chinese addresses to a standard address, a point and a grid cell.

``import stdaddr`` is light: every public name is resolved from its module on first use,
and data (the gazetteer, the embedded base) is loaded only when something needs it.

>>> import stdaddr
>>> stdaddr.normalize("温州鹿城区五马街道解放街一百二十三号3-2-301")
'浙江省温州市鹿城区五马街道解放街123号3幢2单元301室'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "normalize": "stdaddr.parsing",
    "parse": "stdaddr.parsing",
    "parse_many": "stdaddr.parsing",
    "Address": "stdaddr.models",
    "Component": "stdaddr.models",
    "Division": "stdaddr.models",
    "Match": "stdaddr.models",
    "Candidate": "stdaddr.models",
    "FieldMatch": "stdaddr.models",
    "Geocode": "stdaddr.models",
    "Comparison": "stdaddr.models",
    "AddressBase": "stdaddr.base",
    "BaseReport": "stdaddr.base",
    "geocode": "stdaddr.geocoding",
    "geocode_many": "stdaddr.geocoding",
    "geocode_table": "stdaddr.geocoding",
    "which_grid": "stdaddr.geocoding",
    "compare": "stdaddr.comparison",
    "GridIndex": "stdaddr.grid",
    "GridReport": "stdaddr.grid",
    "Assignment": "stdaddr.grid",
    "geocode_file": "stdaddr.batch",
    "BatchSummary": "stdaddr.batch",
    "default_base": "stdaddr.default",
    "default_grid": "stdaddr.default",
    "join_events": "stdaddr.join",
    "JoinConfig": "stdaddr.join",
    "JoinResult": "stdaddr.join",
    "StdaddrError": "stdaddr.errors",
    "DataError": "stdaddr.errors",
    "ColumnError": "stdaddr.errors",
    "CRSError": "stdaddr.errors",
    "InputError": "stdaddr.errors",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:
    from stdaddr.base import AddressBase, BaseReport
    from stdaddr.batch import BatchSummary, geocode_file
    from stdaddr.comparison import compare
    from stdaddr.default import default_base, default_grid
    from stdaddr.errors import ColumnError, CRSError, DataError, InputError, StdaddrError
    from stdaddr.geocoding import geocode, geocode_many, geocode_table, which_grid
    from stdaddr.grid import Assignment, GridIndex, GridReport
    from stdaddr.join import JoinConfig, JoinResult, join_events
    from stdaddr.models import Address, Candidate, Comparison, Component, Division, FieldMatch, Geocode, Match
    from stdaddr.parsing import normalize, parse, parse_many


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stdaddr' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
