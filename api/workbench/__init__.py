"""The mediators' workbench (`/workbench`): a web app over the HTTP API, for phones first."""

from api.workbench.routes import router

__all__ = ["router"]
