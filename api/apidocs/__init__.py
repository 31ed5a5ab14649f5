"""/docs: Swagger UI over /openapi.json, served from installed files, never from a CDN."""

from api.apidocs.routes import router

__all__ = ["router"]
