# The plot: a program of its own, from its imports to plt.show(), which opens
# a window (where there is a display). The site shows this part.
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

# What the figure shows, for readers who cannot see it, and its caption: the
# site draws the figure with them (tools/figures.py in the site's repository).
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
