import torch
from torch import nn
from torch.nn.utils import parameters_to_vector
from torch.utils.data import DataLoader, TensorDataset, random_split

# The clean data and split of the loop above.
data_generator = torch.Generator().manual_seed(0)
X = torch.rand(200, 1, generator=data_generator) * 6 - 3
y = torch.sin(X) + 0.3 * torch.randn(200, 1, generator=data_generator)
dataset = TensorDataset(X, y)
train_set, val_set = random_split(
    dataset, [150, 50], generator=torch.Generator().manual_seed(0)
)
x_val, y_val = dataset[val_set.indices]
loss_fn = nn.MSELoss()


def train(max_norm, n_epochs=10, lr=0.05):
    """Plain SGD with clipping; the norms before clipping, the length of every
    step, and the validation loss at the end."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(
        train_set,
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
            norms.append(nn.utils.clip_grad_norm_(model.parameters(), max_norm).item())
            before = parameters_to_vector(model.parameters()).detach()
            optimizer.step()
            after = parameters_to_vector(model.parameters()).detach()
            steps.append((after - before).norm().item())
    with torch.inference_mode():
        val_loss = loss_fn(model(x_val), y_val).item()
    return norms, steps, val_loss


for max_norm in [float("inf"), 0.1]:
    norms, steps, val_loss = train(max_norm)
    clipped = sum(norm > max_norm for norm in norms)
    print(f"max_norm = {max_norm}: validation loss {val_loss:.4f}")
    print(
        f"  smallest gradient norm {min(norms):.3f}; clipped {clipped} of {len(norms)}"
    )
    print(f"  step lengths from {min(steps):.4f} to {max(steps):.4f}")
