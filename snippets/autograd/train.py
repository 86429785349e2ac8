import torch

# Training data: four points on the line y = 2x.
X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)

# requires_grad=True asks autograd to record every operation on w.
w = torch.tensor(0.0, requires_grad=True)


def forward(x, w):
    return w * x


def mse(y_pred, y):
    return ((y_pred - y) ** 2).mean()


learning_rate = 0.01
n_epochs = 50
history = []  # (w after the update, loss before it) for every epoch

for epoch in range(1, n_epochs + 1):
    y_pred = forward(X, w)  # 1. prediction
    loss = mse(y_pred, y)  # 2. loss
    loss.backward()  # 3. gradient: fills w.grad with dMSE/dw
    with torch.no_grad():  # 4. update, not recorded by autograd
        w -= learning_rate * w.grad
    w.grad.zero_()  # backward() adds to w.grad: clear it for the next epoch
    history.append((w.item(), loss.item()))
    if epoch <= 3 or epoch % 5 == 0:
        print(f"epoch {epoch:2d}: w = {w.item():.3f}, loss = {loss.item():.8f}")
