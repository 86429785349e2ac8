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
from matplotlib.ticker import NullLocator

# The data, in float64, and the loop of Part 1 from w = 0.
X = np.array([1.0, 2.0, 3.0, 4.0])
y = np.array([2.0, 4.0, 6.0, 8.0])
n = len(X)
curvature = 2 / n * np.sum(X**2)  # L''(w) = (2/n) sum x^2


def train(learning_rate, n_epochs):
    """w after every epoch, starting from w0 = 0 (w0 included)."""
    w = 0.0
    ws = [w]
    for epoch in range(n_epochs):
        w = w - learning_rate * 2 * np.dot(X, w * X - y) / n
        ws.append(float(w))
    return ws


rates = {
    "0.001 (crawls)": 0.001,
    "0.01 (the tutorial's)": 0.01,
    f"1/{curvature:.0f} (one step)": 1 / curvature,
    "0.1 (oscillates, converges)": 0.1,
    "0.14 (diverges)": 0.14,
}
colours = ["#9aa5b1", "#4c9be8", "#59a14f", "#f28e2b", "#e15759"]
n_epochs = 20
trajectories = {label: train(rate, n_epochs) for label, rate in rates.items()}

fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.8), layout="constrained")
for (label, ws), colour in zip(trajectories.items(), colours, strict=True):
    left.plot(ws, color=colour, label=label)
    errors = [abs(w - 2) if w != 2 else np.nan for w in ws]  # log(0) is not drawn
    right.semilogy(errors, color=colour)
left.axhline(2, color="black", linestyle=":", linewidth=1)
left.set_ylim(-1, 5)  # the diverging run leaves the plot
left.set_xlabel("epoch")
left.set_ylabel("w")
left.set_title("w per epoch")
fig.legend(frameon=False, loc="outside lower center", ncols=3)
right.set_ylim(1e-6, 1e3)
right.yaxis.set_minor_locator(NullLocator())
right.set_xlabel("epoch")
right.set_ylabel("|w − 2| (log scale)")
right.set_title("distance to the minimum")
plt.show()
# --8<-- [end:plot]

# What the figure shows, for readers who cannot see it, and its caption.
description = (
    "Two plots of w per epoch from w0 = 0 for five learning rates. Left, w "
    "itself: at 0.001 it crawls up from 0; at 0.01 it climbs smoothly "
    "towards 2; at 1/15 it jumps to 2 in one step and stays; at 0.1 it "
    "overshoots above 2 and zig-zags around 2, the swings shrinking; at 0.14 "
    "the zig-zags grow until they leave the plot. Right, the distance "
    "|w - 2| on a log scale: straight lines, falling for the converging "
    "rates and rising for 0.14; at 1/15 the distance is zero after one "
    "step, which a log scale cannot show."
)
caption = (
    "Gradient descent on the same data with five learning rates. On the "
    "log scale each run is a straight line: every epoch multiplies the "
    "error by the same factor."
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
