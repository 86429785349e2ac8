import numpy as np

# The data: four points on the line y = 2x.
X = np.array([1, 2, 3, 4], dtype=np.float32)
y = np.array([2, 4, 6, 8], dtype=np.float32)
n = len(X)

# Setting dMSE/dw = (2/n) X^T (wX - y) to zero gives w* = X^T y / X^T X.
w_star = np.dot(X, y) / np.dot(X, X)
print(f"X^T y = {np.dot(X, y):.1f}")
print(f"X^T X = {np.dot(X, X):.1f}")
print(f"w*    = {w_star:.1f}")

# The curvature of the loss in w: c = d^2 L / dw^2 = (2/n) X^T X.
curvature = 2 * np.dot(X, X) / n
print(f"c     = {curvature:.1f}")
