"""Planned walks (Rundgänge): plan, order, walk sheet, findings; JSON API, OpenAPI."""
