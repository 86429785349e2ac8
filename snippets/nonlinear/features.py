import math

import torch

# The data: y = sin x on a fixed grid of 64 points from -pi to pi, one per row.
X = torch.linspace(-math.pi, math.pi, 64).unsqueeze(1)
y = torch.sin(X)
n = len(X)

# A cubic, y_hat = b + w1 x + w2 x^2 + w3 x^3, is a linear model of three
# features: nn.Linear(3, 1) on the columns x, x^2 and x^3.
raw = torch.cat([X, X**2, X**3], dim=1)  # shape (64, 3)
names = ["1 (bias)", "x", "x^2", "x^3"]


def hessian(features):
    # The MSE's second derivatives in (b, w1, w2, w3): (2/n) A^T A, where A is
    # the features with a column of ones for the bias. The same at every point.
    A = torch.cat([torch.ones(n, 1), features], dim=1).double()
    return 2 / n * A.T @ A


def report(features):
    H = hessian(features)
    largest = torch.cat([torch.ones(1), features.abs().amax(dim=0)])
    print("feature    largest |value|   curvature along its weight")
    for name, size, curvature in zip(names, largest, H.diagonal(), strict=True):
        print(f"{name:8}   {size:15.2f}   {curvature:26.3f}")
    eigenvalues = torch.linalg.eigvalsh(H)  # ascending
    lam_min, lam_max = eigenvalues[0].item(), eigenvalues[-1].item()
    print("eigenvalues of H:", ", ".join(f"{lam:.3f}" for lam in eigenvalues))
    print(f"condition number l_max / l_min = {lam_max / lam_min:.1f}")
    print(f"largest stable learning rate 2 / l_max = {2 / lam_max:.4f}")
    return eigenvalues


print("x, x^2 and x^3 as they are:")
raw_eigenvalues = report(raw)
print()

# Standardised: each column minus its mean, divided by its standard deviation
# (the population's, correction=0: the mean square of the centred column is 1).
mean, std = raw.mean(dim=0), raw.std(dim=0, correction=0)
standardised = (raw - mean) / std
print("standardised, each column (f - mean) / std:")
standardised_eigenvalues = report(standardised)
sample_std = (raw - mean) / raw.std(dim=0)  # torch.std's default: correction=1
curvatures = hessian(sample_std).diagonal()[1:]
print("with torch.std's default (correction=1) instead, the curvatures of x, x^2")
print("and x^3 would be", ", ".join(f"{c:.3f}" for c in curvatures))
correlation = (standardised[:, 0] * standardised[:, 2]).mean().item()
print(f"correlation of x and x^3: {correlation:.3f}")
