"""Informe Anual de Resultados: data contract, indicator engine and report build."""

__version__ = "0.1.0"
