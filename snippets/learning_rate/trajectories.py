# The plot: a program of its own, from its imports to plt.show(), which opens
# a window (where there is a display). The site shows this part.
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

# What the figure shows, for readers who cannot see it, and its caption: the
# site draws the figure with them (tools/figures.py in the site's repository).
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
    "log scale each run but 1/15, which lands on the minimum, is a straight "
    "line: every epoch multiplies the error by the same factor."
)
