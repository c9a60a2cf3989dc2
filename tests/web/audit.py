"""What the browser tests check on every page: nothing wider than the screen, and axe-core's accessibility
rules (WCAG 2.1 A and AA, and best practices) with no serious or critical violation.

axe-core comes from the npm registry (`make browser` installs it into tests/output/npm, git-ignored) and is
injected into the test browser only; the pages never load it. Without it the accessibility part is
skipped and says why. Every page's counts by impact go to tests/output/axe.json for the report.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

OUTPUT = Path(__file__).resolve().parent.parent / "output"
AXE = OUTPUT / "npm" / "node_modules" / "axe-core" / "axe.min.js"
COUNTS = OUTPUT / "axe.json"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")


def axe_missing() -> str | None:
    """Why axe-core cannot run here, or None."""
    if AXE.exists():
        return None
    if shutil.which("npm") is None:
        return "axe-core is not installed and npm is not available on this machine"
    return "axe-core is not installed: run `make browser` (npm install --prefix tests/output/npm axe-core@4)"


async def overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return await page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth")


async def axe(page, name: str) -> list[dict]:
    """Run axe-core on the page; record the counts by impact under `name`; return the violations."""
    reason = axe_missing()
    if reason:
        pytest.skip(reason)
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    violations = [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"]),
                   "where": [n["target"] for n in v["nodes"][:3]]} for v in result["violations"]]
    _record(name, violations, len(result["passes"]))
    return violations


async def check_page(page, name: str) -> None:
    """The page fits its window and has no serious or critical accessibility violation."""
    assert await overflow(page) <= 0, f"{name}: wider than the window by {await overflow(page)} px"
    if axe_missing() is None:
        blocking = [v for v in await axe(page, name) if v["impact"] in BLOCKING]
        assert not blocking, f"{name}: {json.dumps(blocking, ensure_ascii=False, indent=1)}"


def _record(name: str, violations: list[dict], passes: int) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    counts = json.loads(COUNTS.read_text()) if COUNTS.exists() else {}
    impacts = {impact: sum(v["nodes"] for v in violations if v["impact"] == impact)
               for impact in ("critical", "serious", "moderate", "minor")}
    counts[name] = {**impacts, "rules_failed": sorted({v["id"] for v in violations}), "rules_passed": passes}
    COUNTS.write_text(json.dumps(counts, ensure_ascii=False, indent=1, sort_keys=True))
