import io

import matplotlib
import torch
from matplotlib.figure import Figure
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


INK = "#123456"  # placeholder for the page's text colour (currentColor)
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
colours = {"SGD": "#4e79a7", "momentum": "#f28e2b", "Adam": "#e15759"}
n_steps = 400
with matplotlib.rc_context(style):
    figure = Figure(figsize=(9, 3.4))
    all_axes = figure.subplots(1, 2, sharey=True)
    for axes, problem in zip(all_axes, ["y = 2x", "(w, b)"], strict=True):
        for name in optimizers:
            losses = losses_per_step(problem, name, n_steps)
            axes.plot(losses, color=colours[name], label=name)
        axes.set_yscale("log")
        axes.set_ylim(1e-13, 1e3)  # float32 rounding ends the curves near 1e-12
        axes.set_title(problem, color=INK)
        axes.set_xlabel("step")
        axes.set_facecolor("none")
    all_axes[0].set_ylabel("loss (MSE)")
    all_axes[1].legend(frameon=False, loc="lower left")
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
svg = svg.replace("*{", "#optimizers-figure *{")  # style this figure only
for old, new in [
    ('id="', 'id="opt-'),
    ("url(#", "url(#opt-"),
    ('href="#', 'href="#opt-'),
]:
    svg = svg.replace(old, new)  # ids unique on the page
description = (
    f"Loss per step, log scale, first {n_steps} steps, for SGD, SGD with momentum "
    "and Adam. Left, y = 2x: SGD falls fastest, in a straight line, down to "
    "float32 rounding; momentum and Adam fall more slowly, in waves. Right, the "
    "(w, b) problem: SGD drops at first, then crawls; momentum falls fastest, "
    "in waves; Adam falls steadily, between the two."
)
svg = svg.replace(
    "<svg ",
    f'<svg id="optimizers-figure" role="img" aria-label="{description}" '
    'style="max-width: 100%; height: auto" ',
    1,
)
svg = svg.replace(">", f"><title>{description}</title>", 1)  # for screen readers
caption = "Loss per step for SGD, momentum and Adam on both problems."
print(f'<figure class="mpl-figure">{svg}<figcaption>{caption}</figcaption></figure>')
