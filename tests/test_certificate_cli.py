"""`flask certificates verify`: a verdict in the reader's language, exit 0 when valid, 1 when not."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from app.certificates import credential, keys, status_list
from tests.certificate_data import BASE, LIST_URL
from tests.certificate_data import CREDENTIAL_FACTS as FACTS


@pytest.fixture
def signed(app, tmp_path):
    path = tmp_path / "GCN-2026-7KQ4M9XZ.jwt"
    path.write_text(credential.sign(keys.keyring(app).signing, FACTS, BASE, LIST_URL) + "\n")
    return path


def _list(app, tmp_path, revoked, key=None):
    path = tmp_path / "status.jwt"
    signing = key or keys.keyring(app).signing
    path.write_text(status_list.sign_status_list(signing, LIST_URL, revoked, datetime.now(UTC), BASE))
    return str(path)


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["certificates", "verify", *map(str, args)])


def test_a_valid_credential_is_said_valid_in_vietnamese_and_exits_0(app, signed, tmp_path):
    result = _verify(app, signed, "--status-list", _list(app, tmp_path, [1, 2]))
    assert result.exit_code == 0, result.output
    assert "Hợp lệ: do hệ thống này cấp, không bị sửa đổi và chưa bị thu hồi." in result.output
    assert "Số giấy chứng nhận: GCN-2026-7KQ4M9XZ" in result.output
    assert "Cán bộ: Nguyễn Thị Lan" in result.output
    assert "Ngày hoàn thành: 04/05/2026" in result.output
    assert "Thay thế giấy chứng nhận số GCN-2026-AB12CD34" in result.output


def test_without_a_status_list_this_servers_list_is_read_from_the_database(app, signed):
    # the credential names this server's list (…/certificates/status/1): the database answers
    result = _verify(app, signed, "--lang", "en")
    assert result.exit_code == 0
    assert "not revoked" in result.output
    assert "Certificate number: GCN-2026-7KQ4M9XZ" in result.output


def test_a_credential_naming_another_list_has_its_signature_alone_checked(app, tmp_path):
    path = tmp_path / "khac.jwt"
    elsewhere = "https://elsewhere.example/status/7"
    path.write_text(credential.sign(keys.keyring(app).signing, FACTS, BASE, elsewhere))
    result = _verify(app, path, "--lang", "en")
    assert result.exit_code == 0
    assert "Whether it was revoked was not checked" in result.output


def test_a_revoked_credential_exits_1_saying_revoked(app, signed, tmp_path):
    result = _verify(app, signed, "--status-list", _list(app, tmp_path, [42]))
    assert result.exit_code == 1
    assert "Giấy chứng nhận đã bị thu hồi" in result.output


def test_a_changed_credential_exits_1_with_the_reason(app, signed):
    token = signed.read_text().strip()
    head, body, signature = token.split(".")
    payload = json.loads(keys.b64url_decode(body))
    payload["credentialSubject"]["result"][0]["value"] = "100"
    body = keys.b64url(json.dumps(payload, ensure_ascii=False).encode())
    signed.write_text(f"{head}.{body}.{signature}")
    result = _verify(app, signed, "--lang", "en")
    assert result.exit_code == 1
    assert "The signature does not match the content" in result.output
    assert "Certificate number" not in result.output  # what it claims is not repeated
    signed.write_bytes(b"\xff\xfe not a credential")
    result = _verify(app, signed)
    assert result.exit_code == 1 and "tệp bị hỏng" in result.output


def test_verify_with_a_published_jwks_file(app, client, signed, tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(client.get("/.well-known/jwks.json").get_data(as_text=True))
    assert _verify(app, signed, "--jwks", jwks).exit_code == 0
    stranger = tmp_path / "stranger.json"
    stranger.write_text(json.dumps(keys.KeyRing(keys.generate()).jwks()))
    result = _verify(app, signed, "--jwks", stranger, "--lang", "en")
    assert result.exit_code == 1 and "not this site's" in result.output
    (tmp_path / "bad.json").write_text("[1, 2]")
    result = _verify(app, signed, "--jwks", tmp_path / "bad.json", "--lang", "en")
    assert result.exit_code == 1 and "is not a JWKS document" in result.output


def test_a_status_list_signed_by_someone_else_is_not_believed(app, signed, tmp_path):
    forged = _list(app, tmp_path, [], key=keys.generate())
    result = _verify(app, signed, "--status-list", forged, "--lang", "en")
    assert result.exit_code == 1
    assert "The status list is not signed by this site" in result.output
