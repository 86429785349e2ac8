import torch
from torch import nn
from torch.utils.data import DistributedSampler

# Five points: not a multiple of two processes.
X = torch.tensor([[1], [2], [3], [4], [5]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8], [10]], dtype=torch.float32)


def gradient(X_part, y_part):
    """The MSE gradient of (w, b) on some of the data, at the seeded start."""
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    nn.functional.mse_loss(model(X_part), y_part).backward()
    return torch.stack([model.weight.grad.squeeze(), model.bias.grad.squeeze()])


def show(label, g):
    print(f"{label:32s} dL/dw = {g[0].item():9.4f}, dL/db = {g[1].item():8.4f}")


full = gradient(X, y)
show("full batch, 5 points", full)
for drop_last in (False, True):
    gradients = []
    for rank in range(2):
        # The sampler is told the group's size and this process's rank, as
        # torchrun's processes would tell it: no process group is needed here.
        sampler = DistributedSampler(
            range(len(X)), num_replicas=2, rank=rank, shuffle=False, drop_last=drop_last
        )
        indices = list(sampler)
        print(f"drop_last={drop_last}: rank {rank} gets samples {indices}")
        gradients.append(gradient(X[indices], y[indices]))
    average = torch.stack(gradients).mean(dim=0)
    show(f"DDP's average, drop_last={drop_last}", average)
