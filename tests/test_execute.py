"""A worker's kernel serves its next notebook as a new session; a kernel whose notebook failed never does."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from informe.construccion import ejecucion, nucleos


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def _run(tmp_path: Path, source: Path) -> tuple[dict, nbformat.NotebookNode]:
    output = tmp_path / "ejecutados" / source.name
    result = ejecucion.execute_job(str(source), str(output), {}, str(tmp_path), ejecucion.ensure_python_kernel(), [])
    return result, nbformat.read(str(output), as_version=4)


def _printed(nb: nbformat.NotebookNode, cell: int) -> str:
    """What code cell number ``cell`` printed (papermill may add markdown cells around an error)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return "".join(o.get("text", "") for o in code[cell].outputs if o.output_type == "stream").strip()


@pytest.fixture
def worker():
    """The calling process plays the worker: its idle kernels are shut down afterwards."""
    nucleos.discard_idle()
    yield
    nucleos.discard_idle()


def test_next_notebook_reuses_the_kernel_as_a_new_session(tmp_path, worker):
    first = _notebook(tmp_path / "a.ipynb", "import os\nsecreto = 41", "print(os.getpid())")
    second = _notebook(tmp_path / "b.ipynb",
                       "import os\nprint(sorted(n for n in ('secreto', 'os') if n in globals()))",
                       "print(os.getpid())", "print(len(In))")
    result_a, nb_a = _run(tmp_path, first)
    result_b, nb_b = _run(tmp_path, second)
    assert result_a["ok"] and result_b["ok"]
    assert _printed(nb_b, 1) == _printed(nb_a, 1)  # the same kernel process…
    assert _printed(nb_b, 0) == "['os']"  # …with nothing left of the previous notebook's names
    assert [cell.execution_count for cell in nb_b.cells if cell.cell_type == "code"] == [1, 2, 3]  # In [1] again
    assert _printed(nb_b, 2) == "4"  # and its own input history: "", In[1], In[2], In[3]
    assert nucleos.idle() == 1


def test_kernel_of_a_failed_notebook_is_not_reused(tmp_path, worker):
    failing = _notebook(tmp_path / "falla.ipynb", "import os\nprint(os.getpid())", "raise ValueError('dato malo')")
    after = _notebook(tmp_path / "despues.ipynb", "import os\nprint(os.getpid())")
    result, nb_failed = _run(tmp_path, failing)
    assert not result["ok"] and result["ename"] == "ValueError"
    assert nucleos.idle() == 0
    result, nb_after = _run(tmp_path, after)
    assert result["ok"]
    assert _printed(nb_after, 0) != _printed(nb_failed, 0)


def test_kernel_is_not_reused_in_another_working_directory(tmp_path, worker):
    source = _notebook(tmp_path / "a.ipynb", "import os\nprint(os.getpid(), os.getcwd())")
    other = tmp_path / "otra"
    other.mkdir()
    result, nb_here = _run(tmp_path, source)
    output = tmp_path / "ejecutados" / "b.ipynb"
    result = ejecucion.execute_job(str(source), str(output), {}, str(other), ejecucion.ensure_python_kernel(), [])
    assert result["ok"]
    pid_here, cwd_here = _printed(nb_here, 0).split()
    pid_other, cwd_other = _printed(nbformat.read(str(output), as_version=4), 0).split()
    assert pid_other != pid_here and Path(cwd_other) == other and Path(cwd_here) == tmp_path
    assert nucleos.idle() == 2
