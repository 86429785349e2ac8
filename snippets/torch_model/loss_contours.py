# The plot: a program of its own, from its imports to plt.show(), which opens
# a window (where there is a display). The site shows this part.
# --8<-- [start:plot]
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

# Part 4's training, exactly: nn.Linear(1, 1) seeded with 0, SGD at lr = 0.01.
torch.manual_seed(0)
X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
model = nn.Linear(1, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
path = [(model.weight.item(), model.bias.item())]  # (w, b) after every epoch
for epoch in range(1, 3001):
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    path.append((model.weight.item(), model.bias.item()))

# The loss on a grid of (w, b): L = (1/n) sum (w x + b - y)^2.
x_data, y_data = X.squeeze(1).numpy(), y.squeeze(1).numpy()
w_grid, b_grid = np.meshgrid(np.linspace(-0.5, 3, 141), np.linspace(-1.25, 2.25, 141))
residuals = w_grid[..., None] * x_data + b_grid[..., None] - y_data
loss_grid = (residuals**2).mean(axis=-1)


def gradient(w, b):
    # The gradient: (dL/dw, dL/db) = (2/n) (sum x_i r_i, sum r_i), r = w x + b - y.
    r = w * x_data + b - y_data
    return np.array([2 * np.mean(x_data * r), 2 * np.mean(r)])


# Downhill arrows, -gradient at nine points of a grid, drawn at 1/40 of their
# length, in the units of the axes (angles="xy"): with equal scales on both
# axes, an arrow meets the contour line through its tail at a right angle.
points = np.array([(w, b) for w in (0.25, 1.25, 2.75) for b in (-0.75, 0.25, 1.75)])
scale = 1 / 40
downhill = np.array([-gradient(w, b) for w, b in points]) * scale

fig, ax = plt.subplots(figsize=(5, 5), layout="constrained")
levels = [0.1, 0.3, 1, 3, 10, 30]
contours = ax.contour(w_grid, b_grid, loss_grid, levels=levels, colors="#4c9be8")
ax.clabel(contours, fontsize="x-small", fmt="%g")
arrows = ax.quiver(
    points[:, 0],
    points[:, 1],
    downhill[:, 0],
    downhill[:, 1],
    angles="xy",
    scale_units="xy",
    scale=1,
    color="#59a14f",
    width=0.007,
)
shown = [0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 400, 700, 1000, 1500, 2000, 3000]
path_w = [path[k][0] for k in shown]
path_b = [path[k][1] for k in shown]
ax.plot(path_w, path_b, "-o", color="#e15759", markersize=3)
ax.plot(2, 0, "*", color="black", markersize=10)
ax.annotate("start", path[0], textcoords="offset points", xytext=(-8, 8))
ax.annotate("minimum (2, 0)", (2, 0), textcoords="offset points", xytext=(6, -12))
ax.set_aspect("equal")  # one unit of w as long as one unit of b
ax.set_xlabel("weight w")
ax.set_ylabel("bias b")
ax.set_title("Loss contours, downhill arrows −∇L, path of SGD")
plt.show()
# --8<-- [end:plot]

# What the figure shows, for readers who cannot see it, and its caption: the
# site draws the figure with them (tools/figures.py in the site's repository).
description = (
    "Contour lines of the loss over the weight w and the bias b, drawn with the "
    "same scale on both axes. They are long thin ellipses around the minimum at "
    "w = 2, b = 0, their long axis tilted about 19 degrees from the vertical, "
    "leaning left as it rises: a narrow valley. Green arrows at nine points of "
    "a grid show the downhill direction, minus the gradient: each crosses the "
    "contour line through its tail at a right angle, long on the steep walls "
    "of the valley and almost too short to see on its floor. The path of Part "
    "4's SGD, marked at epochs 0, 1, 2, 3, 5, 10, 20, 50 and so on up to 3000, "
    "runs across the valley to its floor in its first twenty epochs, where its "
    "dots are far apart, then creeps along the floor to the minimum for "
    "thousands of epochs, its dots crowding together."
)
caption = (
    "The loss of Part 4's model over (w, b), with the downhill direction "
    "−∇L at nine points (drawn at 1/40 of its length) and the path of "
    "<code>nn.Linear</code> trained by SGD at lr = 0.01."
)
