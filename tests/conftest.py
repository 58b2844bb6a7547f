"""Fixtures shared by the end-to-end tests: ONE real build of the 2023 report per test session.

The build runs papermill, nbconvert and WeasyPrint for real (no mocks); every test that
looks at the report, its PDF or its executed notebooks reads this one build, so no
notebook is executed twice.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup


@pytest.fixture(scope="session")
def report_2023(tmp_path_factory):
    from informe import cli

    out = tmp_path_factory.mktemp("informe2023")
    code = cli.main(["build", "--year", "2023", "--out", str(out)])
    assert code == 0
    return out


@pytest.fixture(scope="session")
def soup(report_2023):
    html = (report_2023 / "informe_2023.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")
