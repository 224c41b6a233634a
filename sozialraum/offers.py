"""Temporary alias (issue 19 restructure): use sozialraum.services.offers."""

import sys

from sozialraum.services import offers as _module

sys.modules[__name__] = _module
