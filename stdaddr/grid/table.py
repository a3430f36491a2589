"""Tables in, tables out: the functions behind the ``stdaddr grid`` command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from stdaddr.errors import ColumnError, DataError
from stdaddr.grid.index import DEFAULT_MIN_AREA_M2, DEFAULT_TOLERANCE_M, GridIndex, build_layer
from stdaddr.grid.layer import codes_column, read_layer, resolve_crs

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from stdaddr.grid.report import GridReport

__all__ = ["assign_table", "validate_file"]


def assign_table(
    df: pd.DataFrame,
    *,
    x_column: str,
    y_column: str,
    crs: Any,
    grid: GridIndex,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> pd.DataFrame:
    """A copy of ``df`` with the columns ``grid_code``, ``grid_status`` and ``grid_distance_m`` added
    (replaced if present). Every row comes out: coordinates that are missing or not numbers get the
    status ``"invalid"``. See :meth:`GridIndex.assign` for the statuses.

    >>> import pandas as pd
    >>> from shapely import box
    >>> grid = GridIndex([box(500000, 3100000, 501000, 3101000)], ["330302006001001"], crs="EPSG:4549")
    >>> table = pd.DataFrame({"x": ["500500", "", "600000"], "y": [3100500, 3100500, 3100500]})
    >>> out = assign_table(table, x_column="x", y_column="y", crs="EPSG:4549", grid=grid)
    >>> out["grid_code"][0], out["grid_status"].tolist()
    ('330302006001001', ['inside', 'invalid', 'outside'])
    """
    import pandas as pd

    for name, column in (("x_column", x_column), ("y_column", y_column)):
        if column not in df.columns:
            raise ColumnError(f'{name} was "{column}" but the table has the columns {list(df.columns)}')
    x = pd.to_numeric(df[x_column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    y = pd.to_numeric(df[y_column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    result = grid.assign(x, y, crs=crs, tolerance_m=tolerance_m)
    out = df.copy()
    out["grid_code"] = result.codes
    out["grid_status"] = result.status
    out["grid_distance_m"] = result.distance_m
    return out


def validate_file(
    path: str | Path,
    *,
    code_column: str,
    crs: Any = None,
    layer: str | int | None = None,
    min_area_m2: float = DEFAULT_MIN_AREA_M2,
    encoding: str | None = None,
) -> GridReport:
    """The validation report of a grid file, also when no cell in it is usable.

    Arguments as for :meth:`GridIndex.from_file`.
    """
    frame = read_layer(path, layer=layer, encoding=encoding)
    if len(frame) == 0:  # as GridIndex.from_file: no layer to use, not a layer without problems
        raise DataError(f'grid file "{path}" has no features; expected polygons with a code column')
    layer_crs = resolve_crs(frame.crs, crs, what="the grid layer")
    codes = codes_column(frame, code_column, what="the grid layer")
    return build_layer(np.asarray(frame.geometry.values), codes, layer_crs, min_area_m2).report
