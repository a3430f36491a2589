"""The choropleth of events per grid cell: a total panel and one per department, as PNG bytes.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no GUI, no global state touched).
Every panel shares one legend of classes on a 1-2-5 scale (1, 2–4, 5–9, 10–19, …), so departments can
be compared at a glance while volumes that differ by orders of magnitude still show; cells without
events are light grey. The cell outlines are turned into matplotlib paths once and shared by the
panels, and the panels are placed by arithmetic rather than a layout engine: 29 panels draw in seconds.
"""

from __future__ import annotations

import io
import logging
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.path import Path as MplPath

__all__ = ["choropleth_png", "class_breaks"]

_PANEL_INCHES = 3.2
_TITLE_INCHES = 0.45
_HEADER_INCHES = 0.5
_LEGEND_INCHES = 0.4
_LEGEND_ENTRY_INCHES = 1.0
_GAP_INCHES = 0.15
_MAX_COLUMNS = 6
_DPI = 110
_EMPTY = "#e8e8e8"
_COLORMAP = "YlOrRd"
# Fonts with Chinese glyphs, used (when installed) after matplotlib's own for department names in Chinese.
_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
)


def class_breaks(top: float) -> list[int]:
    """Lower bounds of the classes up to ``top``: 1, 2, 5, 10, 20, 50, … (at least 1 and 2).

    >>> class_breaks(37)
    [1, 2, 5, 10, 20, 50]
    """
    breaks = [1]
    step = 0
    while breaks[-1] <= top or len(breaks) < 2:
        step += 1
        breaks.append((1, 2, 5)[step % 3] * 10 ** (step // 3))
    return breaks


def choropleth_png(
    cells: gpd.GeoDataFrame, departments: tuple[str, ...], *, geographic: bool, title: str
) -> bytes:
    """The map as PNG bytes: a panel for ``n_events`` (all departments) and one per name in
    ``departments`` (column ``n_<name>``), ``geographic`` telling that x, y are degrees."""
    import matplotlib as mpl
    from matplotlib.collections import PathCollection
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    panels = [("all departments", "n_events"), *((name, f"n_{name}") for name in departments)]
    columns = min(_MAX_COLUMNS, len(panels))
    rows = math.ceil(len(panels) / columns)
    paths = _paths(cells)
    aspect = (
        1 / math.cos(math.radians((cells.total_bounds[1] + cells.total_bounds[3]) / 2)) if geographic else 1.0
    )
    xmin, ymin, xmax, ymax = _square(cells.total_bounds, aspect)
    breaks = class_breaks(float(cells["n_events"].max()) if len(cells) else 0.0)
    colors = mpl.colormaps[_COLORMAP](np.linspace(0.15, 1.0, len(breaks) - 1))
    cmap = ListedColormap(colors).with_extremes(under=_EMPTY, bad=_EMPTY)
    norm = BoundaryNorm(breaks, len(breaks) - 1)
    width = columns * _PANEL_INCHES
    per_row = max(
        2, min(len(breaks), int(width / _LEGEND_ENTRY_INCHES))
    )  # legend entries: grey, then classes
    legend_rows = math.ceil(len(breaks) / per_row)
    height = _HEADER_INCHES + rows * (_PANEL_INCHES + _TITLE_INCHES) + _LEGEND_INCHES + 0.25 * legend_rows
    # A list of families (not the generic "sans-serif") makes matplotlib fall back glyph by glyph.
    with mpl.rc_context({"font.family": ["DejaVu Sans", *_installed_cjk_fonts()]}), _quiet_font_manager():
        fig = Figure(figsize=(width, height))
        fig.suptitle(title, fontsize=14, y=1 - 0.15 / height)
        for k, (label, column) in enumerate(panels):
            row, col = divmod(k, columns)
            top = height - _HEADER_INCHES - row * (_PANEL_INCHES + _TITLE_INCHES) - _TITLE_INCHES
            side = _PANEL_INCHES - _GAP_INCHES
            ax = fig.add_axes(
                (
                    (col * _PANEL_INCHES + _GAP_INCHES / 2) / width,
                    (top - side) / height,
                    side / width,
                    side / height,
                )
            )
            values = cells[column].to_numpy(dtype=np.float64)
            ax.add_collection(
                PathCollection(
                    paths, array=values, cmap=cmap, norm=norm, linewidths=0.15, edgecolors="#ffffff"
                )
            )
            ax.set_xlim(xmin, xmax)
            ax.set_ylim(ymin, ymax)
            ax.set_aspect(aspect, adjustable="box")
            ax.set_axis_off()
            ax.set_title(f"{label}\n{int(values.sum()):,} events in cells", fontsize=9)
        labels = [
            f"{lo:,}" if hi - lo == 1 else f"{lo:,}–{hi - 1:,}"
            for lo, hi in zip(breaks, breaks[1:], strict=False)
        ]
        handles = [
            Patch(facecolor=_EMPTY, label="0"),
            *(Patch(facecolor=c, label=t) for c, t in zip(colors, labels, strict=True)),
        ]
        fig.legend(
            handles=handles,
            loc="lower center",
            ncols=per_row,
            frameon=False,
            fontsize=9,
            title="events per cell",
            title_fontsize=9,
        )
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            # A glyph missing from every installed font is drawn as a box; the picture is still right.
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _square(bounds: np.ndarray, aspect: float) -> tuple[float, float, float, float]:
    """Bounds widened to a square on paper (y drawn ``aspect`` times x), so the square panels hold the
    whole grid with nothing for matplotlib to adjust."""
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    width, height = max(xmax - xmin, 1e-9), max((ymax - ymin) * aspect, 1e-9)
    if width > height:
        pad = (width / aspect - (ymax - ymin)) / 2
        return xmin, ymin - pad, xmax, ymax + pad
    pad = (height - (xmax - xmin)) / 2
    return xmin - pad, ymin, xmax + pad, ymax


def _paths(cells: gpd.GeoDataFrame) -> list[MplPath]:
    """One compound path per cell (every part, holes included) from its rings' coordinates."""
    import shapely
    from matplotlib.path import Path as MplPath

    out = []
    for geom in cells.geometry.to_numpy():
        if geom is None or geom.is_empty:
            out.append(MplPath(np.zeros((1, 2))))
            continue
        rings = [ring for part in shapely.get_parts(geom) for ring in (part.exterior, *part.interiors)]
        vertices = [np.asarray(r.coords)[:, :2] for r in rings]
        codes = [
            np.r_[MplPath.MOVETO, np.full(len(v) - 2, MplPath.LINETO), MplPath.CLOSEPOLY] for v in vertices
        ]
        out.append(MplPath(np.concatenate(vertices), np.concatenate(codes).astype(MplPath.code_type)))
    return out


@contextmanager
def _quiet_font_manager() -> Iterator[None]:
    """matplotlib logs its font choices (a CJK font without a "normal" weight, say) as warnings, which
    Python prints when logging is not configured; the library prints nothing, so they are held back."""
    logger = logging.getLogger("matplotlib.font_manager")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _installed_cjk_fonts() -> list[str]:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in _CJK_FONTS if name in names]
