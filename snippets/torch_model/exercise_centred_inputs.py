import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
X_centred = X - X.mean()  # x - 2.5: the inputs now average 0
print(f"X_centred = {X_centred.squeeze(1).tolist()}")

# The second derivatives of the loss: d2L/dw2 = (2/n) sum x^2, d2L/db2 = 2 and
# d2L/dw db = (2/n) sum x, for the centred inputs, as the matrix H (the Hessian).
x, n = X_centred.squeeze(1).double(), len(X)
H = (2 / n) * torch.tensor([[(x * x).sum(), x.sum()], [x.sum(), n]])
print(f"d2L/dw2 = {H[0, 0]:.2f}, d2L/db2 = {H[1, 1]:.2f}, d2L/(dw db) = {H[0, 1]:.2f}")

# y = 2x = 2 (x - 2.5) + 5: on centred inputs the intercept is 5, the mean of y.
runs = [("raw", X, 0.0, 0.01), ("centred", X_centred, 5.0, 0.01)]
runs.append(("centred", X_centred, 5.0, 0.4))  # lr = 1 / 2.5: 1 / the larger curvature
for name, inputs, b_goal, lr in runs:
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(1, 100_001):
        loss = nn.MSELoss()(model(inputs), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        w, b = model.weight.item(), model.bias.item()
        if abs(w - 2) < 1e-3 and abs(b - b_goal) < 1e-3:
            break
    print(f"{name:7}, lr = {lr:4}: epoch {epoch:4d}: w = {w:.4f}, b = {b:.4f}")
