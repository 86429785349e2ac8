import textwrap
import warnings

import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)  # shape (4, 1)
y_flat = torch.tensor([2, 4, 6, 8], dtype=torch.float32)  # shape (4,): the bug
y = y_flat.reshape(-1, 1)  # shape (4, 1): the fix
loss_fn = nn.MSELoss()

# The perfect model, w = 2 and no bias: its loss should be 0.
model = nn.Linear(1, 1, bias=False)
nn.init.constant_(model.weight, 2.0)
with torch.inference_mode():  # only looking: no graph needed for these numbers
    y_pred = model(X)
print(f"y_pred.shape = {tuple(y_pred.shape)}, y_flat.shape = {tuple(y_flat.shape)}")
print(f"(y_pred - y_flat).shape = {tuple((y_pred - y_flat).shape)}")

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    loss_broken = loss_fn(y_pred, y_flat)
for warning in caught:
    print(textwrap.fill(f"{warning.category.__name__}: {warning.message}", 80))
print(f"loss at w = 2, target (4,):   {loss_broken.item():.4f}")
print(f"loss at w = 2, target (4, 1): {loss_fn(y_pred, y).item():.4f}")


def train(target, n_epochs=200):
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # shown once above
        for epoch in range(n_epochs):
            loss = loss_fn(model(X), target)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    return model.weight.item(), loss.item()


w_broken, loss_broken = train(y_flat)
w_fixed, loss_fixed = train(y)
print(f"trained, target (4,):   w = {w_broken:.3f}, loss = {loss_broken:.4f}")
print(f"trained, target (4, 1): w = {w_fixed:.3f}, loss = {loss_fixed:.4f}")
