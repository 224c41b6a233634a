"""Support offers: directory, offer pages, proposals, import, finder; JSON API, OpenAPI."""
