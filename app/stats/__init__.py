"""Kept counters (completions, hours, assignments per unit and month) that the dashboards read.

A leaf concern: features move the counters when they write; nothing here imports a feature.
"""
