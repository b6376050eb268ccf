"""axe-core (vendored from npm by scripts/vendor-assets.sh) run in the page."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})"
    )
    assert result["passes"], "axe-core checked nothing: was it loaded?"
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
