"""One page of a long list (``sozialraum.web.paging``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sozialraum.web.paging import one_page


def test_pages_cover_the_list_once_in_order():
    items = list(range(7))
    pages = [one_page(items, n, 3) for n in (1, 2, 3)]
    assert [p.items for p in pages] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [(p.number, p.pages, p.total) for p in pages] == [(1, 3, 7), (2, 3, 7), (3, 3, 7)]
    assert [(p.first, p.last) for p in pages] == [(1, 3), (4, 6), (7, 7)]


def test_odd_page_numbers_are_clamped():
    items = list(range(5))
    assert one_page(items, None, 2).number == 1
    assert one_page(items, 0, 2).number == 1
    assert one_page(items, -4, 2).number == 1
    assert one_page(items, 99, 2).items == [4]


def test_an_empty_list_is_one_empty_page():
    page = one_page([], 3, 10)
    assert (page.items, page.number, page.pages, page.first, page.last) == ([], 1, 1, 0, 0)


@given(st.integers(0, 60), st.integers(1, 9), st.integers(-3, 12))
def test_any_page_is_a_slice_of_the_list(length, size, requested):
    items = list(range(length))
    page = one_page(items, requested, size)
    assert 1 <= page.number <= page.pages
    assert page.items == items[page.start : page.start + size]
    assert len(page.items) == (size if page.number < page.pages else length - page.start)
