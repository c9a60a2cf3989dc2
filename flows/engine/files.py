"""Where content/ is, and its YAML knowledge loaded once per process."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
TEMPLATE_DIR = CONTENT_DIR / "templates"


# libyaml's parser when PyYAML was built with it (the wheels are): the knowledge loads in a tenth of the
# time of the pure-Python one, with the same safe subset of YAML
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(stream: Any) -> Any:
    """yaml.safe_load, with libyaml where available."""
    return yaml.load(stream, Loader=SafeLoader)  # noqa: S506 - a safe loader


@functools.cache
def load_yaml(relative: str) -> Any:
    """Load a YAML file under content/ (cached; the files do not change while the bot runs)."""
    with open(CONTENT_DIR / relative, encoding="utf-8") as fh:
        return parse_yaml(fh)
