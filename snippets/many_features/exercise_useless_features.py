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

# 150 more features of pure noise: y does not depend on them at all.
extra = torch.Generator().manual_seed(1)
n_useless = 150
X_more = torch.cat([X, torch.randn(n, n_useless, generator=extra)], dim=1)
X_val_more = torch.cat([X_val, torch.randn(n_val, n_useless, generator=extra)], dim=1)


def fit(X, y):
    """The least-squares (w, b), in closed form as on the page."""
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1)
    theta = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)
    return theta[:-1], theta[-1].item()


def mse(X, y, w, b):
    return ((X @ w + b - y) ** 2).mean().item()


print(f"{'features':>8}  {'parameters':>10}  {'training loss':>13}  validation loss")
results = {}
for inputs, inputs_val in [(X, X_val), (X_more, X_val_more)]:
    w, b = fit(inputs, y)
    results[inputs.shape[1]] = (mse(inputs, y, w, b), mse(inputs_val, y_val, w, b), w)
    train, val, _ = results[inputs.shape[1]]
    print(
        f"{inputs.shape[1]:8d}  {inputs.shape[1] + 1:10d}  {train:13.4f}  {val:15.4f}"
    )
useless = results[d + n_useless][2][d:]
print(f"largest weight of a useless feature: {useless.abs().max().item():.3f}")
