"""Side by side: the generated table shows the four trajectories agree."""

from snippet import run


def test_the_four_histories_agree():
    namespace, output = run("side_by_side/compare.py")
    histories = namespace["histories"]
    assert len(histories) == 4
    assert {len(h) for h in histories.values()} == {50}
    assert namespace["largest"] < 1e-5
    assert output.count("| 0.300, 30.00000000 ") == 4
