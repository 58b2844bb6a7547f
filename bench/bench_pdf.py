"""Benchmark of ``informe.construccion.pdf.html_to_pdf`` on an already built HTML (prints timings; not a test).

    .venv/bin/python bench/bench_pdf.py outputs/2023/informe_2023.html
    .venv/bin/python bench/bench_pdf.py REPORT.html -n 5 --out /tmp/informe.pdf --datos outputs/2023/datos

Prints, for N prints of the HTML with ``html_to_pdf`` (default 5), the median wall-clock time and
the median of each stage, the page count (``pdfinfo``), the size of the PDF and whether all the
prints were byte-identical. ``--datos DIR`` attaches the files of DIR, as a build does.

The stages, timed by wrapping the functions that do them (the real call, nothing skipped):

* ``start``  – start headless Chromium, open the HTML offline (``chromium.Chromium.open``);
* ``draft``  – the first print: only the index links and their targets painted (page numbers);
* ``final``  – the tagged print with the index's page numbers and the outline;
* ``finish`` – what remains: ``papel.js``, reading the prints (pikepdf), bookmarks, stable ids,
  attachments, the atomic write, closing the browser.

Run it alone: the machine has 2 cores and the numbers are wall-clock.

Recorded on the 2023 report (quiet 2-core machine):

==================  ============================  ============================
                    WeasyPrint 70 (PDF/A-3u)      Chromium 156 (this script)
==================  ============================  ============================
pages               52                            54 (each section on a new page)
median              9.55 s (of 3)                 2.6–2.8 s (of 5; start 1.1, draft 0.5,
                                                  final 0.7, finish 0.5)
==================  ============================  ============================
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["start", "draft", "final", "finish"]


def _pages(pdf: Path) -> int:
    """Page count with poppler's ``pdfinfo`` (-1 if it is not installed)."""
    if not shutil.which("pdfinfo"):
        return -1
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
    match = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(match.group(1)) if match else -1


def _clocked(stages: dict[str, float]):
    """Wrap the staged functions of the printing code so that each call adds its seconds to ``stages``."""
    from informe.construccion import chromium, html

    def timed(name, function):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                key = name if name != "print" else ("final" if kwargs.get("final") else "draft")
                stages[key] = stages.get(key, 0.0) + time.perf_counter() - t0
        return wrapper

    chromium.Chromium.open = timed("start", chromium.Chromium.open)
    html._print = timed("print", html._print)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="report HTML (e.g. outputs/2023/informe_2023.html)")
    parser.add_argument("-n", type=int, default=5, help="number of prints (default 5; medians are reported)")
    parser.add_argument("--out", type=Path, help="keep the (last) PDF here")
    parser.add_argument("--datos", type=Path, help="attach the files of this folder (as a build does)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    from informe.construccion.pdf import chromium, html_to_pdf

    print(f"import informe.construccion.html: {time.perf_counter() - t0:.2f} s   browser: {chromium()}")
    stages: dict[str, float] = {}
    _clocked(stages)
    attachments = sorted(p for p in args.datos.iterdir() if p.is_file()) if args.datos else []
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as scratch:
        times: list[float] = []
        per_print: list[dict[str, float]] = []
        digests = set()
        pdf = Path(scratch) / "informe.pdf"
        for i in range(args.n):
            stages.clear()
            t0 = time.perf_counter()
            html_to_pdf(args.html, pdf, attachments=attachments)
            times.append(time.perf_counter() - t0)
            per_print.append({**stages, "finish": times[-1] - sum(stages.values())})
            digests.add(hashlib.sha256(pdf.read_bytes()).hexdigest())
            print(f"  print {i + 1}: {times[-1]:.2f} s")

        print(f"html_to_pdf: median {statistics.median(times):.2f} s over {args.n} "
              f"(min {min(times):.2f}, max {max(times):.2f})")
        for name in STAGES:
            print(f"  {name:<7} {statistics.median(s.get(name, 0.0) for s in per_print):6.2f} s")
        print(f"pages: {_pages(pdf)}   size: {pdf.stat().st_size / 1e3:.0f} kB   "
              f"byte-identical prints: {'yes' if len(digests) == 1 else 'NO'}")
        if args.out:
            args.out.write_bytes(pdf.read_bytes())
            print(f"PDF: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
