# The tutorial's page shows only the plot below, a program of its own (from
# its imports to plt.show()). The lines around it print the figure as inline
# SVG for the page, the same on every build.
# ruff: noqa: E402 (the plot's imports come after the setup)
import matplotlib

matplotlib.use("Agg")  # draw into memory: no window, plt.show() does nothing
matplotlib.rcdefaults()  # matplotlib's defaults: nothing from an earlier figure

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

# What the figure shows, for readers who cannot see it, and its caption.
description = (
    "Two panels over 10 epochs. Left: the loss of each batch, on a log scale; "
    "the full batch descends in a straight line, batch sizes 2 and 1 zigzag "
    "but fall faster per epoch. Right: w after each step; all three paths climb "
    "from 0 towards the dashed line w = 2, the smaller batches in uneven steps."
)
caption = "Smaller batches take more, noisier steps per epoch; all three reach w = 2."

# The figure as inline SVG in a <figure>, its text kept as text and drawn in
# the colour of the text around it, the same bytes on every build: the same
# recipe prints every figure.
import html
import io
import re

import matplotlib.pyplot as plt

style = {
    "svg.hashsalt": description,  # ids from a hash: the same on every build
    "svg.fonttype": "none",  # text stays text (not drawn as paths)
    "font.sans-serif": ["DejaVu Sans"],  # matplotlib's own font
}
no_metadata = {"Date": None, "Creator": None, "Format": None, "Type": None}
buffer = io.StringIO()
with plt.rc_context(style):
    plt.savefig(
        buffer,
        format="svg",
        metadata=no_metadata,
        bbox_inches="tight",
        transparent=True,
    )
plt.close()
svg = buffer.getvalue()
svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE
svg = re.sub(r">\n *<", "><", svg)  # indentation is only bytes here
# Keep only the ids that clip paths and markers refer to (hashes of the salt):
# "axes_1" and friends would repeat when a page shows two figures.
svg = re.sub(r' id="(?![mp][0-9a-f]{10}")[^"]*"', "", svg)
svg = svg.replace("*{", ".mpl-figure *{")  # matplotlib's own style: figures only
# Black becomes the page's text colour (dark on the light theme, light on the
# dark); matplotlib leaves black fills out, so they inherit it from <svg>.
svg = svg.replace("#000000", "currentColor")
label = html.escape(description)
svg = svg.replace(
    "<svg ", f'<svg role="img" aria-label="{label}" fill="currentColor" ', 1
)
svg = svg.replace(">", f"><title>{label}</title>", 1)  # for screen readers
print(f'<figure class="mpl-figure">{svg}<figcaption>{caption}</figcaption></figure>')
