"""Measures the presentation of the indicator tables: pandas Styler (what the report uses) and,
when it is installed, great-tables, on the same typed frames. Prints figures; not a test.

    .venv/bin/python bench/bench_tables.py [REPEATS]
"""

from __future__ import annotations

import statistics
import sys
import time

from informe.reporte import secciones


def timed(fn, repeats: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs) * 1000, max(runs) * 1000


def main(repeats: int = 20) -> None:
    t0 = time.perf_counter()
    ctx = secciones.open(2023)
    print(f"report.open(2023): {(time.perf_counter() - t0) * 1000:.0f} ms")
    ids = list(ctx.dataset.objetivos["objetivo_id"])

    def styler():
        return [secciones.indicadores(ctx, i).to_html() for i in ids]

    median, worst = timed(styler, repeats)
    size = sum(len(h) for h in styler())
    print(f"pandas Styler, 5 indicator tables: median {median:.1f} ms, max {worst:.1f} ms, {size / 1024:.0f} KiB HTML")
    try:
        import great_tables as gt
    except ImportError:
        print("great-tables: not installed (pip install great-tables to compare)")
        return

    def great():
        out = []
        for i in ids:
            frame = secciones.indicadores_datos(ctx, i)
            frame["Semáforo"] = frame["Semáforo"].astype(str)
            numeric = [c for c in frame.columns if str(frame[c].dtype) == "Float64"]
            table = (gt.GT(frame.astype({c: float for c in numeric})).tab_header("Impacto de las acciones")
                     .fmt_number(columns=numeric, decimals=2, locale="es-MX").sub_missing(missing_text="N/D"))
            out.append(table.as_raw_html())
        return out

    median, worst = timed(great, repeats)
    size = sum(len(h) for h in great())
    print(f"great-tables {gt.__version__}, same 5 tables: median {median:.1f} ms, max {worst:.1f} ms, "
          f"{size / 1024:.0f} KiB HTML (with its own inline CSS)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
