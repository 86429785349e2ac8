import numpy as np

# Part 4's model, y_hat = w x + b, on the same data, from w = b = 0.
X = np.array([1.0, 2.0, 3.0, 4.0])
y = np.array([2.0, 4.0, 6.0, 8.0])
n = len(X)


def hessian(x):
    # The MSE's matrix of second derivatives in (w, b): (2/n) [[sum x^2, sum x],
    # [sum x, n]]. It does not depend on w or b.
    return 2 / n * np.array([[np.sum(x**2), np.sum(x)], [np.sum(x), n]])


def epochs_to_fit(x, learning_rate, tolerance=1e-3, max_epochs=100_000):
    """Gradient descent on (w, b) with inputs x; epochs until the line fits.

    "Fits" means the prediction for every point of X is within tolerance of y.
    """
    w, b = 0.0, 0.0
    for epoch in range(1, max_epochs + 1):
        residual = w * x + b - y
        w, b = (
            w - learning_rate * 2 * np.dot(x, residual) / n,
            b - learning_rate * 2 * np.sum(residual) / n,
        )
        if np.max(np.abs(w * x + b - y)) < tolerance:
            return epoch
    return None


# Three ways to feed x to the same model: as it is, centred (mean 0), and
# standardised (mean 0, standard deviation 1).
inputs = {
    "x as it is": X,
    "centred": X - X.mean(),
    "standardised": (X - X.mean()) / X.std(),  # np.std divides by n
}
print("inputs         eigenvalues      condition   lr limit 2/l_max")
for name, x in inputs.items():
    low, high = np.linalg.eigvalsh(hessian(x))  # ascending order
    print(f"{name:13}  {low:6.3f} {high:7.3f}   {high / low:9.2f}   {2 / high:14.4f}")
# With the standard deviation that divides by n - 1 (torch.std's default), the
# curvature along w is 2 (n - 1) / n instead of 2.
x_n1 = (X - X.mean()) / X.std(ddof=1)
print(f"(standardised with n - 1: curvature along w {2 / n * np.sum(x_n1**2):.3f})")
print()

print("inputs         learning rate        epochs until every |y_hat - y| < 0.001")
runs = []
for name, x in inputs.items():
    low, high = np.linalg.eigvalsh(hessian(x))
    for label, learning_rate in [("0.01", 0.01), ("1 / l_max", 1 / high)]:
        epochs = epochs_to_fit(x, learning_rate)
        runs.append((name, learning_rate, epochs))
        print(f"{name:13}  {label:9} = {learning_rate:.4f}   {epochs:6d}")
