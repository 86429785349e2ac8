import numpy as np

X = np.array([1, 2, 3, 4], dtype=np.float32)
y = np.array([2, 4, 6, 8], dtype=np.float32)

print(f"X * y         = {X * y}")  # element by element: x_i y_i
print(f"np.sum(X * y) = {np.sum(X * y)}")  # the sum over i of x_i y_i
print(f"np.dot(X, y)  = {np.dot(X, y)}")  # the same sum: the dot product X^T y
print(f"X @ y         = {X @ y}")  # @ is Python's operator for it
print(f"X.shape = {X.shape}, X.T.shape = {X.T.shape}")  # 1-D: .T changes nothing
