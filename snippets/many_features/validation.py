import torch

# The page's data set: the first 200 samples of the seeded generator.
generator = torch.Generator().manual_seed(0)
n, d = 200, 3
w_true = torch.tensor([2.0, -3.4, 1.0])
b_true = 4.2
spread = torch.tensor([1.0, 5.0, 0.5])
centre = torch.tensor([0.0, 3.0, 0.0])
X = torch.randn(n, d, generator=generator) * spread + centre
noise = 0.1 * torch.randn(n, generator=generator)
y = X @ w_true + b_true + noise

# New samples from the same source, drawn after the training data and never
# trained on: the validation set.
n_val = 1000
X_val = torch.randn(n_val, d, generator=generator) * spread + centre
y_val = X_val @ w_true + b_true + 0.1 * torch.randn(n_val, generator=generator)


def mse(X, y, w, b):
    return ((X @ w + b - y) ** 2).mean().item()


# The training loop of the first program: it only ever sees X and y.
w = torch.zeros(d)
b = torch.tensor(0.0)
print("epoch  training loss  validation loss  (after the epoch's step)")
for epoch in range(1, 1001):
    error = X @ w + b - y
    w = w - 0.02 * 2 / n * X.T @ error
    b = b - 0.02 * 2 / n * error.sum()
    if epoch in (1, 10, 100, 1000):
        print(f"{epoch:5d}  {mse(X, y, w, b):13.6f}  {mse(X_val, y_val, w, b):15.6f}")

print()
print(f"                 training ({n})  validation ({n_val})")
losses = {}
for name, (weights, bias) in [("learned", (w, b)), ("true", (w_true, b_true))]:
    losses[name] = (mse(X, y, weights, bias), mse(X_val, y_val, weights, bias))
    label = f"{name} weights"
    print(f"{label:15}  {losses[name][0]:14.6f}  {losses[name][1]:17.6f}")
