import math

import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
loss_fn = nn.MSELoss()
x, n = X.squeeze(1).double(), len(X)


def make_model(problem):
    if problem == "y = 2x":  # one weight, starting at 0: Parts 1 to 3
        model = nn.Linear(1, 1, bias=False)
        nn.init.zeros_(model.weight)
    else:  # weight and bias, seeded: Part 4's badly conditioned problem
        torch.manual_seed(0)
        model = nn.Linear(1, 1)
    return model


def eigenvalues(problem):
    """The smallest and largest eigenvalue of the problem's Hessian."""
    if problem == "y = 2x":  # one parameter: one curvature, c = (2/n) sum x^2
        c = (2 / n * (x * x).sum()).item()
        return c, c
    H = 2 / n * torch.tensor([[(x * x).sum(), x.sum()], [x.sum(), n]])
    low, high = torch.linalg.eigvalsh(H).tolist()
    return low, high


def steps_to_reach(problem, lr, momentum, threshold=1e-6, max_steps=5000):
    """Count the steps until the loss is below threshold (None: not reached)."""
    model = make_model(problem)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    for step in range(max_steps + 1):
        loss = loss_fn(model(X), y)
        if loss.item() < threshold:
            return step
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return None


settings = {}
for problem in ["(w, b)", "y = 2x"]:
    low, high = eigenvalues(problem)
    kappa = high / low
    print(f"{problem}: eigenvalues {low:.3f} and {high:.3f}, kappa = {kappa:.1f}")
    # Plain SGD: the best fixed step, as on the learning-rate page.
    lr = 2 / (low + high)
    factor = (kappa - 1) / (kappa + 1)
    # Momentum: Distill's optimal step alpha and momentum beta.
    alpha = (2 / (math.sqrt(low) + math.sqrt(high))) ** 2
    beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    momentum_factor = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    settings[problem] = {"SGD": (lr, 0.0), "momentum": (alpha, beta)}
    sgd_steps = steps_to_reach(problem, lr, 0.0)
    momentum_steps = steps_to_reach(problem, alpha, beta)
    print(f"  SGD:      lr = {lr:.4f}, momentum = 0:      ", end="")
    print(f"factor {factor:.4f} per step, steps needed: {sgd_steps}")
    print(f"  momentum: lr = {alpha:.4f}, momentum = {beta:.4f}: ", end="")
    print(f"factor {momentum_factor:.4f} per step, steps needed: {momentum_steps}")
