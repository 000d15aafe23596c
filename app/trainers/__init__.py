"""Who teaches a course: its trainers (owners and editors) and its issuing unit (see service.py)."""
