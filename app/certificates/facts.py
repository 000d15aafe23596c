"""What a training certificate states, and its standing: the one shape that the paper, the public
verification page and the signed credential are all drawn from (issue 14)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Why a certificate stopped being valid: its training record was withdrawn, or corrected (a new
# certificate, naming this one, replaces it).
REVOCATION_REASONS = ("withdrawn", "corrected")


@dataclass(frozen=True)
class CertificateFacts:
    """The facts printed on a certificate, and nothing else about the cadre."""

    number: str  # opaque and not guessable, e.g. "GCN-2026-7KQ4M9XZ"; the verification URL's key
    cadre_name: str
    course_code: str
    course_title: str
    edition: int  # the course version the training was completed on
    hours: int  # training periods credited
    score: float | None  # final score in percent; None for a course without a graded quiz
    completed_on: date
    issued_on: date
    issuer: str  # the issuing body (the course's issuing unit)
    replaces: str | None = None  # the number of the certificate this one replaces after a correction
    status_index: int | None = None  # its bit in the published status list


@dataclass(frozen=True)
class CertificateStatus:
    """Valid, or revoked on a date for one of REVOCATION_REASONS."""

    revoked_on: date | None = None
    reason: str | None = None

    @property
    def valid(self) -> bool:
        return self.revoked_on is None
