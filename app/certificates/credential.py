"""A certificate as a signed credential: a W3C Verifiable Credential in the Open Badges 3.0 shape.

Built from `CertificateFacts` alone, so the credential says what the paper says and nothing else
about the cadre. Follows:
- VC Data Model 2.0: section 4.1 contexts (the v2 context first), 4.2 `id` (the certificate's
  public verification URL, which carries its number), 4.5 `issuer`, 4.6 `validFrom` (the day it
  was issued, midnight in Vietnam), 4.10 `credentialStatus`.
- Open Badges 3.0 (1EdTech), appendix B.1 data models: OpenBadgeCredential (= AchievementCredential)
  with `name`; issuer a Profile; credentialSubject an AchievementSubject identified by an
  IdentityObject of identityType "name" (not hashed: the name is printed on the paper); its
  Achievement of achievementType "Course" (`humanCode` the course code, `version` the edition,
  `criteria.narrative`, `inLanguage` "vi"); the final score as a Result of a ResultDescription with
  resultType "Percent"; the training periods (tiết) as `creditsEarned` (one credit = one period);
  `activityEndDate` the completion day.
- A correction's new certificate names the one it replaces in `replaces` (the replaced
  certificate's verification URL), an issuer-dependent term (VCDM 2.0 section 5.2).
- Bitstring Status List v1.0 section 2.1 for `credentialStatus` (status_list.entry).
Secured as VC-JOSE-COSE compact JWS (jws.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from urllib.parse import quote, unquote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.certificates import jws, status_list
from app.certificates.facts import CertificateFacts
from app.clock import LOCAL

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]


def verification_url(base_url: str, number: str) -> str:
    """The certificate's public page, /verify/<number>; also the credential's id."""
    return f"{base_url.rstrip('/')}/verify/{quote(number, safe='')}"


def local_midnight(day: date) -> str:
    return datetime.combine(day, time(0), LOCAL).isoformat(timespec="seconds")


def _achievement(facts: CertificateFacts, base_url: str) -> dict:
    achievement_id = (
        f"{base_url.rstrip('/')}/courses/{quote(facts.course_code, safe='')}#edition-{facts.edition}"
    )
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": facts.course_title,
        "humanCode": facts.course_code,
        "version": str(facts.edition),
        "inLanguage": "vi",
        "description": (
            f"Khoá bồi dưỡng {facts.course_title} ({facts.course_code}), phiên bản {facts.edition}."
        ),
        "criteria": {"narrative": f"Hoàn thành khoá bồi dưỡng, {facts.hours} tiết."},
        "creditsAvailable": float(facts.hours),
    }
    if facts.score is not None:
        achievement["resultDescription"] = [
            {
                "id": f"{achievement_id}-score",
                "type": ["ResultDescription"],
                "name": "Điểm cuối khoá (%)",
                "resultType": "Percent",
            }
        ]
    return achievement


def _subject(facts: CertificateFacts, achievement: dict) -> dict:
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": facts.cadre_name,
            }
        ],
        "achievement": achievement,
        "creditsEarned": float(facts.hours),
        "activityEndDate": local_midnight(facts.completed_on),
    }
    if facts.score is not None:
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": achievement["resultDescription"][0]["id"],
                "value": _score_text(facts.score),
            }
        ]
    return subject


def _score_text(score: float) -> str:
    return f"{score:.2f}".rstrip("0").rstrip(".")


def build(facts: CertificateFacts, base_url: str, status_list_url: str | None) -> dict:
    """The unsigned credential. Without a status-list URL (or without facts.status_index) it has
    no credentialStatus: a certificate that cannot be revoked, for tests and previews only."""
    base = base_url.rstrip("/")
    credential = {
        "@context": list(CONTEXTS),
        "id": verification_url(base, facts.number),
        "type": list(TYPES),
        "name": f"Giấy chứng nhận {facts.number}: {facts.course_title}",
        "issuer": {"id": base, "type": ["Profile"], "name": facts.issuer},
        "validFrom": local_midnight(facts.issued_on),
        "credentialSubject": _subject(facts, _achievement(facts, base)),
    }
    if facts.replaces:
        credential["replaces"] = verification_url(base, facts.replaces)
    if status_list_url and facts.status_index is not None:
        credential["credentialStatus"] = status_list.entry(status_list_url, facts.status_index)
    return credential


def sign(key: Ed25519PrivateKey, facts: CertificateFacts, base_url: str, status_list_url: str | None) -> str:
    """The credential, secured as a compact JWS: what the cadre downloads."""
    return jws.sign(build(facts, base_url, status_list_url), key)


def _day(value: str) -> date:
    return datetime.fromisoformat(value).date()


def facts_of(credential: dict) -> CertificateFacts:
    """The facts a credential built here states (the inverse of `build`); KeyError, TypeError,
    IndexError, ValueError or AttributeError when it is not of that shape."""
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    results = subject.get("result") or []
    status = credential.get("credentialStatus")
    replaces = credential.get("replaces")
    return CertificateFacts(
        number=unquote(credential["id"].rsplit("/verify/", 1)[1]),
        cadre_name=subject["identifier"][0]["identityHash"],
        course_code=achievement["humanCode"],
        course_title=achievement["name"],
        edition=int(achievement["version"]),
        hours=int(subject["creditsEarned"]),
        score=float(results[0]["value"]) if results else None,
        completed_on=_day(subject["activityEndDate"]),
        issued_on=_day(credential["validFrom"]),
        issuer=credential["issuer"]["name"],
        replaces=unquote(replaces.rsplit("/verify/", 1)[1]) if replaces else None,
        status_index=int(status["statusListIndex"]) if status else None,
    )
