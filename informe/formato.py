"""Numbers and dates as the published report writes them, through babel's es-MX locale data."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal

from informe.valores import is_missing

LOCALE = "es_MX"
MISSING = "N/D"


def number(value, decimals: int | None = None) -> str:
    """84.2 with 2 decimals -> "84.20"; without ``decimals``, as many as the value needs (up to 2)."""
    if is_missing(value):
        return MISSING
    if decimals is None or is_missing(decimals):
        pattern = "#,##0.##"
    else:
        pattern = "#,##0" + ("." + "0" * int(decimals) if int(decimals) > 0 else "")
    return format_decimal(float(value), format=pattern, locale=LOCALE)


def value(value, unidad_medida: str | None = None, decimals: int | None = None) -> str:
    """A value in its unit: "84.20%" for porcentaje (no space, as published), else the number."""
    text = number(value, decimals)
    if text != MISSING and str(unidad_medida or "").strip().lower() == "porcentaje":
        return text + "%"
    return text


def percent(value, decimals: int | None = None) -> str:
    """A computed percentage such as progress toward the target: "28.32%" (up to 2 decimals)."""
    return value_oris_missing(value, lambda v: number(v, decimals) + "%")


def value_oris_missing(value, render) -> str:
    return MISSING if is_missing(value) else render(value)


def date(value: dt.date | str) -> str:
    """2023-06-13 -> "13 de junio de 2023"."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value, format="long", locale=LOCALE)
