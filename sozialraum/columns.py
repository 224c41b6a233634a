"""Temporary alias (issue 19 restructure): use sozialraum.services.columns."""

import sys

from sozialraum.services import columns as _module

sys.modules[__name__] = _module
