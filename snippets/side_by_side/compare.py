# Run the four programs of Parts 1 to 4 (from the repository's root) and put
# the (w, loss) they recorded after every epoch side by side.
import contextlib
import io
import runpy

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
