import numpy as np
import torch

X = np.array([1, 2, 3, 4], dtype=np.float32)
y = np.array([2, 4, 6, 8], dtype=np.float32)
learning_rate = 0.01

# Broken: y_pred is computed once, before the loop, and never again.
w = 0.0
y_pred = w * X
print("broken (NumPy): y_pred computed before the loop")
for epoch in range(1, 11):
    loss = np.mean((y_pred - y) ** 2)
    w = w - learning_rate * 2 * np.dot(X, y_pred - y) / len(X)
    if epoch <= 2 or epoch % 4 == 0:
        print(f"  epoch {epoch:2d}: w = {w:.3f}, loss = {loss:.3f}")

# The same mistake in PyTorch fails at once: the graph of y_pred is used up.
w_t = torch.tensor(0.0, requires_grad=True)
X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
y_pred_t = w_t * X_t
print("broken (PyTorch): y_pred computed before the loop")
try:
    for epoch in range(1, 3):
        loss = ((y_pred_t - y_t) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w_t -= learning_rate * w_t.grad
        w_t.grad.zero_()
        print(f"  epoch {epoch}: w = {w_t.item():.3f}, loss = {loss.item():.3f}")
except RuntimeError as error:
    print(f"  epoch {epoch}: RuntimeError: {str(error).split(' (')[0]}")

# Fixed: predict from the current w at the top of every epoch.
w = 0.0
print("fixed: y_pred computed inside the loop")
for epoch in range(1, 11):
    y_pred = w * X
    loss = np.mean((y_pred - y) ** 2)
    w = w - learning_rate * 2 * np.dot(X, y_pred - y) / len(X)
    if epoch <= 2 or epoch % 4 == 0:
        print(f"  epoch {epoch:2d}: w = {w:.3f}, loss = {loss:.3f}")
