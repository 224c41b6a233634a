"""``python -m sozialraum.cli``: the same as the ``sozialraum`` command."""

from sozialraum.cli import main

main()
