"""Temporary alias (issue 19 restructure): use sozialraum.services.mailbox_check.

Also hands the web layer the names it still imports from here that moved in the split:
``read_table``, ``read_address_csv`` (now in sozialraum.services.uploads) and ``CsvProblem``
(sozialraum.services.columns). Removed with the other aliases once web/ imports the new paths.
"""

import sys

from sozialraum.services import mailbox_check as _module
from sozialraum.services.columns import CsvProblem as _CsvProblem
from sozialraum.services.uploads import read_address_csv as _read_address_csv
from sozialraum.services.uploads import read_table as _read_table

_module.CsvProblem = _CsvProblem
_module.read_address_csv = _read_address_csv
_module.read_table = _read_table
sys.modules[__name__] = _module
