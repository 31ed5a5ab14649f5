"""Request and response models: one per use, with examples, so /openapi.json documents the API."""
