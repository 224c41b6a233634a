"""The sozialraum web app: the factory lives in :mod:`sozialraum.web.app`."""

from sozialraum.web.app import create_app

__all__ = ["create_app"]
