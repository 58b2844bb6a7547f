"""Stage 4, building: the report's steps written once (:mod:`.pasos`), called by ``informe construir``
(:mod:`.construir`) and by each agency of ``informe lote`` (:mod:`.lote`); notebook execution
(:mod:`.ejecucion`, kernels kept by :mod:`.nucleos`), the notebook cache (:mod:`.cache`) and fingerprints
(:mod:`.huella`), the output folder (:mod:`.salida`), the stitched HTML (:mod:`.html`) and the PDF
(:mod:`.pdf`, printed by :mod:`.chromium`)."""
