"""Mini-batches: batch size n is full-batch gradient descent; smaller batches."""

import itertools
import re

import numpy as np
import pytest
from trajectory_bound import trajectory_gaps

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
    # With seed 0 every w is identical to the last bit (not every seed's is:
    # below); the loss to float32 rounding.
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


@pytest.fixture(scope="module")
def shuffle_seeds():
    return ran("minibatch/shuffle_seeds.py")


def test_seeds_0_to_9_identical_or_apart_within_float32_rounding(
    full_batch, shuffle_seeds
):
    """Which seeds give Part 3's trajectory to the last bit, on this PyTorch
    (the DataLoader's orders and a float32 sum in the batch's order, below);
    the others differ in a few epochs, within the bound float32 rounding puts
    on two runs of the same loop (tests/trajectory_bound.py)."""
    namespace, output = shuffle_seeds
    part3 = ran("loss_and_optimizer/train.py")[0]
    assert namespace["part3"] == [w for w, _ in part3["history"]]  # bit for bit
    trajectories, differences = namespace["trajectories"], namespace["differences"]
    # Seed 0 is the page's full_batch.py, bit for bit.
    assert trajectories[0] == [w for w, _ in full_batch[0]["history"]]
    identical = {seed for seed, steps in differences.items() if max(steps) == 0}
    assert sorted(differences) == list(range(10))
    assert identical == {0, 2, 3, 4, 5, 8}
    differing = {seed: sum(s > 0 for s in steps) for seed, steps in differences.items()}
    assert {s: differing[s] for s in (1, 6, 7, 9)} == {1: 17, 6: 17, 7: 1, 9: 2}
    gaps = trajectory_gaps(part3["X"], part3["y"], 0.01, part3["history"])
    for seed, ws in trajectories.items():
        for w, part3_w, (gap_w, _) in zip(ws, namespace["part3"], gaps, strict=True):
            assert abs(w - part3_w) <= gap_w, seed
        assert max(differences[seed]) <= 1, seed  # "by one float32 step"
        assert differences[seed] == [
            abs(int(np.float32(a).view(np.int32)) - int(np.float32(b).view(np.int32)))
            for a, b in zip(ws, namespace["part3"], strict=True)
        ]
        row = rf"^ +{seed} +{differing[seed]} +{max(differences[seed])} float32 steps$"
        assert re.search(row, output, re.M), seed


def test_the_gradient_is_a_float32_sum_in_the_batch_order(shuffle_seeds):
    """The cause the page gives: autograd's gradient of the batch is the sum of
    its four float32 terms, added left to right in the batch's order."""
    namespace, output = shuffle_seeds
    torch, X, y = namespace["torch"], namespace["X"], namespace["y"]
    n = len(X)
    orders_that_differ = 0
    for w_value in [0.0, *namespace["part3"][:10]]:
        gradients = set()
        for order in itertools.permutations(range(n)):
            order = list(order)
            w = torch.tensor(w_value, requires_grad=True)
            namespace["loss_fn"](w * X[order], y[order]).backward()
            x, t = X[order].numpy(), y[order].numpy()
            terms = np.float32(2) * (np.float32(w_value) * x - t) / np.float32(n) * x
            total = np.float32(0)
            for term in terms:  # left to right, rounded after every addition
                total = np.float32(total + term)
            assert w.grad.item() == total, (w_value, order)
            gradients.add(total)
        orders_that_differ += len(gradients) > 1
    assert orders_that_differ > 0
    printed = [float(g) for g in re.findall(r"x = \[.*\]: (\S+)$", output, re.M)]
    assert len(printed) == 2 and printed[0] != printed[1]
    assert abs(printed[0] - printed[1]) < 3e-6  # one float32 step near 21.7: 1.9e-6


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


def test_the_figure_s_words_match_its_ten_epochs():
    """Caption and page: in the figure's ten epochs the smaller batches get
    closer to w = 2 than the full batch, which is still well short; every path
    climbs at every step; the full batch's loss falls by one factor per epoch."""
    namespace = ran("minibatch/batch_sizes_plot.py")[0]
    assert namespace["n_epochs"] == 10
    runs = {size: namespace["train"](size, 10) for size in (4, 2, 1)}
    error = {size: abs(ws[-1] - 2) for size, (_, _, ws) in runs.items()}
    assert error[1] < error[2] < error[4]
    assert error[4] > 0.3  # "still well short": it does not reach w = 2
    for size, (_, losses, ws) in runs.items():
        path = [0.0, *ws]
        assert all(a < b < 2 for a, b in itertools.pairwise(path)), size
        zigzag = any(b > a for a, b in itertools.pairwise(losses))
        assert zigzag == (size != 4), size
    full = runs[4][1]
    ratios = [b / a for a, b in itertools.pairwise(full)]
    assert ratios == pytest.approx([(1 - 15 * 0.01) ** 2] * 9, rel=1e-4)
    assert "closer to w = 2 than the full batch" in namespace["caption"]
    assert "reach w = 2" not in namespace["caption"]


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
