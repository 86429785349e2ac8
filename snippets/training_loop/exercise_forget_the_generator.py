import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# Eight points on y = 2x, batches of 2, shuffled by a seeded generator.
X = torch.arange(1.0, 9.0).unsqueeze(1)
dataset = TensorDataset(X, 2 * X)
loss_fn = nn.MSELoss()


def train(n_epochs, checkpoint=None, restore_generator=True):
    """Returns the first batch's x of every epoch, w after every epoch, and a
    checkpoint (kept in memory here; on disk it would go through torch.save)."""
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
    generator = torch.Generator().manual_seed(0)
    loader = DataLoader(dataset, batch_size=2, shuffle=True, generator=generator)
    epoch, firsts, ws = 0, [], []
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        if restore_generator:
            generator.set_state(checkpoint["loader_rng"])
        epoch = checkpoint["epoch"]
    while epoch < n_epochs:
        epoch += 1
        for step, (x_batch, y_batch) in enumerate(loader):
            if step == 0:
                firsts.append(x_batch[:, 0].tolist())
            loss = loss_fn(model(x_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        ws.append(model.weight.item())
    checkpoint = {
        "epoch": epoch,
        "model": {k: v.clone() for k, v in model.state_dict().items()},
        "optimizer": optimizer.state_dict(),
        "loader_rng": generator.get_state(),
    }
    return firsts, ws, checkpoint


straight = train(4)
_, _, checkpoint = train(2)
runs = {
    "straight through": straight,
    "resumed, generator restored": train(4, checkpoint),
    "resumed, generator forgotten": train(4, checkpoint, restore_generator=False),
}
for name, (firsts, ws, _) in runs.items():
    print(f"{name}:")
    print(f"  first batch of epochs 3 and 4: {firsts[-2:]}")
    print("  w after epochs 3 and 4: " + ", ".join(f"{w:.9f}" for w in ws[-2:]))
    if name != "straight through":  # == on floats: equal to the last bit
        print(f"  the same w as the straight run's: {ws[-2:] == straight[1][-2:]}")
print(f"epochs 1 and 2 of the straight run began with {straight[0][:2]}")
