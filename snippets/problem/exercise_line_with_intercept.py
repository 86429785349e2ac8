import numpy as np

# Points on y = 2x + 1, fitted with the model y_hat = w x (no intercept).
X = np.array([1, 2, 3, 4], dtype=np.float32)
y = 2 * X + 1

w_star = np.dot(X, y) / np.dot(X, X)  # X^T y / X^T X
loss = np.mean((w_star * X - y) ** 2)
gradient = 2 * np.dot(X, w_star * X - y) / len(X)
print(f"y      = {y}")
print(f"w*     = {w_star:.4f}")
print(f"w* X   = {np.round(w_star * X, 3)}")
print(f"loss at w*     = {loss:.4f}")
print(f"gradient at w* = {gradient:.1e}  (zero, up to float32 rounding)")
