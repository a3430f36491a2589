"""Text to a point: match against a base, take the record's point or the centroid of the matched level.

:func:`geocode` always returns a :class:`~stdaddr.models.Geocode`; when nothing matches, its ``x``,
``y`` and ``level`` are None and ``status`` says why (``"no_match"`` or ``"invalid"``), the same
statuses as the batch functions' ``status`` column. Points come out in the CRS asked for (any EPSG
code, ``"GCJ02"``, ``"BD09"``; default the base's), converted by :mod:`stdaddr.crs`.

>>> import pandas as pd
>>> from stdaddr.base import AddressBase
>>> df = pd.DataFrame({"id": ["a1"], "addr": ["鹿城区五马街道解放街12号"], "lon": [120.65], "lat": [28.01]})
>>> base = AddressBase.from_dataframe(df, id_column="id", address_column="addr", x_column="lon", y_column="lat")
>>> g = geocode("解放街12号", base=base, crs="GCJ02")
>>> g.address_id, g.level, g.crs, round(g.x, 4), round(g.y, 4)
('a1', 'house_number', 'GCJ02', 120.654, 28.0066)
>>> geocode("人民路1号", base=base).status
'no_match'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from stdaddr.crs import parse_crs, transform
from stdaddr.errors import InputError
from stdaddr.match import _check_args, match_batch, match_safe
from stdaddr.models import GRID_LEVELS, Geocode, Match

if TYPE_CHECKING:
    import pandas as pd

    from stdaddr.base import AddressBase
    from stdaddr.grid import GridIndex

__all__ = ["geocode", "geocode_many", "geocode_table"]


def geocode(text: Any, *, base: AddressBase, crs: Any = None, score_cutoff: float | None = None) -> Geocode:
    """The point ``text`` names in ``base``, in ``crs`` (default: the base's CRS). Never raises for a bad ``text``."""
    _check_base(base)
    out_crs = base.crs if crs is None else parse_crs(crs)
    cutoff = _check_args(1, score_cutoff)
    m, status, reason = match_safe(base, text, 1, cutoff, candidates=False)
    x, y = _points([m], base.crs, out_crs)
    return _result(text, m, status, reason, float(x[0]), float(y[0]), out_crs)


def which_grid(
    text: Any,
    *,
    base: AddressBase,
    grid: GridIndex,
    tolerance_m: float | None = None,
    score_cutoff: float | None = None,
) -> str | None:
    """The code of the grid cell an address lies in: match, geocode, locate, chained.

    None when the address matches nothing, matches only a town or county (its centroid lies in some
    community's cell, not necessarily the address's: :data:`~stdaddr.models.GRID_LEVELS`), or its point
    is outside every cell (beyond the grid's tolerance, see :meth:`stdaddr.grid.GridIndex.assign`).
    Never raises for a bad ``text``.
    """
    _check_base(base)
    from stdaddr.grid import GridIndex
    from stdaddr.io import shown

    if not isinstance(grid, GridIndex):
        raise InputError(
            f"grid was {shown(grid)}; expected a GridIndex (load a layer with GridIndex.from_file(path, code_column=...))"
        )
    g = geocode(text, base=base, score_cutoff=score_cutoff)
    if g.x is None or g.y is None or g.level not in GRID_LEVELS:
        return None
    options = {} if tolerance_m is None else {"tolerance_m": tolerance_m}
    return grid.locate(g.x, g.y, crs=g.crs, **options)


def geocode_many(
    texts: Iterable[Any],
    *,
    base: AddressBase,
    crs: Any = None,
    score_cutoff: float | None = None,
    workers: int | None = None,
) -> list[Geocode]:
    """One :class:`~stdaddr.models.Geocode` per input, in order, on ``workers`` processes for big batches."""
    from stdaddr.parsing import as_batch

    _check_base(base)
    out_crs = base.crs if crs is None else parse_crs(crs)
    items = list(as_batch(texts))
    results = match_batch(base, items, limit=1, score_cutoff=score_cutoff, workers=workers, candidates=False)
    x, y = _points([m for m, _, _ in results], base.crs, out_crs)
    return [
        _result(text, m, status, reason, float(xi), float(yi), out_crs)
        for text, (m, status, reason), xi, yi in zip(items, results, x.tolist(), y.tolist(), strict=True)
    ]


def geocode_table(
    df: pd.DataFrame,
    *,
    column: str | Sequence[str],
    base: AddressBase,
    crs: Any = None,
    score_cutoff: float | None = None,
    workers: int | None = None,
    prefix: str = "geo_",
) -> pd.DataFrame:
    """A copy of ``df`` with the geocode of each row's ``column`` in the columns ``{prefix}x``, ``y``,
    ``crs``, ``level``, ``confidence``, ``id``, ``standard``, ``status`` and ``reason`` (replaced if present).
    Several ``column`` names (区县, 详细地址) are read as one address, joined in order.
    """
    from stdaddr.io import table_addresses

    results = geocode_many(
        table_addresses(df, column), base=base, crs=crs, score_cutoff=score_cutoff, workers=workers
    )
    out = df.copy()
    out[f"{prefix}x"] = [math.nan if g.x is None else g.x for g in results]
    out[f"{prefix}y"] = [math.nan if g.y is None else g.y for g in results]
    out[f"{prefix}crs"] = [g.crs for g in results]
    out[f"{prefix}level"] = _objects([g.level for g in results], out.index)
    out[f"{prefix}confidence"] = [g.confidence for g in results]
    out[f"{prefix}id"] = _objects([g.address_id for g in results], out.index)
    out[f"{prefix}standard"] = _objects([g.standard for g in results], out.index)
    out[f"{prefix}status"] = [g.status for g in results]
    out[f"{prefix}reason"] = [g.explanation for g in results]
    return out


def _objects(values: list[Any], index: Any) -> pd.Series:
    """A column of Python objects: None stays None (pandas would turn it into NaN in a string column)."""
    import pandas as pd

    return pd.Series(values, index=index, dtype=object)


def _check_base(base: Any) -> None:
    """InputError unless ``base`` is an AddressBase (a path or None is a likely slip)."""
    from stdaddr.base import AddressBase
    from stdaddr.io import shown

    if not isinstance(base, AddressBase):
        raise InputError(
            f"base was {shown(base)}; expected an AddressBase (load one with AddressBase.from_file, "
            "AddressBase.load or stdaddr.default_base())"
        )


def _points(matches: list[Match | None], src: str, dst: str) -> tuple[np.ndarray, np.ndarray]:
    """The matches' points converted to ``dst`` in one vectorised call (NaN where a match has none)."""
    x = np.array([math.nan if m is None or m.x is None else m.x for m in matches], dtype=np.float64)
    y = np.array([math.nan if m is None or m.y is None else m.y for m in matches], dtype=np.float64)
    if src == dst or not np.isfinite(x).any():
        return x, y
    return transform(x, y, src, dst)


def _result(text: Any, m: Match | None, status: str, reason: str, x: float, y: float, crs: str) -> Geocode:
    if isinstance(text, (bytes, bytearray)):
        from stdaddr.parsing import as_text

        shown = as_text(text)
    else:
        shown = text if isinstance(text, str) else "" if text is None else repr(text)
    if m is None:
        return Geocode(shown, None, None, crs, None, 0.0, None, None, status, reason)
    point = math.isfinite(x) and math.isfinite(y)
    return Geocode(
        text=shown,
        x=x if point else None,
        y=y if point else None,
        crs=crs,
        level=m.level,
        confidence=m.score,
        address_id=m.address_id,
        standard=m.standard,
        status=status,
        explanation=m.explanation
        if point
        else f"{m.explanation}; the base has no coordinates for this place",
    )
