import math

import torch
from torch import nn

# The network of the training run, at its seeded start, in float64 (so that a
# finite difference is accurate to many digits).
torch.manual_seed(0)
X = torch.linspace(-math.pi, math.pi, 64, dtype=torch.float64).unsqueeze(1)
y = torch.sin(X)
model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1)).double()
loss_fn = nn.MSELoss()

loss = loss_fn(model(X), y)
loss.backward()  # autograd: the gradient of every parameter, in one call


def central_difference(parameter, i, h=1e-6):
    """dL/d(entry i of parameter), from the loss at two nearby values."""
    flat = parameter.view(-1)  # the same numbers, as one row
    with torch.no_grad():
        original = flat[i].item()
        flat[i] = original + h
        above = loss_fn(model(X), y).item()
        flat[i] = original - h
        below = loss_fn(model(X), y).item()
        flat[i] = original  # put it back
    return (above - below) / (2 * h)


print("parameter  shape     largest |gradient|   largest |autograd - difference|")
for name, parameter in model.named_parameters():
    numeric = [central_difference(parameter, i) for i in range(parameter.numel())]
    numeric = torch.tensor(numeric, dtype=torch.float64).view(parameter.shape)
    largest = parameter.grad.abs().max().item()
    difference = (parameter.grad - numeric).abs().max().item()
    print(
        f"{name:9}  {str(tuple(parameter.shape)):8}  {largest:18.6f}   {difference:.0e}"
    )
