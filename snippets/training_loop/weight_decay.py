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
loss_fn = nn.MSELoss()


def train(make_optimizer, l2=0.0, n_epochs=10):
    """Train from the same start, on batches in the same order; every parameter
    at the end, as one vector. l2 > 0 adds the term
    (l2 / 2) * (the sum of every parameter squared) to the loss."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    optimizer = make_optimizer(model.parameters())
    loader = DataLoader(
        train_set,
        batch_size=25,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )
    for epoch in range(n_epochs):
        for x_batch, y_batch in loader:
            loss = loss_fn(model(x_batch), y_batch)
            if l2:
                loss = loss + l2 / 2 * sum((p**2).sum() for p in model.parameters())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return parameters_to_vector(model.parameters()).detach()


def sgd(**kwargs):
    return lambda params: torch.optim.SGD(params, lr=0.1, **kwargs)


def adam(**kwargs):
    return lambda params: torch.optim.Adam(params, lr=0.01, **kwargs)


def adamw(**kwargs):
    return lambda params: torch.optim.AdamW(params, lr=0.01, **kwargs)


lam = 1 / 64  # a power of two: lam * w is computed without rounding
print(f"lambda = {lam}")
sgd_l2 = train(sgd(), l2=lam)
sgd_decay = train(sgd(weight_decay=lam))
print(f"SGD, L2 term vs weight_decay:  identical {torch.equal(sgd_l2, sgd_decay)}")
sgd_gap = (train(sgd(), l2=0.1) - train(sgd(weight_decay=0.1))).abs().max().item()
print(f"the same with lambda = 0.1:    largest difference {sgd_gap:.1e}")

adam_l2 = train(adam(), l2=lam)
adam_decay = train(adam(weight_decay=lam))
adamw_decay = train(adamw(weight_decay=lam))
adam_none = train(adam())
print(f"Adam, L2 term vs weight_decay: identical {torch.equal(adam_l2, adam_decay)}")
adam_gap = (adam_decay - adamw_decay).abs().max().item()
print(f"Adam(weight_decay) vs AdamW:   largest difference {adam_gap:.2f}")
print("size of all the parameters, |theta|:")
for name, theta in [
    ("Adam, no decay", adam_none),
    ("Adam, L2 term", adam_l2),
    ("AdamW", adamw_decay),
]:
    print(f"  {name:15s} {theta.norm().item():.4f}")
