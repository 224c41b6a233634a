"""Temporary alias (issue 19 restructure): use sozialraum.services.walks."""

import sys

from sozialraum.services import walks as _module

sys.modules[__name__] = _module
