"""A training loop you would ship: what the page claims about each piece."""

from __future__ import annotations

import ast
import math
import pickle
import re
import warnings

import pytest
import torch
from torch import nn

from snippet import ROOT, ran, run, shows_figure
from tools import figures

PAGE = (ROOT / "docs" / "training_loop.md").read_text(encoding="utf-8")


def prose() -> str:
    """The page's text with its lines joined, as a reader reads it."""
    return " ".join(PAGE.split())


def says(*phrases: str) -> None:
    text = prose()
    for phrase in phrases:
        assert " ".join(phrase.split()) in text, phrase


def all_equal(a, b) -> bool:
    """Tensors equal to the last bit, everything else ==, through dicts,
    lists and tuples: the tests' own comparison, not the snippet's."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(all_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(
            all_equal(x, y) for x, y in zip(a, b, strict=True)
        )
    return a == b


# --- the data ------------------------------------------------------------------


def test_the_split_is_disjoint_seeded_and_shuffled_every_epoch():
    namespace, output = run("training_loop/split.py")
    train, val = namespace["train_set"].indices, namespace["val_set"].indices
    assert len(train) == 150 and len(val) == 50
    assert sorted(train + val) == list(range(200))
    assert "samples in both: 0" in output
    assert len(namespace["train_loader"]) == 6 and "6 of 25" in output
    first, second = namespace["first_x"]
    assert first != second, "each pass draws a new order"
    assert run("training_loop/split.py")[1] == output, "seeded: the same again"
    says("200 samples", "standard deviation 0.3", "between $-3$ and $3$")


def test_the_true_curves_loss_is_the_floor_the_page_quotes():
    namespace, output = ran("training_loop/split.py")
    x_val, y_val = namespace["x_val"].double(), namespace["y_val"].double()
    noise = torch.mean((torch.sin(x_val) - y_val) ** 2).item()
    assert namespace["noise_loss"] == pytest.approx(noise, rel=1e-5)
    printed = re.search(r"true curve sin\(x\): (\d\.\d{4})", output)[1]
    assert float(printed) == pytest.approx(noise, abs=5e-5)
    says(f"a loss of {printed} on the validation set")


def test_the_network_has_49_parameters():
    model = ran("training_loop/loop.py")[0]["model"]
    assert sum(p.numel() for p in model.parameters()) == 49
    says("its 49 gradients")


# --- modes and inference_mode --------------------------------------------------


def test_dropout_and_batch_norm_read_the_mode():
    namespace, output = run("training_loop/modes.py")
    lines = output.splitlines()
    kept = ast.literal_eval(lines[1].split(": ", 1)[1])
    assert set(kept) == {0.0, 2.0} and 1 / (1 - 0.5) == 2.0
    assert lines[2].endswith(str([1.0] * 8))
    batch_norm = namespace["batch_norm"]
    assert batch_norm.momentum == 0.1
    assert namespace["batch"].mean().item() == 2.5
    assert batch_norm.running_mean.item() == pytest.approx(0.1 * 2.5)
    assert "train(): running mean 0.2500" in output
    assert "eval():  running mean 0.2500" in output
    says(
        "moved from 0 to 0.25, a tenth of the batch's mean of 2.5: its momentum is 0.1"
    )


def test_dropout_draws_from_torchs_global_generator():
    before = torch.get_rng_state()
    nn.Dropout(p=0.5)(torch.ones(8))
    assert not torch.equal(before, torch.get_rng_state())


def test_our_model_computes_the_same_function_in_both_modes():
    namespace, output = run("training_loop/modes.py")
    model = namespace["model"]
    assert {type(m) for m in model.modules()} == {nn.Sequential, nn.Linear, nn.Tanh}
    assert "identical True" in output
    model.eval()
    assert not any(m.training for m in model.modules()), "eval() sets every module"
    model.train()
    assert all(m.training for m in model.modules())


def test_inference_tensors_cannot_be_saved_for_backward():
    namespace, output = run("training_loop/inference.py")
    prediction = namespace["prediction"]
    assert prediction.is_inference() and not prediction.requires_grad
    assert not namespace["no_grad_prediction"].is_inference()
    assert torch.equal(prediction, namespace["no_grad_prediction"])
    assert "RuntimeError: Inference tensors cannot be saved for backward" in output
    assert "no_grad's tensor as a target: backward() ran" in output
    says(
        "A tensor that will later enter a computation autograd records, such as "
        "the target in the last lines, is made under `no_grad`."
    )


def test_an_in_place_update_is_allowed_under_inference_mode_too():
    """Why the page's example of what needs no_grad is a saved tensor, not
    Part 2's update: an in-place update of a parameter also runs under
    inference_mode, and the parameter stays an ordinary tensor."""
    w = torch.tensor(1.0, requires_grad=True)
    (w * w).backward()
    with torch.inference_mode():
        w -= 0.1 * w.grad
    assert w.item() == pytest.approx(0.8) and w.requires_grad
    assert not w.is_inference()
    assert "update of Part 2" not in prose()


# --- the loop ------------------------------------------------------------------


@pytest.fixture(scope="module")
def loop():
    return ran("training_loop/loop.py")


def test_early_stopping_stops_patience_epochs_after_the_best(loop):
    namespace, output = loop
    history, patience = namespace["history"], namespace["patience"]
    val = [v for _, _, v in history]
    best_epoch, stop = namespace["best_epoch"], len(history)
    assert min(val) == val[best_epoch - 1] == namespace["best_val"]
    assert val.index(min(val)) == best_epoch - 1  # first reached there
    assert stop == best_epoch + patience < namespace["max_epochs"]
    assert (best_epoch, stop, patience, namespace["max_epochs"]) == (29, 39, 10, 100)
    assert f"best epoch: {best_epoch}, validation loss {min(val):.4f}" in output
    says(
        f"best at epoch {best_epoch}, with {min(val):.4f}",
        f"stopped at epoch {stop}, well inside its budget of 100",
    )


def test_the_restored_model_gives_the_best_validation_loss_again(loop):
    namespace, output = loop
    assert namespace["evaluate"]() == namespace["best_val"]  # the same bits
    best = f"{namespace['best_val']:.4f}"
    assert f"validation loss after restoring it: {best}" in output


def test_state_dict_returns_the_models_own_tensors(loop):
    model = loop[0]["model"]
    state = model.state_dict()
    assert state["0.weight"].data_ptr() == model[0].weight.data_ptr()
    kept = loop[0]["copy"].deepcopy(state)
    assert kept["0.weight"].data_ptr() != model[0].weight.data_ptr()


def test_steplr_halves_the_rate_every_10_epochs(loop):
    history = loop[0]["history"]
    for epoch, (lr, _, _) in enumerate(history, start=1):
        assert lr == 0.05 * 0.5 ** ((epoch - 1) // 10)  # halving is exact
    says("halved every 10 epochs")


def test_the_training_loss_creeps_down_and_the_validation_loss_does_not(loop):
    namespace, output = loop
    history = namespace["history"]
    train_30, train_39 = history[29][1], history[38][1]
    assert train_39 < train_30
    assert f"epoch  30: lr = 0.0125, train loss = {train_30:.4f}" in output
    assert f"epoch  39: lr = 0.0063, train loss = {train_39:.4f}" in output
    says(f"from {train_30:.4f} at epoch 30 to {train_39:.4f} at epoch 39")
    noise = ran("training_loop/split.py")[0]["noise_loss"]
    # The figure's description: training below the dashed line, validation above.
    assert train_39 < noise < min(v for _, _, v in history)


def test_the_figure_draws_the_loops_own_run(site_dir):
    namespace, output = run("training_loop/loop_plot.py")
    assert namespace["history"] == ran("training_loop/loop.py")[0]["history"]
    assert shows_figure(site_dir, "training_loop.md", output)
    assert output.startswith(figures.OPENING + "<svg ")
    assert 'role="img"' in output and "<figcaption>" in output
    # The description: the first validation loss lies above the panel.
    assert namespace["history"][0][2] > namespace["loss_axes"].get_ylim()[1]
    assert namespace["history"][0][0] == 0.05
    assert f"best epoch, {namespace['best_epoch']}" in namespace["description"]


def test_the_other_schedules_named_do_what_the_page_says():
    optimizer = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.05)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    for t in range(11):
        expected = 0.05 * (1 + math.cos(math.pi * t / 10)) / 2
        assert cosine.get_last_lr()[0] == pytest.approx(expected, abs=1e-12)
        optimizer.step()
        cosine.step()
    optimizer = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.05)
    one_cycle = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.05, epochs=3, steps_per_epoch=6
    )
    rates = []
    for _ in range(3 * 6):
        rates.append(one_cycle.get_last_lr()[0])
        optimizer.step()
        one_cycle.step()
    peak = rates.index(max(rates))
    assert 0 < peak < len(rates) - 1
    assert rates[0] < max(rates) and rates[-1] < max(rates)
    says("`OneCycleLR` first raises it, then lowers it, stepped once per batch")


# --- checkpoint and resume -------------------------------------------------------


@pytest.fixture(scope="module")
def checkpoint():
    return ran("training_loop/checkpoint.py")


def test_the_resumed_run_is_the_straight_run_bit_for_bit(checkpoint):
    namespace, output = checkpoint
    straight, resumed = namespace["straight"], namespace["resumed"]
    assert set(straight) == {
        "epoch",
        "model",
        "optimizer",
        "scheduler",
        "torch_rng",
        "loader_rng",
        "history",
        "best",
    }
    for name in straight["model"]:
        assert torch.equal(straight["model"][name], resumed["model"][name]), name
        assert torch.equal(
            straight["best"]["model"][name], resumed["best"]["model"][name]
        ), name
    for a, b in zip(straight["history"], resumed["history"], strict=True):
        assert a == b  # every logged loss, ==, no tolerance
    assert all_equal(straight, resumed)
    assert straight["epoch"] == resumed["epoch"] == 39 > 20
    assert output.count("identical: True") == len(straight)
    assert "identical: False" not in output


def test_the_checkpoints_loop_is_the_loop_above(checkpoint, loop):
    straight = checkpoint[0]["straight"]
    assert straight["history"] == loop[0]["history"]
    assert straight["best"]["epoch"] == loop[0]["best_epoch"]


def test_the_optimizer_state_holds_a_momentum_buffer_per_parameter(checkpoint):
    state = checkpoint[0]["straight"]["optimizer"]["state"]
    assert len(state) == 4 and all("momentum_buffer" in s for s in state.values())


def test_the_resume_does_not_depend_on_the_initialisation(checkpoint, tmp_path):
    """The resumed run's objects start from other parameters (another seed):
    what it ends with comes from the checkpoint; and torch's global generator
    is not drawn from after the model is built (no dropout here)."""
    namespace = checkpoint[0]
    train = namespace["train"]
    torch.manual_seed(0)
    stopped = train(until_epoch=20)
    stopped["torch_rng"] = torch.Generator().manual_seed(7).get_state()
    path = tmp_path / "checkpoint.pt"
    torch.save(stopped, path)
    resumed = train(100, checkpoint_path=path)
    straight = namespace["straight"]
    for key in ("model", "optimizer", "history", "best"):
        assert all_equal(straight[key], resumed[key]), key


def test_weights_only_refuses_what_is_not_tensors_and_plain_data(tmp_path, monkeypatch):
    path = tmp_path / "odd.pt"
    torch.save({"model": nn.Linear(1, 1)}, path)  # a module, not a state_dict
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    # ... and it is the default (since PyTorch 2.6), unless this variable says
    # otherwise.
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", raising=False)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
    says("It is `torch.load`'s default since PyTorch 2.6")


# --- weight decay ---------------------------------------------------------------


@pytest.fixture(scope="module")
def weight_decay():
    return ran("training_loop/weight_decay.py")


def test_l2_term_and_weight_decay_are_identical_for_a_power_of_two(weight_decay):
    namespace, output = weight_decay
    lam = namespace["lam"]
    assert math.frexp(lam)[0] == 0.5 and lam == 1 / 64
    assert torch.equal(namespace["sgd_l2"], namespace["sgd_decay"])
    assert torch.equal(namespace["adam_l2"], namespace["adam_decay"])
    assert "SGD, L2 term vs weight_decay:  identical True" in output
    assert "Adam, L2 term vs weight_decay: identical True" in output


def test_with_lambda_0_1_they_agree_to_float32_rounding(weight_decay):
    namespace, output = weight_decay
    gap = namespace["sgd_gap"]
    # Each of the 60 steps may round g + lambda theta differently, by half an
    # ulp of values of size about 1 (6e-8), which the step multiplies by
    # lr = 0.1 and the later steps carry along: 1e-5 leaves room for that to
    # grow a hundredfold, and is far below a real difference (AdamW's: 0.35).
    assert 0 <= gap < 1e-5
    assert f"largest difference {gap:.1e}" in output
    scale = namespace["sgd_l2"].abs().max().item()
    assert 0.1 < scale < 10


def test_adamw_differs_from_adams_l2_term(weight_decay):
    namespace, output = weight_decay
    gap = (namespace["adam_decay"] - namespace["adamw_decay"]).abs().max().item()
    assert gap > 0.1 and f"largest difference {gap:.2f}" in output
    sizes = {
        name: namespace[name].norm().item()
        for name in ("adam_none", "adam_l2", "adamw_decay")
    }
    assert sizes["adam_l2"] < sizes["adamw_decay"] < sizes["adam_none"]
    none, l2, adamw = (
        f"{sizes[n]:.4f}" for n in ("adam_none", "adam_l2", "adamw_decay")
    )
    says(f"from a size of {none} without decay to {l2}, and AdamW only to {adamw}")


def test_decoupled_decay_shrinks_by_1_minus_lr_lambda_whatever_the_gradient():
    lr, lam = 0.01, 1 / 64
    theta = nn.Parameter(torch.tensor([3.0, -0.5]))
    optimizer = torch.optim.AdamW([theta], lr=lr, weight_decay=lam)
    theta.grad = torch.zeros(2)  # no gradient: only the decay acts
    optimizer.step()
    expected = torch.tensor([3.0, -0.5]) * (1 - lr * lam)
    assert theta.detach() == pytest.approx(expected, rel=1e-6)


def test_adams_l2_term_decays_a_parameter_without_data_gradient_by_about_lr():
    lr, lam = 0.01, 1 / 64
    theta = nn.Parameter(torch.tensor([3.0, -0.5]))
    optimizer = torch.optim.Adam([theta], lr=lr)
    (lam / 2 * (theta**2).sum()).backward()  # the L2 term alone
    optimizer.step()
    moved = (torch.tensor([3.0, -0.5]) - theta.detach()).abs()
    assert moved == pytest.approx([lr, lr], rel=1e-4)  # whatever the size of theta


def test_the_default_weight_decays():
    params = [nn.Parameter(torch.zeros(1))]
    assert torch.optim.AdamW(params).defaults["weight_decay"] == 0.01
    assert torch.optim.Adam(params).defaults["weight_decay"] == 0
    says("`AdamW`'s default is `weight_decay=0.01`; `Adam`'s is 0")


# --- gradient clipping -----------------------------------------------------------


@pytest.fixture(scope="module")
def clipping():
    return ran("training_loop/clipping.py")


def test_clip_grad_norm_returns_the_norm_before_and_scales_to_max_norm(clipping):
    namespace, output = clipping
    returned = namespace["returned"]
    assert isinstance(returned, torch.Tensor) and returned.dim() == 0
    model = namespace["model"]
    grads = torch.cat([p.grad.flatten() for p in model.parameters()]).double()
    after = grads.norm().item()
    assert after == pytest.approx(2.0 * returned.item() / (returned.item() + 1e-6))
    assert after == pytest.approx(2.0, rel=1e-6)
    assert f"returned: tensor({returned.item():.4f})" in output
    says(f"the norm was {returned.item():.4f}, and after the call it is 2.0000")


def test_a_norm_below_max_norm_is_kept_to_the_last_bit():
    theta = nn.Parameter(torch.zeros(2))
    theta.grad = torch.tensor([0.003, 0.004])  # a norm of 0.005
    nn.utils.clip_grad_norm_([theta], max_norm=0.006)
    assert torch.equal(theta.grad, torch.tensor([0.003, 0.004]))  # times 1
    # At max_norm = the norm itself, the factor 0.005 / (0.005 + 1e-6) is below
    # 1: a length below max_norm is kept "to within that 1e-6".
    norm = nn.utils.clip_grad_norm_([theta], max_norm=0.005).item()
    assert norm == pytest.approx(0.005, rel=1e-6)
    after = theta.grad.norm().item()
    assert after == pytest.approx(norm * norm / (norm + 1e-6), rel=1e-6)
    assert after < norm and norm - after == pytest.approx(1e-6, rel=1e-2)
    says("or by 1 where that factor would be above 1")


def test_an_infinite_max_norm_changes_nothing():
    model = nn.Linear(3, 2)
    model(torch.ones(4, 3)).square().sum().backward()
    before = [p.grad.clone() for p in model.parameters()]
    norm = nn.utils.clip_grad_norm_(model.parameters(), float("inf"))
    assert norm.item() > 0
    for p, g in zip(model.parameters(), before, strict=True):
        assert torch.equal(p.grad, g)


def glitch_steps(namespace) -> list[bool]:
    """For every step of the training runs, whether its batch holds the glitch,
    from the same loader the runs build."""
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(namespace["x_train"], namespace["y_glitched"]),
        batch_size=25,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )
    return [bool((y == 100.0).any()) for _ in range(10) for _, y in loader]


def test_clipping_acts_on_the_glitch_batches_alone(clipping):
    namespace, output = clipping
    results = namespace["results"]
    clean_norms, clean_steps, clean_val = results["clean data, no clipping"]
    raw_norms, raw_steps, raw_val = results["one glitch, no clipping"]
    norms, steps, val = results["one glitch, max_norm=2"]
    glitch = glitch_steps(namespace)
    assert sum(glitch) == 10 and len(glitch) == len(norms) == 60
    assert [n > 2.0 for n in norms] == glitch, "exactly the glitch's steps"
    assert max(clean_norms) < 2.0, "max_norm=2 would clip no clean step"
    # Every batch that holds the glitch has a huge gradient, unclipped too.
    assert min(n for n, g in zip(raw_norms, glitch, strict=True) if g) > 2.0
    assert max(steps) <= 0.05 * 2.0 * (1 + 1e-5)
    assert max(raw_steps) > 10 * max(clean_steps)
    assert raw_val > 5 * clean_val
    # Close to the clean run's validation loss, far from the unclipped one's.
    assert abs(val - clean_val) < 0.1 * (raw_val - clean_val)
    # Without clipping, the ordinary batches' gradients grow too: most of
    # them are above every norm of the clean data.
    ordinary = [n for n, g in zip(raw_norms, glitch, strict=True) if not g]
    assert sorted(ordinary)[len(ordinary) // 2] > max(clean_norms)
    medians = [sorted(n)[len(n) // 2] for n in (raw_norms, clean_norms)]
    assert f"median {medians[0]:.3f}" in output and f"median {medians[1]:.3f}" in output
    for name, (_, _, v) in results.items():
        assert f"{name}: validation loss {v:.4f}" in output
    says(
        f"no gradient norm is above {max(clean_norms):.3f}",
        f"moves the parameters by {max(raw_steps):.3f}, against "
        f"{max(clean_steps):.3f} on the clean data",
        f"ends at {raw_val:.4f} instead of {clean_val:.4f}",
        "only those 10 steps are clipped, one per epoch",
        f"the validation loss is {val:.4f}, close to the clean run's "
        f"{clean_val:.4f} and far from {raw_val:.4f}",
        f"the median of the {len(raw_norms)} norms is {medians[0]:.3f}, against "
        f"{medians[1]:.3f} on the clean data",
    )
    assert f"longest step {max(steps):.3f}" in output and f"{max(steps):.3f}" == "0.100"


# --- the exercises ---------------------------------------------------------------


def test_exercise_forgetting_the_generator_replays_the_first_epochs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing warns
        namespace, output = run("training_loop/exercise_forget_the_generator.py")
    runs = namespace["runs"]
    straight = runs["straight through"]
    restored = runs["resumed, generator restored"]
    forgotten = runs["resumed, generator forgotten"]
    assert restored[0] == straight[0][2:] and restored[1] == straight[1][2:]
    assert forgotten[0] == straight[0][:2] != straight[0][2:]
    assert forgotten[1] != straight[1][2:]
    assert all(a != b for a, b in zip(forgotten[1], straight[1][2:], strict=True))
    assert output.count("the same w as the straight run's:") == 2
    assert "the same w as the straight run's: True" in output
    assert "the same w as the straight run's: False" in output
    says("is the straight run's to the last bit (compared with `==`)")


def test_exercise_a_scheduler_stepped_per_batch_halves_six_times_as_often():
    namespace, output = run("training_loop/exercise_scheduler_per_batch.py")
    per_epoch, per_batch = namespace["per_epoch"], namespace["per_batch"]
    for epoch in range(1, 31):
        assert per_epoch[epoch - 1] == 0.05 * 0.5 ** ((epoch - 1) // 10)
        assert per_batch[epoch - 1] == pytest.approx(
            0.05 * 0.5 ** ((epoch - 1) * 6 // 10), rel=1e-12
        )
    assert namespace["halvings"] == [2, 17]
    assert "halvings before epoch 30: 2 per epoch, 17 per batch" in output


def test_exercise_clipping_below_the_ordinary_norms_shortens_every_step():
    namespace, output = run("training_loop/exercise_clip_too_low.py")
    train = namespace["train"]
    free_norms, free_steps, free_val = train(float("inf"))
    norms, steps, val = train(0.1)
    assert min(norms) > 0.1, "every step is clipped"
    # lr * max_norm, to within the 1e-6 of the scale and the rounding of the
    # parameters (about 6e-8 each, next to steps of 0.005): the same length
    # to the printed digits.
    for length in steps:
        assert length == pytest.approx(0.05 * 0.1, rel=1e-4)
    assert f"step lengths from {0.05 * 0.1:.4f} to {0.05 * 0.1:.4f}" in output
    says("has the same length to the printed digits")
    assert val > free_val
    assert f"clipped {len(norms)} of {len(norms)}" in output
    assert f"smallest gradient norm {min(norms):.3f}" in output
