# The plot: a program of its own, from its imports to plt.show(), which opens
# a window (where there is a display). The site shows this part.
# --8<-- [start:plot]
import matplotlib.pyplot as plt
import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
loss_fn = nn.MSELoss()


def make_model(problem):
    if problem == "y = 2x":  # one weight, starting at 0: Parts 1 to 3
        model = nn.Linear(1, 1, bias=False)
        nn.init.zeros_(model.weight)
    else:  # weight and bias, seeded: Part 4's badly conditioned problem
        torch.manual_seed(0)
        model = nn.Linear(1, 1)
    return model


optimizers = {
    "SGD": lambda params: torch.optim.SGD(params, lr=0.01),
    "momentum": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
    "Adam": lambda params: torch.optim.Adam(params, lr=0.1),
}


def losses_per_step(problem, name, n_steps):
    model = make_model(problem)
    optimizer = optimizers[name](model.parameters())
    losses = []
    for step in range(n_steps):
        loss = loss_fn(model(X), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return losses


colours = {"SGD": "#4e79a7", "momentum": "#f28e2b", "Adam": "#e15759"}
n_steps = 400
fig, all_axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
for axes, problem in zip(all_axes, ["y = 2x", "(w, b)"], strict=True):
    for name in optimizers:
        losses = losses_per_step(problem, name, n_steps)
        axes.plot(losses, color=colours[name], label=name)
    axes.set_yscale("log")
    # Below 1e-13 is float32's rounding; a loss of exactly 0 (momentum reaches
    # it) has no place on a log axis and is not drawn.
    axes.set_ylim(1e-13, 1e3)
    axes.set_title(problem)
    axes.set_xlabel("step")
all_axes[0].set_ylabel("loss (MSE)")
all_axes[1].legend(frameon=False, loc="lower left")
plt.show()
# --8<-- [end:plot]

# What the figure shows, for readers who cannot see it, and its caption: the
# site draws the figure with them (tools/figures.py in the site's repository).
description = (
    f"Loss per step, log scale, first {n_steps} steps, for SGD, SGD with momentum "
    "and Adam. Left, y = 2x: SGD falls in a straight line, the first of the three "
    "below 1e-6, then stays at float32 rounding; momentum and Adam fall in waves "
    "and reach 1e-6 later. Right, "
    "the (w, b) problem: SGD drops at first, then crawls; momentum falls fastest, "
    "in waves, the lowest of the three at most steps; Adam falls more slowly "
    "than SGD at first, with two small bumps, then passes it and ends far below."
)
caption = "Loss per step for SGD, momentum and Adam on both problems."
