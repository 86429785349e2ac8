"""Write a new chapter that follows every rule of the site: `make chapter`.

    make chapter NAME=slug TITLE="The title"
    (python -m tools.new_chapter slug "The title")

It writes docs/<slug>.md (front matter, a formula, one executed block, an
Exercises section with two exercises and their solutions, the closing "Next"
line), snippets/<slug>/ (the block's program and each solution's), and
tests/test_<slug>.py (what the page claims, asserted on the programs), and
adds the page to mkdocs.yml's nav, before the whole tutorial. The strict
build and the chapter's tests pass on what it writes (`make check-chapter
NAME=slug`); then replace its content with yours. It overwrites nothing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG_RE = re.compile(r"[a-z][a-z0-9_]*")
NAV_LAST = "whole_tutorial.md"  # the new page goes before this entry of the nav

PAGE = """\
---
description: >-
  {title}: what this page teaches, in one sentence (shown by search engines
  and link previews).
---

# {title}

Say what this page teaches and why, in a sentence or two. Maths is written in
LaTeX and rendered when the site is built: the loss of the line $\\hat{{y}} = wx$
on the points $(x_i, y_i)$ is

$$
L(w) = \\frac{{1}}{{n}}\\sum_{{i=1}}^{{n}} (w x_i - y_i)^2 .
$$

The program below ran when the site was built, and what it printed is shown
under it. Every number in the prose comes from such an output.

```python exec="on" source="above" result="text" id="{slug}-loss"
--8<-- "snippets/{slug}/loss.py"
```

The loss is zero at $w = 2$, where the line passes through every point, and
grows on either side of it.

## Exercises

### Other targets

Make the targets $y = 3x$ instead. Where is the loss zero now?

??? success "Solution"

    The line through every point now has slope three, and the loss is zero
    there:

    ```python exec="on" source="above" result="text" id="{slug}-exercise-targets"
    --8<-- "snippets/{slug}/exercise_targets.py"
    ```

### One more point

Add the point $(5, 10)$. Does the loss at $w = 2$ change?

??? success "Solution"

    No: the new point lies on the line too, so its error is zero as well.

    ```python exec="on" source="above" result="text" id="{slug}-exercise-point"
    --8<-- "snippets/{slug}/exercise_point.py"
    ```

Next, [back to the start](index.md).
"""

LOSS = """\
import numpy as np

X = np.array([1.0, 2.0, 3.0, 4.0])
y = 2 * X

for w in (1.0, 2.0, 3.0):
    loss = np.mean((w * X - y) ** 2)
    print(f"w = {w:.1f}: loss = {loss:.2f}")
"""

EXERCISE_TARGETS = """\
import numpy as np

X = np.array([1.0, 2.0, 3.0, 4.0])
y = 3 * X

for w in (2.0, 3.0):
    loss = np.mean((w * X - y) ** 2)
    print(f"w = {w:.1f}: loss = {loss:.2f}")
"""

EXERCISE_POINT = """\
import numpy as np

X = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
y = 2 * X

w = 2.0
loss = np.mean((w * X - y) ** 2)
print(f"w = {w:.1f}: loss = {loss:.2f}")
"""

TEST = '''\
"""{title}: what the page says, asserted on its programs."""

import numpy as np
import pytest

from snippet import ran


def test_the_loss_is_zero_at_w_2_and_grows_on_either_side():
    namespace, output = ran("{slug}/loss.py")
    X, y = namespace["X"], namespace["y"]
    losses = {{w: np.mean((w * X - y) ** 2) for w in (1.0, 2.0, 3.0)}}
    assert losses[2.0] == 0 and losses[1.0] > 0 and losses[3.0] > 0
    for w, loss in losses.items():
        assert f"w = {{w:.1f}}: loss = {{loss:.2f}}" in output


def test_other_targets_move_the_zero_to_their_slope():
    _, output = ran("{slug}/exercise_targets.py")
    assert "w = 3.0: loss = 0.00" in output


def test_a_point_on_the_line_leaves_the_loss_at_zero():
    namespace, output = ran("{slug}/exercise_point.py")
    assert namespace["loss"] == pytest.approx(0, abs=1e-12)
    assert "w = 2.0: loss = 0.00" in output
'''


class ChapterExists(Exception):
    pass


def files(slug: str, title: str) -> dict[str, str]:
    """What the scaffold writes: path (from the project's root) -> text."""
    return {
        f"docs/{slug}.md": PAGE.format(slug=slug, title=title),
        f"snippets/{slug}/loss.py": LOSS,
        f"snippets/{slug}/exercise_targets.py": EXERCISE_TARGETS,
        f"snippets/{slug}/exercise_point.py": EXERCISE_POINT,
        f"tests/test_{slug}.py": TEST.format(slug=slug, title=title),
    }


def add_to_nav(config: str, slug: str, title: str) -> str:
    """mkdocs.yml's text with `- "title": slug.md` in its nav, before the
    whole tutorial (or at the end of the nav), its comments kept."""
    lines = config.split("\n")
    start = lines.index("nav:")
    first = next(n for n in range(start + 1, len(lines)) if lines[n].strip())
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    entry = f'{indent}- "{quoted}": {slug}.md'

    def in_nav(line: str) -> bool:
        return (
            not line.strip()
            or line.startswith(f"{indent}- ")
            or (line[: len(indent) + 1].isspace() and len(line) > len(indent))
        )

    end = first
    while end < len(lines) and in_nav(lines[end]):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    at = next((n for n in range(first, end) if lines[n].endswith(f": {NAV_LAST}")), end)
    lines.insert(at, entry)
    return "\n".join(lines)


def write(root: Path, slug: str, title: str) -> list[str]:
    """Write the chapter into the project at `root`; return what was written."""
    if not SLUG_RE.fullmatch(slug):
        raise ValueError(
            f"NAME={slug!r}: a chapter's name is lower case letters, digits and "
            "underscores, starting with a letter (it names its page, snippets "
            "and test)"
        )
    if not title.strip():
        raise ValueError('TITLE="...": the chapter needs a title')
    made = files(slug, title.strip())
    existing = [path for path in made if (root / path).exists()]
    if existing:
        raise ChapterExists(f"{', '.join(existing)} exist already: nothing written")
    config = root / "mkdocs.yml"
    config.write_text(
        add_to_nav(config.read_text(encoding="utf-8"), slug, title.strip()),
        encoding="utf-8",
    )
    for path, text in made.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return [*made, "mkdocs.yml"]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print('usage: make chapter NAME=slug TITLE="The title"', file=sys.stderr)
        return 2
    try:
        written = write(ROOT, argv[0], argv[1])
    except (ValueError, ChapterExists) as error:
        print(error, file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    print(f"next: make check-chapter NAME={argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
