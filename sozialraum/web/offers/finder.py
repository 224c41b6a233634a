"""The offer finder ("Angebote finden") with a printable handout for the citizen.

A caseworker ticks a person's situation (target groups, legal circuit, languages, topics,
employed or not, recognised severe disability, optionally the age) and may type an address;
the page answers with the fitting offers, why they fit, what to clarify, the walking time
from the address, the offers that do not fit with the reason, and a handout in plain German.

The situation and the address come by POST and live only while the answer is built: they
are in no URL, no log line, no file and no session, and every answer of the route carries
``Cache-Control: no-store``. The route checks its CSRF token itself (see :func:`finder`) so
that an expired form, too, is answered with ``no-store`` and with the ticks kept.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, Length, Optional

from sozialraum import settings
from sozialraum.analysis.reachability import AnalysisUnavailable
from sozialraum.analysis.walking import CUT_OFF_HINTS, CUT_OFF_TEXTS
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.model import offers as model
from sozialraum.services import areas as services
from sozialraum.services import offers
from sozialraum.web import context as ctx
from sozialraum.web.app import csrf
from sozialraum.web.handouts import requested_texts, texts_or_german
from sozialraum.web.walking.pages import NO_STORE, PROFILE_LABELS

#: The checkbox groups of the form: situation key, German legend, vocabulary (id → label).
LIST_GROUPS = (
    ("target_groups", "Zielgruppen", model.TARGET_GROUPS),
    ("circuits", "Rechtskreis", model.LEGAL_BASES),
    ("languages", "Sprachen, in denen beraten werden kann", model.LANGUAGES),
    ("topics", "Anliegen", model.TOPICS),
)
#: The yes/no/unknown questions: situation key, German question.
QUESTIONS = (
    ("employed", "In Arbeit?"),
    (
        "disability_recognised",
        "Schwerbehinderung anerkannt (GdB ab 50) oder gleichgestellt?",
    ),
)
#: Answers of the questions: value → German label (``offen``: not known, no filter).
ANSWERS = {"ja": "ja", "nein": "nein", "offen": "offen / nicht bekannt"}

EXPIRED = (
    "Formular abgelaufen: Bitte senden Sie es noch einmal ab. Ihre Angaben sind unten noch "
    "angekreuzt."
)
NO_NETWORK = "Für dieses Gebiet gibt es kein Fußwegenetz. Die Angebote stehen ohne Gehzeiten da."
UNKNOWN = (
    "Diese Adresse kennen wir in diesem Gebiet nicht. Bitte prüfen Sie die Schreibweise "
    "(Straße und Hausnummer). Die Angebote stehen ohne Gehzeiten da."
)
GONE = "Diese Adresse gibt es nicht mehr. Die Angebote stehen ohne Gehzeiten da."


class FinderForm(FlaskForm):
    """Address and walking pace of the finder (the CSRF token is checked by :func:`finder`)."""

    class Meta:
        """Form options: no CSRF field (the finder checks the token itself)."""

        csrf = False

    adresse = StringField("Adresse", validators=[Optional(), Length(max=200)])
    address_id = HiddenField(validators=[Optional(), Length(max=64)])
    profil = StringField("Gehtempo", validators=[Optional(), AnyOf(list(PROFILE_LABELS))])


def _ticked() -> tuple[dict[str, list[str]], dict[str, str]]:
    """What the form ticked (as sent).

    Lists per group, the answer per question and the age (``age_years``, as typed; checked by
    :func:`~sozialraum.model.offers.situation_from`).
    """
    lists = {key: request.form.getlist(key) for key, _, _ in LIST_GROUPS}
    answers = {key: (request.form.get(key) or "offen") for key, _ in QUESTIONS}
    answers["age_years"] = (request.form.get("age_years") or "").strip()[:20]
    return lists, answers


def _render(area, meta, form, lists, answers, *, status=200, **context):
    """The finder page; every answer of the route is ``no-store``."""
    context.setdefault("texts", texts_or_german())
    body = render_template(
        "offers/angebote_finden.html",
        area=area,
        meta=meta,
        form=form,
        groups=LIST_GROUPS,
        questions=QUESTIONS,
        answer_labels=ANSWERS,
        ticked={key: set(values) for key, values in lists.items()},
        answers=answers,
        profile_labels=PROFILE_LABELS,
        offer_address=lambda offer: services.feature_address(ctx.store(), area, offer),
        **context,
    )
    return body, status, NO_STORE


def _resolve(store, area: str, form: FinderForm) -> tuple[dict | None, dict]:
    """The address feature the form names, or ``None`` with what to tell the caseworker.

    Returns
    -------
    tuple
        ``(feature or None, context)``; the context holds ``error`` and ``choices``
        (ambiguous text) or is empty. ``(None, {})``: no address given.
    """
    address_id = form.address_id.data or None
    if address_id is None:
        text = (form.adresse.data or "").strip()
        if not text:
            return None, {}
        choices = services.address_index(store, area).search(text, 8)
        exact = [s for s in choices if s.match == "exakt"]
        if len(exact) == 1:
            address_id = exact[0].id
        elif choices:
            return None, {"choices": choices, "error": "Bitte wählen Sie die gemeinte Adresse."}
        else:
            return None, {"error": UNKNOWN}
    try:
        return store.get(area, "addresses", address_id), {}
    except (NotFound, InvalidInput):  # an id from an old page
        return None, {"error": GONE}


def finder(area: str):
    """The offer finder: GET shows the form, POST (CSRF) shows fitting offers and a handout."""
    meta = ctx.area_meta()
    store = ctx.store()
    form = FinderForm()
    lists, answers = _ticked()
    if request.method == "GET":
        return _render(area, meta, form, lists, answers)
    try:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
    except CSRFError:
        return _render(area, meta, form, lists, answers, error=EXPIRED, status=400)
    if not form.validate():
        errors = [e for field in form.errors.values() for e in field]
        message = "Bitte prüfen Sie die Eingabe: " + " ".join(errors)
        return _render(area, meta, form, lists, answers, error=message, status=400)
    try:
        situation = model.situation_from({**lists, **answers})
        texts = requested_texts()
    except InvalidInput as exc:
        return _render(area, meta, form, lists, answers, error=exc.message, status=400)
    profile = form.profil.data or "normal"
    address, context = _resolve(store, area, form)
    if context.get("choices"):  # ambiguous: ask first (the buttons carry the ticks along)
        return _render(area, meta, form, lists, answers, texts=texts, **context)
    today = settings.today()
    notices = []
    found = None
    if address is not None:
        try:
            found = offers.find_offers(
                store,
                area,
                situation,
                today=today,
                address=address,
                speed_kmh=services.speed_kmh(profile),
            )
        except AnalysisUnavailable:
            notices.append(NO_NETWORK)
        else:
            if found["cut_off"]:
                reason = found["cut_off_reason"]
                notices.append(
                    " ".join(filter(None, (CUT_OFF_TEXTS[reason], CUT_OFF_HINTS.get(reason))))
                )
                found = None
        if found is None:
            address = None
        else:
            props = address["properties"]
            form.adresse.data = f"{props.get('street', '')} {props.get('housenumber', '')}".strip()
    if found is None:
        found = offers.find_offers(store, area, situation, today=today)
    return _render(
        area,
        meta,
        form,
        lists,
        answers,
        found=found,
        handout=offers.handout_items(found),
        with_walks=address is not None,
        profile=profile,
        profile_label=PROFILE_LABELS[profile],
        notices=notices,
        today=today,
        labels={"languages": model.LANGUAGES},
        texts=texts,
        **context,
    )


# The route's CSRF check is in the view (csrf.protect() above), not in the app-wide hook:
# so an expired form is answered by this page, with no-store and with the ticks kept.
csrf.exempt(finder)
