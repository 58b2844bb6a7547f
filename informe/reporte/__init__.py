"""Stage 3, the report's sections as the notebooks call them (:mod:`.secciones`), their charts
(:mod:`.graficas`), the reviewer's document (:mod:`.revision`) and the templates that turn data into HTML
(:mod:`.presentacion`). The notebooks themselves are in :mod:`informe.cuadernos`."""
