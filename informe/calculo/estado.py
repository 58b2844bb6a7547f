"""Stage 2 for the state: the open data of every agency of an ``informe lote``, read back and combined.

The state's evaluation office reads what each agency published, never recomputes it: every figure here comes
from an agency's ``datos/indicadores_<Y>.csv`` (the same figures as its report) and the list of agencies from
``consolidado_<Y>.csv`` (built, failed or without results for the year). Pure pandas over those files.

* :func:`read` — an :class:`Estado`: ``agencias`` (one row per agency of the run) and ``indicadores`` (every
  indicator of every built agency: ``dependencia``, ``carpeta`` and the columns of ``indicadores_<Y>.csv``,
  typed, the semáforo and the trajectory ordered categoricals), with ``decimales`` (the published decimals);
* :func:`resumen` — by agency and in total: indicators, each semáforo, the share with progress, each trajectory
  status and the share on track or with the target reached;
* :func:`atencion` — every indicator in «Retroceso» or «Sin información», grouped by agency;
* :func:`por_eje` — indicators by axis of the state development plan (``ped_eje`` of ``objetivos.csv``);
* :func:`tendencia` — the shares per agency and year, over the years of a several-year run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from informe.calculo import motor

#: What a row of ``consolidado_<Y>.csv`` says of an agency.
BUILT, FAILED, NO_RESULTS = "construido", "error", "sin_resultados"
#: The columns that name the agency of a row of the state's dataset, before the agency's own columns.
AGENCY_COLUMNS = ["dependencia", "carpeta"]
#: Trajectory statuses that need the state's attention.
ATTENTION = ("retroceso", "sin_informacion")
#: The trajectory statuses that count as on track (the share «en trayectoria o meta alcanzada»).
ON_TRACK = ("meta_alcanzada", "en_trayectoria")
NO_AXIS = "Sin alineación declarada"
#: The prefix of the trajectory columns of :func:`resumen` (the semáforo's have the bare codes).
TRAJECTORY_PREFIX = "trayectoria_"
SEMAFORO = pd.CategoricalDtype(list(motor.STATUSES), ordered=True)
TRAYECTORIA = pd.CategoricalDtype(list(motor.TRAJECTORIES), ordered=True)
NUMBERS = ["linea_base_valor", "resultado_valor", "meta_valor", "avance_meta_pct", "avance_esperado_pct",
           "meta_intermedia"]
INTEGERS = ["objetivo_id", "linea_base_anio", "resultado_anio", "meta_anio"]


@dataclass
class Estado:
    """The state's year: its agencies and every indicator of those built (see the module docstring)."""

    anio: int
    agencias: pd.DataFrame
    indicadores: pd.DataFrame
    decimales: pd.DataFrame  # per row of ``indicadores``: the published decimals of each number column

    @property
    def construidas(self) -> pd.DataFrame:
        return self.agencias[self.agencias["estado"] == BUILT]


def _decimals(text: pd.Series) -> pd.Series:
    """How many decimals each figure was written with (84.20 → 2); NA where empty."""
    text = text.astype("string").where(text.astype("string") != "")
    return text.str.extract(r"\.(\d+)$")[0].str.len().fillna(0).astype("Int64").where(text.notna())


def read(out: Path | str, year: int) -> Estado:
    """The state's year from a lote's output folder ``out`` (``consolidado_<Y>.csv`` and each built agency's
    ``<carpeta>/datos/indicadores_<Y>.csv``)."""
    out = Path(out)
    agencias = pd.read_csv(out / f"consolidado_{year}.csv", dtype=str, keep_default_na=False)
    for column in [c for c in motor.SUMMARY_COLUMNS[1:] if c in agencias]:
        agencias[column] = pd.to_numeric(agencias[column].replace("", None)).astype("Int64")
    agencias = agencias.astype({c: "string" for c in agencias.columns if agencias[c].dtype == object})
    parts = []
    for dependencia, carpeta in agencias.loc[agencias["estado"] == BUILT, AGENCY_COLUMNS].itertuples(index=False):
        frame = pd.read_csv(out / carpeta / "datos" / f"indicadores_{year}.csv", dtype=str, keep_default_na=False)
        parts.append(frame.assign(dependencia=dependencia, carpeta=carpeta))
    columns = AGENCY_COLUMNS + motor.EXPORT_COLUMNS
    text = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    text = text.reindex(columns=columns, fill_value="")
    indicadores = text.replace("", None)
    for column in NUMBERS:
        indicadores[column] = pd.to_numeric(indicadores[column]).astype("Float64")
    for column in INTEGERS:
        indicadores[column] = pd.to_numeric(indicadores[column]).astype("Int64")
    for column in [c for c in columns if c not in NUMBERS + INTEGERS]:
        indicadores[column] = indicadores[column].astype("string")
    indicadores["semaforo"] = indicadores["semaforo"].astype(SEMAFORO)
    indicadores["trayectoria"] = indicadores["trayectoria"].astype(TRAYECTORIA)
    decimales = pd.DataFrame({c: _decimals(text[c]) for c in ("linea_base_valor", "resultado_valor", "meta_valor",
                                                                 "meta_intermedia")})
    return Estado(int(year), agencias, indicadores, decimales)


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100 * part / whole.where(whole > 0)).astype("Float64")


