"""The Flask class of the app, with Jinja's globals handed to each template as a plain dict.

Jinja gives every template a ChainMap of its own globals over the environment's, so that globals
added after a template is loaded still show; rendering then copies that ChainMap into a new dict
key by key in Python, for the page and for every imported macro file (36 globals: a twelfth of a
lesson page's work, a sixth of a quiz page's). This app registers all its globals while it is
created (`create_app`), before any template loads, so a plain dict made when a template loads
holds the same names, and Python copies it at C speed.
"""

from __future__ import annotations

from flask import Flask
from flask.templating import Environment


class SnapshotEnvironment(Environment):
    def make_globals(self, d):
        return {**self.globals, **(d or {})}


class App(Flask):
    jinja_environment = SnapshotEnvironment
