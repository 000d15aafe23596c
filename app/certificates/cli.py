"""`flask certificates`: make a signing key, and check a signed credential offline.

`verify` prints its verdict in the reader's language (`--lang`, else the LANGUAGE / LC_ALL / LANG
of the shell when it is one the app speaks, else the app's default, Vietnamese) and exits 0 for a
valid credential, 1 otherwise. `new-key` speaks English, like the other operator commands.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from app.certificates import credential, jws, keys, service, status_list
from app.certificates.verify import Result, verify
from app.extensions import db
from app.models.base import utcnow

STATUS_LIST_PATH = "/certificates/status/1"  # where views.status_list publishes the list


@click.group("certificates")
def certificates_cli() -> None:
    """Training certificates: signing keys and signed credentials."""


def public_key_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.stem + ".public.pem")


@certificates_cli.command("new-key")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def new_key(file: Path) -> None:
    """Write a new Ed25519 signing key to FILE (readable by its owner only), and its public half
    beside it to publish as a retired key after the next rotation."""
    public_file = public_key_path(file)
    for path in (file, public_file):
        if path.exists():
            raise click.ClickException(
                f"{path} exists: choose another file name (keys are never overwritten)"
            )
    key = keys.generate()
    try:
        keys.write_private_key(file, key)
    except OSError as exc:
        raise click.ClickException(f"cannot write {file}: {exc.strerror}") from None
    public = keys.PublicKey.of(key.public_key())
    public_file.write_bytes(public.pem())
    click.echo(f"private key: {file} (mode 0600; set CERTIFICATE_KEY_FILE={file})")
    click.echo(f"key id (kid): {public.kid}")
    click.echo(
        f"public key: {public_file} (when this key is replaced, add this file to "
        "CERTIFICATE_RETIRED_KEYS so that the certificates it signed still verify)"
    )


def reader_locale(chosen: str | None) -> str:
    """The language to answer in: --lang, else the shell's, else the app's default."""
    languages = current_app.config["LANGUAGES"]
    if chosen:
        return chosen
    for variable in ("LANGUAGE", "LC_ALL", "LANG"):
        value = os.environ.get(variable, "")[:2].lower()
        if value in languages:
            return value
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _read_keys(jwks_file: Path | None) -> keys.KeyRing:
    if jwks_file is None:
        return keys.keyring()
    try:
        return keys.keyring_from_jwks(json.loads(jwks_file.read_text(encoding="utf-8")))
    except (ValueError, UnicodeDecodeError):
        raise click.ClickException(
            _("%(file)s is not a JWKS document (a JSON key set).", file=jwks_file)
        ) from None


def status_list_token(status_list_file: Path | None, token: str) -> str | None:
    """The status list to check against: the file given; else, when the credential names this
    server's list, that list as the database holds it now (so a revocation recorded here shows at
    once); else none (the signature alone is checked, and the answer says so)."""
    if status_list_file is not None:
        return status_list_file.read_text(encoding="utf-8", errors="replace")
    try:
        entry = jws.parse(token).payload.get("credentialStatus") or {}
    except (jws.MalformedToken, AttributeError):
        return None
    list_url = entry.get("statusListCredential") if isinstance(entry, dict) else None
    if not isinstance(list_url, str) or not list_url.endswith(STATUS_LIST_PATH):
        return None
    return status_list.sign_status_list(
        keys.keyring().signing,
        list_url,
        service.revoked_indexes(db.session),
        utcnow(),
        list_url[: -len(STATUS_LIST_PATH)],
    )


def _describe(result: Result) -> list[str]:
    """What the credential states, one line each, when its signature held."""
    if result.credential is None:
        return []
    try:
        facts = credential.facts_of(result.credential)
    except (KeyError, TypeError, IndexError, ValueError, AttributeError):
        return []
    lines = [
        _("Certificate number: %(number)s", number=facts.number),
        _("Cadre: %(name)s", name=facts.cadre_name),
        _("Course: %(title)s (%(code)s)", title=facts.course_title, code=facts.course_code),
        _("Completed on: %(day)s", day=facts.completed_on.strftime("%d/%m/%Y")),
        _("Issued on %(day)s by %(issuer)s", day=facts.issued_on.strftime("%d/%m/%Y"), issuer=facts.issuer),
    ]
    if facts.replaces:
        lines.append(_("Replaces certificate %(number)s", number=facts.replaces))
    return lines


@certificates_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--jwks",
    "jwks_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Public keys (a JWKS, as published at /.well-known/jwks.json). Default: this server's keys.",
)
@click.option(
    "--status-list",
    "status_list_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The signed status list (revocations) to check against.",
)
@click.option("--lang", type=click.Choice(["vi", "en"]), help="Language of the answer.")
@with_appcontext
def verify_command(
    file: Path, jwks_file: Path | None, status_list_file: Path | None, lang: str | None
) -> None:
    """Check the signed credential in FILE offline: exit 0 when valid, 1 when not."""
    with force_locale(reader_locale(lang)):
        ring = _read_keys(jwks_file)
        token = file.read_text(encoding="utf-8", errors="replace")
        result = verify(token, ring, status_list_token(status_list_file, token))
        click.echo(str(result.reason))
        for line in _describe(result):
            click.echo("  " + line)
    raise SystemExit(0 if result.valid else 1)


@certificates_cli.command("issue")
@click.option(
    "--all", "everything", is_flag=True, required=True, help="Every completion without a certificate."
)
@with_appcontext
def issue_command(everything: bool) -> None:
    """Issue certificates for course completions that have none (those from before certificates):
    idempotent, a batch at a time, each batch committed."""
    pending = service.pending_count(db.session)
    if not pending:
        click.echo("every completion has its certificate")
        return
    started = time.perf_counter()
    with click.progressbar(length=pending, label="issuing certificates") as bar:
        issued = service.issue_missing(db.session, progress=bar.update, commit=db.session.commit)
    seconds = time.perf_counter() - started
    click.echo(
        f"issued {issued} certificates in {seconds:.1f} s ({issued / max(seconds, 1e-9):.0f} a second)"
    )
