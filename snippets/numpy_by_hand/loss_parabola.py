# The plot: a program of its own, from its imports to plt.show(), which opens
# a window (where there is a display). The site shows this part.
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

# What the figure shows, for readers who cannot see it, and its caption: the
# site draws the figure with them (tools/figures.py in the site's repository).
description = (
    "The loss L(w) as a function of w: a parabola with its minimum, zero, at "
    "w = 2, marked by a dotted line. Thirteen dots on the parabola, the start "
    "w0 = 0 high on the left and the first twelve iterates of Part 1 at "
    "learning rate 0.01, come down towards the minimum, the gaps between them "
    "shrinking."
)
caption = (
    "The loss as a function of w, with the iterates w₀, w₁, … of gradient "
    "descent marked on it."
)
