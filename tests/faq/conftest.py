"""The knowledge base, built once for the FAQ tests."""

from __future__ import annotations

import pytest

from flows.faq import Knowledge


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return Knowledge.load()
