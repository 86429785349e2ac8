import torch
from torch import nn

y_pred = torch.tensor([0.9])  # the model's probability that the label is 1
target = torch.tensor([1.0])  # the true label

mse = nn.MSELoss()
print(f"MSELoss(input, target) = {mse(y_pred, target).item():.4f}")
print(f"MSELoss(target, input) = {mse(target, y_pred).item():.4f}  (symmetric)")

bce = nn.BCELoss()
print(f"BCELoss(input, target) = {bce(y_pred, target).item():.4f}")
print(f"BCELoss(target, input) = {bce(target, y_pred).item():.4f}  (wrong)")

# log(0) is -inf: BCELoss clamps its logarithms at -100, so a certain and wrong
# prediction costs 100, not infinity.
print(f"BCELoss(0.0, 1.0)      = {bce(torch.tensor([0.0]), target).item():.4f}")
