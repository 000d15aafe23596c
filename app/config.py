"""Settings, read from the environment once at start-up and validated there.

Every setting is listed in README.md ("Configuration"). Nothing is read from files on disk so that
several app servers can share one PostgreSQL database, except the certificate signing key, a file
that the configuration names (every server is given the same one).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("production", "development", "test")
DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 32
DEFAULT_VIDEO_HOSTS = "www.youtube-nocookie.com,www.youtube.com,player.vimeo.com"
# Where a course may be fetched from (app/courses/gitsource.py): https://, http://, git://, or a path
# on the server. http and path must be named: http is unencrypted, and a path reads the server's disk.
GIT_SOURCE_KINDS = ("https", "http", "git", "path")
DEFAULT_GIT_SOURCES = "https,git"
# PostgreSQL only. A sync gunicorn worker serves one request at a time, holding at most two
# connections (the request's, and the login session's last-seen update): five per worker leave room
# for gthread workers with two threads. A statement is cancelled after 20 s, before gunicorn's 30 s
# timeout kills the worker, so that the reader gets the error page rather than a proxy's 502.
DATABASE_DEFAULTS = {
    "DB_POOL_SIZE": 3,
    "DB_MAX_OVERFLOW": 2,
    "DB_POOL_TIMEOUT": 10,  # seconds a request waits for a free connection
    "DB_POOL_RECYCLE": 1800,  # seconds: reconnect before firewalls drop idle connections
    "DB_CONNECT_TIMEOUT": 5,  # seconds
    "DB_STATEMENT_TIMEOUT_MS": 20000,  # 0: no limit
}


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app can start with."""


def _bool(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


def _names(value: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


def _git_sources(env: Mapping[str, str]) -> tuple[str, ...]:
    sources = _names(env.get("GIT_SOURCES", DEFAULT_GIT_SOURCES))
    unknown = [source for source in sources if source not in GIT_SOURCE_KINDS]
    if unknown:
        raise ConfigError(
            f"GIT_SOURCES may name only {', '.join(GIT_SOURCE_KINDS)}, not {', '.join(unknown)}"
        )
    return sources


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "boiduong.sqlite3")


def _environment(env: Mapping[str, str]) -> str:
    environment = env.get("BOIDUONG_ENV", "production").strip().lower()
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"BOIDUONG_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
    return environment


def _secret_key(env: Mapping[str, str], environment: str) -> str:
    """SECRET_KEY, required everywhere but on a developer's machine (which falls back to a public
    key), and in production long and not that public key."""
    secret_key = env.get("SECRET_KEY", "")
    if not secret_key:
        if environment != "development":
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value, e.g. "
                "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))'), "
                "or set BOIDUONG_ENV=development on a developer's machine."
            )
        return DEV_SECRET_KEY
    if environment == "production":
        if secret_key == DEV_SECRET_KEY:
            raise ConfigError("SECRET_KEY is the built-in development key, which is public: set your own.")
        if len(secret_key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"SECRET_KEY is too short for production: use at least {MIN_SECRET_KEY_LENGTH} characters."
            )
    return secret_key


def _certificate_keys(env: Mapping[str, str], environment: str) -> dict:
    """The key that signs certificates, and retired keys' public halves (app/certificates/keys.py
    reads the files at start): production must name its key, so that every server signs with the
    same one and a restart does not invalidate what was issued."""
    key_file = env.get("CERTIFICATE_KEY_FILE", "").strip()
    if not key_file and environment == "production":
        raise ConfigError(
            "CERTIFICATE_KEY_FILE is not set. Certificates are signed with it: make one with "
            "`BOIDUONG_ENV=development flask certificates new-key /path/to/certificate-key.pem` "
            "(or `openssl genpkey -algorithm ed25519 -out FILE`), keep it secret, and set "
            "CERTIFICATE_KEY_FILE to its path."
        )
    retired = env.get("CERTIFICATE_RETIRED_KEYS", "")
    return {
        "CERTIFICATE_KEY_FILE": key_file,
        "CERTIFICATE_RETIRED_KEYS": tuple(p.strip() for p in retired.split(os.pathsep) if p.strip()),
    }


def _git_settings(env: Mapping[str, str]) -> dict:
    """Courses fetched from git repositories: which kinds of address, from which hosts (none
    named: any), for how long at most; hosts inside the server's network (loopback, private
    addresses) only when GIT_PRIVATE_HOSTS is "1", or when named in GIT_HOSTS."""
    return {
        "GIT_SOURCES": _git_sources(env),
        "GIT_HOSTS": _names(env.get("GIT_HOSTS", "")),
        "GIT_TIMEOUT_SECONDS": _int(env.get("GIT_TIMEOUT_SECONDS", "120"), "GIT_TIMEOUT_SECONDS"),
        "GIT_PRIVATE_HOSTS": env.get("GIT_PRIVATE_HOSTS", "0") == "1",
    }


