import math

import torch
from torch import nn

X = torch.linspace(-math.pi, math.pi, 64).unsqueeze(1)
y = torch.sin(X)
raw = torch.cat([X, X**2, X**3], dim=1)  # not standardised
A = torch.cat([torch.ones(64, 1), raw], dim=1).double()
lam_max = torch.linalg.eigvalsh(2 / 64 * A.T @ A)[-1].item()

lr = 0.26  # about 1 / l_max of the standardised features
print(f"l_max = {lam_max:.1f}, so 2 / l_max = {2 / lam_max:.4f}")
print(f"the factor along its eigenvector: 1 - lr * l_max = {1 - lr * lam_max:.1f}")

torch.manual_seed(0)
model = nn.Linear(in_features=3, out_features=1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
losses = []
for epoch in range(1, 13):
    y_pred = model(raw)  # 1. prediction
    loss = loss_fn(y_pred, y)  # 2. loss
    loss.backward()  # 3. gradients
    optimizer.step()  # 4. update
    optimizer.zero_grad()
    losses.append(loss.item())
    print(f"epoch {epoch:2d}: loss = {loss.item():.3e}")
