import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
loss_fn = nn.MSELoss()


def make_model(problem):
    if problem == "y = 2x":  # one weight, starting at 0: Parts 1 to 3
        model = nn.Linear(1, 1, bias=False)
        nn.init.zeros_(model.weight)
    else:  # weight and bias, seeded: Part 4's badly conditioned problem
        torch.manual_seed(0)
        model = nn.Linear(1, 1)
    return model


# The one line that changes: which optimizer, with which settings.
optimizers = {
    "SGD": lambda params: torch.optim.SGD(params, lr=0.01),
    "momentum": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
    "Adam": lambda params: torch.optim.Adam(params, lr=0.1),
}


def steps_to_reach(problem, name, threshold, max_steps):
    """Count the steps until the loss is below threshold (None: not reached)."""
    model = make_model(problem)
    optimizer = optimizers[name](model.parameters())
    for step in range(max_steps + 1):
        loss = loss_fn(model(X), y)
        if loss.item() < threshold:
            return step
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return None


threshold = 1e-6
max_steps = 5000
steps_needed = {}
print(f"steps until the loss is below {threshold:g} (at most {max_steps}):")
print(f"{'optimizer':10s}  {'y = 2x':>8s}  {'(w, b)':>8s}")
for name in optimizers:
    row = []
    for problem in ["y = 2x", "(w, b)"]:
        steps = steps_to_reach(problem, name, threshold, max_steps)
        steps_needed[name, problem] = steps
        row.append(f"{steps:8d}" if steps is not None else f"{'never':>8s}")
    print(f"{name:10s}  {row[0]}  {row[1]}")
