"""Fixtures shared by the end-to-end tests: ONE real build of the 2023 report per test session.

The build runs papermill, nbconvert and Chromium for real (no mocks); every test that
looks at the report, its PDF or its executed notebooks reads this one build, so no
notebook is executed twice.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import types

import pytest
from bs4 import BeautifulSoup

# The build cache of this test session starts empty (the first build executes every notebook for
# real) and lives outside the project; the kernels inherit it through the environment.
CACHE = os.environ["INFORME_CACHE"] = tempfile.mkdtemp(prefix="informe-cache-pruebas-")


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def report_2023(tmp_path_factory):
    from informe import cli

    out = tmp_path_factory.mktemp("informe2023")
    code = cli.main(["build", "--year", "2023", "--out", str(out)])
    assert code == 0
    return out


@pytest.fixture(scope="session")
def ejemplo_anios(tmp_path_factory):
    """The example agency built for 2023–2025 and asked for 2026 too (which has no results), once for the
    session: ``out`` (``<out>/<año>/``), the exit ``code`` and what was printed (``stdout``, ``stderr``)."""
    from informe import cli, config

    out = tmp_path_factory.mktemp("ejemplo") / "salida"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.main(["build", "--year", "2023-2025", "2026", "--data",
                         str(config.ROOT / "ejemplos" / "instituto-ejemplo"), "--out", str(out)])
    return types.SimpleNamespace(out=out, code=code, stdout=stdout.getvalue(), stderr=stderr.getvalue())


@pytest.fixture(scope="session")
def soup(report_2023):
    html = (report_2023 / "informe_2023.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")
