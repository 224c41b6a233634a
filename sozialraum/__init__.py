"""sozialraum: Sozialraum maps for municipal caseworkers."""

__version__ = "0.1.0"
