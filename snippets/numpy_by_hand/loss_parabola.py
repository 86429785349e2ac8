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

# Part 1's training, exactly: float32 data, w0 = 0, learning rate 0.01.
X = np.array([1, 2, 3, 4], dtype=np.float32)
y = np.array([2, 4, 6, 8], dtype=np.float32)
w = 0.0
learning_rate = 0.01
iterates = [w]  # w0, w1, w2, ...
for epoch in range(1, 13):
    y_pred = w * X
    w = w - learning_rate * 2 * np.dot(X, y_pred - y) / len(X)
    iterates.append(float(w))


def mse(w):
    # L(w) = (1/n) sum (w x - y)^2, a parabola in w
    return float(((w * X - y) ** 2).mean())


plt.rcParams["font.size"] = 12  # 12 px text: legible on a phone
fig, ax = plt.subplots(figsize=(6, 3.4))
w_grid = np.linspace(-0.25, 2.25, 41)
ax.plot(w_grid, [mse(w) for w in w_grid], color="#4c9be8", label="L(w)")
ax.plot(iterates, [mse(w) for w in iterates], "o", color="#f28e2b", label="w₀, w₁, …")
for k in range(4):
    ax.annotate(
        f"w{'₀₁₂₃'[k]}",
        (iterates[k], mse(iterates[k])),
        textcoords="offset points",
        xytext=(4, 6),
    )
ax.axvline(2, color="black", linestyle=":", linewidth=1)
ax.set_xlabel("w")
ax.set_ylabel("loss L(w)")
ax.set_title("Each step moves w down the parabola towards w = 2")
ax.legend(frameon=False)
plt.show()
# --8<-- [end:plot]

# What the figure shows, for readers who cannot see it, and its caption.
description = (
    "The loss L(w) as a function of w: a parabola with its minimum, zero, at "
    "w = 2, marked by a dotted line. The first twelve iterates of Part 1 at "
    "learning rate 0.01 are dots on the parabola, starting at w0 = 0 high on "
    "the left; they come down towards the minimum, the gaps between them "
    "shrinking."
)
caption = (
    "The loss as a function of w, with the iterates w₀, w₁, … of gradient "
    "descent marked on it."
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
