"""Renown: open, explainable influence analytics across social networks."""

__version__ = "0.1.0"
