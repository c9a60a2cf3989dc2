"""Whether `htxbot content check` already passed today on exactly this content and code, so that
`htxbot run` can skip rendering every template again on a warm start.

The fingerprint covers every file under content/, bot/, flows/ and db/ (path, size, modification
time), the day (legal citations are checked as of the day) and the Python version. It is kept in
a small file beside the web secret (var/); when that cannot be written, the check runs every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ("content", "bot", "flows", "db")


def fingerprint(day: dt.date | None = None) -> str:
    """A digest of everything the content check reads, and the day."""
    digest = hashlib.sha256(f"{day or dt.date.today()}|{sys.version}".encode())
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path.relative_to(ROOT)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def checked_before(stamp: Path) -> bool:
    """Whether the stamp holds today's fingerprint of this content and code."""
    try:
        return stamp.read_text(encoding="utf-8").strip() == fingerprint()
    except OSError:
        return False


def remember_checked(stamp: Path) -> None:
    """Record that the content check passed (called only after it did)."""
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(fingerprint() + "\n", encoding="utf-8")
    except OSError:
        pass
