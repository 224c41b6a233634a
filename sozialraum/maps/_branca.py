"""Branca without the needless Jinja compile of text it has already rendered.

folium renders every map element's header, HTML and script and hands each text to
``branca.element.Element(text)``, whose constructor compiles the text as a Jinja template;
rendering that template gives the text back. A map page made about 70 such compiles, a third
of its build time. :func:`install` makes ``Element`` keep a text without Jinja syntax as it is
(with Jinja's own newline handling, so the output stays byte for byte the same). A text with
``{{``, ``{%`` or ``{#`` is compiled as before.
"""

from __future__ import annotations

import re

import branca.element

_JINJA_MARKS = ("{{", "{%", "{#")
_NEWLINES = re.compile(r"\r\n|\r")
_compile = branca.element.Template


class _Module:
    """What ``Template.module`` offers: no macros."""


class _LiteralTemplate:
    """A template without Jinja syntax: renders its text as Jinja would."""

    module = _Module()

    def __init__(self, source: str):
        text = _NEWLINES.sub("\n", source)
        self._text = text[:-1] if text.endswith("\n") else text  # keep_trailing_newline=False

    def render(self, *_args, **_kwargs) -> str:
        return self._text


def _template(source, *args, **kwargs):
    if args or kwargs or not isinstance(source, str) or any(m in source for m in _JINJA_MARKS):
        return _compile(source, *args, **kwargs)
    return _LiteralTemplate(source)


def install() -> None:
    """Let ``branca.element.Element`` keep texts without Jinja syntax uncompiled (idempotent)."""
    branca.element.Template = _template
