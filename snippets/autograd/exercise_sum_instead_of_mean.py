import torch

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)

for name in ("mean", "sum"):
    w = torch.tensor(0.0, requires_grad=True)
    squared_errors = (w * X - y) ** 2
    loss = squared_errors.mean() if name == "mean" else squared_errors.sum()
    loss.backward()
    print(f"squared_errors.{name + '()':7}  loss = {loss.item():6.1f}, ", end="")
    print(f"w.grad = {w.grad.item():7.1f}")
