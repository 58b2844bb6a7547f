"""Presentation: Jinja2 templates (autoescaped) for the report's narrative fragments and documents.

Every piece of markup the package writes comes from a template in
``informe/templates/secciones/``; values are escaped by Jinja2, never by hand.
Narrative Markdown (written by the agency) goes through :func:`markdown_html`:
Python-Markdown, then the ``nh3`` allowlist sanitizer, so no script, event
handler, ``javascript:`` URL, iframe, object or form can reach the report.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2
import markdown as md
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from informe import formato
from informe.config import TEMPLATES_DIR

SECTIONS_DIR = TEMPLATES_DIR / "secciones"

#: The Content-Security-Policy of every document we publish (the report, its quality review, the
#: consolidated report): nothing but its own inline styles and ``data:`` images and fonts. No script,
#: frame, object, remote or local file can load even if markup ever slipped through the escaping.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                           "base-uri 'none'; form-action 'none'")
STYLESHEET = TEMPLATES_DIR / "informe" / "informe.css"

#: Tags narrative Markdown may produce (Python-Markdown with ``sane_lists`` and ``tables``).
ALLOWED_TAGS = {"p", "br", "hr", "strong", "em", "b", "i", "u", "s", "sub", "sup", "code", "pre", "h2",
                "blockquote", "ul", "ol", "li", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody",
                "tr", "th", "td", "abbr", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start", "type"}, "abbr": {"title"},
                      "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}, "ul": {"class"}}

#: An item that brings its own marker: «a) …», «I. …», «9.4 …», «9.c …», «1) …», «▪ …», «- …».
OWN_MARKER = re.compile(r"\s*(?:[a-zA-Z]\)|[IVXLC]+\.|\d+(?:\.[0-9a-z]+)*[.)]?|[▪•·–-])\s")
#: The class of a list whose every item brings its own marker (informe.css shows no bullet: one marker each).
MARKED = "marcada"


def marked(items) -> bool:
    """Whether every item of a list starts with a marker of its own (so the list shows no bullet)."""
    items = list(items)
    return bool(items) and all(OWN_MARKER.match(str(item)) for item in items)


class _OwnMarkers(Treeprocessor):
    def run(self, root):
        for ul in root.iter("ul"):
            if marked("".join(li.itertext()) for li in ul if li.tag == "li"):
                ul.set("class", MARKED)


class _OwnMarkersExtension(Extension):
    def extendMarkdown(self, markdown):  # noqa: N802 — Python-Markdown's name
        markdown.treeprocessors.register(_OwnMarkers(markdown), "marcas-propias", 5)


def markdown_html(text: str | None) -> Markup:
    """Agency-written Markdown as safe HTML (sanitized with an allowlist)."""
    if not text:
        return Markup("")
    raw = md.markdown(str(text), extensions=["sane_lists", "tables", _OwnMarkersExtension()])
    clean = nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(SECTIONS_DIR)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )
    env.globals["csp"] = CONTENT_SECURITY_POLICY
    env.filters["markdown"] = markdown_html
    env.filters["fecha"] = formato.date
    env.filters["numero"] = formato.number
    env.filters["lineas"] = lambda text: [line.strip() for line in str(text or "").splitlines() if line.strip()]
    env.tests["marcada"] = marked
    return env


def render(template: str, **context) -> str:
    """Render ``templates/secciones/<template>`` with ``context`` (autoescaped)."""
    return environment().get_template(template).render(**context)


def stylesheet() -> str:
    """The report's one stylesheet (inlined in standalone documents)."""
    return STYLESHEET.read_text(encoding="utf-8")
