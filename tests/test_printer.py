"""Defence in depth for the printer: the published documents carry a Content-Security-Policy, and Chromium
prints with every request but the report itself refused, so no local file can reach the PDF even if
markup ever slipped through the escaping."""

from __future__ import annotations

import re
import subprocess
import uuid

from informe.construccion.pdf import html_to_pdf
from informe.reporte import presentacion


def test_published_documents_carry_the_content_security_policy(soup, report_2023):
    from bs4 import BeautifulSoup

    for document in (soup, BeautifulSoup((report_2023 / "calidad_2023.html").read_text(encoding="utf-8"),
                                         "html.parser")):
        meta = document.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta is not None and meta.find_parent("head") is not None
        assert meta["content"] == presentacion.CONTENT_SECURITY_POLICY
        assert "default-src 'none'" in meta["content"] and "script-src" not in meta["content"]


def test_a_local_file_planted_in_the_html_never_reaches_the_pdf(report_2023, tmp_path):
    """The request filter alone (the policy is taken out of the page): an iframe, object, embed, image and
    stylesheet pointing at a local file print nothing of it; the report itself prints."""
    secret = tmp_path / "secreto.txt"
    marker = f"SECRETO-{uuid.uuid4().hex}"
    secret.write_text(marker, encoding="utf-8")
    url = secret.as_uri()
    planted = (f'<iframe src="{url}" width="600" height="200"></iframe><object data="{url}" width="600" '
               f'height="200"></object><embed src="{url}" width="600" height="200"><img src="{url}" alt="x">'
               f'<link rel="stylesheet" href="{url}">')
    html = (report_2023 / "informe_2023.html").read_text(encoding="utf-8")
    html = re.sub(r'<meta[^>]*Content-Security-Policy[^>]*>', "", html)
    assert "Content-Security-Policy" not in html
    page = tmp_path / "plantado.html"
    page.write_text(html.replace('<main class="informe">', '<main class="informe">' + planted, 1), encoding="utf-8")
    html_to_pdf(page, tmp_path / "plantado.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "plantado.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Oficialía Mayor" in text
    assert marker not in text
