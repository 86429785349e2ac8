"""Writes the package index that `make lock` gives uv for torch's Linux CPU build.

    python lock/torch_index.py lock/torch-cpu-wheels.sha256 OUTPUT_DIR

reads the digests PyTorch's CPU page publishes (one `sha256sum` line per wheel)
and writes OUTPUT_DIR/torch/index.html: a PEP 503 index of one project, torch,
that lists the +cpu wheels requirements.lock covers (CPython 3.11 to 3.14, not
free-threaded; Linux x86-64 and aarch64), each at its address on PyTorch's page
with its digest. uv takes the files and their digests from it and downloads
nothing (lock/uv.toml gives torch's dependencies). A line that is not a digest
and a wheel's name, or a missing wheel, is an error naming the file and line.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from urllib.parse import quote

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

WHEELS_URL = "https://download.pytorch.org/whl/cpu/"  # where the page's files are
PYTHONS = ("cp311", "cp312", "cp313", "cp314")
MACHINES = ("x86_64", "aarch64")
LINE = re.compile(r"([0-9a-f]{64})  (\S+\.whl)")


class TableError(ValueError):
    pass


def read_table(path: Path) -> dict[str, str]:
    """{wheel file name: SHA-256 digest} from a `sha256sum`-format file."""
    table = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = LINE.fullmatch(line)
        if not match:
            raise TableError(f"{path}:{number}: not '<sha256>  <wheel>': {line!r}")
        digest, name = match.groups()
        if name in table:
            raise TableError(f"{path}:{number}: {name} is listed twice")
        table[name] = digest
    return table


def linux_cpu_wheels(table: dict[str, str], path: Path) -> list[tuple[str, str]]:
    """The (file name, digest) of the +cpu wheel for each Python and machine."""
    found: dict[tuple[str, str], str] = {}
    for name in table:
        try:
            _, version, _, tags = parse_wheel_filename(name)
        except InvalidWheelFilename as error:
            raise TableError(f"{path}: {error}") from None
        if version.local != "cpu":
            continue
        for tag in tags:
            machine = next((m for m in MACHINES if tag.platform.endswith(m)), None)
            if (
                tag.interpreter in PYTHONS
                and tag.abi == tag.interpreter  # cp314t is free-threaded
                and tag.platform.startswith("manylinux")
                and machine
            ):
                key = (tag.interpreter, machine)
                if key in found:
                    raise TableError(f"{path}: two wheels for {key}: {name}")
                found[key] = name
    missing = [
        f"{python} {machine}"
        for python in PYTHONS
        for machine in MACHINES
        if (python, machine) not in found
    ]
    if missing:
        raise TableError(f"{path}: no +cpu Linux wheel for {', '.join(missing)}")
    return sorted((name, table[name]) for name in found.values())


def index_page(wheels: list[tuple[str, str]]) -> str:
    links = [
        f'    <a href="{html.escape(WHEELS_URL + quote(name))}#sha256={digest}">'
        f"{html.escape(name)}</a><br>"
        for name, digest in wheels
    ]
    return (
        "<!DOCTYPE html>\n<html>\n  <body>\n    <h1>Links for torch</h1>\n"
        + "\n".join(links)
        + "\n  </body>\n</html>\n"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    table_path, output = Path(argv[0]), Path(argv[1])
    try:
        wheels = linux_cpu_wheels(read_table(table_path), table_path)
    except TableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    (output / "torch").mkdir(parents=True, exist_ok=True)
    (output / "torch" / "index.html").write_text(index_page(wheels), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
