"""Stage 1, the agency's data: the safe readers (:mod:`.lectura`), the workbook (:mod:`.libro`, :mod:`.hoja_xml`,
:mod:`.plantilla`), the contract (:mod:`.contrato`), the narrative (:mod:`.narrativa`), the year's parameters
(:mod:`.parametros`) and the entry that reads and checks them all at once (:mod:`.entradas`), giving a
:class:`~.conjunto.Dataset`; the validated inputs kept for the notebooks (:mod:`.contexto`)."""
