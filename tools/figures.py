"""A block's matplotlib figure, drawn as inline SVG for the page and notebook.

A figure snippet is a plain matplotlib program (its plot, from its imports to
`plt.show()`) followed by two strings: `description`, what the figure shows
for readers who cannot see it (its text alternative), and `caption`. Run on
its own, it opens a window, or does nothing where there is no display. Run by
the build (tools/runner.py), every block starts with matplotlib's defaults
and its non-interactive Agg backend (`prepare`), and a figure the code leaves
open becomes the block's output (`drawn`), as sphinx-gallery's image scrapers
do: one recipe, here, for every figure of the site.

The SVG is the same bytes on every build (ids hashed from the description, no
date), keeps its text as text, draws black as `currentColor` on a transparent
background, and carries its text alternative (`role="img"`, `aria-label`,
`<title>`); its caption goes under it. The build then moves the SVG to a file
of its own (tools/page_html.py: `figure_files`); a notebook keeps it inline.
"""

from __future__ import annotations

import html
import io
import re
import sys
import warnings
from typing import Any

FIGURE_CLASS = "mpl-figure"  # the <figure> that holds a drawn figure
OPENING = f'<figure class="{FIGURE_CLASS}">'  # how every drawn figure starts
DESCRIPTION, CAPTION = "description", "caption"  # the snippet's two strings
BACKEND = "Agg"  # matplotlib's backend for the build: no window
# Ids matplotlib makes from the salt, which clip paths and markers refer to.
KEPT_ID_RE = re.compile(r' id="(?![mp][0-9a-f]{10}")[^"]*"')
NO_METADATA = (("Date", None), ("Creator", None), ("Format", None), ("Type", None))


def prepare(code: str) -> None:
    """Before a block runs: matplotlib's defaults (not a matplotlibrc of the
    machine's), its Agg backend, no figure left open. A block whose code never
    names matplotlib does not pay for importing it."""
    warnings.filterwarnings("ignore", "FigureCanvasAgg is non-interactive")
    if "matplotlib" not in sys.modules and "matplotlib" not in code:
        return
    import matplotlib

    matplotlib.rcdefaults()
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")
    matplotlib.use(BACKEND)


class FigureError(Exception):
    """A figure the build cannot publish: no text alternative, or several."""


def drawn(namespace: dict[str, Any]) -> str:
    """After a block ran: the figure it left open as HTML ("" if none), and
    the figure closed. A block draws one figure, and defines `description`
    and `caption` (strings)."""
    if "matplotlib.pyplot" not in sys.modules:
        return ""
    import matplotlib.pyplot as plt

    numbers = plt.get_fignums()
    if not numbers:
        return ""
    try:
        if len(numbers) > 1:
            raise FigureError(
                f"it leaves {len(numbers)} figures open: a block draws one figure"
            )
        texts = {name: namespace.get(name) for name in (DESCRIPTION, CAPTION)}
        for name, text in texts.items():
            if not isinstance(text, str) or not text.strip():
                raise FigureError(
                    f"it draws a figure but defines no `{name}` string (its "
                    + ("text alternative" if name == DESCRIPTION else "caption")
                    + ")"
                )
        return figure_html(plt.figure(numbers[0]), **texts)
    finally:
        plt.close("all")


def figure_html(figure: Any, description: str, caption: str) -> str:
    """The recipe: a matplotlib figure as `<figure>` HTML with inline SVG."""
    import matplotlib.pyplot as plt

    style = {
        "svg.hashsalt": description,  # ids from a hash: the same on every build
        "svg.fonttype": "none",  # text stays text (not drawn as paths)
        "font.sans-serif": ["DejaVu Sans"],  # matplotlib's own font
    }
    buffer = io.StringIO()
    with plt.rc_context(style):
        figure.savefig(
            buffer,
            format="svg",
            metadata=dict(NO_METADATA),
            bbox_inches="tight",
            transparent=True,
        )
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE
    svg = re.sub(r">\n *<", "><", svg)  # indentation is only bytes here
    # Keep only the ids that clip paths and markers refer to: "axes_1" and
    # friends would repeat when a page shows two figures.
    svg = KEPT_ID_RE.sub("", svg)
    # matplotlib's own style, for figures only.
    svg = svg.replace("*{", f".{FIGURE_CLASS} *{{")
    # Black becomes the page's text colour (dark on the light theme, light on
    # the dark); matplotlib leaves black fills out, so they inherit it.
    svg = svg.replace("#000000", "currentColor")
    label = html.escape(description)
    svg = svg.replace(
        "<svg ", f'<svg role="img" aria-label="{label}" fill="currentColor" ', 1
    )
    svg = svg.replace(">", f"><title>{label}</title>", 1)  # for screen readers
    return f"{OPENING}{svg}<figcaption>{caption}</figcaption></figure>\n"
