# The plot: a program of its own, from its imports to plt.show(), which opens
# a window (where there is a display). The site shows this part.
# --8<-- [start:plot]
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

# Part 4's data, model and loss in float64, from Part 4's seeded start.
X = torch.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=torch.float64)
y = 2 * X
loss_fn = nn.MSELoss()
torch.manual_seed(0)
start = [p.item() for p in nn.Linear(1, 1).parameters()]  # w, then b


def descend(lr, momentum):
    """(w, b) and the loss at every step, until the loss is below 1e-6."""
    model = nn.Linear(1, 1, dtype=torch.float64)
    nn.init.constant_(model.weight, start[0])
    nn.init.constant_(model.bias, start[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    path, losses = [], []
    for step in range(5001):
        loss = loss_fn(model(X), y)
        path.append((model.weight.item(), model.bias.item()))
        losses.append(loss.item())
        if loss.item() < 1e-6:
            break
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return np.array(path), losses


# The best plain step and Distill's optimum, from the Hessian's eigenvalues.
x, n = X.squeeze(1), len(X)
H = 2 / n * torch.tensor([[(x * x).sum(), x.sum()], [x.sum(), n]])
low, high = torch.linalg.eigvalsh(H).tolist()
root = math.sqrt(high / low)
runs = {  # name: lr, momentum, line style
    "best plain step": (2 / (low + high), 0.0, "-"),
    "momentum 0.9, lr 0.01": (0.01, 0.9, "--"),
    "Distill's optimum": (
        (2 / (math.sqrt(low) + math.sqrt(high))) ** 2,
        ((root - 1) / (root + 1)) ** 2,
        ":",
    ),
}

# The loss on a grid of (w, b): L = (1/n) sum (w x + b - y)^2.
w_grid, b_grid = np.meshgrid(np.linspace(-3, 7, 201), np.linspace(-2.5, 3.5, 121))
residuals = w_grid[..., None] * x.numpy() + b_grid[..., None] - y.squeeze(1).numpy()
loss_grid = (residuals**2).mean(axis=-1)

fig, axes = plt.subplots(2, 2, figsize=(8, 6.4), layout="constrained")
steps = []  # of each run, in order
colours = ["#1f77b4", "#d62728", "#2ca02c"]
for ax, (name, (lr, momentum, style)), colour in zip(
    axes.flat[:3], runs.items(), colours, strict=True
):
    path, losses = descend(lr, momentum)
    steps.append(len(path) - 1)
    levels = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]
    ax.contour(w_grid, b_grid, loss_grid, levels=levels, colors="#9a9a9a")
    ax.plot(*path.T, "-o", markersize=2, linewidth=0.8, color=colour)
    ax.plot(*start, "o", color="black", markerfacecolor="none", markersize=8)
    ax.plot(2, 0, "x", color="black", markersize=9, markeredgewidth=2)
    ax.set_xlim(-3, 7)
    ax.set_ylim(-2.5, 3.5)
    ax.set_aspect("equal")  # the same scale on both axes: the valley's true shape
    ax.set_xlabel("weight w")
    ax.set_ylabel("bias b")
    ax.set_title(f"{name}: {steps[-1]} steps", fontsize="medium")
    axes[1, 1].semilogy(losses, style, color=colour, label=name)
axes[1, 1].set_xlabel("step")
axes[1, 1].set_ylabel("loss (log scale)")
axes[1, 1].set_title("the loss at every step, down to 1e-6", fontsize="medium")
axes[1, 1].legend(frameon=False, fontsize="small")
plt.show()
# --8<-- [end:plot]

# What the figure shows, for readers who cannot see it, and its caption: the
# site draws the figure with them (tools/figures.py in the site's repository).
description = (
    "Four panels. Three show the contour lines of Part 4's loss over the weight "
    "w and the bias b, with the same scale on both axes: long, thin, tilted "
    "ellipses around the minimum at w = 2, b = 0, marked with a cross. Each of "
    "the three shows one path from Part 4's start, near w = 0, b = 0.5, marked "
    f"with a circle. The best plain step ({steps[0]} steps) zigzags across the "
    "valley, its swings shrinking steadily, while it creeps down the valley to "
    f"the minimum. Momentum 0.9 at lr 0.01 ({steps[1]} steps) first runs out "
    "past the minimum, then swings back and forth across the valley in "
    f"shrinking waves. Distill's optimum ({steps[2]} steps) leaps far across "
    "the valley, to both sides, further than the other two, and its swings "
    "shrink fastest. The fourth panel shows the loss at every step on a log "
    "scale: a straight line for the best plain step, a wavy line for momentum "
    "0.9, and for Distill's optimum a rise in the first steps, then the "
    "steepest fall."
)
caption = (
    "The three settings of the explorer's buttons, from Part 4's start, with "
    "<code>torch.optim.SGD</code> in float64: each path until its loss is "
    "below 10<sup>−6</sup>."
)
