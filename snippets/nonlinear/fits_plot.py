# The plot: a program of its own, from its imports to plt.show(), which opens
# a window (where there is a display). The site shows this part.
# --8<-- [start:plot]
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

X = torch.linspace(-math.pi, math.pi, 64).unsqueeze(1)
y = torch.sin(X)
raw = torch.cat([X, X**2, X**3], dim=1)
standardised = (raw - raw.mean(dim=0)) / raw.std(dim=0, correction=0)
A = torch.cat([torch.ones(64, 1), standardised], dim=1).double()
lam_max = torch.linalg.eigvalsh(2 / 64 * A.T @ A)[-1].item()


def fits(model, inputs, optimizer, snapshots):
    """The page's loop; the model's predictions after each epoch in snapshots."""
    loss_fn = nn.MSELoss()
    predictions = {}
    for epoch in range(max(snapshots) + 1):
        if epoch in snapshots:  # epoch 0: the seeded start
            with torch.no_grad():
                predictions[epoch] = model(inputs).squeeze(1).tolist()
        loss = loss_fn(model(inputs), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return predictions


# The page's two runs, each seeded with 0: the cubic on standardised features
# (SGD at lr = 1 / l_max) and the network (Adam at lr = 0.02).
torch.manual_seed(0)
cubic = nn.Linear(3, 1)
sgd = torch.optim.SGD(cubic.parameters(), lr=1 / lam_max)
cubic_fits = fits(cubic, standardised, sgd, [0, 2, 5, 300])
torch.manual_seed(0)
network = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
adam = torch.optim.Adam(network.parameters(), lr=0.02)
network_fits = fits(network, X, adam, [0, 20, 50, 100, 300])

fig, axes = plt.subplots(2, 1, figsize=(6, 7), sharex=True, layout="constrained")
x = X.squeeze(1).tolist()
colours = ["#9aa5b1", "#4c9be8", "#59a14f", "#f28e2b", "#e15759"]
panels = [
    (axes[0], cubic_fits, "The cubic on standardised features (SGD)"),
    (axes[1], network_fits, "The network (Adam)"),
]
for ax, fitted, title in panels:
    ax.plot(x, y.squeeze(1).tolist(), "o", color="black", markersize=2.5, label="sin x")
    # Grey for the start, red for the last epoch: colours that read on a light
    # and on a dark background alike.
    shades = colours[: len(fitted) - 1] + colours[-1:]
    for shade, (epoch, fit) in zip(shades, fitted.items(), strict=True):
        ax.plot(x, fit, color=shade, label=f"epoch {epoch}")
    ax.set_ylim(-1.3, 2.1)
    ax.set_ylabel("y")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize="small", loc="upper center", ncols=3)
axes[1].set_xlabel("x")
plt.show()
# --8<-- [end:plot]

# What the figure shows, for readers who cannot see it, and its caption: the
# site draws the figure with them (tools/figures.py in the site's repository).
description = (
    "Two panels, one above the other, each showing the 64 points of sin x from "
    "-pi to pi as dots and the model's predictions as lines after several "
    "epochs. Top, the cubic on standardised features, at epochs 0, 2, 5 and "
    "300: it starts as a random curve, high on the left and low on the right, rises "
    "like the sine within a few epochs, and at epoch 300 follows the points "
    "closely, missing them most at the two ends. Bottom, the network, at "
    "epochs 0, 20, 50, 100 and 300: it starts as a curve that only rises, "
    "bends back towards 0 at both ends by epoch 20, and at epoch 300 lies on the "
    "points."
)
caption = (
    "The fit of the cubic (SGD at lr = 1 / l_max, standardised features) and of "
    "the network (Adam at lr = 0.02) after a few epochs of the page's loop."
)
