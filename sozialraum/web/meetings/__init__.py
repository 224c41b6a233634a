"""Team meetings: the printable protocol and its CSV (started on the review page)."""
