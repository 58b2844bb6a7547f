"""The notebook cache: executed notebooks kept by jupyter-cache (the validated inputs beside them: :mod:`informe.datos.contexto`).

jupyter-cache keys a notebook on its code cells. papermill writes the parameters into the
notebook as a code cell, and every build passes ``huella`` (the fingerprint of the data, the
year's parameters and the package, :mod:`informe.construccion.huella`) as a parameter: so the same notebook
with the same parameters and the same inputs is the same key, and any change of an input is a
different key. The cache can only miss, never serve a stale result.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nbformat


#: Cell metadata written while executing (timings), not part of what the notebook is.
EXECUTION_METADATA = ("papermill", "execution")


class NotebookCache:
    """Executed notebooks (jupyter-cache), in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._cache = None

    @property
    def cache(self):
        """The jupyter-cache, opened once. jupyter-cache creates its folder and database on first use,
        and two processes doing that at once collide (a folder or table that already exists): two builds,
        or the workers of an ``informe lote``, open it one at a time, under a lock file beside it (as a
        build's output folder, :func:`informe.construccion.salida.build_lock`)."""
        if self._cache is None:
            from jupyter_cache import get_cache

            from informe.construccion.salida import build_lock

            self.folder.mkdir(parents=True, exist_ok=True)
            with build_lock(self.folder / "cuadernos", lambda message: None):
                cache = get_cache(str(self.folder / "cuadernos"))
                cache.db  # noqa: B018 — creates the folder and the database if they do not exist yet
            self._cache = cache
        return self._cache

    @staticmethod
    def _parameterized(job) -> "nbformat.NotebookNode":
        """The notebook as papermill will run it and :func:`informe.construccion.ejecucion.tidy` will keep it: the parameters
        injected as a code cell, in Spanish."""
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        from informe.construccion.ejecucion import spanish_parameters

        nb = load_notebook_node(str(job.source))  # as papermill reads it (every cell gets its tags list)
        parameters = dict(job.parameters)
        if getattr(job, "cache_key", ""):  # keyed on what the notebook shows, not on every input (huella.data_key)
            parameters["huella"] = job.cache_key
        nb = spanish_parameters(parameterize_notebook(nb, parameters, kernel_name="python3"))
        return _without_execution_metadata(nb)

    def restore(self, job) -> bool:
        """Write the cached execution of ``job`` to ``job.output``; False when there is none."""
        try:
            _, merged = self.cache.merge_match_into_notebook(self._parameterized(job))
        except KeyError:
            return False
        import nbformat

        Path(job.output).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(merged, str(job.output))
        return True

    def store(self, job) -> None:
        """Keep the successful execution of ``job`` (its output notebook). jupyter-cache hashes the cells'
        metadata too: the timings papermill and nbclient record there are left out, so the executed
        notebook has the key of the notebook before execution."""
        import nbformat
        from jupyter_cache.base import CacheBundleIn

        nb = _without_execution_metadata(nbformat.read(str(job.output), as_version=4))
        if getattr(job, "cache_key", ""):  # kept under its key: the injected parameters as restore() looks them up
            keyed = next(c for c in self._parameterized(job).cells if "injected-parameters" in c.metadata.get("tags", []))
            for cell in nb.cells:
                if "injected-parameters" in cell.metadata.get("tags", []):
                    cell.source = keyed.source
        self.cache.cache_notebook_bundle(CacheBundleIn(nb, str(job.output)), check_validity=False, overwrite=True)


def _without_execution_metadata(nb: "nbformat.NotebookNode") -> "nbformat.NotebookNode":
    for cell in nb.cells:
        for key in EXECUTION_METADATA:
            cell.metadata.pop(key, None)
    return nb




