import numpy as np

X = np.array([1, 2, 3, 4], dtype=np.float32)
y = np.array([2, 4, 6, 8], dtype=np.float32)
n = len(X)


def gradient(x, y, y_pred):
    return 2 * np.dot(x, y_pred - y) / len(x)  # (2/n) X^T (wX - y)


def gradient_without_one_over_n(x, y, y_pred):
    return 2 * np.dot(x, y_pred - y)  # 2 X^T (wX - y): n times larger


w_ok, w_no_n = 0.0, 0.0
history_ok, history_no_n = [], []
print("epoch   correct, lr = 0.01   no 1/n, lr = 0.01 / n")
for epoch in range(1, 6):
    w_ok = w_ok - 0.01 * gradient(X, y, w_ok * X)
    w_no_n = w_no_n - 0.01 / n * gradient_without_one_over_n(X, y, w_no_n * X)
    history_ok.append(float(w_ok))
    history_no_n.append(float(w_no_n))
    print(f"{epoch:5d}   {w_ok:18.6f}   {w_no_n:21.6f}")
