"""The demo city of a developer's machine: logins, profiles and a seeded city (`flask demo ...`).

Outside the features on purpose: it uses them all, and nothing in them uses it.
"""
