"""What each notebook reads is declared once, in the notebook (``metadata.informe.lee``), and the fingerprint
uses that declaration: a notebook that read a data file its declaration does not cover would be served stale
from the cache after that file changed. Here each notebook runs as a build runs it, in a kernel of its own
whose every ``open`` is recorded (an audit hook installed by an IPython startup file), and what it opened in
the data folder must be covered: the core files (every notebook's fingerprint) or its declared narrative."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from informe import config
from informe.construccion import huella, nucleos, pasos
from informe.construccion.cache import NotebookCache
from informe.construccion.ejecucion import ensure_python_kernel
from informe.datos.entradas import year_inputs

YEAR = 2023
AUDIT = '''
import os, sys
_log = open(os.environ["INFORME_REGISTRO"], "a", encoding="utf-8")
def _record(event, args):
    if event == "open" and isinstance(args[0], str):
        _log.write(os.path.abspath(args[0]) + "\\n"); _log.flush()
sys.addaudithook(_record)
'''


@pytest.mark.slow
def test_every_notebook_reads_only_what_its_fingerprint_covers(tmp_path, monkeypatch):
    data = tmp_path / "datos"
    shutil.copytree(config.DATA_DIR, data)
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-registro.py").write_text(AUDIT, encoding="utf-8")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("INFORME_CACHE", str(tmp_path / "cache"))  # where the kernels find the validated inputs
    ensure_python_kernel()
    params = config.params_file(YEAR)
    inputs = year_inputs(data, YEAR, params)
    assert not inputs.problems
    notebook_key, _ = pasos.fingerprints(data, params, YEAR, ("html",))
    report = pasos.Report(data, YEAR, params, tmp_path / "salida", tmp_path / "etapa", ("html",), force=True)
    cache = NotebookCache(tmp_path / "cache")
    prepared = pasos.prepare(report, inputs.dataset, inputs.params, notebook_key, cache)
    jobs = {job.source.stem: job for job in prepared.jobs}  # one run per notebook (the first objective's)
    assert set(jobs) == {Path(name).stem for name, _ in pasos.NOTEBOOKS}
    narrative = {p.resolve() for p in data.rglob("*") if p.is_file() and p.relative_to(data).parts[0] in huella.NARRATIVE}
    assert narrative, "the data read here have narrative"

    try:
        for stem, job in sorted(jobs.items()):
            log = tmp_path / f"{stem}.log"
            log.touch()
            monkeypatch.setenv("INFORME_REGISTRO", str(log))  # another environment: a kernel of its own
            result = pasos.run_notebook(job, cache)
            assert result["ok"], (stem, result)
            opened = {Path(line).resolve() for line in log.read_text(encoding="utf-8").splitlines()}
            read = {p for p in opened if p in narrative}
            declared = {p.resolve() for p in huella.declared_files(data, stem, YEAR)}
            assert read <= declared, f"{stem} reads {sorted(map(str, read - declared))}, not declared"
            if stem == "00_portada":
                assert not read, "the cover reads no narrative"
    finally:
        nucleos.discard_idle()  # the kernels with the audit hook end here
