import torch
from torch.utils.data import DataLoader, TensorDataset, random_split

# The data: 200 noisy samples of y = sin(x), x in [-3, 3].
data_generator = torch.Generator().manual_seed(0)
X = torch.rand(200, 1, generator=data_generator) * 6 - 3
y = torch.sin(X) + 0.3 * torch.randn(200, 1, generator=data_generator)
dataset = TensorDataset(X, y)

# 150 samples to train on, 50 held out to validate on, split by a seeded generator.
train_set, val_set = random_split(
    dataset, [150, 50], generator=torch.Generator().manual_seed(0)
)
print(f"training samples: {len(train_set)}, validation samples: {len(val_set)}")
shared = set(train_set.indices) & set(val_set.indices)
print(f"samples in both: {len(shared)}")

# The training loader reshuffles every epoch, from a generator of its own.
loader_generator = torch.Generator().manual_seed(0)
train_loader = DataLoader(
    train_set, batch_size=25, shuffle=True, generator=loader_generator
)
val_loader = DataLoader(val_set, batch_size=50)  # no shuffle: order does not matter
print(f"batches per epoch: {len(train_loader)} of {train_loader.batch_size}")

first_x = []  # the first three x of each epoch's first batch
for epoch in range(1, 3):
    x_batch, y_batch = next(iter(train_loader))
    first_x.append([round(x, 4) for x in x_batch[:3, 0].tolist()])
    print(f"epoch {epoch}, first batch: x = {first_x[-1]} ..., shape {x_batch.shape}")

# The noise is what no model can predict: the true curve's own loss.
x_val, y_val = dataset[val_set.indices]
noise_loss = torch.mean((torch.sin(x_val) - y_val) ** 2).item()
print(f"validation loss of the true curve sin(x): {noise_loss:.4f}")
