import numpy as np

X = np.array([1, 2, 3, 4], dtype=np.float32)
y = np.array([2, 4, 6, 8], dtype=np.float32)


def gradient_broken(x, y, y_pred):
    # np.dot returns one number: .mean() of one number changes nothing.
    return np.dot(2 * x, y_pred - y).mean()


def gradient_fixed(x, y, y_pred):
    return 2 * np.dot(x, y_pred - y) / len(x)  # (2/n) X^T (wX - y)


# One step from w = 0 with the learning rate of Parts 1 to 3.
step_broken = 0.01 * gradient_broken(X, y, 0 * X)
step_fixed = 0.01 * gradient_fixed(X, y, 0 * X)
print(f"first step at lr = 0.01: broken {-step_broken:.3f}, fixed {-step_fixed:.3f}")
print(f"ratio: {step_broken / step_fixed:.1f} = n = {len(X)}")
print()

# Five epochs at a learning rate that is safe for the correct gradient.
learning_rate = 0.05
w_broken, w_fixed = 0.0, 0.0
print(f"lr = {learning_rate}   loss (broken)   loss (fixed)")
for epoch in range(1, 6):
    loss_broken = np.mean((w_broken * X - y) ** 2)
    loss_fixed = np.mean((w_fixed * X - y) ** 2)
    w_broken -= learning_rate * gradient_broken(X, y, w_broken * X)
    w_fixed -= learning_rate * gradient_fixed(X, y, w_fixed * X)
    print(f"epoch {epoch}   {loss_broken:13.4g}   {loss_fixed:12.4g}")
print(f"w after 5 epochs: {w_broken:.3f} (broken), {w_fixed:.3f} (fixed)")
