"""Temporary alias (issue 19 restructure): use sozialraum.services.meetings."""

import sys

from sozialraum.services import meetings as _module

sys.modules[__name__] = _module
