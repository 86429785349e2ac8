import math

import torch
from torch import nn

torch.manual_seed(0)
X = torch.linspace(-math.pi, math.pi, 64).unsqueeze(1)
y = torch.sin(X)

# The network without its nonlinearity: two layers, one after the other.
model = nn.Sequential(nn.Linear(1, 16), nn.Linear(16, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for epoch in range(1, 301):
    y_pred = model(X)  # 1. prediction
    loss = loss_fn(y_pred, y)  # 2. loss
    loss.backward()  # 3. gradients
    optimizer.step()  # 4. update
    optimizer.zero_grad()
print(f"epoch 300: loss = {loss.item():.5f}")

# Two linear layers are one: W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2).
first, second = model[0], model[1]
with torch.no_grad():
    slope = (second.weight @ first.weight).item()
    intercept = (second.weight @ first.bias + second.bias).item()


# The best line and the best cubic through the 64 points, solved directly
# (least squares), and the loss of each.
def best_fit(A):
    solution = torch.linalg.lstsq(A, y.double()).solution.squeeze(1)
    residuals = A @ solution - y.double().squeeze(1)
    return solution.tolist(), (residuals**2).mean().item()


best, best_loss = best_fit(torch.cat([X, torch.ones_like(X)], dim=1).double())
_, cubic_loss = best_fit(torch.cat([X**0, X, X**2, X**3], dim=1).double())

# round(..., 4) + 0.0 prints a tiny negative number as 0.0000, not -0.0000
for name, (a, b) in [("the network", (slope, intercept)), ("the best line", best)]:
    print(f"{name:13}: y_hat = {a:.4f} x + {round(b, 4) + 0.0:.4f}")
print(f"the best line's loss: {best_loss:.5f}, the best cubic's: {cubic_loss:.5f}")
