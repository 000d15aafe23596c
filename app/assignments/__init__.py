"""Assignments (giao nhiệm vụ học tập): courses an admin assigns to cadres with a due date."""
