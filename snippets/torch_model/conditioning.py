import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
n = len(X)

# The MSE is quadratic in (w, b); its Hessian (matrix of second derivatives) is
# (2/n) [[sum x^2, sum x], [sum x, n]], the same at every (w, b).
x = X.squeeze(1).double()
H = (2 / n) * torch.tensor([[(x * x).sum(), x.sum()], [x.sum(), n]])
eigenvalues = torch.linalg.eigvalsh(H)  # ascending order
lam_min, lam_max = eigenvalues[0].item(), eigenvalues[1].item()
print(f"Hessian: {H.tolist()}")
print(f"eigenvalues: {lam_min:.3f} and {lam_max:.3f}")
print(f"condition number: {lam_max / lam_min:.1f}")
print(f"stable learning rates: lr < 2 / {lam_max:.3f} = {2 / lam_max:.4f}")

lr = 0.01
print(f"at lr = {lr}, the fast direction shrinks by {1 - lr * lam_max:.4f} per epoch")
print(f"at lr = {lr}, the slow direction shrinks by {1 - lr * lam_min:.4f} per epoch")

# How many epochs does nn.Linear(1, 1) really need at lr = 0.01?
torch.manual_seed(0)
model = nn.Linear(1, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
for epoch in range(1, 100_001):
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    w, b = model.weight.item(), model.bias.item()
    if abs(w - 2) < 1e-3 and abs(b) < 1e-3:
        break
    if epoch in (50, 500, 1000):
        print(f"epoch {epoch:4d}: w = {w:.4f}, b = {b:.4f}")
print(f"epoch {epoch:4d}: w = {w:.4f}, b = {b:.4f}  (both within 0.001)")
