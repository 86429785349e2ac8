import math
from itertools import pairwise

import torch
from torch import nn

# Part 4's data, model and loss, in float64: the precision of the explorer above.
X = torch.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=torch.float64)
y = 2 * X
loss_fn = nn.MSELoss()
n = len(X)
# Standardised inputs (mean 0, standard deviation 1), as on the learning-rate page.
mean, std = X.mean().item(), X.std(correction=0).item()
INPUTS = {"raw": X, "standardised": (X - mean) / std}

THRESHOLD = 1e-6  # the loss's minimum is 0 (the line fits every point): stop below
TOO_LARGE = 1e10  # a loss above this has diverged
MAX_STEPS = 5000


def part4_start():
    torch.manual_seed(0)
    model = nn.Linear(1, 1)  # Part 4's seeded start
    return model.weight.item(), model.bias.item()


def same_line(start):
    """(w, b) for standardised inputs that draw the same line as start does."""
    w, b = start
    return w * std, b + w * mean


def run(lr, momentum, start, inputs):
    """torch.optim.SGD from start: (w, b) and the loss before every step."""
    x = INPUTS[inputs]
    model = nn.Linear(1, 1, dtype=torch.float64)
    nn.init.constant_(model.weight, start[0])
    nn.init.constant_(model.bias, start[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    path, losses = [], []
    for step in range(MAX_STEPS + 1):
        loss = loss_fn(model(x), y)
        path.append((model.weight.item(), model.bias.item()))
        losses.append(loss.item())
        if losses[-1] < THRESHOLD or not losses[-1] <= TOO_LARGE:
            break  # reached the minimum, or diverged (a nan is not <= either)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return path, losses


def turns_back(path):
    """Whether two consecutive steps point more than 90 degrees apart."""
    steps = [(w1 - w0, b1 - b0) for (w0, b0), (w1, b1) in pairwise(path)]
    return any(s[0] * t[0] + s[1] * t[1] < 0 for s, t in pairwise(steps))


def verdict(path, losses):
    if losses[-1] < THRESHOLD:
        return (
            "converges with oscillation" if turns_back(path) else "converges smoothly"
        )
    if not losses[-1] <= TOO_LARGE:
        return "diverges"
    return f"not within {MAX_STEPS} steps"


def best_settings(inputs):
    """The best plain step and Distill's optimum, from the Hessian's eigenvalues."""
    x = INPUTS[inputs].squeeze(1)
    H = 2 / n * torch.tensor([[(x * x).sum(), x.sum()], [x.sum(), n]])
    low, high = torch.linalg.eigvalsh(H).tolist()
    kappa = high / low
    alpha = (2 / (math.sqrt(low) + math.sqrt(high))) ** 2
    beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    return {"best plain step": (2 / (low + high), 0.0), "Distill": (alpha, beta)}


start = part4_start()
raw, standardised = best_settings("raw"), best_settings("standardised")
# (setting, inputs): lr, momentum, start
settings = {
    ("best plain step", "raw"): (*raw["best plain step"], start),
    ("momentum 0.9", "raw"): (0.01, 0.9, start),
    ("Distill's optimum", "raw"): (*raw["Distill"], start),
    ("a small step", "raw"): (0.05, 0.0, (3.0, 2.0)),
    ("too large", "raw"): (0.2, 0.5, start),
    ("best plain step", "standardised"): (*standardised["best plain step"], (4.0, 1.0)),
    ("Distill's optimum", "standardised"): (*standardised["Distill"], same_line(start)),
    ("momentum 0.9", "standardised"): (0.01, 0.9, same_line(start)),
}
print(f"Part 4's start: w = {start[0]:.4f}, b = {start[1]:.4f}; standardised, ", end="")
print("w = {:.4f}, b = {:.4f}".format(*same_line(start)))
print(f"stop: loss below {THRESHOLD:g}, above {TOO_LARGE:g}, or {MAX_STEPS} steps")
print()
print("setting            inputs        lr      momentum  start   steps  verdict")
paths = {}
for (name, inputs), (lr, momentum, begin) in settings.items():
    path, losses = run(lr, momentum, begin, inputs)
    paths[name, inputs] = path, losses
    where = (
        "Part 4"
        if begin in (start, same_line(start))
        else "({:g}, {:g})".format(*begin)
    )
    print(f"{name:17}  {inputs:12}  {lr:.4f}  {momentum:.4f}  {where:6}  ", end="")
    print(f"{len(path) - 1:5d}  {verdict(path, losses)}")
