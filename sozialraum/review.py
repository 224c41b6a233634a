"""Temporary alias (issue 19 restructure): use sozialraum.services.review."""

import sys

from sozialraum.services import review as _module

sys.modules[__name__] = _module
