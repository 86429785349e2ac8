import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)


def gradient(X_part, y_part, reduction):
    """The gradient of (w, b) on some of the data, at the seeded start."""
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    nn.functional.mse_loss(model(X_part), y_part, reduction=reduction).backward()
    return torch.stack([model.weight.grad.squeeze(), model.bias.grad.squeeze()])


def show(label, g):
    print(f"{label:36s} dL/dw = {g[0].item():9.4f}, dL/db = {g[1].item():8.4f}")


for reduction in ("mean", "sum"):
    show(f"full batch, reduction={reduction!r}", gradient(X, y, reduction))
for n_processes in (1, 2, 4):
    # What DDP computes: the average of the shards' gradients.
    shards = zip(X.chunk(n_processes), y.chunk(n_processes), strict=True)
    average = torch.stack([gradient(a, b, "sum") for a, b in shards]).mean(dim=0)
    show(f"{n_processes} process(es), 'sum', averaged", average)
