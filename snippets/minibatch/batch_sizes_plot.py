# The plot: a program of its own, from its imports to plt.show(), which opens
# a window (where there is a display). The site shows this part.
# --8<-- [start:plot]
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
dataset = TensorDataset(X, y)
loss_fn = nn.MSELoss()


def train(batch_size, n_epochs, lr=0.01):
    """Mini-batch gradient descent; returns the loss and w after every step."""
    generator = torch.Generator().manual_seed(0)
    loader = DataLoader(
        dataset, batch_size=batch_size, shuffle=True, generator=generator
    )
    w = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    batch_losses, ws = [], []
    for epoch in range(n_epochs):
        for x_batch, y_batch in loader:
            loss = loss_fn(w * x_batch, y_batch)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            batch_losses.append(loss.item())
            ws.append(w.item())
    return len(loader), batch_losses, ws


colours = {4: "#4e79a7", 2: "#f28e2b", 1: "#e15759"}
n_epochs = 10
fig, (loss_axes, w_axes) = plt.subplots(1, 2, figsize=(9, 3.4))
for batch_size in [1, 2, 4]:
    steps_per_epoch, batch_losses, ws = train(batch_size, n_epochs)
    epochs = [(step + 1) / steps_per_epoch for step in range(len(ws))]
    label = f"batch size {batch_size}" + (" (full batch)" if batch_size == 4 else "")
    style_kw = {"color": colours[batch_size], "label": label, "marker": "."}
    loss_axes.plot(epochs, batch_losses, **style_kw)
    w_axes.plot([0] + epochs, [0.0] + ws, **style_kw)
loss_axes.set_yscale("log")
loss_axes.set_xlabel("epoch")
loss_axes.set_ylabel("loss of the batch, before the step")
w_axes.axhline(2.0, color="black", linewidth=0.8, linestyle="--")
w_axes.set_xlabel("epoch")
w_axes.set_ylabel("w after the step")
w_axes.legend(frameon=False, loc="lower right")
plt.show()
# --8<-- [end:plot]

# What the figure shows, for readers who cannot see it, and its caption: the
# site draws the figure with them (tools/figures.py in the site's repository).
description = (
    "Two panels over 10 epochs. Left: the loss of each batch, on a log scale; "
    "the full batch descends in a straight line, batch sizes 2 and 1 zigzag "
    "but fall faster per epoch. Right: w after each step; all three paths climb "
    "from 0 towards the dashed line w = 2, the smaller batches in uneven steps."
)
caption = (
    "Smaller batches take more, noisier steps per epoch; in ten epochs they get "
    "closer to w = 2 than the full batch."
)
