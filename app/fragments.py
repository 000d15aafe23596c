"""Parts of pages that depend on a few values only, rendered once per process for each.

The menu, the brand and the footer of every page are the same for every learner of a language
with the same roles on the same section of the site; rendering them costs a fifth of a lesson
page (twenty translated strings, a dozen addresses); so is all of a lesson page but its actions
(the lesson's text, its outline and pager) for one course edition, lesson and set of lessons
done (templates/learning/_lesson_parts.html). `fragment(template, macro, *key)` renders
`macro` of `template` with `key` as its arguments once per process for each language, mount point
and key, and returns the same markup after that. The macro must depend on its arguments alone
(and on the language and the addresses, which are part of the key): nothing of the request, the
account or the database.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask
from flask.globals import _cv_request
from flask_login import current_user
from markupsafe import Markup

from app import policy
from app.i18n import request_locale

CACHED_FRAGMENTS = 4096

# The menu's sections, and the endpoints each one is current for (by full name or blueprint).
SECTIONS = (
    ("courses", ("learning.catalogue", "learning.course", "learning.lesson"), ()),
    ("my_learning", ("learning.my_learning",), ()),
    ("my_profile", ("profiles.my_profile",), ()),
    ("teaching", (), ("teach",)),
    ("review", (), ("reports", "assignments")),
    ("cadres", (), ("profiles",)),
    ("administration", (), ("admin", "audit")),
)


def section_of(endpoint: str | None) -> str | None:
    """The menu section a page belongs to (shown as the current one), or None."""
    endpoint = endpoint or ""
    blueprint = endpoint.partition(".")[0]
    for name, endpoints, blueprints in SECTIONS:
        if endpoint in endpoints or blueprint in blueprints:
            return name
    return None


def masthead_key() -> tuple[bool, str | None, bool, bool]:
    """The masthead fragment's key for this request: logged in, the menu section the page belongs
    to, and whether the menu shows teaching and administration."""
    user = current_user._get_current_object()
    if not policy.is_logged_in(user):
        return (False, None, False, False)
    request_context = _cv_request.get(None)
    endpoint = request_context.request.endpoint if request_context else None
    return (True, section_of(endpoint), policy.can_teach(user), policy.is_admin(user))


def init_app(app: Flask) -> None:
    @lru_cache(maxsize=CACHED_FRAGMENTS)
    def _render(template: str, macro: str, locale: str, script_root: str, key: tuple) -> Markup:
        # A macro of an autoescaped template returns Markup: its arguments were escaped in it.
        return getattr(app.jinja_env.get_template(template).module, macro)(*key)

    def fragment(template: str, macro: str, *key) -> Markup:
        request_context = _cv_request.get(None)
        script_root = request_context.request.script_root if request_context else ""
        return _render(template, macro, str(request_locale()), script_root, key)

    fragment.cache_info = _render.cache_info
    app.jinja_env.globals["fragment"] = fragment
    app.jinja_env.globals["masthead_key"] = masthead_key
