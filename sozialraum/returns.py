"""Temporary alias (issue 19 restructure): use sozialraum.services.mailbox_returns."""

import sys

from sozialraum.services import mailbox_returns as _module

sys.modules[__name__] = _module
