import torch
from torch import nn
from torch.nn.utils import parameters_to_vector
from torch.utils.data import DataLoader, TensorDataset, random_split

# The data and split of the loop above.
data_generator = torch.Generator().manual_seed(0)
X = torch.rand(200, 1, generator=data_generator) * 6 - 3
y = torch.sin(X) + 0.3 * torch.randn(200, 1, generator=data_generator)
dataset = TensorDataset(X, y)
train_set, val_set = random_split(
    dataset, [150, 50], generator=torch.Generator().manual_seed(0)
)
x_train, y_train = dataset[train_set.indices]
x_val, y_val = dataset[val_set.indices]
# The same training set with one glitch: a target recorded as 100.
y_glitched = y_train.clone()
y_glitched[0] = 100.0
loss_fn = nn.MSELoss()


def train(targets, max_norm, n_epochs=10):
    """Plain SGD, every gradient clipped to max_norm. Returns the norm of every
    gradient before clipping, the length of every step, the validation loss."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    loader = DataLoader(
        TensorDataset(x_train, targets),
        batch_size=25,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )
    norms, steps = [], []
    for epoch in range(n_epochs):
        for x_batch, y_batch in loader:
            loss = loss_fn(model(x_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            before = parameters_to_vector(model.parameters()).detach()
            optimizer.step()
            norms.append(norm.item())
            after = parameters_to_vector(model.parameters()).detach()
            steps.append((after - before).norm().item())
    with torch.inference_mode():
        val_loss = loss_fn(model(x_val), y_val).item()
    return norms, steps, val_loss


# What it returns: the norm of all the gradients as one vector, before clipping.
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
loss_fn(model(x_train), y_glitched).backward()
returned = nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0)
clipped_norm = parameters_to_vector(p.grad for p in model.parameters()).norm()
print(f"returned: {returned!r}")
print(f"norm of the gradients after the call: {clipped_norm.item():.4f}")
print()

runs = {
    "clean data, no clipping": (y_train, float("inf")),
    "one glitch, no clipping": (y_glitched, float("inf")),
    "one glitch, max_norm=2": (y_glitched, 2.0),
}
results = {}
for name, (targets, max_norm) in runs.items():
    norms, steps, val_loss = train(targets, max_norm)
    results[name] = norms, steps, val_loss
    clipped = sum(norm > max_norm for norm in norms)
    print(f"{name}: validation loss {val_loss:.4f}")
    print(
        f"  gradient norms: median {sorted(norms)[len(norms) // 2]:.3f}, "
        f"largest {max(norms):.3f}; steps clipped: {clipped} of {len(norms)}; "
        f"longest step {max(steps):.3f}"
    )
