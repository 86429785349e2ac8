import math

import torch
from torch import nn

X = torch.linspace(-math.pi, math.pi, 64).unsqueeze(1)
y = torch.sin(X)
n = len(X)
raw = torch.cat([X, X**2, X**3], dim=1)
standardised = (raw - raw.mean(dim=0)) / raw.std(dim=0, correction=0)


def eigenvalues(features):
    # Of the MSE's Hessian (2/n) A^T A, A = [1, features]: ascending.
    A = torch.cat([torch.ones(n, 1), features], dim=1).double()
    return torch.linalg.eigvalsh(2 / n * A.T @ A).tolist()


def train(features, lr, n_epochs=300):
    """Part 4's loop, unchanged: nn.Linear on three features instead of one."""
    torch.manual_seed(0)
    model = nn.Linear(in_features=3, out_features=1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(1, n_epochs + 1):
        y_pred = model(features)  # 1. prediction
        loss = loss_fn(y_pred, y)  # 2. loss
        loss.backward()  # 3. gradients of the 3 weights and the bias
        optimizer.step()  # 4. update
        optimizer.zero_grad()
        losses.append(loss.item())
    return model, losses


# The best cubic, solved directly (least squares in float64), for comparison.
A = torch.cat([torch.ones(n, 1), raw], dim=1).double()
best = torch.linalg.lstsq(A, y.double()).solution.squeeze(1)
best_loss = ((A @ best - y.double().squeeze(1)) ** 2).mean().item()

print("features       lr = 1/l_max   slow factor   its 300th power")
runs = {}
for name, features in [("as they are", raw), ("standardised", standardised)]:
    lam = eigenvalues(features)
    lr = 1 / lam[-1]  # half the largest stable rate, 2 / l_max
    # What each epoch leaves of the error along the flattest direction (the
    # eigenvector of the smallest eigenvalue), and what 300 epochs leave.
    slow = 1 - lr * lam[0]
    print(f"{name:12}   {lr:12.4f}   {slow:11.5f}   {slow**300:15.2g}")
    runs[name] = (lr, *train(features, lr))
print()

# As in Parts 1 to 4, the loss an epoch logs is measured before its update:
# epoch 1's is the loss of the seeded start.
shown = [1, 10, 100, 300]
print("loss in epoch   " + "".join(f"{k:10d}" for k in shown))
for name, (lr, model, losses) in runs.items():
    print(f"{name:16}" + "".join(f"{losses[k - 1]:10.5f}" for k in shown))
print(f"the best cubic (least squares): {best_loss:.5f}")
print()

# The standardised model is the same cubic in other units: back to x's units.
lr, model, losses = runs["standardised"]
mean, std = raw.mean(dim=0), raw.std(dim=0, correction=0)
w = model.weight.detach().squeeze(0) / std
b = model.bias.item() - (w * mean).sum().item()
print(" " * 8 + "".join(f"{term:>9}" for term in ["1", "x", "x^2", "x^3"]))
for name, coefficients in [("trained", [b, *w.tolist()]), ("best", best.tolist())]:
    # round(c, 4) + 0.0 prints a tiny negative number as 0.0000, not -0.0000
    print(f"{name:8}" + "".join(f"{round(c, 4) + 0.0:9.4f}" for c in coefficients))
