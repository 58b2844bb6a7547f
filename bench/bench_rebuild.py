"""Benchmark of rebuilds, in one run on this machine (prints figures; never a test).

    .venv/bin/python bench/bench_rebuild.py [--skip-naive]

Each case runs as a separate command; wall time and the peak memory of its whole process tree
(the sum of each process's PSS, sampled every 50 ms with psutil: shared pages are divided among the
processes that share them, where summed RSS would count Chromium's shared libraries once for each
of its ≈ 10 processes) are printed:

1. the naive script a user writes by hand: the ``papermill`` CLI on each notebook in turn, then
   ``jupyter nbconvert --to html`` on the merged notebook and the ``weasyprint`` CLI (what a user
   writes by hand; ``pip install -e '.[bench]'`` installs WeasyPrint for it);
2. ``informe construir`` cold (empty cache, new output directory);
3. ``informe construir`` again, nothing changed;
4. after touching one narrative file (its content changes);
5. after touching the stylesheet (its content changes; restored afterwards).

The cache and the outputs live in a temporary directory; the data are copied there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NOTEBOOK_ORDER = ["00_portada", "01_introduccion", "06_resumen_ejecutivo", "07_objetivo", "08_proyectos",
                  "09_glosario", "10_anexos"]


def measure(label: str, command: list[str] | str, env: dict, cwd: Path = ROOT) -> float:
    """Run ``command``; print and return its wall time, and print its peak tree memory."""
    peak = 0
    proc = subprocess.Popen(command, cwd=cwd, env=env, shell=isinstance(command, str),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample():
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_full_info().pss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)

    watcher = threading.Thread(target=sample, daemon=True)
    t0 = time.perf_counter()
    watcher.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    watcher.join()
    status = "" if proc.returncode == 0 else f"  ¡FALLÓ (código {proc.returncode})! {err[-300:]}"
    print(f"{label:<52} {wall:7.2f} s   memoria máx. {peak / 2**20:7.0f} MiB{status}", flush=True)
    return wall


def naive_script(work: Path, data: Path) -> str:
    """The hand-written pipeline: papermill CLI per notebook, merge, nbconvert, weasyprint."""
    objectives = [line.split(",")[0] for line in (data / "objetivos.csv").read_text(encoding="utf-8").splitlines()[1:]]
    lines = ["set -e"]
    executed = []
    for name in NOTEBOOK_ORDER:
        for objective in (objectives if name == "07_objetivo" else [None]):
            out = work / f"{name}{'_' + objective if objective else ''}.ipynb"
            extra = f" -p objetivo_id {objective}" if objective else ""
            lines.append(f"{BIN}/papermill notebooks/{name}.ipynb {out} -p anio 2023 -p data_dir {data}{extra} "
                         "--no-progress-bar -k python3 > /dev/null 2>&1")
            executed.append(str(out))
    merge = ("import nbformat,sys; nbs=[nbformat.read(p,4) for p in sys.argv[2:]]; m=nbs[0]; "
             "[m.cells.extend(n.cells) for n in nbs[1:]]; nbformat.write(m, sys.argv[1])")
    lines.append(f"{sys.executable} -c '{merge}' {work}/todo.ipynb {' '.join(executed)}")
    lines.append(f"{BIN}/jupyter-nbconvert --to html --no-input {work}/todo.ipynb --output-dir {work} > /dev/null 2>&1")
    lines.append(f"{BIN}/weasyprint {work}/todo.html {work}/todo.pdf > /dev/null 2>&1")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-naive", action="store_true", help="no medir el script ingenuo")
    args = parser.parse_args(argv)
    if not args.skip_naive and not (BIN / "weasyprint").exists():
        print("El script ingenuo imprime con la orden weasyprint, que no está instalada: "
              "`.venv/bin/pip install -e '.[bench]'` (o `make bench`), o use --skip-naive.", file=sys.stderr)
        return 2
    css = ROOT / "informe" / "templates" / "informe" / "informe.css"
    original_css = css.read_bytes()
    with tempfile.TemporaryDirectory(prefix="bench-rebuild-") as tmp:
        tmp = Path(tmp)
        data = tmp / "datos"
        shutil.copytree(ROOT / "data", data)
        env = {**os.environ, "INFORME_CACHE": str(tmp / "cache")}
        out = tmp / "salida"
        build = [str(BIN / "informe"), "construir", "--year", "2023", "--data", str(data), "--out", str(out)]
        figures = {}
        print(f"Máquina: {os.cpu_count()} núcleos; Python {sys.version.split()[0]}", flush=True)
        if not args.skip_naive:
            work = tmp / "ingenuo"
            work.mkdir()
            figures["naive"] = measure("script ingenuo (papermill CLI + nbconvert + weasyprint)",
                                       naive_script(work, data), env)
        figures["cold"] = measure("informe construir, en frío", build, env)
        figures["unchanged"] = measure("informe construir, sin cambios", build, env)
        intro = data / "narrativa" / "2023" / "introduccion.md"
        intro.write_text(intro.read_text(encoding="utf-8") + "\nUna línea más.\n", encoding="utf-8")
        figures["narrative"] = measure("informe construir, tras cambiar un archivo de narrativa", build, env)
        try:
            css.write_bytes(original_css + b"\n/* cambio de prueba */\n")
            figures["css"] = measure("informe construir, tras cambiar la hoja de estilos", build, env)
        finally:
            css.write_bytes(original_css)
        if "naive" in figures:
            print(f"\nen frío frente al script ingenuo: {figures['naive'] / figures['cold']:.1f}× más rápido")
        print(json.dumps({k: round(v, 2) for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
