import torch
from torch import nn

# Training data: four points on the line y = 2x.
X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)

# 1. Design the model: still y_hat = w x, written by hand.
w = torch.tensor(0.0, requires_grad=True)


def forward(x, w):
    return w * x


# 2. Construct the loss and the optimizer.
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD([w], lr=0.01)

# 3. The training loop: forward, backward, step.
n_epochs = 50
history = []  # (w after the update, loss before it) for every epoch

for epoch in range(1, n_epochs + 1):
    y_pred = forward(X, w)  # 1. prediction
    loss = loss_fn(y_pred, y)  # 2. loss: input first, target second
    loss.backward()  # 3. gradient
    optimizer.step()  # 4. update: w -= lr * w.grad
    optimizer.zero_grad()  # clear w.grad for the next epoch
    history.append((w.item(), loss.item()))
    if epoch <= 3 or epoch % 5 == 0:
        print(f"epoch {epoch:2d}: w = {w.item():.3f}, loss = {loss.item():.8f}")
