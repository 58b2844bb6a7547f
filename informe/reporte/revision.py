"""The data-quality review for an evaluator who reads the report (:func:`review`): one row per fact
(the same statement found in several places is one row), in plain Spanish, indicators by name, places as
report sections. :func:`write_review` writes it as a standalone HTML document
(``templates/secciones/calidad_documento.html.j2``) and :func:`review_section` as a fragment for the report
(``calidad_seccion.html.j2``). The rules that find the facts are :mod:`informe.calculo.calidad`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from informe.calculo import motor
from informe.calculo.calidad import EDITOR_ONLY, Finding, findings, show_value
from informe.datos.conjunto import Dataset
from informe.datos.parametros import ROMAN, SECTION_TITLES
from informe.escritura import write_text_atomic
from informe.reporte import presentacion
from informe.valores import is_missing

# ----------------------------------------------------------------------------- reviewer document
#
# ``findings`` speaks to whoever edits the data files (rule, file, line). ``review`` speaks to an
# evaluator who only has the published report: one row per fact, in plain Spanish, with the
# indicators named as the report names them and the places given as report sections.

#: Topics of the reviewer document, in the order it lists them.
TEMAS = ("Nombre del indicador", "Línea base", "Resultado del año", "Meta", "Narrativa", "Acciones realizadas")

#: The topic of each rule (every rule code of this module).
TEMA_DE_REGLA = {
    "nombre_repetido": "Nombre del indicador",
    "nombre_distinto_cedula": "Nombre del indicador",
    "linea_base_distinta": "Línea base",
    "linea_base_na_con_dato": "Línea base",
    "sin_referencia": "Línea base",
    "anio_linea_base": "Línea base",
    "sin_resultado": "Resultado del año",
    "estado_con_valor": "Resultado del año",
    "cero_cero": "Resultado del año",
    "cero_sospechoso": "Resultado del año",
    "semaforo_distinto": "Resultado del año",
    "meta_igual_referencia": "Meta",
    "narrativa_conteo": "Narrativa",
    "narrativa_cifra": "Narrativa",
    "acciones_estrategia_desconocida": "Acciones realizadas",
    "estrategia_sin_acciones": "Acciones realizadas",
}

REVIEW_COLUMNS = ["tema", "hallazgo", "donde", "revisar"]
ORDINALS = ("primero", "segundo", "tercero", "cuarto", "quinto", "sexto", "séptimo", "octavo", "noveno", "décimo")
NUMBER_WORDS = {2: "dos", 3: "tres", 4: "cuatro", 5: "cinco", 6: "seis", 7: "siete", 8: "ocho", 9: "nueve"}
TABLE = "tabla «Impacto de las acciones»"


@dataclass(frozen=True)
class Hallazgo:
    """One fact of the reviewer document; ``lugares`` are places in the report, in report order."""

    tema: str
    hallazgo: str
    lugares: tuple[str, ...]
    revisar: str

    @property
    def donde(self) -> str:
        return "; ".join(self.lugares)


def _y(items) -> str:
    """["a", "b", "c"] -> "a, b y c"."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " y " + items[-1]


def _ordinal(k: int) -> str:
    return ORDINALS[k] if k < len(ORDINALS) else f"número {k + 1}"


def _name_difference(table_name: str, card_name: str) -> str | None:
    """The words in which two names differ ("la tabla dice «x» donde la cédula dice «y»"), if they are close."""
    a, b = table_name.split(), card_name.split()
    matcher = difflib.SequenceMatcher(None, [w.casefold() for w in a], [w.casefold() for w in b], autojunk=False)
    if matcher.ratio() < 0.6:
        return None
    parts = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        x, y = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if tag == "replace":
            parts.append(f"la tabla dice «{x}» donde la cédula dice «{y}»")
        elif tag == "delete":
            parts.append(f"la tabla dice «{x}», que la cédula no tiene")
        elif tag == "insert":
            parts.append(f"la cédula agrega «{y}»")
    return _y(parts) if parts else None


@dataclass(frozen=True)
class Sentence:
    """What the reviewer document says of one kind of finding: ``hallazgo`` and ``revisar`` are
    :meth:`str.format` templates, filled with the finding's ``detalle`` and the values :meth:`_Reviewer.values`
    adds (``indicador``: the indicator as the report names it, ``camino``: its figures, ``anio_informe``…);
    ``lugares``: the places it names (:data:`PLACES`)."""

    hallazgo: str
    revisar: str
    lugares: tuple[str, ...] = ("tabla", "cedula")


