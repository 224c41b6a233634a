"""Temporary alias (issue 19 restructure): use sozialraum.services.notes."""

import sys

from sozialraum.services import notes as _module

sys.modules[__name__] = _module
