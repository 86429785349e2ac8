import torch

# The page's data set, and its validation set, as in the program above.
generator = torch.Generator().manual_seed(0)
n, d = 200, 3
w_true = torch.tensor([2.0, -3.4, 1.0])
b_true = 4.2
spread = torch.tensor([1.0, 5.0, 0.5])
centre = torch.tensor([0.0, 3.0, 0.0])
X = torch.randn(n, d, generator=generator) * spread + centre
noise = 0.1 * torch.randn(n, generator=generator)
y = X @ w_true + b_true + noise
n_val = 1000
X_val = torch.randn(n_val, d, generator=generator) * spread + centre
y_val = X_val @ w_true + b_true + 0.1 * torch.randn(n_val, generator=generator)


def fit(X, y):
    """The least-squares (w, b), in closed form as on the page."""
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1)
    theta = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)
    return theta[:-1], theta[-1].item()


def mse(X, y, w, b):
    return ((X @ w + b - y) ** 2).mean().item()


for name, columns in [("all three features", [0, 1, 2]), ("without the third", [0, 1])]:
    w, b = fit(X[:, columns], y)
    train = mse(X[:, columns], y, w, b)
    val = mse(X_val[:, columns], y_val, w, b)
    print(f"{name}: w = {[round(v, 3) for v in w.tolist()]}, b = {b:.3f}")
    print(f"  training loss {train:.4f}, validation loss {val:.4f}")
