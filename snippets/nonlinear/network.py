import math

import torch
from torch import nn

torch.manual_seed(0)  # the layers start from random values: fix them

X = torch.linspace(-math.pi, math.pi, 64).unsqueeze(1)  # 64 samples, 1 feature
y = torch.sin(X)

# 1. Design the model: a line, a nonlinearity, a line. Each of the 16 hidden
# units computes tanh(w x + b); the output layer adds them up with weights.
model = nn.Sequential(
    nn.Linear(in_features=1, out_features=16),
    nn.Tanh(),
    nn.Linear(in_features=16, out_features=1),
)
print(model)
n_parameters = sum(p.numel() for p in model.parameters())
print(f"{n_parameters} parameters")

# 2. Construct the loss and the optimizer.
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)

# 3. The training loop: the same four steps as for the line.
losses = []
for epoch in range(1, 301):
    y_pred = model(X)  # 1. prediction
    loss = loss_fn(y_pred, y)  # 2. loss
    loss.backward()  # 3. gradients of all the parameters
    optimizer.step()  # 4. update
    optimizer.zero_grad()
    losses.append(loss.item())
    if epoch in (1, 10, 100, 200, 300):
        print(f"epoch {epoch:3d}: loss = {loss.item():.6f}")

with torch.no_grad():  # predictions to look at: no graph needed
    largest_error = (model(X) - y).abs().max().item()
print(f"largest |y_hat - sin x| on the 64 points: {largest_error:.4f}")
