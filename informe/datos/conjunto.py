"""The validated, typed contents of one agency's data (:class:`Dataset`), as :mod:`informe.datos.entradas` returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from informe.datos.lectura import LINE


@dataclass
class Dataset:
    """The validated, typed contents of one data directory."""

    path: Path
    dependencia: dict
    objetivos: pd.DataFrame
    estrategias: pd.DataFrame
    indicadores: pd.DataFrame
    resultados: pd.DataFrame
    #: Contract v3's optional tables, empty when the data have none: interim targets (indicador_id, anio,
    #: meta_valor, meta_valor_decimales) and programmes (programa_id, nombre, tipo).
    metas: pd.DataFrame
    programas: pd.DataFrame
    raw: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.resultados["anio"].dropna().unique())

    def line_of(self, file: str, mask: pd.Series) -> int | None:
        """Row (as a spreadsheet shows it) in ``file`` of the first raw record selected by ``mask``."""
        raw = self.raw.get(file)
        if raw is None or not mask.any():
            return None
        return int(raw.loc[mask.to_numpy(), LINE].iloc[0])

    def lines_by(self, file: str, *columns: str) -> dict[tuple, int]:
        """{(raw text of ``columns``...): row of the first record with those values} of ``file``.

        Built in one pass, so a rule looking up the row of many records does not scan the
        file once per record (see :mod:`informe.calculo.calidad`).
        """
        raw = self.raw.get(file)
        if raw is None:
            return {}
        index: dict[tuple, int] = {}
        for key, line in zip(zip(*(raw[c].tolist() for c in columns)), raw[LINE].tolist()):
            index.setdefault(key, int(line))
        return index
