"""Valvecheck: cross-reference a council's SEND programme against Safety Valve agreement measures."""

__version__ = "0.1.0"
