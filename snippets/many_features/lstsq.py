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

# Least squares in closed form: append a column of ones for the bias and solve
# min ||A theta - y||^2 for theta = (w, b) directly.
A = torch.cat([X, torch.ones(n, 1)], dim=1)
theta = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)
w_exact, b_exact = theta[:d], theta[d].item()
print(f"lstsq:            w = {[round(v, 4) for v in w_exact.tolist()]}, ", end="")
print(f"b = {b_exact:.4f}")

# Gradient descent, as in the first program on this page.
w = torch.zeros(d)
b = torch.tensor(0.0)
for epoch in range(1000):
    error = X @ w + b - y
    w = w - 0.02 * 2 / n * X.T @ error
    b = b - 0.02 * 2 / n * error.sum()
print(f"gradient descent: w = {[round(v, 4) for v in w.tolist()]}, ", end="")
print(f"b = {b.item():.4f}")

difference = max((w - w_exact).abs().max().item(), abs(b.item() - b_exact))
# Its exact value depends on the order of float32 additions (how many threads
# the matrix products use), so the program prints its size, not its digits.
print(f"largest difference below 1e-4: {difference < 1e-4}")

# Why not closer? Along the valley's flattest direction, the eigenvector of the
# Hessian (2/n) A^T A with the smallest eigenvalue, every epoch multiplies the
# distance to the answer by 1 - lr * lambda_min. Computed in float64.
A64, y64 = A.double(), y.double()
eigenvalues, eigenvectors = torch.linalg.eigh(2 / n * A64.T @ A64)
lambda_min, slowest = eigenvalues[0].item(), eigenvectors[:, 0]
theta64 = torch.linalg.lstsq(A64, y64.unsqueeze(1)).solution.squeeze(1)
start = abs(slowest @ theta64).item()  # from theta = 0, along that direction
factor = (1 - 0.02 * lambda_min) ** 1000
print(f"lambda_min = {lambda_min:.3f}: (1 - 0.02 lambda_min)^1000 = {factor:.1e}")
print(f"along it: {start:.3f} at the start, {start * factor:.1e} after 1000 epochs")

# The same 1000 epochs in float64, where rounding is far too small to matter.
theta_gd = torch.zeros(d + 1, dtype=torch.float64)
for epoch in range(1000):
    theta_gd = theta_gd - 0.02 * 2 / n * A64.T @ (A64 @ theta_gd - y64)
left = (theta_gd - theta64).abs().max().item()
print(f"float64, 1000 epochs: largest difference from lstsq {left:.1e}")
