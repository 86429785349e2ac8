import torch

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
w = torch.tensor(0.0, requires_grad=True)
learning_rate = 0.01

# Each row: the true gradient at the w the epoch starts from, what w.grad holds
# after backward(), and the w that the step moves to.
print("epoch   true dMSE/dw   w.grad without zero_()   w after the step")
for epoch in range(1, 6):
    loss = ((w * X - y) ** 2).mean()
    loss.backward()
    true_grad = (2 * X * (w.detach() * X - y)).mean()  # (2/n) X^T (wX - y)
    with torch.no_grad():
        w -= learning_rate * w.grad
    # w.grad.zero_() is missing: the next backward() adds to this value
    print(
        f"{epoch:5d}   {true_grad.item():12.3f}   {w.grad.item():22.3f}   "
        f"{w.item():.3f}"
    )
