import numpy as np

X = np.array([1, 2, 3, 4], dtype=np.float32)
y = np.array([2, 4, 6, 8], dtype=np.float32)
c = 2 * np.dot(X, X) / len(X)  # the curvature of the loss, d2L/dw2
print(f"c = {c:.1f}, 1/c = {1 / c:.4f}, 2/c = {2 / c:.4f}")


def gradient(x, y, y_pred):
    return 2 * np.dot(x, y_pred - y) / len(x)


def train(learning_rate, n_epochs=6):
    w, ws = 0.0, []
    for epoch in range(n_epochs):
        w = w - learning_rate * gradient(X, y, w * X)
        ws.append(float(w))
    return ws


runs = {lr: train(lr) for lr in (0.01, 1 / 15, 0.1, 0.14)}
print("epoch" + "".join(f"   lr = {lr:.4f}" for lr in runs))
for epoch in range(6):
    print(f"{epoch + 1:5d}" + "".join(f"   {ws[epoch]:11.3f}" for ws in runs.values()))
