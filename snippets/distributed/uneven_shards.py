import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)


def gradient(X_part, y_part):
    """The MSE gradient of (w, b) on some of the data, at the seeded start."""
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    nn.functional.mse_loss(model(X_part), y_part).backward()
    return torch.stack([model.weight.grad.squeeze(), model.bias.grad.squeeze()])


def show(label, g):
    print(f"{label:28s} dL/dw = {g[0].item():9.4f}, dL/db = {g[1].item():8.4f}")


full = gradient(X, y)
show("full batch", full)
# What DDP computes with two processes: the mean of the shards' gradients.
for sizes in [(2, 2), (3, 1)]:
    shards = zip(X.split(sizes), y.split(sizes), strict=True)
    average = torch.stack([gradient(X_part, y_part) for X_part, y_part in shards])
    average = average.mean(dim=0)
    show(f"shards of {sizes[0]} and {sizes[1]}, averaged", average)
