import numpy as np

X = np.array([1, 2, 3, 4], dtype=np.float32)
y = np.array([2, 4, 6, 8], dtype=np.float32)


def gradient(x, y, y_pred):
    # Correct: (2/n) x^T (y_hat - y)
    return 2 * np.dot(x, y_pred - y) / len(x)


def seed_gradient(x, y, y_pred):
    # The original notebook's line: np.dot already returns one number,
    # so .mean() averages a single value and the 1/n never happens.
    return np.dot(2 * x, y_pred - y).mean()


y_pred = 0.0 * X  # the prediction at w = 0
dot = np.dot(2 * X, y_pred - y)
print(f"np.dot(2 * X, y_pred - y) = {dot}, a NumPy scalar: {type(dot)}")
print(f"seed gradient at w = 0:    {seed_gradient(X, y, y_pred):.3f}")
print(f"correct gradient at w = 0: {gradient(X, y, y_pred):.3f}")
print(f"ratio: {seed_gradient(X, y, y_pred) / gradient(X, y, y_pred):.3f} = n")
print()

# Train both for five epochs with the same learning rate.
learning_rate = 0.01
w_ok, w_seed = 0.0, 0.0
print("epoch   w (correct)   w (seed's gradient)")
for epoch in range(1, 6):
    w_ok = w_ok - learning_rate * gradient(X, y, w_ok * X)
    w_seed = w_seed - learning_rate * seed_gradient(X, y, w_seed * X)
    print(f"{epoch:5d}   {w_ok:11.3f}   {w_seed:19.3f}")
