"""Temporary alias (issue 19 restructure): use sozialraum.services.coverage."""

import sys

from sozialraum.services import coverage as _module

sys.modules[__name__] = _module
