import torch

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
learning_rate = 0.01

# Broken: the in-place update is recorded by autograd, and PyTorch refuses.
w = torch.tensor(0.0, requires_grad=True)
loss = ((w * X - y) ** 2).mean()
loss.backward()
try:
    w -= learning_rate * w.grad
except RuntimeError as error:
    print(f"broken: RuntimeError: {error}")
print(f"broken: w = {w.item():.3f} (not updated)")

# Fixed: the same line inside torch.no_grad().
w = torch.tensor(0.0, requires_grad=True)
loss = ((w * X - y) ** 2).mean()
loss.backward()
with torch.no_grad():
    w -= learning_rate * w.grad
w.grad.zero_()
print(f"fixed:  w = {w.item():.3f}, still a leaf: {w.is_leaf}")
