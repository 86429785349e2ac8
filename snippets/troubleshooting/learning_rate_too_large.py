import math

import torch
from torch import nn

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)

# The curvature of the loss, d2MSE/dw2 = (2/n) X^T X, limits the learning rate.
L = (2 * torch.dot(X, X) / len(X)).item()
print(f"L = {L:.1f}, so the learning rate must stay below 2/L = {2 / L:.4f}")


def train(learning_rate, n_epochs=150):
    w = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=learning_rate)
    losses = []
    for epoch in range(n_epochs):
        loss = nn.MSELoss()(w * X, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses, w.item()


for learning_rate in (0.2, 0.1):
    losses, w = train(learning_rate)
    print(f"lr = {learning_rate}: loss at epochs 1, 2, 3: ", end="")
    print(", ".join(f"{loss:.3f}" for loss in losses[:3]))
    first_inf = next((i for i, v in enumerate(losses) if math.isinf(v)), None)
    first_nan = next((i for i, v in enumerate(losses) if math.isnan(v)), None)
    if first_inf is not None:
        print(
            f"  loss is inf from epoch {first_inf + 1}, nan from epoch {first_nan + 1}"
        )
    print(f"  after {len(losses)} epochs: loss = {losses[-1]:.3g}, w = {w:.3f}")
