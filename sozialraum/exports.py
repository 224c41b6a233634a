"""Temporary alias (issue 19 restructure): use sozialraum.services.exports."""

import sys

from sozialraum.services import exports as _module

sys.modules[__name__] = _module
