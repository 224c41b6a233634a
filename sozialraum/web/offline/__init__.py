"""Offline use on the phone (issue 23).

The service worker route and what "Für unterwegs speichern" stores; the browser side is
``static/sozialraum/offline/``.
"""
