"""The use-cases. The CLI, the web pages and the JSON API all call these and nothing below them."""

from valvecheck.services.workspace import open_workspace

__all__ = ["open_workspace"]
