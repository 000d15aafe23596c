"""Start-up configuration."""

from __future__ import annotations

import pytest

from app.config import ConfigError, load_config


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config(str(tmp_path), {"BOIDUONG_ENV": "production"})
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config(str(tmp_path), {})  # production is the default


def test_production_with_secret_key(tmp_path):
    config = load_config(
        str(tmp_path),
        {
            "SECRET_KEY": "x" * 32,
            "DATABASE_URL": "postgresql+psycopg://u:p@h/db",
            "CERTIFICATE_KEY_FILE": "/etc/boiduong/certificate-key.pem",
        },
    )
    assert config["SECRET_KEY"] == "x" * 32
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@h/db"
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024


def test_development_defaults_to_sqlite_in_instance_folder(tmp_path):
    config = load_config(str(tmp_path), {"BOIDUONG_ENV": "development"})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/boiduong.sqlite3"
    assert config["SECRET_KEY"] == DEV_KEY  # only a developer's machine falls back to it
    assert config["ADMIN_SECOND_FACTOR"] is True


KEY = "k" * 32
DEV_KEY = "insecure-development-key-do-not-use-in-production"


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"BOIDUONG_ENV": "staging"}, "BOIDUONG_ENV must be one of"),
        (
            {"BOIDUONG_ENV": "test", "SECRET_KEY": KEY, "MAX_CONTENT_LENGTH": "lots"},
            "MAX_CONTENT_LENGTH must be a whole number",
        ),
        (
            {"BOIDUONG_ENV": "test", "SECRET_KEY": KEY, "SESSION_COOKIE_SECURE": "maybe"},
            "SESSION_COOKIE_SECURE must be true or false",
        ),
        ({"SECRET_KEY": "short"}, "too short"),
        ({"SECRET_KEY": "x" * 31}, "at least 32 characters"),
        ({"SECRET_KEY": DEV_KEY}, "built-in development key"),
        ({"BOIDUONG_ENV": "test"}, "SECRET_KEY is not set"),  # tests set their own key
        ({"SECRET_KEY": KEY, "ADMIN_SECOND_FACTOR": "maybe"}, "ADMIN_SECOND_FACTOR must be required or off"),
    ],
)
def test_bad_settings_are_named(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config(str(tmp_path), environ)


def test_wsgi_refuses_to_start_in_production_without_secret(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "BOIDUONG_ENV": "production", "INSTANCE_PATH": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
