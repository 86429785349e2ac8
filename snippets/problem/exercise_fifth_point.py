import numpy as np

# A fifth point on the same line: x = 5, y = 10.
X = np.array([1, 2, 3, 4, 5], dtype=np.float32)
y = np.array([2, 4, 6, 8, 10], dtype=np.float32)
n = len(X)

w_star = np.dot(X, y) / np.dot(X, X)  # X^T y / X^T X
curvature = 2 * np.dot(X, X) / n  # c = (2/n) X^T X
print(f"n = {n}")
print(f"w*        = {w_star:.1f}")
print(f"c         = {curvature:.1f}")
