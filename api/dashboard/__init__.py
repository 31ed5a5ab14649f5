"""The supervisors' live dashboard: one page and its static assets, served by the API itself.

No build step and nothing from another host: the page is plain HTML, CSS and ES modules.
"""

from api.dashboard.routes import router

__all__ = ["router"]
