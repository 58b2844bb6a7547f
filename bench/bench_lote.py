"""Benchmark of ``informe lote`` (prints figures; never a test).

    .venv/bin/python bench/bench_lote.py                          # 8 agencies; 1 and 2 workers; html, html+pdf
    .venv/bin/python bench/bench_lote.py -n 4 -w 2 -f html        # one configuration only

Generates ``-n`` agencies from the reference data ``data/`` (a copy of the folder each, with its own
``nombre`` in dependencia.yaml) in a temporary directory and times ``informe lote --year 2023`` (a
real LocalCluster, real notebooks, nbconvert and Chromium) with each worker count and format,
each run into a fresh output directory. Prints, per run: wall time, throughput (agencies per
minute), peak memory (the sum of the PSS of the whole process tree — caller, Dask scheduler and
workers, Jupyter kernels, Chromium — sampled every 0.2 s with psutil), the cores it kept busy
on average, the cores used meanwhile by processes outside the run (other work on the machine
skews the figures), the CPU seconds (user + system) of the caller process alone, the ``informe lote``
process without its children (read once it has exited and before it is reaped, so nothing is missed),
and of its main thread, and the load average before the run; then the throughput ratio of 2 workers
to 1, beside the machine's own ceiling: first of all, the throughput of 2 processes doing pure Python
CPU work at once relative to 1 alone (on this 2-vCPU virtual machine two busy processes each run
≈ 15 % slower than one alone, so 2 workers cannot give 2×, whatever the program). The caller's CPU does not depend on a quiet machine: every agency's work runs on the workers, so
its main thread (submitting tasks, collecting results, progress, the consolidated report, starting the
cluster) stays a small fraction of a second per agency; its other threads are Dask's event loop, where
the scheduler of the LocalCluster runs (a few hundredths of a core for as long as the run lasts).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
INFORME = Path(sys.executable).parent / "informe"


def make_agencies(parent: Path, n: int) -> Path:
    """``n`` copies of data/ named dep01…, each with its own ``nombre``."""
    folder = parent / "dependencias"
    for i in range(1, n + 1):
        target = folder / f"dep{i:02d}"
        shutil.copytree(ROOT / "data", target)
        yaml = target / "dependencia.yaml"
        lines = yaml.read_text(encoding="utf-8").splitlines(keepends=True)
        lines = [f"nombre: Dependencia de prueba {i:02d}\n" if line.startswith("nombre:") else line for line in lines]
        yaml.write_text("".join(lines), encoding="utf-8")
    return folder


def tree_pss(proc: psutil.Process) -> int:
    """Memory of ``proc`` and all its descendants, in bytes: the sum of their PSS (shared pages divided
    among the processes that share them; summed RSS would count them once per process)."""
    total = 0
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for p in family:
        try:
            total += p.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores)."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def run(agencies: Path, out: Path, workers: int, formats: str, year: int, cache: Path) -> dict:
    load = os.getloadavg()[0]
    cmd = [str(INFORME), "lote", "--year", str(year), "--out", str(out), "--workers", str(workers),
           "--format", formats, str(agencies)]
    env = {**os.environ, "INFORME_CACHE": str(cache)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    busy0 = busy_seconds()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    watched = psutil.Process(proc.pid)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_pss(watched))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.stdout.read()  # EOF once the caller and every process of its tree are gone
    # The caller has exited: wait for it WITHOUT reaping it, so its own CPU times (not its children's)
    # can still be read from /proc; then reap it.
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    wall = time.perf_counter() - t0
    own = watched.cpu_times()
    caller = own.user + own.system
    # Of an exited process only the main thread is left: its own CPU times (the rest: Dask's event loop).
    main_thread = next((t.user_time + t.system_time for t in watched.threads() if t.id == proc.pid), float("nan"))
    proc.wait()
    stop.set()
    sampler.join()
    # Every process of the run is waited for by its parent (workers by the caller, kernels by their
    # worker), so the CPU time of the whole tree ends up in this process's RUSAGE_CHILDREN.
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    mine = (children1.ru_utime - children0.ru_utime) + (children1.ru_stime - children0.ru_stime)
    others = max(0.0, busy_seconds() - busy0 - mine)
    state = next((float(line.split("listo en ")[1].split(" s")[0]) for line in output.splitlines()
                  if line.startswith("Informe estatal") and "listo en " in line), float("nan"))
    built = sum(1 for line in output.splitlines() if line.startswith("[") and ": listo en " in line)
    same = sum(1 for line in output.splitlines() if line.startswith("[") and ": sin cambios " in line)
    return {"wall": wall, "peak": peak, "code": proc.returncode, "built": built, "same": same, "load": load,
            "state": state,
            "output": output, "caller": caller, "main_thread": main_thread,
            "cores": mine / wall, "others": others / wall}


def caller_cpu(r: dict, agencies: int) -> str:
    """The CPU seconds of the process that launched the run, and of its main thread (per agency)."""
    return (f"CPU del proceso que lanza la corrida: {r['caller']:.2f} s; su hilo principal {r['main_thread']:.2f} s "
            f"= {r['main_thread'] / agencies:.3f} s por dependencia con el arranque del clúster incluido (el resto, "
            f"el bucle de eventos de Dask, donde corre el planificador del LocalCluster)")


def _spin(_: int) -> float:
    """Pure-Python CPU work (no I/O, little memory); its seconds."""
    t0 = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i * i % 7
    return time.perf_counter() - t0


def machine_ceiling(repeats: int = 3) -> float:
    """The throughput of 2 processes doing pure CPU work at once relative to 1 alone: what 2 workers can
    give at best on this machine, whatever the program (2.0 on 2 cores that do not slow each other).
    Alternated runs, the median of each (the time each process measures itself)."""
    import multiprocessing
    import statistics

    seconds: dict[int, list[float]] = {1: [], 2: []}
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        for _ in range(repeats):
            for n in (1, 2):
                seconds[n].append(max(pool.map(_spin, range(n), chunksize=1)))
    return 2 * statistics.median(seconds[1]) / statistics.median(seconds[2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--agencies", type=int, default=8, help="number of agencies (default 8)")
    parser.add_argument("-w", "--workers", default="1,2", help="worker counts, comma separated (default 1,2)")
    parser.add_argument("-f", "--formats", default="html,html+pdf",
                        help="format sets, comma separated; inside a set, '+' (default html,html+pdf)")
    parser.add_argument("--year", type=int, default=2023)
    args = parser.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]
    sets = [f.replace("+", ",") for f in args.formats.split(",")]

    print(f"informe lote: {args.agencies} dependencias generadas de data/, año {args.year}, "
          f"{os.cpu_count()} núcleos, {psutil.virtual_memory().total / 2**30:.0f} GiB")
    ceiling = machine_ceiling()
    print(f"techo de la máquina: 2 procesos de cálculo puro en Python rinden {ceiling:.2f}× uno solo "
          "(lo más que pueden dar 2 trabajadores aquí)", flush=True)
    results: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-lote-") as tmp:
        agencies = make_agencies(Path(tmp), args.agencies)
        for formats in sets:
            for workers in counts:
                label = f"{formats.replace(',', '+')}-{workers}"
                out, cache = Path(tmp) / f"out-{label}", Path(tmp) / f"cache-{label}"  # cold: a cache of its own
                r = run(agencies, out, workers, formats, args.year, cache)
                results[(formats, workers)] = r
                rate = 60 * r["built"] / r["wall"]
                print(f"--format {formats:<8} --workers {workers}: {r['wall']:7.1f} s  "
                      f"{rate:5.2f} dependencias/min  memoria máxima {r['peak'] / 2**20:7.0f} MiB  "
                      f"({r['built']}/{args.agencies} informes, salida {r['code']}; núcleos usados {r['cores']:.2f}, "
                      f"por otros procesos {r['others']:.2f}; carga previa {r['load']:.2f})", flush=True)
                print(f"    {caller_cpu(r, args.agencies)}", flush=True)
                print(f"    informe estatal (cuadernos, HTML, PDF y datos del estado; una tarea al final): "
                      f"{r['state']:.1f} s", flush=True)
                if r["code"] != 0:
                    print(r["output"][-3000:])
        # A correction in one agency, then the same run again: only that agency is rebuilt, and only
        # the notebooks that read the corrected file.
        last = f"{sets[-1].replace(',', '+')}-{counts[-1]}"
        intro = agencies / "dep01" / "narrativa" / str(args.year) / "introduccion.md"
        intro.write_text(intro.read_text(encoding="utf-8") + "\nPárrafo corregido.\n", encoding="utf-8")
        r = run(agencies, Path(tmp) / f"out-{last}", counts[-1], sets[-1], args.year, Path(tmp) / f"cache-{last}")
        print(f"otra vez, tras corregir introduccion.md de una dependencia (--format {sets[-1]} --workers "
              f"{counts[-1]}): {r['wall']:.1f} s, memoria máxima {r['peak'] / 2**20:.0f} MiB ({r['built']} "
              f"reconstruida(s), {r['same']} sin cambios, salida {r['code']})\n    {caller_cpu(r, args.agencies)}",
              flush=True)
        for formats in sets:
            one, two = results.get((formats, 1)), results.get((formats, 2))
            if one and two and one["built"] and two["built"]:
                ratio = (two["built"] / two["wall"]) / (one["built"] / one["wall"])
                print(f"--format {formats}: 2 trabajadores / 1 trabajador = {ratio:.2f}× el rendimiento "
                      f"({ratio / ceiling:.0%} del techo de la máquina, {ceiling:.2f}×)")
        extrapolate(results, sets[-1], counts[-1])
    return 0


def extrapolate(results: dict, formats: str, workers: int, agencies: int = 70, cores: int = 16) -> None:
    """From the measured costs of a run, the time of ``agencies`` agencies on a cluster of ``cores`` one-thread
    workers, with the arithmetic: the CPU seconds per agency (the whole process tree, cluster start included) over
    the cores, at the parallel efficiency measured here with ``workers`` workers, plus the state's report (one task,
    after the agencies)."""
    r = results.get((formats, workers))
    if not r or not r["built"]:
        return
    cpu = r["cores"] * r["wall"] / r["built"]
    efficiency = min(1.0, r["cores"] / workers)
    agencies_s = agencies * cpu / (cores * efficiency)
    print(f"extrapolación a {agencies} dependencias en {cores} núcleos (--format {formats}): {cpu:.1f} s de CPU por "
          f"dependencia × {agencies} = {agencies * cpu:.0f} s de CPU; ÷ ({cores} núcleos × eficiencia {efficiency:.2f}, "
          f"la de {workers} trabajadores aquí) = {agencies_s:.0f} s; + informe estatal {r['state']:.1f} s "
          f"≈ {(agencies_s + r['state']) / 60:.1f} min")


if __name__ == "__main__":
    sys.exit(main())
