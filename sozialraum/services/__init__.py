"""Services: one module per feature between the web/CLI layers and the store (no Flask).

They read and write through :class:`~sozialraum.store.base.Store`, apply the domain rules of
:mod:`sozialraum.model` and the analyses of :mod:`sozialraum.analysis`; the web layer and the
CLI call them and only translate requests and output.
"""
