"""Stage 2, the figures: the indicator engine and semáforo (:mod:`.motor`), the data-quality rules
(:mod:`.calidad`) and the open data (:mod:`.datos_abiertos`). Data in, typed DataFrames out: no HTML here."""
