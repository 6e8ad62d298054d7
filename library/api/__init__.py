"""The library's REST endpoints: ``/api/v1/factchecks/`` (registered in annotate.api.urls)."""
