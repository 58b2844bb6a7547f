"""Benchmark of ``informe.render.html_to_pdf`` on an already built HTML (prints timings; not a test).

    .venv/bin/python bench/bench_pdf.py /tmp/pdfwork/informe_2023.html
    .venv/bin/python bench/bench_pdf.py REPORT.html -n 5 --out /tmp/informe.pdf

Prints, for N prints of the HTML with ``html_to_pdf`` (default 3), the median
wall-clock time and the median of each WeasyPrint stage, the page count
(``pdfinfo``), the size of the PDF and whether all the prints were byte-identical.

The stages come from WeasyPrint's own progress log (``weasyprint.progress``), so
they cost nothing and time the real call:

* ``parse HTML``   – step 1, tinyhtml5 (the ``data:`` images are in the HTML);
* ``parse CSS``    – step 2, the inlined stylesheet and WeasyPrint's own;
* ``cascade``      – step 3, selector matching and computed styles;
* ``boxes``        – step 4, formatting structure (images are decoded here);
* ``layout``       – step 5, pagination, line breaking, tables, margin boxes;
* ``draw``         – step 6, painting the pages into PDF streams (SVG charts too);
* ``write``        – step 7, metadata, font subsetting, compression, the file.

Run it alone: the machine has 2 cores and the numbers are wall-clock.

Recorded on the 2023 report (44 pages; median of 3, quiet 2-core machine):

=============  ======  ======
stage          before  after
=============  ======  ======
parse HTML     0.29    0.28
parse CSS      0.08    0.09
cascade        0.44    0.52
boxes          0.31    0.29
layout         4.38    2.99
draw           5.41    2.45
write          0.22    0.16
**total**      11.30   6.75
=============  ======  ======

before: charts as SVG with glyph outlines, auto table layout everywhere; after: charts
printed from their text-as-text SVG (``charts.Grafica``), fixed layout for the two long text
tables in print (``informe.css``).

Later, the 2023 report with trend tables and trajectory charts (52 pages), printed as tagged
PDF/A-3u: median 9.55 s (layout 3.87, draw 3.40, write 1.11 of which ≈ 0.9 s is the tags and
PDF/A). This script prints without attachments (the four open-data files add ≈ 0.1 s).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (stage name, regular expression of the progress message that starts it)
STAGES = [
    ("parse HTML", r"^Step 1 "),
    ("parse CSS", r"^Step 2 "),
    ("cascade", r"^Step 3 "),
    ("boxes", r"^Step 4 "),
    ("layout", r"^Step 5 "),
    ("draw", r"^Step 6 "),
    ("write", r"^Step 7 "),
]


class _StageClock(logging.Handler):
    """Time stamps of the first progress message of each stage."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.marks: list[tuple[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        now = time.perf_counter()
        message = record.getMessage()
        for name, pattern in STAGES:
            if re.match(pattern, message):
                if not self.marks or self.marks[-1][0] != name:
                    self.marks.append((name, now))
                return

    def durations(self, start: float, end: float) -> dict[str, float]:
        """Seconds per stage (``other``: before the first and outside them, e.g. the atomic write)."""
        result: dict[str, float] = {}
        marks = self.marks + [("", end)]
        for (name, begin), (_, finish) in zip(marks, marks[1:]):
            result[name] = result.get(name, 0.0) + finish - begin
        result["other"] = (end - start) - sum(result.values())
        return result


def _pages(pdf: Path) -> int:
    """Page count with poppler's ``pdfinfo`` (-1 if it is not installed)."""
    if not shutil.which("pdfinfo"):
        return -1
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
    match = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(match.group(1)) if match else -1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="report HTML (e.g. /tmp/pdfwork/informe_2023.html)")
    parser.add_argument("-n", type=int, default=3, help="number of prints (default 3; medians are reported)")
    parser.add_argument("--out", type=Path, help="keep the (last) PDF here")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    import weasyprint  # noqa: F401

    from informe.render import html_to_pdf

    print(f"import weasyprint + informe.render: {time.perf_counter() - t0:.2f} s")

    progress = logging.getLogger("weasyprint.progress")
    progress.setLevel(logging.INFO)
    progress.propagate = False
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as scratch:
        times: list[float] = []
        stages: list[dict[str, float]] = []
        digests = set()
        pdf = Path(scratch) / "informe.pdf"
        for i in range(args.n):
            clock = _StageClock()
            progress.addHandler(clock)
            try:
                t0 = time.perf_counter()
                html_to_pdf(args.html, pdf)
                t1 = time.perf_counter()
            finally:
                progress.removeHandler(clock)
            times.append(t1 - t0)
            stages.append(clock.durations(t0, t1))
            digests.add(hashlib.sha256(pdf.read_bytes()).hexdigest())
            print(f"  print {i + 1}: {times[-1]:.2f} s")

        print(f"html_to_pdf: median {statistics.median(times):.2f} s over {args.n} "
              f"(min {min(times):.2f}, max {max(times):.2f})")
        for name in [name for name, _ in STAGES] + ["other"]:
            values = [s.get(name, 0.0) for s in stages]
            print(f"  {name:<11} {statistics.median(values):6.2f} s")
        print(f"pages: {_pages(pdf)}   size: {pdf.stat().st_size / 1e3:.0f} kB   "
              f"byte-identical prints: {'yes' if len(digests) == 1 else 'NO'}")
        if args.out:
            args.out.write_bytes(pdf.read_bytes())
            print(f"PDF: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
