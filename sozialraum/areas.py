"""Temporary alias (issue 19 restructure): use sozialraum.services.areas."""

import sys

from sozialraum.services import areas as _module

sys.modules[__name__] = _module
