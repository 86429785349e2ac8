import math

import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
loss_fn = nn.MSELoss()
lr = 0.01
c = (2 / len(X) * (X**2).sum()).item()  # the curvature (2/n) sum x^2: 15


def steps_to_reach(momentum, threshold=1e-6, max_steps=5000):
    """y = 2x from w = 0 at lr = 0.01: steps until the loss is below threshold."""
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    for step in range(max_steps + 1):
        loss = loss_fn(model(X), y)
        if loss.item() < threshold:
            return step
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return None


def factor(momentum):
    """How much the error shrinks per step in the long run: the larger root z of
    z^2 - (1 + momentum - lr c) z + momentum = 0, in size."""
    b = 1 + momentum - lr * c
    discriminant = b * b - 4 * momentum
    if discriminant >= 0:
        return (abs(b) + math.sqrt(discriminant)) / 2
    return math.sqrt(momentum)  # complex roots: the error swings as it shrinks


critical = (1 - math.sqrt(lr * c)) ** 2  # the smallest factor: a double root
print(f"the momentum with the smallest factor: (1 - sqrt(lr c))^2 = {critical:.4f}")
print("momentum  factor per step  steps until the loss < 1e-06")
for momentum in [0.0, 0.2, critical, 0.5, 0.7, 0.9]:
    print(f"{momentum:8.4f}  {factor(momentum):15.4f}  {steps_to_reach(momentum):5d}")
