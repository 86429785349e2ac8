import numpy as np

X = np.array([1.0, 2.0, 3.0, 4.0])
y = np.array([2.0, 4.0, 6.0, 8.0])
n = len(X)
print(f"largest float64: {np.finfo(np.float64).max:.3e}")

# Part 1's loop, without any check, at a learning rate above 2 / 15.
w = 0.0
learning_rate = 0.2
n_epochs = 1100
history = []  # (w after, loss before) for every epoch
with np.errstate(over="ignore", invalid="ignore"):  # else NumPy only warns
    for epoch in range(1, n_epochs + 1):
        y_pred = w * X
        loss = np.mean((y_pred - y) ** 2)
        w = w - learning_rate * 2 * np.dot(X, y_pred - y) / n
        history.append((w, loss))

losses = [loss for _, loss in history]
weights = [w for w, _ in history]
loss_overflows = 1 + losses.index(np.inf)  # first epoch whose loss is inf
w_is_nan = 1 + [np.isnan(w) for w in weights].index(True)
for epoch in [1, 2, 3, loss_overflows - 1, loss_overflows, w_is_nan, n_epochs]:
    w, loss = history[epoch - 1]
    print(f"epoch {epoch:4d}: w = {w:10.3e}, loss = {loss:.3e}")
