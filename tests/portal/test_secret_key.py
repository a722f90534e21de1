"""Without SECRET_KEY in the environment the portal signs with a random key of its own, kept in
var/ with mode 0600, never with a constant from the source."""

import os
import stat
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from grading.accounts.services import CONFIRMATION_SALT
from grading.models import ConfirmedEmail
from tests import factories as f

# The key every installation used to sign with when SECRET_KEY was not set.
OLD_PUBLIC_KEY = "dev-only-insecure-key-change-me"
PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def _settings_key(var_dir, module="portal.settings.base", **env):
    environment = {
        **{k: v for k, v in os.environ.items() if k != "SECRET_KEY"},
        "DJANGO_SETTINGS_MODULE": module,
        "PORTAL_VAR_DIR": str(var_dir),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", PRINT_KEY],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_the_variable_a_random_key_is_made_once_kept_0600_and_reused(tmp_path):
    first = _settings_key(tmp_path / "a")
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    kept = tmp_path / "a" / "secret-key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_text().strip() == key and len(key) >= 50
    assert key != OLD_PUBLIC_KEY
    again = _settings_key(tmp_path / "a")
    assert again.stdout.strip() == key  # sessions and links survive a restart
    other = _settings_key(tmp_path / "b")
    assert other.stdout.strip() not in ("", key)  # no two installations share a key


def test_the_environment_variable_wins_and_no_file_is_made(tmp_path):
    result = _settings_key(tmp_path, SECRET_KEY="e" * 60)
    assert result.stdout.strip() == "e" * 60
    assert not (tmp_path / "secret-key").exists()


def test_a_damaged_key_file_is_refused_with_a_clear_message(tmp_path):
    (tmp_path / "secret-key").write_text("short\n")
    result = _settings_key(tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "secret-key" in result.stderr


def test_production_still_requires_the_variable(tmp_path):
    result = _settings_key(
        tmp_path,
        module="portal.settings.production",
        AUDIT_HMAC_KEY="a" * 40,
        ALLOWED_HOSTS="data.example.gov.cn",
    )
    assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


def test_this_process_does_not_sign_with_the_old_public_key():
    assert settings.SECRET_KEY != OLD_PUBLIC_KEY


@pytest.mark.django_db
def test_a_confirmation_link_signed_with_the_old_public_key_is_refused(client):
    user = f.UserFactory(username="mallory-target", email="target@example.cn")
    forged = signing.dumps(
        {"u": user.pk, "e": user.email}, key=OLD_PUBLIC_KEY, salt=CONFIRMATION_SALT
    )
    response = client.get(reverse("account-email-confirm", args=[forged]))
    assert response.status_code == 400
    assert not ConfirmedEmail.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_password_reset_link_signed_with_the_old_public_key_is_refused(client):
    user = f.UserFactory(username="reset-target")
    generator = PasswordResetTokenGenerator()
    generator.secret = OLD_PUBLIC_KEY
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    url = reverse("password_reset_confirm", args=[uid, generator.make_token(user)])
    page = client.get(url, follow=True)
    assert page.status_code == 200 and not page.context["validlink"]
    response = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else url,
        {"new_password1": "Forged-portal-Pass-77", "new_password2": "Forged-portal-Pass-77"},
    )
    user.refresh_from_db()
    assert not user.check_password("Forged-portal-Pass-77")
    assert response.status_code in (200, 400)
