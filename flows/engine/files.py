"""Where content/ is, and its YAML knowledge loaded once per process."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
TEMPLATE_DIR = CONTENT_DIR / "templates"


@functools.cache
def load_yaml(relative: str) -> Any:
    """Load a YAML file under content/ (cached; the files do not change while the bot runs)."""
    with open(CONTENT_DIR / relative, encoding="utf-8") as fh:
        return yaml.safe_load(fh)
