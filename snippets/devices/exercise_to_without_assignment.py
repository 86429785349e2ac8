import torch
from torch import nn

# "meta" is a device that every PyTorch has: its tensors have shapes but no
# numbers. Here it stands in for a GPU, on any machine.
device = "meta"

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
torch.manual_seed(0)
model = nn.Linear(1, 1)

model.to(device)  # the result is not kept
X.to(device)  # the result is not kept
print(f"after model.to(device): parameters on {model.weight.device}")
print(f"after X.to(device):     X on {X.device}")

X = X.to(device)
print(f"after X = X.to(device): X on {X.device}")
