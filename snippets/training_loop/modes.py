import torch
from torch import nn

torch.manual_seed(0)
x = torch.ones(1, 8)

# Dropout: in training mode it zeroes each value with probability p and scales
# the others by 1 / (1 - p); in evaluation mode it passes its input through.
dropout = nn.Dropout(p=0.5)
print(f"new module, training: {dropout.training}")
print(f"dropout, train(): {dropout(x)[0].tolist()}")
dropout.eval()
print(f"dropout, eval():  {dropout(x)[0].tolist()}")

# Batch norm: in training mode it normalises with the batch's own mean and
# updates its running mean; in evaluation mode it uses the running mean only.
batch_norm = nn.BatchNorm1d(1)
batch = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
batch_norm(batch)
print(f"batch norm, train(): running mean {batch_norm.running_mean.item():.4f}")
batch_norm.eval()
batch_norm(batch)
print(f"batch norm, eval():  running mean {batch_norm.running_mean.item():.4f}")

# Our model has neither: the two modes compute the same function.
model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
X = torch.linspace(-3, 3, 200).unsqueeze(1)
model.train()
in_train_mode = model(X)
model.eval()
in_eval_mode = model(X)
same = torch.equal(in_train_mode, in_eval_mode)
print(f"our model, train() vs eval(): identical {same}")
