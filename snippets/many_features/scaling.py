import torch

# A synthetic data set whose answer we know (as on the page).
generator = torch.Generator().manual_seed(0)
n, d = 200, 3
w_true = torch.tensor([2.0, -3.4, 1.0])
b_true = 4.2
spread = torch.tensor([1.0, 5.0, 0.5])
centre = torch.tensor([0.0, 3.0, 0.0])
X = torch.randn(n, d, generator=generator) * spread + centre
noise = 0.1 * torch.randn(n, generator=generator)
y = X @ w_true + b_true + noise


def epochs_to_converge(X, y, tolerance=1e-3, max_epochs=5000):
    """Gradient descent at lr = 1 / (largest curvature); count the epochs until
    (w, b) is within tolerance of the least-squares solution."""
    n, d = X.shape
    A = torch.cat([X, torch.ones(n, 1)], dim=1)
    H = 2 / n * A.T @ A  # the Hessian of the MSE in (w, b)
    eigenvalues = torch.linalg.eigvalsh(H)  # ascending
    lr = 1 / eigenvalues[-1].item()
    theta_exact = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)
    theta = torch.zeros(d + 1)
    for epoch in range(1, max_epochs + 1):
        theta = theta - lr * 2 / n * A.T @ (A @ theta - y)
        if (theta - theta_exact).abs().max() < tolerance:
            break
    condition = (eigenvalues[-1] / eigenvalues[0]).item()
    return theta, epoch, lr, condition


# Each feature's mean and standard deviation (dividing by n, like the loss).
mean, std = X.mean(dim=0), X.std(dim=0, correction=0)
print(f"feature means: {[round(v, 2) for v in mean.tolist()]}")
print(f"feature stds:  {[round(v, 2) for v in std.tolist()]}")

# The Hessian (2/n) A^T A, A = [X 1]: a weight's curvature is 2 (std^2 + mean^2),
# and the entry that couples it with the bias is 2 mean.
A = torch.cat([X, torch.ones(n, 1)], dim=1)
H = 2 / n * A.T @ A
rows = {
    "curvature of each weight": H.diag()[:d],
    "2 (std^2 + mean^2)": 2 * (std**2 + mean**2),
    "weight-bias entries": H[:d, d],
    "2 mean": 2 * mean,
}
for label, values in rows.items():
    print(f"{label + ':':26s}{[round(v, 2) for v in values.tolist()]}")
print()

# Standardise: subtract each feature's mean, divide by its standard deviation.
X_scaled = (X - mean) / std

# The curvature is 2 only with the standard deviation that divides by n, like
# the loss: torch.std's default (correction=1) divides by n - 1.
for correction in (0, 1):
    scaled = (X - mean) / X.std(dim=0, correction=correction)
    curvatures = (2 / n * (scaled**2).sum(dim=0)).tolist()
    print(f"standardised, correction={correction}: ", end="")
    print(f"curvatures {[round(v, 4) for v in curvatures]}")
print()

print("features      condition number  lr       epochs")
results = {}
for name, features in [("raw", X), ("standardised", X_scaled)]:
    theta, epochs, lr, condition = epochs_to_converge(features, y)
    results[name] = (theta, epochs)
    print(f"{name:12s}  {condition:16.1f}  {lr:.4f}  {epochs:6d}")

# The weights of the scaled features, converted back to the raw units:
# w_raw = w_scaled / std and b_raw = b_scaled - sum(w_scaled * mean / std).
theta, _ = results["standardised"]
w_back = theta[:d] / std
b_back = theta[d] - (theta[:d] * mean / std).sum()
print(f"back in raw units: w = {[round(v, 3) for v in w_back.tolist()]}, ", end="")
print(f"b = {b_back.item():.3f}")
