import torch
from torch import nn

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
loss_fn = nn.MSELoss()


def train(zero_grad, n_epochs=8):
    w = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.01)
    losses, grads = [], []
    for epoch in range(n_epochs):
        loss = loss_fn(w * X, y)
        loss.backward()
        grads.append(w.grad.item())
        optimizer.step()
        if zero_grad:
            optimizer.zero_grad()
        losses.append(loss.item())
    return losses, grads


losses_broken, grads_broken = train(zero_grad=False)
losses_fixed, grads_fixed = train(zero_grad=True)
print("epoch   w.grad (broken)   loss (broken)   w.grad (fixed)   loss (fixed)")
for epoch in range(8):
    print(
        f"{epoch + 1:5d}   {grads_broken[epoch]:15.3f}   {losses_broken[epoch]:13.3f}"
        f"   {grads_fixed[epoch]:14.3f}   {losses_fixed[epoch]:12.3f}"
    )
