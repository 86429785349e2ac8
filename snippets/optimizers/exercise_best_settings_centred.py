import math

import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
loss_fn = nn.MSELoss()


def best_settings(inputs):
    """The Hessian's eigenvalues, and the best settings for SGD and momentum."""
    x, n = inputs.squeeze(1).double(), len(inputs)
    H = 2 / n * torch.tensor([[(x * x).sum(), x.sum()], [x.sum(), n]])
    low, high = torch.linalg.eigvalsh(H).tolist()
    kappa = high / low
    sgd = (2 / (low + high), 0.0)
    alpha = (2 / (math.sqrt(low) + math.sqrt(high))) ** 2
    beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    return kappa, {"SGD": sgd, "momentum": (alpha, beta)}


def steps_to_reach(inputs, lr, momentum, threshold=1e-6, max_steps=5000):
    """Part 4's seeded nn.Linear(1, 1): steps until the loss is below threshold."""
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    for step in range(max_steps + 1):
        loss = loss_fn(model(inputs), y)
        if loss.item() < threshold:
            return step
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return None


results = {}
for name, inputs in [("x as it is", X), ("centred", X - X.mean())]:
    kappa, settings = best_settings(inputs)
    print(f"{name}: kappa = {kappa:.2f}")
    for optimizer_name, (lr, momentum) in settings.items():
        steps = steps_to_reach(inputs, lr, momentum)
        results[name, optimizer_name] = steps
        print(
            f"  {optimizer_name:8}  lr = {lr:.4f}, momentum = {momentum:.4f}: ", end=""
        )
        print(f"{steps:3d} steps")
