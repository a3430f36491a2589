"""Grid cells: load and validate a layer, assign points to cells, generate grids.

- :class:`GridIndex` loads cells (GeoJSON, Shapefile, GeoPackage, GeoParquet or a GeoDataFrame),
  repairs and reports problems (:class:`GridReport`) and assigns points (:class:`Assignment`).
- :func:`square_grid` and :func:`community_grid` generate layers.
- :func:`assign_table` and :func:`validate_file` work on whole tables and files.

See ``docs/grid.md`` for the CRSs, the border rule and the codes.
"""

from stdaddr.grid.generate import community_grid, square_grid
from stdaddr.grid.index import STATUSES, Assignment, GridIndex
from stdaddr.grid.report import CellIssue, Gap, GridReport, Overlap
from stdaddr.grid.table import assign_table, validate_file

__all__ = [
    "STATUSES",
    "Assignment",
    "CellIssue",
    "Gap",
    "GridIndex",
    "GridReport",
    "Overlap",
    "assign_table",
    "community_grid",
    "square_grid",
    "validate_file",
]