#: The reviewer's sentences, by rule (and variant: ``sin_resultado_vacio`` is a row without a value).
SENTENCES = {
    "nombre_repetido": Sentence(
        "En la tabla de resultados del objetivo {objetivo_id}, {cuantos} indicadores se llaman igual, «{nombre}»: "
        "{caminos}. El lector no puede distinguirlos.{en_cedulas}",
        "Confirme el nombre oficial de cada indicador y corrija la fuente para que cada uno tenga un nombre propio, "
        "escrito igual en la tabla de resultados y en su cédula.",
        ("tabla", "cedulas")),
    "nombre_distinto_cedula": Sentence(
        "La tabla de resultados llama al indicador «{tabla}» y su cédula «{cedula}»{diferencia}.",
        "Confirme el nombre oficial del indicador y escríbalo igual en la tabla de resultados y en la cédula."),
    "linea_base_distinta": Sentence(
        "La cédula de {indicador} declara una línea base {anio} de {cedula}, pero la tabla de resultados publica "
        "{tabla} para {anio}; el semáforo se calcula con {tabla}.",
        "Confirme cuál es la línea base {anio} correcta y corrija la cédula o la tabla de resultados en la fuente."),
    "linea_base_na_con_dato": Sentence(
        "La cédula de {indicador} dice que la línea base {anio} es N/A (no aplica), pero la tabla de resultados "
        "publica {tabla} para {anio}; el semáforo se calcula con {tabla}.",
        "Confirme si el indicador tiene línea base {anio}: si la tiene, anótela en la cédula; si no, quite el valor "
        "de la tabla de resultados."),
    "sin_referencia": Sentence(
        "El indicador {indicador} no tiene línea base: la cédula dice N/A y la tabla de resultados no publica valor "
        "para {anio}; por eso su semáforo es «Sin información».",
        "Obtenga la línea base {anio} del indicador y regístrela en la cédula o en la tabla de resultados."),
    "anio_linea_base": Sentence(
        "La cédula de {indicador} fecha su línea base en {anio} ({cedula}), pero la tabla de resultados no publica "
        "dato de {anio} y sí de {otros}; el semáforo se calcula con el valor de la cédula.",
        "Confirme el año de la línea base y use el mismo en la cédula y en la tabla de resultados."),
    "sin_resultado": Sentence(
        "La tabla de resultados no tiene resultado {anio_informe} para {indicador}; su semáforo es «Sin información».",
        "Registre el resultado {anio_informe} del indicador o márquelo como no disponible (N/D) o pendiente en la "
        "fuente.",
        ("tabla",)),
    "sin_resultado_vacio": Sentence(
        "El resultado {anio_informe} de {indicador} está vacío y no se marca como no disponible (N/D) ni como "
        "pendiente; su semáforo es «Sin información».",
        "Registre el resultado {anio_informe} del indicador o márquelo como no disponible (N/D) o pendiente en la "
        "fuente.",
        ("tabla",)),
    "estado_con_valor": Sentence(
        "El resultado {anio_informe} de {indicador} está marcado como {marca} y además trae el valor {valor}; el "
        "informe muestra {marca} y no usa ese valor.",
        "Confirme si el resultado {anio_informe} ya está disponible: si lo está, quite la marca {marca}; si no, "
        "borre el valor.",
        ("tabla",)),
    "cero_cero": Sentence(
        "El indicador {indicador} tiene {cero} como línea base ({anio_base}) y como resultado {anio_informe}; el "
        "informe lo presenta con semáforo «Sin información», como medición no iniciada.",
        "Confirme si la medición del indicador ya comenzó. Si el {cero} es un resultado medido, el semáforo debería "
        "compararlo con la línea base en lugar de mostrar «Sin información».",
        ("tabla",)),
    "cero_sospechoso": Sentence(
        "La tabla de resultados publica {cero} como resultado {anio} de {indicador}, {motivo}; si ese año no se "
        "midió, ese {cero} se lee como un cambio real y mueve el semáforo y el avance hacia la meta.",
        "Confirme si el indicador se midió en {anio}: si no, márquelo en la fuente como no disponible (N/D) en "
        "lugar de {cero}.",
        ("tabla",)),
    "semaforo_distinto": Sentence(
        "Una publicación anterior marcó {indicador} en {anio} con el semáforo «{publicado}»; con los datos de la "
        "tabla de resultados, el semáforo de {anio} es «{calculado}».",
        "Confirme las cifras {anio} del indicador y su línea base: si son correctas, el semáforo publicado era "
        "otro; si no, corrija la fuente.",
        ("tabla",)),
    "meta_igual_referencia": Sentence(
        "La meta {meta_anio} de {indicador} ({meta}) es igual a su línea base ({referencia}); el avance hacia la "
        "meta no se puede calcular y aparece como N/D.",
        "Confirme la meta y la línea base del indicador en la cédula y en la tabla de resultados."),
    "narrativa_cifra": Sentence(
        "La narrativa dice {citas}; la cifra parece referirse a {indicador}, que en la tabla de resultados {camino}.",
        "Confirme las cifras correctas y use las mismas en la narrativa y en la tabla de resultados{repetido}",
        ("narrativa", "tabla")),
    "narrativa_conteo": Sentence(
        "La narrativa dice {citas}, pero el informe presenta {datos} {que} en la sección VII.",
        "Confirme {cuantos} {que} tiene el programa y corrija la narrativa o los datos en la fuente.",
        ("narrativa",)),
    "acciones_estrategia_desconocida": Sentence(
        "Hay acciones realizadas registradas bajo la estrategia «{estrategia}», que no existe en el programa; esas "
        "acciones no aparecen en el informe.",
        "Corrija el número de estrategia de esas acciones o agregue la estrategia al programa en la fuente.",
        ("acciones_perdidas",)),
    "estrategia_sin_acciones": Sentence(
        "La estrategia {estrategia} («{nombre_estrategia}») no tiene acciones realizadas registradas; el informe la "
        "muestra sin acciones.",
        "Registre las acciones realizadas de la estrategia {estrategia} en la narrativa del año.",
        ("acciones",)),
}


