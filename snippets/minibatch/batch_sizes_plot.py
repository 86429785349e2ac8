import io

import matplotlib
import torch
from matplotlib.figure import Figure
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


# Text and axes in a placeholder colour, replaced below by the page's own text
# colour (currentColor), so the figure reads in the light and the dark theme.
INK = "#123456"
style = {
    "svg.hashsalt": "fixed",  # the same SVG bytes on every build
    "svg.fonttype": "none",  # text stays text, in the page's font
    "font.sans-serif": ["DejaVu Sans"],  # matplotlib's own font
    "font.size": 10,  # set, not inherited from an earlier figure
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
}
colours = {4: "#4e79a7", 2: "#f28e2b", 1: "#e15759"}
n_epochs = 10
with matplotlib.rc_context(style):
    figure = Figure(figsize=(9, 3.4))
    loss_axes, w_axes = figure.subplots(1, 2)
    for batch_size in [1, 2, 4]:
        steps_per_epoch, batch_losses, ws = train(batch_size, n_epochs)
        epochs = [(step + 1) / steps_per_epoch for step in range(len(ws))]
        label = f"batch size {batch_size}" + (
            " (full batch)" if batch_size == 4 else ""
        )
        style_kw = {"color": colours[batch_size], "label": label, "marker": "."}
        loss_axes.plot(epochs, batch_losses, **style_kw)
        w_axes.plot([0] + epochs, [0.0] + ws, **style_kw)
    loss_axes.set_yscale("log")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("loss of the batch, before the step")
    w_axes.axhline(2.0, color=INK, linewidth=0.8, linestyle="--")
    w_axes.set_xlabel("epoch")
    w_axes.set_ylabel("w after the step")
    w_axes.legend(frameon=False, loc="lower right")
    for axes in (loss_axes, w_axes):
        axes.set_facecolor("none")
    buffer = io.StringIO()
    figure.savefig(
        buffer,
        format="svg",
        metadata={"Date": None},
        bbox_inches="tight",
        transparent=True,
    )

svg = buffer.getvalue()
svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: inline SVG
svg = svg.replace(INK, "currentColor")
description = (
    "Two panels over 10 epochs. Left: the loss of each batch, on a log scale; "
    "the full batch descends in a straight line, batch sizes 2 and 1 zigzag "
    "but fall faster per epoch. Right: w after each step; all three paths climb "
    "from 0 towards the dashed line w = 2, the smaller batches in uneven steps."
)
svg = svg.replace("*{", "#minibatch-figure *{")  # style this figure only
for old, new in [('id="', 'id="mb-'), ("url(#", "url(#mb-"), ('href="#', 'href="#mb-')]:
    svg = svg.replace(old, new)  # ids unique on the page
svg = svg.replace(
    "<svg ",
    f'<svg id="minibatch-figure" role="img" aria-label="{description}" '
    'style="max-width: 100%; height: auto" ',
    1,
)
svg = svg.replace(">", f"><title>{description}</title>", 1)  # for screen readers
caption = "Smaller batches take more, noisier steps per epoch; all three reach w = 2."
print(f'<figure class="mpl-figure">{svg}<figcaption>{caption}</figcaption></figure>')
