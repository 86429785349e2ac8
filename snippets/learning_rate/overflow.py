import numpy as np

X = np.array([1.0, 2.0, 3.0, 4.0])
y = np.array([2.0, 4.0, 6.0, 8.0])
n = len(X)
print(f"largest float64: {np.finfo(np.float64).max:.3e}")

# Part 1's loop, without any check, at a learning rate above 2 / 15.
w = 0.0
learning_rate = 0.2
n_epochs = 1100
history = []  # per epoch: (loss before the step, gradient, w after the step)
with np.errstate(over="ignore", invalid="ignore"):  # else NumPy only warns
    for epoch in range(1, n_epochs + 1):
        y_pred = w * X
        loss = np.mean((y_pred - y) ** 2)
        gradient = 2 * np.dot(X, y_pred - y) / n
        w = w - learning_rate * gradient
        history.append((loss, gradient, w))


def first_epoch(condition):
    """The first epoch whose (loss, gradient, w) satisfies condition."""
    return next(e for e, row in enumerate(history, start=1) if condition(*row))


loss_overflows = first_epoch(lambda loss, gradient, w: np.isinf(loss))
gradient_overflows = first_epoch(lambda loss, gradient, w: np.isinf(gradient))
w_is_nan = first_epoch(lambda loss, gradient, w: np.isnan(w))
shown = [1, 2, 3, loss_overflows - 1, loss_overflows]
shown += [gradient_overflows - 1, gradient_overflows, w_is_nan, n_epochs]
print("epoch  loss before     gradient      w after")
for epoch in shown:
    loss, gradient, w = history[epoch - 1]
    print(f"{epoch:5d}  {loss:11.3e}  {gradient:11.3e}  {w:11.3e}")
