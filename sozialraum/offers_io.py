"""Temporary alias (issue 19 restructure): use sozialraum.services.offers_io."""

import sys

from sozialraum.services import offers_io as _module

sys.modules[__name__] = _module