def _database_settings(env: Mapping[str, str]) -> dict:
    """The connection pool and the statement timeout (PostgreSQL; app/database.py applies them to
    the engine of whichever database the app ends up using). README "Configuration" explains the
    numbers against gunicorn's workers."""
    settings = {name: _int(env.get(name, str(default)), name) for name, default in DATABASE_DEFAULTS.items()}
    negative = [name for name, value in settings.items() if value < 0]
    if negative:
        raise ConfigError(f"{', '.join(negative)} must not be negative")
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}, **settings}


def _login_settings(env: Mapping[str, str]) -> dict:
    checks, queue = login_budget(env)
    return {
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # Failed attempts on one account (whether it exists or not), from any address.
        "LOGIN_ACCOUNT_RATE_LIMIT": env.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute;20 per hour"),
        # Password checks at once on this machine, logins waiting for one, and for how long
        # (app/auth/budget.py): a login storm cannot take every core from the exams under way.
        "LOGIN_CHECKS": checks,
        "LOGIN_QUEUE": queue,
        "LOGIN_WAIT_SECONDS": _int(env.get("LOGIN_WAIT_SECONDS", "2"), "LOGIN_WAIT_SECONDS"),
        "LOGIN_RETRY_SECONDS": _int(env.get("LOGIN_RETRY_SECONDS", "3"), "LOGIN_RETRY_SECONDS"),
    }


def login_budget(env: Mapping[str, str]) -> tuple[int, int]:
    """(password checks at once on this machine, logins waiting for one): LOGIN_CHECKS, by default
    half the cores and at least one, and LOGIN_QUEUE, by default 4 (app/auth/budget.py)."""
    checks = _int(env.get("LOGIN_CHECKS", str(max(1, (os.cpu_count() or 2) // 2))), "LOGIN_CHECKS")
    return max(1, checks), max(0, _int(env.get("LOGIN_QUEUE", "4"), "LOGIN_QUEUE"))


def load_config(instance_path: str, environ: os._Environ[str] | dict[str, str] | None = None) -> dict:
    """Build the Flask config from environment variables.

    Raises ConfigError with a message meant for the person starting the app.
    """
    env = os.environ if environ is None else environ
    environment = _environment(env)
    secret_key = _secret_key(env, environment)
    second_factor = env.get("ADMIN_SECOND_FACTOR", "required").strip().lower()
    if second_factor not in ("required", "off"):
        raise ConfigError(f"ADMIN_SECOND_FACTOR must be required or off, not {second_factor!r}")

    video_hosts = env.get("VIDEO_HOSTS", DEFAULT_VIDEO_HOSTS)
    session_seconds = _int(env.get("SESSION_LIFETIME_MINUTES", "480"), "SESSION_LIFETIME_MINUTES") * 60
    return {
        "ENVIRONMENT": environment,
        "TESTING": environment == "test",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or default_database_url(instance_path),
        "COURSES_DIR": env.get("COURSES_DIR") or str(PROJECT_ROOT / "courses"),
        "VIDEO_HOSTS": tuple(h.strip().lower() for h in video_hosts.split(",") if h.strip()),
        "MAX_CONTENT_LENGTH": _int(
            env.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024)), "MAX_CONTENT_LENGTH"
        ),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED", "true"), "RATELIMIT_ENABLED"),
        "VERIFY_RATE_LIMIT": env.get("VERIFY_RATE_LIMIT", "30 per minute;300 per hour"),  # per address
        "PUBLIC_URL": env.get("PUBLIC_URL", "").strip().rstrip("/"),  # in QR codes; "": the request's
        "CERTIFICATE_ISSUER": env.get("CERTIFICATE_ISSUER", "Sở Nội vụ thành phố Hà Nội"),  # by default
        # Admins must pass a second factor (TOTP) before any admin page; a city may turn it off.
        "ADMIN_SECOND_FACTOR": second_factor == "required",
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE", "false"), "SESSION_COOKIE_SECURE"),
        "PERMANENT_SESSION_LIFETIME": session_seconds,
        # A permanent session's cookie is re-sent (sliding its expiry) at most this often.
        "SESSION_REFRESH_SECONDS": 60,
        "TRUSTED_PROXIES": _int(env.get("TRUSTED_PROXIES", "0"), "TRUSTED_PROXIES"),
        # A form's CSRF token is good for as long as an idle login lasts, and only in the login it
        # was issued in (app.security issues a new one whenever a login starts or ends).
        "WTF_CSRF_TIME_LIMIT": session_seconds,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": env.get("TIMEZONE", "Asia/Ho_Chi_Minh"),
        "LANGUAGES": ("vi", "en"),
        "PAGE_SIZE": 20,
        # Werkzeug's method for new password hashes: full-strength scrypt. Not read from the
        # environment, so a deployment cannot weaken it; the tests choose a cheap one.
        "PASSWORD_HASH_METHOD": "scrypt",
        # The city's own yearly target of training periods per cadre; 0 = off (the national
        # 40-period duty was abolished in 2021, Decree 89/2021).
        "ANNUAL_HOURS_TARGET": _int(env.get("ANNUAL_HOURS_TARGET", "0"), "ANNUAL_HOURS_TARGET"),
        **_login_settings(env),
        **_git_settings(env),
        **_certificate_keys(env, environment),
        **_database_settings(env),
    }
