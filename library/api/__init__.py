"""The library's REST endpoints: ``/api/v1/factchecks/`` (registered in workbench.api_urls)."""
