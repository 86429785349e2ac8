"""The build's one cache: executed blocks, renderings, downloads, maths, links.

One folder (the plugin's `cache_dir`, `.cache/build/` by default, next to
mkdocs.yml), one key recipe (`Cache.key`), one switch (the plugin's `cache`
option: off, nothing is read from the folder and nothing is kept), and every
entry a successful build did not use is deleted when it ends (`prune`).

Every key is salted with what every cached value depends on besides its own
inputs: Python's version, every installed distribution and its version,
mkdocs.yml, and the build's own tools (`environment`).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parent
ENTRY_RE = re.compile(r"[0-9a-f]{64}\.[a-z]+\.json")  # what Cache.key names


def environment(project: Path) -> str:
    """What every cached value depends on besides its own inputs: Python, every
    installed package, mkdocs.yml and the build's own tools."""
    # Each installed distribution's metadata folder, named with its version
    # (`torch-2.13.0+cpu.dist-info`): listing them is much quicker than reading
    # every package's metadata.
    packages = sorted(
        {
            folder.name
            for entry in sys.path
            if entry and Path(entry).is_dir()
            for pattern in ("*.dist-info", "*.egg-info")
            for folder in Path(entry).glob(pattern)
        }
    )
    parts = [sys.version, *packages]
    config = project / "mkdocs.yml"
    if config.is_file():
        parts.append(config.read_text(encoding="utf-8"))
    for tool in sorted(TOOLS.glob("*.py")) + sorted(TOOLS.glob("*.cjs")):
        parts.append(tool.read_text(encoding="utf-8"))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@dataclass
class Cache:
    folder: Path
    enabled: bool = True  # off: nothing is read, nothing is kept
    salt: str = ""
    used: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, folder: Path, enabled: bool, project: Path) -> Cache:
        return cls(folder, enabled, environment(project) if enabled else "")

    def key(self, kind: str, *parts: str | bytes) -> str:
        """The one key recipe: the kind of value, its inputs, the environment."""
        digest = hashlib.sha256(f"{self.salt}\0{kind}".encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "little") + data)
        return f"{digest.hexdigest()}.{kind}.json"

    def get(self, key: str) -> Any:
        if not self.enabled:
            return None
        self.used.add(key)
        entry = self.folder / key
        return json.loads(entry.read_text("utf-8")) if entry.is_file() else None

    def put(self, key: str, value: Any) -> None:
        if not self.enabled:
            return
        self.used.add(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / key).write_text(json.dumps(value), encoding="utf-8")

    def prune(self) -> int:
        """Delete every entry this build did not use; return how many. Only
        entries are deleted (files named as `key` names them): any other file in
        the folder is left alone."""
        if not self.enabled or not self.folder.is_dir():
            return 0
        stale = [
            e
            for e in self.folder.iterdir()
            if ENTRY_RE.fullmatch(e.name) and e.name not in self.used and e.is_file()
        ]
        for entry in stale:
            entry.unlink()
        return len(stale)
