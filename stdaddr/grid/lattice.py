"""Regular square (or rectangular) grids: find the cell of a point by arithmetic, without an index.

A layer is a lattice when every cell lies inside one square of an axis-aligned lattice of
``dx`` by ``dy`` metres and at least one cell fills its square exactly. Cells that fill their square
alone are answered by arithmetic; squares holding a clipped cell, or more than one cell, are marked
for the exact geometric test, as are points within a hair of a lattice line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:
    from numpy.typing import NDArray

# Cell corners may differ from the lattice by this fraction of a cell (rounding of x0 + k * size)...
_ALIGN = 1e-7
# ...and points nearer than this fraction to a lattice line (plus TOUCH_M) take the exact path: it
# exceeds _ALIGN, so a point the arithmetic answers is inside the real cell, not merely inside the ideal
# square, and further than TOUCH_M from every other cell.
_MARGIN = 1e-6
# A point this near a cell (in metres of the metric CRS) touches it: a point on a shared edge or corner
# that a transform's float noise (about 1e-9 m) moved off it is still on the border of every cell there.
TOUCH_M = 1e-6
# Beyond this many lattice squares the lookup table would cost more memory than the index it replaces.
_MAX_SQUARES = 20_000_000

EMPTY = -1  # no cell in the square
CHECK = -2  # a clipped cell or several cells: test the geometry


@dataclass(frozen=True, slots=True, eq=False)
class Lattice:
    """Squares of ``dx`` by ``dy`` from the south-west corner ``(x0, y0)``; ``table[row, col]`` is a cell
    index, :data:`EMPTY` or :data:`CHECK` (row 0 is the southernmost)."""

    x0: float
    y0: float
    dx: float
    dy: float
    table: NDArray[np.int32]

    def lookup(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int32]:
        """Cell index of each point that lies clearly inside a cell filling its square alone, else -1."""
        fx = (x - self.x0) / self.dx
        fy = (y - self.y0) / self.dy
        mx = _MARGIN + TOUCH_M / self.dx
        my = _MARGIN + TOUCH_M / self.dy
        with np.errstate(invalid="ignore"):
            col = np.floor(fx)
            row = np.floor(fy)
            nrows, ncols = self.table.shape
            usable = (
                (col >= 0)
                & (col < ncols)
                & (row >= 0)
                & (row < nrows)
                & (fx - col > mx)
                & (col + 1.0 - fx > mx)
                & (fy - row > my)
                & (row + 1.0 - fy > my)
            )
        found = np.full(x.shape, EMPTY, dtype=np.int32)
        found[usable] = self.table[row[usable].astype(np.intp), col[usable].astype(np.intp)]
        found[found == CHECK] = EMPTY
        return found


def detect_lattice(geoms: NDArray[np.object_]) -> Lattice | None:
    """The lattice the cells lie on, or None when the layer is not a regular grid."""
    if len(geoms) == 0:
        return None
    bounds = shapely.bounds(geoms)
    width = bounds[:, 2] - bounds[:, 0]
    height = bounds[:, 3] - bounds[:, 1]
    # A valid polygon with 5 coordinates (4 corners, closed) whose area equals its envelope's is that envelope.
    rectangle = (
        (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON)
        & (shapely.get_num_coordinates(geoms) == 5)
        & np.isclose(shapely.area(geoms), width * height, rtol=1e-9, atol=0.0)
        & (width > 0)
        & (height > 0)
    )
    if not rectangle.any():
        return None
    dx, dy = _square_size(width[rectangle], height[rectangle])
    full = rectangle & (np.abs(width - dx) <= _ALIGN * dx) & (np.abs(height - dy) <= _ALIGN * dy)
    anchor = bounds[np.flatnonzero(full)[0]]
    # Shift the anchor square's corner south-west until the lattice covers every cell.
    x0 = anchor[0] - dx * np.ceil((anchor[0] - bounds[:, 0].min()) / dx - _ALIGN)
    y0 = anchor[1] - dy * np.ceil((anchor[1] - bounds[:, 1].min()) / dy - _ALIGN)
    if not _on_lattice(bounds[full], x0, y0, dx, dy):
        return None
    col = np.floor((bounds[:, 0] - x0) / dx + _ALIGN)
    row = np.floor((bounds[:, 1] - y0) / dy + _ALIGN)
    # Every cell, clipped or not, must stay within its one square.
    if np.any(bounds[:, 2] > x0 + (col + 1) * dx + _ALIGN * dx) or np.any(
        bounds[:, 3] > y0 + (row + 1) * dy + _ALIGN * dy
    ):
        return None
    ncols = int(col.max()) + 1
    nrows = int(row.max()) + 1
    if nrows * ncols > _MAX_SQUARES:
        return None
    flat = row.astype(np.int64) * ncols + col.astype(np.int64)
    counts = np.bincount(flat, minlength=nrows * ncols)
    table = np.full(nrows * ncols, EMPTY, dtype=np.int32)
    table[counts > 0] = CHECK
    alone = full & (counts[flat] == 1)
    table[flat[alone]] = np.flatnonzero(alone).astype(np.int32)
    return Lattice(float(x0), float(y0), dx, dy, table.reshape(nrows, ncols))


def _square_size(width: NDArray[np.float64], height: NDArray[np.float64]) -> tuple[float, float]:
    """The size of the lattice's squares: the commonest size of the rectangular cells (the squares a
    clipped grid keeps whole), the larger one on a tie. The commonest width and the commonest height
    taken apart may be the size of no cell at all."""
    scale = max(float(width.max()), float(height.max()))
    sizes, group, counts = np.unique(
        np.round(np.stack([width, height], axis=1) / scale, 6),
        axis=0,
        return_inverse=True,
        return_counts=True,
    )
    best = max(range(len(sizes)), key=lambda i: (counts[i], sizes[i][0] * sizes[i][1]))
    same = np.ravel(group) == best
    return float(np.median(width[same])), float(np.median(height[same]))


def _on_lattice(bounds: NDArray[np.float64], x0: float, y0: float, dx: float, dy: float) -> bool:
    fx = (bounds[:, [0, 2]] - x0) / dx
    fy = (bounds[:, [1, 3]] - y0) / dy
    return bool(np.all(np.abs(fx - np.round(fx)) <= _ALIGN) and np.all(np.abs(fy - np.round(fy)) <= _ALIGN))
