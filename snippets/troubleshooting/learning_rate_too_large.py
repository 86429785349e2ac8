import math

import torch
from torch import nn

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)

# The curvature of the loss, c = d2L/dw2 = (2/n) X^T X, limits the learning rate.
c = (2 * torch.dot(X, X) / len(X)).item()
print(f"c = {c:.1f}, so the learning rate must stay below 2/c = {2 / c:.4f}")


loss_fn = nn.MSELoss()


def train(learning_rate, n_epochs=150):
    w = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=learning_rate)
    losses, grads, ws = [], [], []  # per epoch: loss, gradient, w after the step
    for epoch in range(n_epochs):
        loss = loss_fn(w * X, y)
        loss.backward()
        grads.append(w.grad.item())
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        ws.append(w.item())
    return losses, grads, ws


def first_epoch(values, test):
    """The first epoch (counting from 1) whose value passes the test."""
    return next((i + 1 for i, v in enumerate(values) if test(v)), None)


for learning_rate in (0.2, 0.1):
    losses, grads, ws = train(learning_rate)
    print(f"lr = {learning_rate}: loss at epochs 1, 2, 3: ", end="")
    print(", ".join(f"{loss:.3f}" for loss in losses[:3]))
    if first_epoch(losses, math.isinf):
        print(f"  loss inf from epoch {first_epoch(losses, math.isinf)}")
        print(f"  gradient inf from epoch {first_epoch(grads, math.isinf)}")
        print(f"  w inf after the update of epoch {first_epoch(ws, math.isinf)}")
        print(f"  w nan after the update of epoch {first_epoch(ws, math.isnan)}")
        print(f"  loss nan from epoch {first_epoch(losses, math.isnan)}")
    print(f"  after {len(losses)} epochs: loss = {losses[-1]:.3g}, w = {ws[-1]:.3f}")
