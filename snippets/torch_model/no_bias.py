import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)

# No bias, and the weight set to 0: the same model as Parts 1 to 3.
model = nn.Linear(1, 1, bias=False)
nn.init.zeros_(model.weight)

loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

n_epochs = 50
history = []  # per epoch: (w after the step, loss before it), for comparisons

for epoch in range(1, n_epochs + 1):
    y_pred = model(X)  # 1. prediction
    loss = loss_fn(y_pred, y)  # 2. loss
    loss.backward()  # 3. gradient
    optimizer.step()  # 4. update
    optimizer.zero_grad()
    history.append((model.weight.item(), loss.item()))
    if epoch <= 3 or epoch % 5 == 0:
        w = model.weight.item()
        print(f"epoch {epoch:2d}: w = {w:.3f}, loss = {loss.item():.8f}")
