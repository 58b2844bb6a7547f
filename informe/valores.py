"""Small value helpers shared by every stage."""

from __future__ import annotations

import math

import pandas as pd


def is_missing(x) -> bool:
    """None, pandas NA or NaN."""
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))
