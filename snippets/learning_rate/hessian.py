import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
n = len(X)

# The MSE is quadratic in (w, b); its Hessian (matrix of second derivatives) is
# (2/n) [[sum x^2, sum x], [sum x, n]], the same at every (w, b).
x = X.squeeze(1).double()
H = (2 / n) * torch.tensor([[(x * x).sum(), x.sum()], [x.sum(), n]])
print(f"Hessian H = {H.tolist()}")

# Eigenvalues in ascending order; the eigenvectors are the columns of vectors.
eigenvalues, vectors = torch.linalg.eigh(H)
lam_min, lam_max = eigenvalues.tolist()
for lam, v in zip(eigenvalues, vectors.T, strict=True):
    v = v if v[1] > 0 or (v[1] == 0 and v[0] > 0) else -v  # a direction: pick a sign
    Hv = H @ v
    print(
        f"eigenvalue {lam:6.3f}, eigenvector v = ({v[0]:6.3f}, {v[1]:5.3f}): "
        f"H v = ({Hv[0]:6.3f}, {Hv[1]:5.3f}) = {lam:.3f} v"
    )
kappa = lam_max / lam_min
print(f"condition number kappa = {lam_max:.3f} / {lam_min:.3f} = {kappa:.1f}")
print()


def epochs_to_answer(lr, tolerance=1e-3, max_epochs=3000):
    """Part 4's training and stopping test: nn.Linear(1, 1) seeded with 0, until
    w is within tolerance of 2 and b within tolerance of 0 (None: never)."""
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(1, max_epochs + 1):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        w, b = model.weight.item(), model.bias.item()
        if abs(w - 2) < tolerance and abs(b) < tolerance:
            return epoch
    return None


# Each epoch multiplies the error along each eigenvector by 1 - lr * eigenvalue.
limit = 2 / lam_max  # the fast direction's factor is -1 there: no convergence
best = 2 / (lam_min + lam_max)  # both factors equally large: the fastest rate
rates = {
    "0.01 (the tutorial's)": 0.01,
    "0.1": 0.1,
    f"2 / (l_min + l_max) = {best:.4f}": best,
    "0.119": 0.119,
    f"2 / l_max = {limit:.4f}": limit,
}
print("learning rate                    slow factor  fast factor  epochs (Part 4)")
epochs = {}
for label, lr in rates.items():
    slow, fast = 1 - lr * lam_min, 1 - lr * lam_max
    epochs[label] = epochs_to_answer(lr)
    needed = f"{epochs[label]:6d}" if epochs[label] else "never (within 3000)"
    print(f"{label:31}  {slow:11.4f}  {fast:11.4f}  {needed}")
c = H[0, 0].item()  # without the bias, the curvature in w alone: 15
print(f"without the bias, at 0.01: one factor, 1 - 0.01 c = {1 - 0.01 * c:.4f}")
fastest = (kappa - 1) / (kappa + 1)
print(f"at 2 / (l_min + l_max), both are (kappa - 1) / (kappa + 1) = {fastest:.4f}")
