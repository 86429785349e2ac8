"""Mini-batches: batch size n is full-batch gradient descent; smaller batches."""

import re

import pytest

from snippet import ran, run, shows_figure
from tools import figures


@pytest.fixture(scope="module")
def full_batch():
    return run("minibatch/full_batch.py")


@pytest.fixture(scope="module")
def batch_sizes():
    return run("minibatch/batch_sizes.py")


def epoch_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("epoch ")]


def test_batch_size_n_is_part3_step_by_step(full_batch):
    minibatch, minibatch_output = full_batch
    part3, part3_output = ran("loss_and_optimizer/train.py")
    assert minibatch["loader"].batch_size == len(minibatch["dataset"]) == 4
    # Every w is identical to the last bit; the loss to float32 rounding.
    assert [w for w, _ in minibatch["history"]] == [w for w, _ in part3["history"]]
    for (_, loss), (_, part3_loss) in zip(
        minibatch["history"], part3["history"], strict=True
    ):
        assert loss == pytest.approx(part3_loss, rel=1e-6)
    # The page shows Part 3's log: w digit for digit, the loss to rounding.
    lines = epoch_lines(minibatch_output)[1:]
    part3_lines = epoch_lines(part3_output)
    assert len(lines) == len(part3_lines) == 13
    for line, part3_line in zip(lines, part3_lines, strict=True):
        assert line.split(", loss")[0] == part3_line.split(", loss")[0]
        loss, part3_loss = line.split("= ")[-1], part3_line.split("= ")[-1]
        assert float(loss) == pytest.approx(float(part3_loss), rel=1e-6)


def test_the_full_batch_is_shuffled_by_a_seeded_generator(full_batch):
    _, output = full_batch
    first = re.search(r"epoch 1 sees the batch x = \[(.*)\]", output)[1]
    order = [float(x) for x in first.split(",")]
    assert sorted(order) == [1.0, 2.0, 3.0, 4.0]
    assert order != [1.0, 2.0, 3.0, 4.0], "shuffle=True should reorder"
    assert run("minibatch/full_batch.py")[1] == output


def test_epochs_and_steps(full_batch, batch_sizes):
    namespace, output = full_batch
    assert len(namespace["loader"]) == 1
    assert namespace["n_steps"] == namespace["n_epochs"] == 50
    results = batch_sizes[0]["results"]
    for batch_size, (steps_per_epoch, batch_losses, ws) in results.items():
        assert steps_per_epoch == 4 // batch_size
        assert len(ws) == len(batch_losses) == 20 * steps_per_epoch


def test_mean_of_per_sample_gradients_is_the_full_gradient(batch_sizes):
    namespace, _ = batch_sizes
    per_sample = namespace["per_sample"]
    assert len(set(per_sample)) == 4, "single samples disagree"
    assert sum(per_sample) / 4 == pytest.approx(namespace["w"].grad.item())


def test_smaller_batches_get_closer_in_the_same_number_of_epochs(batch_sizes):
    results = batch_sizes[0]["results"]
    error = {size: abs(ws[-1] - 2) for size, (_, _, ws) in results.items()}
    assert error[1] < error[2] < error[4] < 0.1


def test_small_batches_are_noisy_and_the_full_batch_is_not(batch_sizes):
    results = batch_sizes[0]["results"]
    full = results[4][1]
    assert all(b < a for a, b in zip(full, full[1:], strict=False))
    for size in (1, 2):
        losses = results[size][1]
        assert any(b > a for a, b in zip(losses, losses[1:], strict=False)), size
        # ... and yet w moves towards 2 at every step.
        ws = [0.0] + results[size][2]
        assert all(a < b <= 2 for a, b in zip(ws, ws[1:], strict=False)), size


def test_the_figure_is_deterministic_accessible_inline_svg(site_dir):
    """The same bytes here as in the build, another process: deterministic."""
    output = run("minibatch/batch_sizes_plot.py")[1]
    assert shows_figure(site_dir, "minibatch.md", output)
    assert output.startswith(figures.OPENING + "<svg ")
    assert "<?xml" not in output and "<figcaption>" in output
    assert "<!DOCTYPE" not in output
    assert 'role="img"' in output and 'aria-label="' in output
    assert "currentColor" in output and "#000000" not in output
    ids = re.findall(r' id="([^"]+)"', output)
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[mp][0-9a-f]{10}", i) for i in ids)  # hashes
    assert "*{" not in output.replace(
        f".{figures.FIGURE_CLASS} *{{", ""
    )  # styles figures only


def test_the_full_batch_loss_falls_by_the_same_factor_every_epoch(batch_sizes):
    losses = batch_sizes[0]["results"][4][1]
    for a, b in zip(losses, losses[1:], strict=False):
        assert b / a == pytest.approx((1 - 15 * 0.01) ** 2, rel=1e-3)


def test_every_sample_gradient_is_zero_at_w_equals_2(batch_sizes):
    namespace = batch_sizes[0]
    for x_i, y_i in namespace["dataset"]:
        w = namespace["torch"].tensor(2.0, requires_grad=True)
        namespace["loss_fn"](w * x_i, y_i).backward()
        assert w.grad.item() == 0.0


# --- the exercises -----------------------------------------------------------------


def test_exercise_the_shuffle_order_changes_the_steps_not_the_epochs():
    namespace, output = run("minibatch/exercise_shuffle_order.py")
    order0, steps0, epochs0 = namespace["train"](0)
    order1, steps1, epochs1 = namespace["train"](1)
    assert order0 != order1 and sorted(order0) == sorted(order1) == [1, 2, 3, 4]
    assert steps0[0] != steps1[0]
    # After each epoch, equal up to float32 rounding (the order of the products).
    assert epochs0 == pytest.approx(epochs1, rel=1e-6)
    assert [f"{w:.6f}" for w in epochs0] == [f"{w:.6f}" for w in epochs1]
    # Each epoch multiplies the error by the product of 1 - 2 lr x^2.
    product = (1 - 0.02 * 1) * (1 - 0.02 * 4) * (1 - 0.02 * 9) * (1 - 0.02 * 16)
    assert namespace["product"] == pytest.approx(product)
    errors = [2.0] + [2 - w for w in epochs0]
    for a, b in zip(errors, errors[1:], strict=False):
        assert b / a == pytest.approx(product, rel=1e-4)
    assert product < 1 - 0.01 * 15  # smaller than the full batch's factor
    assert f"per epoch: {product:.6f}" in output


def test_exercise_noisy_targets_batch_one_jitters_around_the_least_squares_w():
    namespace, output = run("minibatch/exercise_noisy_targets.py")
    X, y = namespace["X"], namespace["y"]
    w_star = float(X @ y / (X @ X))
    assert namespace["w_star"] == pytest.approx(w_star)
    last = namespace["last_epochs"]
    assert last[4, 0.01] == [pytest.approx(w_star, abs=1e-6)]
    # Each sample's own best w differs, and at w* single gradients are not zero.
    assert len(set((y / X).tolist())) > 1
    assert all(
        abs(float(x * (w_star * x - t))) > 0.01 for x, t in zip(X, y, strict=True)
    )
    for lr in (0.01, 0.001):
        ws = last[1, lr]
        assert len(set(ws)) == 4  # still moving at every step
        assert min(ws) < w_star < max(ws)  # around w*
    spread = {lr: max(last[1, lr]) - min(last[1, lr]) for lr in (0.01, 0.001)}
    assert 5 < spread[0.01] / spread[0.001] < 20  # about ten times smaller
