"""The browser the browser tests drive, chosen one way for `make test` and them.

1. CHROMIUM, when set (by you, or by CI): that program;
2. else Playwright's own Chromium, when installed (`make test` runs
   `python -m playwright install chromium`, which downloads it where it can);
3. else Debian's chromium, /usr/bin/chromium (`make test` installs it as root
   where Playwright cannot download its own).

No browser is an error, never a reason to skip. `python tests/chromium.py`
prints the program chosen, or the error (exit status 1).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
NO_BROWSER = (
    "No browser for the browser tests: run `.venv/bin/python -m playwright install "
    "chromium` (it downloads Playwright's) or `sudo apt-get install chromium`, or "
    "set CHROMIUM to a Chromium or Chrome program."
)


class NoBrowser(Exception):
    pass


def choose(
    chromium: str | None,
    playwright_chromium: Path,
    debian_chromium: Path = DEBIAN_CHROMIUM,
) -> Path:
    """The program to launch: CHROMIUM's value (None or "" when unset), else
    Playwright's Chromium if that file exists, else Debian's if it exists."""
    if chromium:
        if not Path(chromium).is_file():
            raise NoBrowser(
                f"CHROMIUM is {chromium!r}, which is not a file: set it to a "
                "Chromium or Chrome program, or unset it."
            )
        return Path(chromium)
    for candidate in (playwright_chromium, debian_chromium):
        if candidate.is_file():
            return candidate
    raise NoBrowser(NO_BROWSER)


def playwright_chromium(playwright) -> Path:
    """Where Playwright's own Chromium is (or would be) installed."""
    return Path(playwright.chromium.executable_path)


def main() -> int:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        bundled = playwright_chromium(playwright)
    try:
        print(choose(os.environ.get("CHROMIUM"), bundled))
    except NoBrowser as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