def resumen(estado: Estado) -> pd.DataFrame:
    """One row per built agency (in the run's order) and a ``Total`` row (``carpeta`` empty): ``dependencia``,
    ``carpeta``, ``indicadores``, one column per semáforo, ``con_avance_pct``, one column per trajectory status
    (``trayectoria_<código>``) and ``en_trayectoria_pct`` (on track or reached); integer counts, Float64 shares."""
    ind = estado.indicadores
    agencies = list(estado.construidas["carpeta"])
    semaforo = pd.crosstab(ind["carpeta"], ind["semaforo"], dropna=False).reindex(index=agencies, fill_value=0)
    trayectoria = pd.crosstab(ind["carpeta"], ind["trayectoria"], dropna=False).reindex(index=agencies, fill_value=0)
    semaforo = semaforo.reindex(columns=list(motor.STATUSES), fill_value=0)
    trayectoria = trayectoria.reindex(columns=list(motor.TRAJECTORIES), fill_value=0)
    trayectoria.columns = [TRAJECTORY_PREFIX + c for c in trayectoria.columns]  # semáforo and trajectory share codes
    counts = pd.concat([semaforo.sum(axis=1).rename("indicadores"), semaforo, trayectoria], axis=1)
    counts.loc["total"] = counts.sum()
    counts = counts.astype("int64")
    frame = counts.reset_index(names="carpeta")
    frame.columns.name = None
    names = dict(zip(estado.construidas["carpeta"], estado.construidas["dependencia"]))
    frame.insert(0, "dependencia", [names.get(c, "Total") for c in frame["carpeta"]])
    frame.loc[frame["carpeta"] == "total", "carpeta"] = ""
    frame.insert(frame.columns.get_loc("no_aplica") + 1, "con_avance_pct",
                 _share(frame["con_avance"], frame["indicadores"]))
    frame["en_trayectoria_pct"] = _share(frame[[TRAJECTORY_PREFIX + c for c in ON_TRACK]].sum(axis=1),
                                         frame["indicadores"])
    return frame.astype({"dependencia": "string", "carpeta": "string"})


def atencion(estado: Estado) -> pd.DataFrame:
    """Every indicator of the state in «Retroceso» or «Sin información» (:data:`ATTENTION`), grouped by agency
    in the run's order and in each agency's table order."""
    ind = estado.indicadores
    rank = {c: k for k, c in enumerate(estado.construidas["carpeta"])}
    found = ind[ind["trayectoria"].isin(ATTENTION)]
    order = found.assign(_a=found["carpeta"].map(rank)).sort_values("_a", kind="stable").index
    return found.loc[order, AGENCY_COLUMNS + ["indicador_id", "nombre", "unidad_medida", "linea_base_valor",
                                              "resultado_anio", "resultado_valor", "estado", "meta_valor",
                                              "semaforo", "trayectoria", "nota"]]


def por_eje(estado: Estado) -> pd.DataFrame:
    """Indicators by axis of the state development plan (``ped_eje``; :data:`NO_AXIS` where an agency declares
    none), with the agencies that report under it, each semáforo and the shares, in order of first appearance
    (the undeclared last)."""
    ind = estado.indicadores.assign(ped_eje=estado.indicadores["ped_eje"].fillna(NO_AXIS))
    axes = [a for a in dict.fromkeys(ind["ped_eje"]) if a != NO_AXIS] + ([NO_AXIS] if (ind["ped_eje"] == NO_AXIS).any()
                                                                         else [])
    grouped = ind.groupby("ped_eje", sort=False)
    frame = pd.DataFrame({
        "eje": axes,
        "dependencias": [grouped.get_group(a)["dependencia"].nunique() for a in axes],
        "indicadores": [len(grouped.get_group(a)) for a in axes],
    })
    for status in motor.STATUSES:
        frame[status] = [int((grouped.get_group(a)["semaforo"] == status).sum()) for a in axes]
    frame["con_avance_pct"] = _share(frame["con_avance"], frame["indicadores"])
    on_track = [int(grouped.get_group(a)["trayectoria"].isin(ON_TRACK).sum()) for a in axes]
    frame["en_trayectoria_pct"] = _share(pd.Series(on_track), frame["indicadores"])
    return frame.astype({"eje": "string"})


def fallidas(estado: Estado) -> pd.DataFrame:
    """The agencies whose report was not built (``error``) or that have no results for the year
    (``sin_resultados``): dependencia, carpeta, estado and the error's lines."""
    return estado.agencias.loc[estado.agencias["estado"] != BUILT, AGENCY_COLUMNS + ["estado", "error"]]


def tendencia(estados: list[Estado]) -> pd.DataFrame:
    """Per agency and year (the years of ``estados``): the share with progress and the share on track or reached,
    long (dependencia, carpeta, anio, con_avance_pct, en_trayectoria_pct), agencies in order of first appearance."""
    parts = []
    for estado in estados:
        rows = resumen(estado)
        rows = rows[rows["carpeta"] != ""]
        parts.append(rows[AGENCY_COLUMNS + ["con_avance_pct", "en_trayectoria_pct"]].assign(anio=estado.anio))
    if not parts:
        return pd.DataFrame(columns=AGENCY_COLUMNS + ["anio", "con_avance_pct", "en_trayectoria_pct"])
    frame = pd.concat(parts, ignore_index=True)
    return frame[AGENCY_COLUMNS + ["anio", "con_avance_pct", "en_trayectoria_pct"]].astype({"anio": "int64"})
