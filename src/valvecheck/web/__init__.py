"""The web app: server-rendered pages over the service layer (see app.create_app)."""

from valvecheck.web.app import create_app

__all__ = ["create_app"]
