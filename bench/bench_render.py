"""Benchmark of the report pipeline on the toy notebooks (prints timings; not a test).

    .venv/bin/python bench/bench_render.py            # 8 notebooks, 1 and 2 workers
    .venv/bin/python bench/bench_render.py -n 11 -w 1,2,3

Runs ``run_notebooks`` on N toy notebooks (tests/fixtures/render/01 and 02,
alternating) with each worker count, then ``stitch_html`` and ``html_to_pdf`` on
the result, and prints wall-clock seconds for each stage.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "render"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=8, help="number of notebooks (default 8)")
    parser.add_argument("-w", "--workers", default="1,2", help="worker counts, comma separated (default 1,2)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-notebook progress lines")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    from informe.construccion.ejecucion import NotebookJob, run_notebooks

    print(f"import informe.construccion.ejecucion: {time.perf_counter() - t0:.2f} s")
    sources = [FIXTURES / "01_portada.ipynb", FIXTURES / "02_objetivos.ipynb"]
    progress = (lambda _line: None) if args.quiet else (lambda line: print("   ", line))

    with tempfile.TemporaryDirectory(prefix="bench-informe-") as scratch:
        scratch = Path(scratch)
        results = {}
        paths: list[Path] = []
        for workers in [int(w) for w in args.workers.split(",")]:
            out = scratch / f"w{workers}"
            jobs = [
                NotebookJob(sources[i % 2], out / f"{i:02d}_{sources[i % 2].name}",
                            {"anio": 2023, **({"objetivo_id": i} if i % 2 else {})}, f"Cuaderno {i + 1}")
                for i in range(args.n)
            ]
            print(f"run_notebooks: {args.n} notebooks, {workers} worker(s)")
            t0 = time.perf_counter()
            paths = run_notebooks(jobs, workers=workers, cwd=FIXTURES, progress=progress)
            results[workers] = time.perf_counter() - t0
            print(f"  -> {results[workers]:.1f} s ({results[workers] / args.n:.2f} s per notebook)")

        t0 = time.perf_counter()
        from informe.construccion.html import stitch_html
        from informe.construccion.pdf import html_to_pdf

        print(f"import informe.construccion.html + nbconvert: {time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        html = stitch_html(paths, scratch / "informe.html", title="Informe Anual de Resultados 2023")
        print(f"stitch_html ({len(paths)} notebooks, {html.stat().st_size / 1e6:.2f} MB): "
              f"{time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        pdf = html_to_pdf(html, scratch / "informe.pdf")
        print(f"html_to_pdf ({pdf.stat().st_size / 1e6:.2f} MB): {time.perf_counter() - t0:.2f} s")

    print("\nsummary: " + ", ".join(f"{w} worker(s) {s:.1f} s" for w, s in results.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
