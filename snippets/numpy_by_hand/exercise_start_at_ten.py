import numpy as np

X = np.array([1, 2, 3, 4], dtype=np.float32)
y = np.array([2, 4, 6, 8], dtype=np.float32)


def gradient(x, y, y_pred):
    return 2 * np.dot(x, y_pred - y) / len(x)


def train(w, learning_rate=0.01, n_epochs=50):
    history = []  # (w after the update, loss before it)
    for epoch in range(n_epochs):
        y_pred = w * X
        loss = np.mean((y_pred - y) ** 2)
        w = w - learning_rate * gradient(X, y, y_pred)
        history.append((float(w), float(loss)))
    return history


from_ten = train(10.0)  # start above the answer
from_zero = train(0.0)  # Part 1's start, for comparison
print("epoch   w from 10   w from 0   distance to 2, ratio   loss, ratio")
for epoch in (1, 2, 3, 10, 20, 50):
    (w10, loss10), (w0, loss0) = from_ten[epoch - 1], from_zero[epoch - 1]
    distance_ratio = abs(w10 - 2) / abs(w0 - 2)
    print(
        f"{epoch:5d}   {w10:9.3f}   {w0:8.3f}   {distance_ratio:20.3f}   "
        f"{loss10 / loss0:11.3f}"
    )