class _Reviewer:
    """Turns the findings of one year into :class:`Hallazgo` entries (one per fact)."""

    def __init__(self, ds: Dataset, year: int, params: dict | None):
        self.ds, self.year, self.params = ds, year, params or {}
        self.cards = {c["indicador_id"]: c for c in ds.indicadores.to_dict("records")}
        self.order = list(self.cards)
        table = motor.year_table(ds, year, self.params)
        self.table = {r["indicador_id"]: r for r in table.to_dict("records")}
        titles = self.params.get("secciones")
        self.titles = {**SECTION_TITLES, **(titles if isinstance(titles, dict) else {})}

    # places ---------------------------------------------------------------------------
    def place(self, section: int | None, detail: str | None = None) -> str:
        if section is None:
            return "Narrativa del año" + (f", {detail}" if detail else "")
        if section == 7 and detail:
            return f"VII. {detail}"
        return f"{ROMAN[section]}. {self.titles.get(section, '')}".rstrip() + (f", {detail}" if detail else "")

    def table_place(self, iid: str) -> str:
        return self.place(7, f"Objetivo {int(self.cards[iid]['objetivo_id'])}, {TABLE}")

    def card_place(self, plural: bool = False) -> str:
        return self.place(10, "cédulas de los indicadores" if plural else "cédula del indicador")

    @staticmethod
    def ordered(places) -> tuple[str, ...]:
        """Unique places in report order (section number, then first appearance)."""
        unique = list(dict.fromkeys(places))
        number = {v: k for k, v in ROMAN.items()}
        return tuple(sorted(unique, key=lambda p: number.get(p.split(".", 1)[0], 99)))

    # names and figures ------------------------------------------------------------------
    def same_name(self, iid: str) -> list[str]:
        card = self.cards[iid]
        return [i for i in self.order if self.cards[i]["objetivo_id"] == card["objetivo_id"]
                and self.cards[i]["nombre"] == card["nombre"]]

    def card_name(self, iid: str) -> str | None:
        other = self.cards[iid].get("nombre_cedula")
        if is_missing(other) or str(other).strip().casefold() == str(self.cards[iid]["nombre"]).strip().casefold():
            return None
        return str(other)

    def name(self, iid: str) -> str:
        """«name», with what tells it apart when another indicator of its objective has the same name."""
        card = self.cards[iid]
        same = self.same_name(iid)
        if len(same) < 2:
            return f"«{card['nombre']}»"
        extra = f"el {_ordinal(same.index(iid))} con ese nombre en el objetivo {int(card['objetivo_id'])}"
        if self.card_name(iid):
            extra += f"; su cédula lo titula «{self.card_name(iid)}»"
        return f"«{card['nombre']}» ({extra})"

    def path(self, iid: str) -> str:
        """"va de 26.6% (2022) a 38.89% (2023)", as the results table prints it."""
        item = self.table[iid]
        unit = item["unidad_medida"]
        ref = show_value(item["linea_base_valor"], unit, item["referencia_decimales"])
        if not is_missing(item["estado"]):
            res = "N/D" if item["estado"] == "ND" else str(item["estado"])
        elif is_missing(item["resultado_valor"]):
            res = "sin dato"
        else:
            res = show_value(item["resultado_valor"], unit, item["resultado_decimales"])
        return f"va de {ref} ({item['linea_base_anio']}) a {res} ({item['resultado_anio']})"

    # grouping and the one builder ------------------------------------------------------------
    def entries(self, found: list[Finding]) -> list[Hallazgo]:
        found = [f for f in found if f.rule not in EDITOR_ONLY]
        repeated = {i: ("nombre", tuple(f.detalle["ids"])) for f in found if f.rule == "nombre_repetido"
                    for i in f.detalle["ids"]}
        groups: dict[tuple, list[Finding]] = {}
        for f in found:
            if f.rule in ("nombre_repetido", "nombre_distinto_cedula"):
                key = repeated.get(f.indicador_id, ("nombre", (f.indicador_id,)))
            elif f.rule == "narrativa_conteo":
                key = (f.rule, f.detalle["que"])
            elif f.rule in ("acciones_estrategia_desconocida", "estrategia_sin_acciones"):
                key = (f.rule, f.detalle["estrategia"])
            else:  # one fact per indicator (and year, for the rules that name one)
                key = (f.rule, f.indicador_id, f.detalle.get("anio"))
            groups.setdefault(key, []).append(f)
        rank = {t: i for i, t in enumerate(TEMAS)}
        return sorted((self.entry(group) for group in groups.values()), key=lambda h: rank[h.tema])

    def entry(self, group: list[Finding]) -> Hallazgo:
        """The fact the findings of ``group`` share, in the words of :data:`SENTENCES`."""
        first = next((f for f in group if f.rule == "nombre_repetido"), group[0])
        rule = first.rule
        variant = "sin_resultado_vacio" if rule == "sin_resultado" and first.detalle.get("fila") else rule
        sentence = SENTENCES[variant]
        values = self.values(first, group)
        places = [place for kind in sentence.lugares for place in self.places(kind, first, group)]
        return Hallazgo(TEMA_DE_REGLA[rule], sentence.hallazgo.format(**values), self.ordered(places),
                        sentence.revisar.format(**values))

    def values(self, first: Finding, group: list[Finding]) -> dict:
        """The fields the sentences of ``first``'s rule use: its ``detalle`` and what the report shows of it."""
        d, iid = first.detalle, first.indicador_id
        values = {**d, "anio_informe": self.year}
        if iid in self.cards:
            values.update(indicador=self.name(iid), camino=self.path(iid),
                          anio_base=self.table[iid]["linea_base_anio"],
                          meta_anio=None if is_missing(self.cards[iid]["meta_anio"]) else int(self.cards[iid]["meta_anio"]))
        if "cita" in d:
            values["citas"] = _y([f"«{q}»" for q in dict.fromkeys(f.detalle["cita"] for f in group)])
            many = len({self.place(*f.detalle["lugar"]) for f in group})
            values["repetido"] = f"; el texto aparece en {many} lugares del informe." if many > 1 else "."
        if first.rule == "nombre_repetido":
            ids = list(d["ids"])
            titled = [f"la del {_ordinal(k)} lo titula «{self.card_name(i)}»" for k, i in enumerate(ids)
                      if self.card_name(i)]
            values.update(cuantos=NUMBER_WORDS.get(len(ids), str(len(ids))),
                          caminos="; ".join(f"el {_ordinal(k)} {self.path(i)}" for k, i in enumerate(ids)),
                          en_cedulas=f" En las cédulas, {_y(titled)}." if titled else "")
        elif first.rule == "nombre_distinto_cedula":
            difference = _name_difference(d["tabla"], d["cedula"])
            values["diferencia"] = f": {difference}" if difference else ""
        elif first.rule == "anio_linea_base":
            values["otros"] = _y([f"{a} ({v})" for a, v in d["otros_anios"]])
        elif first.rule == "narrativa_conteo":
            values["cuantos"] = "cuántas" if d["que"] == "estrategias" else "cuántos"
        elif first.rule == "estado_con_valor":
            values["marca"] = "N/D" if d["estado"] == "ND" else d["estado"]
        elif first.rule == "estrategia_sin_acciones":
            row = self.strategy(d["estrategia"])
            values.update(nombre_estrategia=row["nombre"], objetivo_id=int(row["objetivo_id"]))
        return values

    def places(self, kind: str, first: Finding, group: list[Finding]) -> list[str]:
        """The places of the report a sentence names (``lugares`` of :class:`Sentence`)."""
        iid = first.indicador_id if first.rule != "nombre_repetido" else first.detalle["ids"][0]
        if kind == "tabla":
            return [self.table_place(iid)]
        if kind in ("cedula", "cedulas"):
            return [self.card_place(plural=kind == "cedulas")]
        if kind == "narrativa":
            return [self.place(*f.detalle["lugar"]) for f in group]
        if kind == "acciones_perdidas":
            return [self.place(7, "Acciones realizadas (esas acciones no aparecen)")]
        sid = first.detalle["estrategia"]  # "acciones": those of one strategy
        return [self.place(7, f"Objetivo {int(self.strategy(sid)['objetivo_id'])}, acciones realizadas de la "
                              f"estrategia {sid}")]

    def strategy(self, sid: str):
        return self.ds.estrategias[self.ds.estrategias["estrategia_id"].astype(str) == sid].iloc[0]


