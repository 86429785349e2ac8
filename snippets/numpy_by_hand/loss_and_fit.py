# The plot: a program of its own, from its imports to plt.show(), which opens
# a window (where there is a display). The site shows this part.
# --8<-- [start:plot]
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullLocator

# Part 1's training, exactly: float32 data, w0 = 0, learning rate 0.01.
X = np.array([1, 2, 3, 4], dtype=np.float32)
y = np.array([2, 4, 6, 8], dtype=np.float32)
w = 0.0
learning_rate = 0.01
n_epochs = 50
history = []  # (w after the update, loss before it) for every epoch
for epoch in range(1, n_epochs + 1):
    y_pred = w * X
    loss = ((y_pred - y) ** 2).mean()
    w = w - learning_rate * 2 * np.dot(X, y_pred - y) / len(X)
    history.append((float(w), float(loss)))

plt.rcParams["font.size"] = 12  # 12 px text: legible on a phone
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2))
epochs = range(1, n_epochs + 1)
left.semilogy(epochs, [loss for _, loss in history], color="#4c9be8")
left.yaxis.set_minor_locator(NullLocator())
left.set_xlabel("epoch")
left.set_ylabel("loss (log scale)")
left.set_title("Loss per epoch")

right.plot(X, y, "o", color="#e15759", label="data", zorder=3)
line_x = np.array([0.0, 4.5])
colours = ["#9aa5b1", "#f28e2b", "#59a14f", "#b07aa1", "#4c9be8"]
for epoch, colour in zip([1, 2, 5, 10, 50], colours, strict=True):
    w_epoch = history[epoch - 1][0]
    right.plot(line_x, w_epoch * line_x, color=colour, label=f"epoch {epoch}")
right.set_xlabel("x")
right.set_ylabel("y")
right.set_title("The line ŷ = wx at a few epochs")
right.legend(frameon=False)
plt.show()
# --8<-- [end:plot]

# What the figure shows, for readers who cannot see it, and its caption: the
# site draws the figure with them (tools/figures.py in the site's repository).
description = (
    "Two plots of Part 1's training at learning rate 0.01. Left: the loss per "
    "epoch on a log scale, a straight line going down. Right: the four data "
    "points with the fitted line after epochs 1, 2, 5, 10 and 50, each "
    "steeper than the last and closer to the points."
)
caption = (
    "Left: the loss per epoch (log scale). Right: the fitted line after a few "
    "epochs, against the data."
)
