# Run the four programs of Parts 1 to 4 (from the repository's root) and put
# side by side the pair each recorded for every epoch: (w after the update,
# loss before it).
import contextlib
import io
import runpy

import numpy as np

programs = {
    "Part 1 (NumPy)": "snippets/numpy_by_hand/train.py",
    "Part 2 (autograd)": "snippets/autograd/train.py",
    "Part 3 (loss + optimizer)": "snippets/loss_and_optimizer/train.py",
    "Part 4 (nn.Linear, no bias)": "snippets/torch_model/no_bias.py",
}
histories = {}
for name, path in programs.items():
    with contextlib.redirect_stdout(io.StringIO()):  # their own logs are not needed
        histories[name] = runpy.run_path(path)["history"]

# A Markdown table: one row per epoch, "w, loss" for each part.
print("| epoch | " + " | ".join(programs) + " |")
print("|---:|" + "---:|" * len(programs))
n_epochs = len(histories["Part 1 (NumPy)"])
for epoch in range(1, n_epochs + 1):
    if epoch <= 3 or epoch % 10 == 0:
        cells = [
            f"{h[epoch - 1][0]:.3f}, {h[epoch - 1][1]:.8f}" for h in histories.values()
        ]
        print(f"| {epoch} | " + " | ".join(cells) + " |")

reference = histories["Part 1 (NumPy)"]
largest = 0.0
for history in histories.values():
    for (w, loss), (w_ref, loss_ref) in zip(history, reference, strict=True):
        largest = max(largest, abs(w - w_ref), abs(loss - loss_ref))
print()
print(f"Largest difference from Part 1, w or loss, any epoch: {largest:.1e}")
print()


def ulps_apart(a, b):
    """How many float32 steps apart a and b are (0: the same number).

    For two floats of the same sign, the order of their bit patterns is the order
    of the numbers, so the difference of the patterns counts the steps."""
    bits = np.array([a, b], dtype=np.float32).view(np.int32).astype(np.int64)
    return abs(int(bits[0] - bits[1]))


# Every value, in any epoch, where the four parts do not agree to the last bit.
differences = []
for epoch in range(1, n_epochs + 1):
    for column, quantity in enumerate(["w", "loss"]):
        values = [h[epoch - 1][column] for h in histories.values()]
        if len(set(values)) > 1:
            differences.append((epoch, quantity, values))
if differences:
    print("| epoch | value | " + " | ".join(programs) + " | float32 steps apart |")
    print("|---:|---|" + "---:|" * len(programs) + "---:|")
    for epoch, quantity, values in differences:
        cells = " | ".join(f"{v:.10f}" for v in values)
        steps = max(ulps_apart(a, b) for a in values for b in values)
        print(f"| {epoch} | {quantity} | {cells} | {steps} |")
else:
    print("All four parts agree to the last bit at every epoch.")
