"""Offline use on the phone (issue 23): the service worker and what "Für unterwegs speichern"
stores; the browser side is ``static/sozialraum/offline/``."""
