# The tutorial's page shows only the plot below, a program of its own (from
# its imports to plt.show()). The lines around it print the figure as inline
# SVG for the page, the same on every build.
# ruff: noqa: E402 (the plot's imports come after the setup)
import matplotlib

matplotlib.use("Agg")  # draw into memory: no window, plt.show() does nothing
matplotlib.rcdefaults()  # matplotlib's defaults: nothing from an earlier figure

# --8<-- [start:plot]
import matplotlib.pyplot as plt
import numpy as np

X = np.array([1, 2, 3, 4], dtype=np.float64)
y = np.array([2, 4, 6, 8], dtype=np.float64)


def loss(w):
    # L(w) = (1/n) sum (w x_i - y_i)^2
    return np.mean((w * X - y) ** 2)


def slope(w, h=1e-3):
    # The slope of the curve at w, measured on the curve itself:
    # rise over run between two close points, no formula needed.
    return (loss(w + h) - loss(w - h)) / (2 * h)


fig, ax = plt.subplots(figsize=(6, 3.4))
w_grid = np.linspace(-0.5, 4.0, 91)
ax.plot(w_grid, [loss(w) for w in w_grid], color="#4c9be8", label="L(w)")
points = [(0.5, "#f28e2b", 8), (2.0, "#59a14f", 8), (3.5, "#b07aa1", -88)]
for w0, colour, label_x in points:
    s = slope(w0)
    tangent_w = np.array([w0 - 0.6, w0 + 0.6])
    ax.plot(tangent_w, loss(w0) + s * (tangent_w - w0), color=colour, linewidth=2)
    ax.plot([w0], [loss(w0)], "o", color=colour)
    ax.annotate(
        f"slope {s:.1f}",
        (w0, loss(w0)),
        textcoords="offset points",
        xytext=(label_x, 10),
        color=colour,
    )
ax.set_xlabel("w")
ax.set_ylabel("loss L(w)")
ax.set_title("The loss is a parabola in w; the gradient is its slope")
ax.legend(frameon=False)
plt.show()
# --8<-- [end:plot]

# What the figure shows, for readers who cannot see it, and its caption.
description = (
    "The loss L(w) of the four points as a function of w: a parabola with its "
    "lowest point, zero, at w = 2. Short tangent lines touch it at three "
    "points: at w = 0.5 the slope is negative (the loss falls to the right), "
    "at w = 2 the tangent is flat (slope zero), and at w = 3.5 the slope is "
    "positive (the loss falls to the left)."
)
caption = (
    "The loss as a function of the weight, with its slope (the gradient) at "
    "three values of w. Downhill is always against the slope."
)

# The figure as inline SVG in a <figure>, its text kept as text and drawn in
# the colour of the text around it, the same bytes on every build: the same
# recipe prints every figure.
import html
import io
import re

import matplotlib.pyplot as plt

style = {
    "svg.hashsalt": description,  # ids from a hash: the same on every build
    "svg.fonttype": "none",  # text stays text (not drawn as paths)
    "font.sans-serif": ["DejaVu Sans"],  # matplotlib's own font
}
no_metadata = {"Date": None, "Creator": None, "Format": None, "Type": None}
buffer = io.StringIO()
with plt.rc_context(style):
    plt.savefig(
        buffer,
        format="svg",
        metadata=no_metadata,
        bbox_inches="tight",
        transparent=True,
    )
plt.close()
svg = buffer.getvalue()
svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE
svg = re.sub(r">\n *<", "><", svg)  # indentation is only bytes here
# Keep only the ids that clip paths and markers refer to (hashes of the salt):
# "axes_1" and friends would repeat when a page shows two figures.
svg = re.sub(r' id="(?![mp][0-9a-f]{10}")[^"]*"', "", svg)
svg = svg.replace("*{", ".mpl-figure *{")  # matplotlib's own style: figures only
# Black becomes the page's text colour (dark on the light theme, light on the
# dark); matplotlib leaves black fills out, so they inherit it from <svg>.
svg = svg.replace("#000000", "currentColor")
label = html.escape(description)
svg = svg.replace(
    "<svg ", f'<svg role="img" aria-label="{label}" fill="currentColor" ', 1
)
svg = svg.replace(">", f"><title>{label}</title>", 1)  # for screen readers
print(f'<figure class="mpl-figure">{svg}<figcaption>{caption}</figcaption></figure>')
