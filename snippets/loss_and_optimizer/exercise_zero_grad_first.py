import torch
from torch import nn

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
w = torch.tensor(0.0, requires_grad=True)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD([w], lr=0.01)

n_epochs = 50
history = []
for epoch in range(1, n_epochs + 1):
    optimizer.zero_grad()  # moved: first thing in the loop
    loss = loss_fn(w * X, y)
    loss.backward()
    optimizer.step()
    history.append((w.item(), loss.item()))
    if epoch <= 3 or epoch % 10 == 0:
        print(f"epoch {epoch:2d}: w = {w.item():.3f}, loss = {loss.item():.8f}")
