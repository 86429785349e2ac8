import torch

# A synthetic data set whose answer we know: n samples of d features,
# y = X w_true + b_true + noise. The features have different spreads.
generator = torch.Generator().manual_seed(0)
n, d = 200, 3
w_true = torch.tensor([2.0, -3.4, 1.0])
b_true = 4.2
spread = torch.tensor([1.0, 5.0, 0.5])
centre = torch.tensor([0.0, 3.0, 0.0])
X = torch.randn(n, d, generator=generator) * spread + centre
noise = 0.1 * torch.randn(n, generator=generator)
y = X @ w_true + b_true + noise
print(f"X.shape = {tuple(X.shape)}, y.shape = {tuple(y.shape)}")

# Gradient descent with the vector-form gradient, written by hand.
w = torch.zeros(d)
b = torch.tensor(0.0)
lr = 0.02
n_epochs = 1000
for epoch in range(1, n_epochs + 1):
    error = X @ w + b - y  # Xw + b - y, one entry per sample
    loss = (error**2).mean()
    grad_w = 2 / n * X.T @ error  # (2/n) X^T (Xw + b - y)
    grad_b = 2 / n * error.sum()  # (2/n) 1^T (Xw + b - y)
    w = w - lr * grad_w
    b = b - lr * grad_b
    if epoch in (1, 10, 100, 500, n_epochs):
        print(f"epoch {epoch:4d}: loss = {loss.item():10.6f}")

print(f"learned: w = {[round(v, 3) for v in w.tolist()]}, b = {b.item():.3f}")
print(f"true:    w = {[round(v, 3) for v in w_true.tolist()]}, b = {b_true:.3f}")
error = max((w - w_true).abs().max().item(), abs(b.item() - b_true))
print(f"largest error: {error:.4f}")
# The loss the true weights would have: the mean square of the noise itself.
print(f"loss of the true weights: {(noise**2).mean().item():.6f}")
