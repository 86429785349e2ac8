import numpy as np

# Training data: four points on the line y = 2x.
X = np.array([1, 2, 3, 4], dtype=np.float32)
y = np.array([2, 4, 6, 8], dtype=np.float32)


def forward(x, w):
    # Prediction: y_hat = w x
    return w * x


def mse(y_pred, y):
    # Loss: (1/n) sum (y_hat - y)^2
    return ((y_pred - y) ** 2).mean()


def gradient(x, y, y_pred):
    # dMSE/dw = (2/n) x^T (w x - y), the last line of the derivation
    return 2 * np.dot(x, y_pred - y) / len(x)


w = 0.0
learning_rate = 0.01
n_epochs = 50
history = []  # (w after the update, loss before it) for every epoch

for epoch in range(1, n_epochs + 1):
    y_pred = forward(X, w)  # 1. prediction
    loss = mse(y_pred, y)  # 2. loss
    dw = gradient(X, y, y_pred)  # 3. gradient
    w = w - learning_rate * dw  # 4. update
    history.append((float(w), float(loss)))
    if epoch <= 3 or epoch % 5 == 0:
        print(f"epoch {epoch:2d}: w = {w:.3f}, loss = {loss:.8f}")
