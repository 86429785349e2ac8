import torch
from torch import nn

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
n = len(X)


def train(loss_fn, lr, n_epochs=5):
    w = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    ws = []
    for epoch in range(n_epochs):
        loss = loss_fn(w * X, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        ws.append(w.item())
    return ws


mean_run = train(nn.MSELoss(), lr=0.01)
sum_same_lr = train(nn.MSELoss(reduction="sum"), lr=0.01)
sum_lr_over_n = train(nn.MSELoss(reduction="sum"), lr=0.01 / n)
print("epoch   mean, lr   sum, lr   sum, lr / n")
for epoch in range(5):
    print(
        f"{epoch + 1:5d}   {mean_run[epoch]:8.4f}   {sum_same_lr[epoch]:7.4f}   "
        f"{sum_lr_over_n[epoch]:11.4f}"
    )
