import torch
from torch import nn

# Part 4's loss is exactly quadratic: L = 1/2 d^T H d, where d = (w - 2, b) is the
# offset from the minimum and H the Hessian. float64 here: no rounding to speak of.
H = torch.tensor([[15.0, 5.0], [5.0, 2.0]], dtype=torch.float64)
eigenvalues, vectors = torch.linalg.eigh(H)  # the valley's axes: the columns
# The same valley turned so that its axes are the w and b axes themselves.
H_turned = torch.diag(eigenvalues)

torch.manual_seed(0)
model = nn.Linear(1, 1)  # Part 4's start
start = torch.tensor([model.weight.item() - 2, model.bias.item()], dtype=torch.float64)
start_turned = vectors.T @ start  # the same start, turned with the valley

optimizers = {
    "SGD": lambda params: torch.optim.SGD(params, lr=0.01),
    "momentum": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
    "Adam": lambda params: torch.optim.Adam(params, lr=0.1),
}


def steps_to_reach(hessian, start, name, threshold=1e-6, max_steps=5000):
    """Steps until the loss 1/2 d^T H d is below threshold (None: not reached)."""
    d = start.clone().requires_grad_(True)
    optimizer = optimizers[name]([d])
    for step in range(max_steps + 1):
        loss = 0.5 * d @ hessian @ d
        if loss.item() < threshold:
            return step
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return None


print("steps until the loss is below 1e-06:")
print("optimizer  Part 4's valley  turned valley")
steps = {}
for name in optimizers:
    tilted = steps_to_reach(H, start, name)
    turned = steps_to_reach(H_turned, start_turned, name)
    steps[name] = (tilted, turned)
    print(f"{name:9s}  {tilted:15d}  {turned:13d}")
print()


def condition_number(matrix):
    low, high = torch.linalg.eigvalsh(matrix)
    return (high / low).item()


# Adam, like any per-parameter rescaling, multiplies w's step by one number and
# b's by another: gradient descent on D^(1/2) H D^(1/2), D = diag(scale_w, scale_b).
def rescaled(scale_w, scale_b):
    root = torch.diag(torch.tensor([scale_w, scale_b], dtype=torch.float64).sqrt())
    return root @ H @ root


print(f"condition number of H: {condition_number(H):.1f}")
ratios = torch.logspace(-3, 3, 1201, dtype=torch.float64)  # scale_b / scale_w
best = min(condition_number(rescaled(1.0, r.item())) for r in ratios)
print(f"best rescaling of w and b separately: condition number {best:.1f}")

# Adam's own scales after 100 steps in Part 4's valley: lr / (sqrt(s_hat) + eps).
d = start.clone().requires_grad_(True)
adam = optimizers["Adam"]([d])
for step in range(100):
    (0.5 * d @ H @ d).backward()
    adam.step()
    adam.zero_grad()
s_hat = adam.state[d]["exp_avg_sq"] / (1 - 0.999**100)
scale_w, scale_b = (0.1 / (s_hat.sqrt() + 1e-8)).tolist()
adams = condition_number(rescaled(scale_w, scale_b))
print(f"Adam's rescaling at step 100: ({scale_w:.4f}, {scale_b:.4f}), ", end="")
print(f"condition number {adams:.1f}")
