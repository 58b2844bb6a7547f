"""Accessibility: axe-core (default rules, best practices included) in headless Chromium.

The audit is ``tests/a11y/axe_audit.mjs`` (Node + puppeteer-core + axe-core, pinned in
``tests/a11y/package-lock.json``; ``scripts/setup.sh --test`` installs them).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

A11Y = Path(__file__).parent / "a11y"
AUDIT = A11Y / "axe_audit.mjs"


def run_axe(html: Path, timeout: float = 180, width: int = 1280) -> tuple[int, dict]:
    """Audit ``html`` with axe in a window ``width`` px wide; returns (exit code, report). Exit 0: no
    violations, 1: violations."""
    node = shutil.which("node")
    assert node, "node is required (scripts/setup.sh --test installs it)"
    assert (A11Y / "node_modules").is_dir(), "npm packages missing: run scripts/setup.sh --test"
    proc = subprocess.run([node, str(AUDIT), str(html), "--ancho", str(width)], capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode in (0, 1), f"axe audit failed (exit {proc.returncode}):\n{proc.stderr}"
    return proc.returncode, json.loads(proc.stdout)


def summarize(report: dict) -> str:
    """One line per violated rule plus its first 3 targets, for assert messages."""
    lines = []
    for v in report["violations"]:
        lines.append(f"- {v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}")
        lines += [f"    {' '.join(map(str, n['target']))}" for n in v["nodes"][:3]]
    return "\n".join(lines)


def test_axe_flags_a_known_violation(tmp_path):
    page = tmp_path / "malo.html"
    page.write_text(
        '<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Prueba</title></head>'
        '<body><main><h1>Prueba</h1><p style="color:#bbbbbb;background:#ffffff">Texto gris claro</p>'
        '<img src="grafica.png"></main></body></html>',
        encoding="utf-8",
    )
    code, report = run_axe(page)
    assert code == 1
    assert {"color-contrast", "image-alt"} <= {v["id"] for v in report["violations"]}, summarize(report)


@pytest.mark.parametrize("width", [1280, 390], ids=["escritorio", "telefono"])
@pytest.mark.parametrize("which", ["2023", "ejemplo-2025"])
def test_report_html_has_no_axe_violations(report_2023, ejemplo_anios, which, width):
    html = report_2023 / "informe_2023.html" if which == "2023" else ejemplo_anios.out / "2025" / "informe_2025.html"
    code, report = run_axe(html, width=width)
    assert report["passes"] > 0
    assert code == 0 and not report["violations"], f"axe violations in {html.name} at {width} px:\n" + summarize(report)
