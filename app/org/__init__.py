"""The organisation every feature stands on: the unit tree, its one subtree rule, and the audit log.

Nothing here imports a feature package; features import from here.
"""
