import torch
from torch import nn

# "meta" is a device that every PyTorch has: its tensors have shapes but no
# numbers. Here it stands in for a GPU, on any machine.
device = "meta"

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)  # on the CPU
torch.manual_seed(0)
model = nn.Linear(1, 1).to(device)  # the model moved, the data not
print(f"data on {X.device}, parameters on {model.weight.device}")
try:
    model(X)
except RuntimeError as error:
    print(f"RuntimeError: {error}")
