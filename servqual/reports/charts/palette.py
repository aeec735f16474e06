"""The one colour scheme of every chart: readable by people with colour-vision deficiency.

Categories use the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"),
without its yellow, which is too faint on white. Gaps use a blue–orange diverging
scale (ColorBrewer RdBu's blue arm; PuOr's orange arm darkened to the same lightness):
the blue–yellow opponent axis survives protanopia and deuteranopia, and matching
lightness keeps either sign from looking "louder". Colour never carries meaning alone:
signs, arrows, marks and labels repeat it.
"""

from __future__ import annotations

from matplotlib.colors import LinearSegmentedColormap, Normalize, to_hex

#: Okabe–Ito colours by name.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

#: Colours of series (trend lines, categories) in order of use.
SERIES = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, SKY_BLUE, REDDISH_PURPLE, BLACK)
#: Marker shapes and line styles paired with ``SERIES`` so series differ without colour.
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINE_STYLES = ("-", "--", "-.", ":")

#: A negative gap (shortfall) and a positive one.
SHORTFALL = VERMILLION
SURPLUS = BLUE
#: Levels of the gap chain (E, M, S, D, C, P) and the zone of tolerance band.
LEVEL = SKY_BLUE
BAND = "#A6D3EF"
#: Cells and bars without data: light grey, hatched, with a darker outline.
NO_DATA = "#E6E6E6"
NO_DATA_EDGE = "#6F6F6F"
NO_DATA_HATCH = "///"
#: Text, reference lines and grid.
TEXT = "#1A1A1A"
MUTED = "#595959"
GRID = "#E3E3E3"

#: The diverging scale, from the worst shortfall through zero (neutral) to the best surplus.
DIVERGING = ("#9F4E05", "#D99339", "#FBDDB4", "#F7F7F7", "#D1E5F0", "#67A9CF", "#2166AC")
DIVERGING_CENTRE = DIVERGING[len(DIVERGING) // 2]

DIVERGING_MAP = LinearSegmentedColormap.from_list("servqual_blue_orange", DIVERGING, N=256)


def diverging_norm(limit: float) -> Normalize:
    """Return a normalization symmetric around zero: −limit → 0, 0 → ½, +limit → 1."""
    limit = abs(limit) or 1.0
    return Normalize(vmin=-limit, vmax=limit, clip=True)


def diverging_colour(value: float, limit: float) -> str:
    """Return the hex colour of ``value`` on the diverging scale spanning ±``limit``."""
    return to_hex(DIVERGING_MAP(diverging_norm(limit)(value)))


def relative_luminance(colour: str) -> float:
    """Return the WCAG relative luminance of a hex colour (0 black, 1 white)."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_colour_on(colour: str) -> str:
    """Return black or white, whichever contrasts more with ``colour``."""
    luminance = relative_luminance(colour)
    return TEXT if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"