def review_entries(ds: Dataset, year: int, params: dict | None = None) -> list[Hallazgo]:
    """The reviewer document's entries: one per fact, ordered by :data:`TEMAS`."""
    return _Reviewer(ds, year, params).entries(findings(ds, year, params))


def review(ds: Dataset, year: int, params: dict | None = None) -> pd.DataFrame:
    """The data-quality findings for an evaluator: one row per fact, in plain Spanish.

    Columns: ``tema`` (ordered categorical, categories :data:`TEMAS`), ``hallazgo`` (what
    disagrees with what, indicators by name, figures as the report prints them), ``donde``
    (the places in the report, "; "-separated, in report order) and ``revisar`` (what to
    check at the source). The same fact found in several places is one row.
    """
    entries = review_entries(ds, year, params)
    frame = pd.DataFrame({
        "tema": pd.Categorical([e.tema for e in entries], categories=list(TEMAS), ordered=True),
        "hallazgo": pd.Series([e.hallazgo for e in entries], dtype="string"),
        "donde": pd.Series([e.donde for e in entries], dtype="string"),
        "revisar": pd.Series([e.revisar for e in entries], dtype="string"),
    })
    return frame[REVIEW_COLUMNS]


def _title(year: int, params: dict | None) -> str:
    title = (params or {}).get("titulo") or f"Informe Anual de Resultados {year}"
    return str(title).replace("{anio}", str(year))


def review_section(ds: Dataset, year: int, params: dict | None = None) -> str:
    """The entries as an HTML fragment for the official report (``calidad_seccion.html.j2``)."""
    return presentacion.render("calidad_seccion.html.j2", hallazgos=review_entries(ds, year, params), anio=year)


def review_document(ds: Dataset, year: int, params: dict | None = None, *, dependencia: str) -> str:
    """The standalone reviewer document (``calidad_documento.html.j2``), with the report's stylesheet inlined."""
    css = presentacion.stylesheet()
    if "</" in css:  # the stylesheet is inlined raw in <style>; it must not be able to close it
        raise ValueError("la hoja de estilos no puede contener «</».")
    html = presentacion.render("calidad_documento.html.j2", hallazgos=review_entries(ds, year, params),
                          anio=year, dependencia=dependencia, titulo=_title(year, params), css=Markup(css))
    return html if html.endswith("\n") else html + "\n"


def write_review(ds: Dataset, year: int, params: dict | None, path: Path | str, *, dependencia: str) -> Path:
    """Write the reviewer document to ``path`` atomically (mode 0644); same data, same bytes."""
    return write_text_atomic(Path(path), review_document(ds, year, params, dependencia=dependencia))
