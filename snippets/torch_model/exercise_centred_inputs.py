import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
X_centred = X - X.mean()  # x - 2.5: the inputs now average 0
print(f"X_centred = {X_centred.squeeze(1).tolist()}")

# The loss's three second derivatives, for the centred inputs: the curvature
# along w, (2/n) sum x^2; along b, 2; and the mixed one, (2/n) sum x, which says
# how much the slope along w changes when b moves (what tilts the valley).
x, n = X_centred.squeeze(1).double(), len(X)
curvature_w, curvature_b = (2 / n * (x * x).sum()).item(), 2.0
mixed = (2 / n * x.sum()).item()
print(f"d2L/dw2 = {curvature_w:.2f}, d2L/db2 = {curvature_b:.2f}, ", end="")
print(f"d2L/(dw db) = {mixed:.2f}")

# y = 2x = 2 (x - 2.5) + 5: on centred inputs the intercept is 5, the mean of y.
loss_fn = nn.MSELoss()
runs = [("raw", X, 0.0, 0.01), ("centred", X_centred, 5.0, 0.01)]
runs.append(("centred", X_centred, 5.0, 0.4))  # lr = 1 / 2.5: 1 / the larger curvature
for name, inputs, b_goal, lr in runs:
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(1, 100_001):
        loss = loss_fn(model(inputs), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        w, b = model.weight.item(), model.bias.item()
        if abs(w - 2) < 1e-3 and abs(b - b_goal) < 1e-3:
            break
    print(f"{name:7}, lr = {lr:4}: epoch {epoch:4d}: w = {w:.6f}, b = {b:.6f}")
