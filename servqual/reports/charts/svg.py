"""Draw a matplotlib ``Figure`` into accessible, deterministic, self-contained SVG text.

Only the object API is used (``Figure``, never ``pyplot``), so no global figure state or
GUI backend is involved. The few rcParams that matter (font, text kept as text, a fixed
id salt) are read at draw and save time, so both happen inside one ``rc_context`` held
under a lock: rcParams are process-wide and a threaded server must not interleave them.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from xml.sax.saxutils import escape, quoteattr

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from servqual.reports.charts import palette
from servqual.reports.charts.text import format_tick

FONT = "DejaVu Sans"

_LOCK = threading.Lock()

_STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "axes.edgecolor": palette.MUTED,
    "axes.labelcolor": palette.TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": True,
    "xtick.color": palette.MUTED,
    "ytick.color": palette.MUTED,
    "xtick.labelcolor": palette.TEXT,
    "ytick.labelcolor": palette.TEXT,
    "text.color": palette.TEXT,
    "hatch.color": palette.NO_DATA_EDGE,
    "legend.frameon": False,
    "svg.fonttype": "none",
    "svg.image_inline": True,
}

# Without these keys matplotlib writes a creation date (not deterministic) and links to
# matplotlib.org and purl.org into the file.
_NO_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}

_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def chart_id(chart: object) -> str:
    """Return a short id derived from the chart's input: stable, and distinct per chart.

    It salts matplotlib's element ids so that several charts inlined in one page do not
    share ids, while the same input always gives the same bytes.
    """
    return "chart-" + hashlib.sha256(repr(chart).encode("utf-8")).hexdigest()[:12]


@contextmanager
def _drawing(salt: str) -> Iterator[None]:
    with _LOCK, mpl.rc_context({**_STYLE, "svg.hashsalt": salt}):
        yield


def render(
    chart: object,
    title: str,
    summary: str,
    size: tuple[float, float],
    draw: Callable[[Figure], None],
) -> str:
    """Return the SVG of a new figure of ``size`` inches that ``draw`` fills in.

    The SVG carries ``title`` and ``summary`` as its <title> and <desc>, has no XML
    prolog, DOCTYPE or metadata (so it can be inlined in HTML and references nothing
    outside itself), and keeps text as text in DejaVu Sans.
    """
    ident = chart_id(chart)
    with _drawing(ident):
        figure = Figure(figsize=size, layout="constrained")
        draw(figure)
        buffer = BytesIO()
        figure.savefig(
            buffer, format="svg", metadata=_NO_METADATA, bbox_inches="tight", pad_inches=0.08
        )
    return _accessible(buffer.getvalue().decode("utf-8"), ident, title, summary)


def _accessible(svg: str, ident: str, title: str, summary: str) -> str:
    svg = _METADATA.sub("", _PROLOG.sub("", svg, count=1), count=1)
    opening = _SVG_OPEN.search(svg)
    if opening is None:  # pragma: no cover - matplotlib always writes one
        raise ValueError("matplotlib wrote no <svg> element")
    tag = opening.group(0)
    labelled = quoteattr(f"{ident}-title {ident}-desc")
    new_tag = f'{tag[:-1]} role="img" aria-labelledby={labelled}>'
    header = (
        f'\n <title id="{ident}-title">{escape(title)}</title>'
        f'\n <desc id="{ident}-desc">{escape(summary)}</desc>'
    )
    return svg[: opening.start()] + new_tag + header + svg[opening.end() :]


def locale_ticks(axis_owner: Axes, locale: str, which: str = "y") -> None:
    """Write the tick labels of ``which`` axis ("x", "y" or "xy") in ``locale``."""
    formatter = FuncFormatter(lambda value, _position: format_tick(value, locale))
    if "x" in which:
        axis_owner.xaxis.set_major_formatter(formatter)
    if "y" in which:
        axis_owner.yaxis.set_major_formatter(formatter)


def no_data_axes(axes: Axes, message: str) -> None:
    """Turn ``axes`` into a hatched "no data" panel."""
    axes.set_axis_off()
    axes.add_patch(
        Rectangle(
            (0, 0),
            1,
            1,
            transform=axes.transAxes,
            facecolor=palette.NO_DATA,
            edgecolor=palette.NO_DATA_EDGE,
            hatch=palette.NO_DATA_HATCH,
            linewidth=0.8,
        )
    )
    axes.text(
        0.5,
        0.5,
        message,
        transform=axes.transAxes,
        ha="center",
        va="center",
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 3},
    )


def footnote(figure: Figure, text: str) -> None:
    """Write ``text`` under everything else in ``figure``, left-aligned, in small type."""
    if text:
        figure.text(0.0, 0.0, text, ha="left", va="top", fontsize=8, color=palette.MUTED)
