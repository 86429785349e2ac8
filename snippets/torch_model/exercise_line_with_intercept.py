import torch
from torch import nn

# Four points on y = 2x + 1, shaped (n_samples, n_features).
X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = 2 * X + 1
loss_fn = nn.MSELoss()

for bias in (False, True):
    torch.manual_seed(0)
    model = nn.Linear(1, 1, bias=bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(2000):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    b = model.bias.item() if bias else 0.0
    print(f"bias={bias!s:5}: w = {model.weight.item():.4f}, b = {b:.4f}, ", end="")
    print(f"loss = {loss.item():.6f}")
