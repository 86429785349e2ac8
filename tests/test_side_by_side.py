"""Side by side: the four trajectories agree up to float32 rounding, and the page
prints every value where they differ."""

import re

import numpy as np
import pytest
from trajectory_bound import trajectory_gaps

from snippet import ROOT, ran, run


@pytest.fixture(scope="module")
def compare():
    return run("side_by_side/compare.py")


def test_the_four_histories_agree_up_to_float32_rounding(compare):
    namespace, output = compare
    histories = namespace["histories"]
    assert len(histories) == 4
    assert {len(h) for h in histories.values()} == {50}
    part1 = ran("numpy_by_hand/train.py")[0]
    gaps = trajectory_gaps(part1["X"], part1["y"], 0.01, part1["history"])
    for history in histories.values():
        for (w, loss), (w1, loss1), (gap_w, gap_loss) in zip(
            history, part1["history"], gaps, strict=True
        ):
            assert abs(w - w1) <= gap_w and abs(loss - loss1) <= gap_loss
    assert namespace["largest"] <= max(max(gap) for gap in gaps)
    assert output.count("| 0.300, 30.00000000 ") == 4
    # "a table of epochs 1 to 3 and every tenth epoch, each cell "w, loss""
    first_table = output.split("\n\n")[0]
    shown = [int(e) for e in re.findall(r"^\| (\d+) \|", first_table, re.M)]
    assert shown == [1, 2, 3, 10, 20, 30, 40, 50]
    page = " ".join((ROOT / "docs/side_by_side.md").read_text(encoding="utf-8").split())
    assert 'a table of epochs 1 to 3 and every tenth epoch, each cell "w, loss"' in page


def test_every_value_that_differs_is_printed_with_its_float32_steps(compare):
    namespace, output = compare
    histories = list(namespace["histories"].values())
    expected = []
    for epoch in range(1, 51):
        for column, quantity in enumerate(["w", "loss"]):
            values = np.array([h[epoch - 1][column] for h in histories])
            if len(set(values)) > 1:
                as_float32 = values.astype(np.float32)
                assert np.array_equal(as_float32, values), "each one is a float32"
                bits = as_float32.view(np.int32).astype(np.int64)
                expected.append((epoch, quantity, int(bits.max() - bits.min())))
    shown = [
        (int(epoch), quantity, int(steps))
        for epoch, quantity, steps in re.findall(
            r"^\| (\d+) \| (w|loss) \|.*\| (\d+) \|$", output, re.M
        )
    ]
    assert shown == expected
    if not expected:
        assert "All four parts agree to the last bit at every epoch." in output
    for _, _, steps in expected:
        assert steps >= 1


def test_ulps_apart_counts_float32_steps(compare):
    ulps_apart = compare[0]["ulps_apart"]
    one = np.float32(1.0)
    assert ulps_apart(one, one) == 0
    assert ulps_apart(one, np.nextafter(one, np.float32(2))) == 1
    assert ulps_apart(np.float32(0.75), np.nextafter(np.float32(0.75), one)) == 1
    three_up = one
    for _ in range(3):
        three_up = np.nextafter(three_up, np.float32(2))
    assert ulps_apart(float(three_up), 1.0) == 3


def test_part_4_is_nn_linear_without_bias():
    namespace, _ = ran("torch_model/no_bias.py")
    assert namespace["model"].bias is None
    assert tuple(namespace["model"].weight.shape) == (1, 1)
    page = (ROOT / "docs/side_by_side.md").read_text(encoding="utf-8")
    assert "| Part 4 | `nn.Linear(1, 1, bias=False)` |" in page
    assert '=== "Part 4: nn.Linear, no bias"' in page


OWNED_PAGES = [
    "index",
    "problem",
    "numpy_by_hand",
    "autograd",
    "loss_and_optimizer",
    "side_by_side",
]


@pytest.mark.parametrize("chapter", OWNED_PAGES)
def test_no_page_claims_the_parts_agree_to_the_last_bit(chapter):
    """NumPy and PyTorch round differently: equal only up to float32 rounding."""
    page = (ROOT / "docs" / f"{chapter}.md").read_text(encoding="utf-8")
    for claim in [
        "exactly the same numbers",
        "**exactly** the same",
        "line for line: autograd",
        "the same log as",
        "to the last printed digit",
        "round exactly the way",
    ]:
        assert claim not in page, (chapter, claim)
