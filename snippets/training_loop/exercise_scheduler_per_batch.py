import math

import torch
from torch import nn

# The loop's optimizer and schedule, and its 6 batches per epoch. No data is
# needed to follow the learning rate: it depends only on the calls.
batches_per_epoch, n_epochs = 6, 30


def learning_rates(step_per_batch):
    """The learning rate each epoch starts with."""
    model = nn.Linear(1, 16)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    rates = []
    for epoch in range(n_epochs):
        rates.append(scheduler.get_last_lr()[0])
        for batch in range(batches_per_epoch):
            optimizer.step()  # (the batch's forward and backward passes go here)
            if step_per_batch:
                scheduler.step()  # the mistake: once per batch
        if not step_per_batch:
            scheduler.step()  # once per epoch, as StepLR's step_size means here
    return rates


per_epoch = learning_rates(step_per_batch=False)
per_batch = learning_rates(step_per_batch=True)
print("epoch  per epoch   per batch")
for epoch in [1, 2, 3, 5, 10, 11, 20, 30]:
    print(f"{epoch:5d}  {per_epoch[epoch - 1]:.7f}  {per_batch[epoch - 1]:.7f}")
halvings = [round(math.log2(0.05 / rates[-1])) for rates in (per_epoch, per_batch)]
print(f"halvings before epoch 30: {halvings[0]} per epoch, {halvings[1]} per batch")
