"""Presentation: Jinja2 templates (autoescaped) for the report's narrative fragments and documents.

Every piece of markup the package writes comes from a template in
``informe/templates/secciones/``; values are escaped by Jinja2, never by hand.
Narrative Markdown (written by the agency) goes through :func:`markdown_html`:
Python-Markdown, then the ``nh3`` allowlist sanitizer, so no script, event
handler, ``javascript:`` URL, iframe, object or form can reach the report.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2
import markdown as md
import nh3
from markupsafe import Markup

from . import fmt
from .config import TEMPLATES_DIR

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
                      "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}


def markdown_html(text: str | None) -> Markup:
    """Agency-written Markdown as safe HTML (sanitized with an allowlist)."""
    if not text:
        return Markup("")
    raw = md.markdown(str(text), extensions=["sane_lists", "tables"])
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
    env.filters["fecha"] = fmt.date
    env.filters["numero"] = fmt.number
    env.filters["lineas"] = lambda text: [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return env


def render(template: str, **context) -> str:
    """Render ``templates/secciones/<template>`` with ``context`` (autoescaped)."""
    return environment().get_template(template).render(**context)


def stylesheet() -> str:
    """The report's one stylesheet (inlined in standalone documents)."""
    return STYLESHEET.read_text(encoding="utf-8")
