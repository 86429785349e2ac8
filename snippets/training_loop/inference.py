import torch
from torch import nn

torch.manual_seed(0)
X = torch.linspace(-3, 3, 200).unsqueeze(1)
model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
model.eval()

with torch.no_grad():
    no_grad_prediction = model(X)
with torch.inference_mode():
    prediction = model(X)
print(f"under no_grad:        requires_grad {no_grad_prediction.requires_grad}")
print(
    f"under inference_mode: requires_grad {prediction.requires_grad}, "
    f"inference tensor {prediction.is_inference()}"
)
print(f"same values: {torch.equal(prediction, no_grad_prediction)}")

# An inference tensor cannot enter a computation that autograd records.
loss_fn = nn.MSELoss()
loss_fn(model(X), no_grad_prediction).backward()  # fine
print("no_grad's tensor as a target: backward() ran")
try:
    loss_fn(model(X), prediction).backward()
except RuntimeError as error:
    print(
        f"inference_mode's tensor as a target: RuntimeError: {str(error).split('.')[0]}"
    )
