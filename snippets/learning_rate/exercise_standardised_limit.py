import numpy as np

X = np.array([1.0, 2.0, 3.0, 4.0])
y = np.array([2.0, 4.0, 6.0, 8.0])
n = len(X)
x = (X - X.mean()) / X.std()  # standardised (np.std divides by n): mean 0, std 1

# y = 2X = 2 std (x) + 2 mean: the answer in the standardised units.
w_star, b_star = 2 * X.std(), 2 * X.mean()
H = 2 / n * np.array([[np.sum(x**2), np.sum(x)], [np.sum(x), n]])
eigenvalues = np.linalg.eigvalsh(H)
print(f"eigenvalues of H: {eigenvalues[0]:.3f} and {eigenvalues[1]:.3f}")
print(f"answer: w* = {w_star:.4f}, b* = {b_star:.4f}")

learning_rate = 1.0  # 2 / lambda, for lambda = 2
w, b = 0.0, 0.0
for epoch in range(1, 1001):
    residual = w * x + b - y
    loss = np.mean(residual**2)  # before the step
    w, b = (
        w - learning_rate * 2 * np.dot(x, residual) / n,
        b - learning_rate * 2 * np.sum(residual) / n,
    )
    if epoch <= 4 or epoch >= 999:
        print(f"epoch {epoch:4d}: w = {w:.4f}, b = {b:.4f}, loss = {loss:.4f}")
