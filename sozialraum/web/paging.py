"""One page of a long list on an HTML page (``?seite=N``; the notes page, the review queue)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """The items of page ``number`` (1-based) of ``pages``; ``total`` items in the whole list."""

    items: list[T]
    number: int
    pages: int
    total: int
    start: int  # items before this page

    @property
    def first(self) -> int:
        """The 1-based position of the page's first item in the whole list (0 when empty)."""
        return self.start + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The 1-based position of the page's last item in the whole list (0 when empty)."""
        return self.start + len(self.items)


def one_page(items: list[T], requested: int | None, size: int) -> Page[T]:
    """Page ``requested`` of ``items`` at ``size`` per page.

    A missing, unreadable or too small number is page 1; one past the end is the last page
    (an old link after notes were deleted still shows something).
    """
    pages = max(1, -(-len(items) // size))
    number = min(max(requested or 1, 1), pages)
    start = (number - 1) * size
    return Page(items[start : start + size], number, pages, len(items), start)
