"""Temporary alias (issue 19 restructure): use sozialraum.analysis.walking."""

import sys

from sozialraum.analysis import walking as _module

sys.modules[__name__] = _module
