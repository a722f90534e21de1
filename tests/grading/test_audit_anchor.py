"""The audit chain is anchored outside the database: keyed hashes and published heads.

Someone who can write the database but holds neither the key nor the published heads cannot
rewrite rows and re-hash the rest, nor delete the last rows, without audit_verify naming it.
"""

import hashlib
import hmac
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connection
from django.utils import timezone

from grading import audit
from grading.models import AuditEvent

pytestmark = pytest.mark.django_db


def _chain(n=5):
    return [
        audit.record(actor=None, action="test.step", obj=("test.thing", str(i)), payload={"i": i})
        for i in range(n)
    ]


def _content(row) -> str:
    return "\x1f".join(
        [
            str(row.seq),
            row.prev_hash,
            row.created_at.isoformat(),
            str(row.actor_id or ""),
            row.action,
            row.object_type,
            row.object_id,
            row.payload,
        ]
    )


def _plain(row) -> str:
    return hashlib.sha256(_content(row).encode()).hexdigest()


def _wrong_key(row) -> str:
    message = f"{row.alg}\x1f{_content(row)}".encode()
    return hmac.new(b"not-the-key-" * 4, message, hashlib.sha256).hexdigest()


def _rewrite(first: int, *, hasher, alg=None, payload=None):
    """What a database writer without the key can do: change row ``first`` (and the scheme of
    the rows from there on), then recompute every hash and link from ``first`` to the end."""
    with connection.cursor() as cursor:
        if payload is not None:
            cursor.execute(
                "UPDATE grading_auditevent SET payload = %s WHERE seq = %s", [payload, first]
            )
        if alg is not None:
            cursor.execute("UPDATE grading_auditevent SET alg = %s WHERE seq >= %s", [alg, first])
    previous = AuditEvent.objects.filter(seq=first - 1).values_list("hash", flat=True).first()
    for row in AuditEvent.objects.filter(seq__gte=first).order_by("seq"):
        row.prev_hash = previous or audit.GENESIS
        previous = hasher(row)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE grading_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s",
                [row.prev_hash, previous, row.seq],
            )


def _verify_exit(*args, capsys):
    """Run audit_verify as ``manage.py`` does: its exit status and what it printed."""
    try:
        ManagementUtility(["manage.py", "audit_verify", *args]).execute()
        code = 0
    except SystemExit as leaving:
        code = leaving.code
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# ---------------------------------------------------------------------------------------------
# Keyed hashes
# ---------------------------------------------------------------------------------------------


def test_new_rows_carry_an_hmac_under_the_configured_key(settings):
    settings.AUDIT_HMAC_KEY = "k" * 40
    event = _chain(1)[0]
    assert event.alg == "hmac-sha256"
    expected = hmac.new(
        b"k" * 40, f"hmac-sha256\x1f{_content(event)}".encode(), hashlib.sha256
    ).hexdigest()
    assert event.hash == expected
    assert event.hash != _plain(event)


@pytest.mark.parametrize(
    ("hasher", "alg"),
    [
        pytest.param(_plain, None, id="plain-sha256-under-the-keyed-scheme"),
        pytest.param(_plain, "sha256", id="downgraded-to-the-legacy-scheme"),
        pytest.param(_wrong_key, None, id="hmac-under-a-wrong-key"),
    ],
)
def test_rewriting_a_row_and_rehashing_the_rest_without_the_key_is_named(hasher, alg):
    events = _chain(6)
    assert {e.alg for e in events} == {"hmac-sha256"}
    _rewrite(3, hasher=hasher, alg=alg, payload='{"i":99}')
    with pytest.raises(CommandError) as error:
        call_command("audit_verify")
    assert "broken at row 3" in str(error.value)


def test_legacy_rows_written_before_keyed_hashing_still_verify_and_stay_first():
    # Rows as the unkeyed code wrote them, then keyed rows chained after them.
    previous = audit.GENESIS
    for seq in (1, 2):
        row = AuditEvent(
            seq=seq,
            prev_hash=previous,
            created_at=timezone.now(),
            action="old.step",
            object_type="t",
            object_id=str(seq),
            payload="{}",
            alg="sha256",
        )
        row.hash = previous = _plain(row)
        row.save()
    _chain(2)
    assert audit.verify() == (4, None)
    columns = [
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), "grading_agreement"
        )
    ]
    assert "application_id" in columns  # the later migrations are applied again
    # An unkeyed row after a keyed one is a downgrade, whatever its hash.
    _rewrite(4, hasher=_plain, alg="sha256", payload='{"i":99}')
    checked, broken = audit.verify()
    assert (checked, broken.seq) == (3, 4)
    assert "legacy" in broken.reason


def test_without_a_configured_key_one_is_made_once_in_a_private_file(settings, tmp_path):
    key_file = tmp_path / "var" / "audit-hmac.key"
    settings.AUDIT_HMAC_KEY = ""
    settings.AUDIT_KEY_FILE = key_file
    first = _chain(1)[0]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) == 64
    audit._file_key.cache_clear()  # as a new process would: read the file again
    _chain(1)
    assert key_file.read_text().strip() == key
    message = f"hmac-sha256\x1f{_content(first)}".encode()
    assert first.hash == hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    call_command("audit_verify")
    assert [p.name for p in key_file.parent.iterdir()] == ["audit-hmac.key"]  # no temp files


def test_a_key_file_made_concurrently_is_kept_not_replaced(tmp_path):
    key_file = tmp_path / "audit-hmac.key"
    audit._create_key_file(key_file)
    first = key_file.read_text()
    audit._create_key_file(key_file)  # a second process losing the race
    assert key_file.read_text() == first
    assert [p.name for p in tmp_path.iterdir()] == ["audit-hmac.key"]


def test_a_key_file_others_can_read_is_refused(settings, tmp_path):
    key_file = tmp_path / "audit-hmac.key"
    key_file.write_text("a" * 64)
    key_file.chmod(0o644)
    settings.AUDIT_HMAC_KEY = ""
    settings.AUDIT_KEY_FILE = key_file
    with pytest.raises(ImproperlyConfigured, match="chmod 600"):
        audit.record(actor=None, action="x", obj=("t", "1"))
    assert not AuditEvent.objects.exists()


# ---------------------------------------------------------------------------------------------
# Published heads
# ---------------------------------------------------------------------------------------------


def test_audit_head_prints_the_last_row_and_its_hash(capsys):
    call_command("audit_head")
    assert capsys.readouterr().out.strip() == f"0:{audit.GENESIS}"
    last = _chain(3)[-1]
    call_command("audit_head")
    assert capsys.readouterr().out.strip() == f"3:{last.hash}"


def test_an_intact_chain_passes_with_its_published_head(capsys):
    _chain(3)
    call_command("audit_head")
    published = capsys.readouterr().out.strip()
    _chain(2)  # the chain grows after publication
    code, output = _verify_exit("--expect-head", published, capsys=capsys)
    assert code == 0
    assert "5 rows verified" in output and "1 published heads held" in output


def test_deleting_the_last_rows_fails_verification_against_the_published_head(capsys):
    _chain(6)
    call_command("audit_head")
    published = capsys.readouterr().out.strip()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM grading_auditevent WHERE seq > 3")
    call_command("audit_verify")  # the links alone cannot show a shorter chain
    code, output = _verify_exit("--expect-head", published, capsys=capsys)
    assert code == 1
    assert "broken at row 6" in output
    assert "past the end of the chain, which ends at row 3" in output
    assert "deleted" in output


def test_rehashing_the_whole_chain_as_legacy_fails_against_the_published_head(capsys):
    _chain(4)
    call_command("audit_head")
    published = capsys.readouterr().out.strip()
    _rewrite(1, hasher=_plain, alg="sha256", payload='{"i":99}')
    call_command("audit_verify")  # an all-legacy chain re-hashed from its first row links up
    code, output = _verify_exit("--expect-head", published, capsys=capsys)
    assert code == 1
    assert "broken at row 4" in output and "differs from the published head" in output


def test_a_malformed_expected_head_is_refused(capsys):
    code, output = _verify_exit("--expect-head", "7:nothex", capsys=capsys)
    assert code == 1
    assert "not a chain head" in output


def test_published_heads_file_is_checked_by_default(settings, tmp_path, capsys):
    settings.AUDIT_HEADS_FILE = tmp_path / "audit-heads.log"
    _chain(2)
    call_command("audit_head", "--publish")
    _chain(2)
    call_command("audit_head", "--publish")
    lines = settings.AUDIT_HEADS_FILE.read_text().splitlines()
    assert [line.split()[-1].split(":")[0] for line in lines] == ["2", "4"]
    call_command("audit_verify")
    assert "2 published heads held" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM grading_auditevent WHERE seq = 4")
    with pytest.raises(CommandError, match="broken at row 4: published head is past the end"):
        call_command("audit_verify")
    with pytest.raises(CommandError, match="Not published"):
        call_command("audit_head", "--publish")
    assert len(settings.AUDIT_HEADS_FILE.read_text().splitlines()) == 2


def test_a_named_heads_file_that_is_missing_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="No file of published heads"):
        call_command("audit_verify", "--heads-file", str(tmp_path / "none.log"))


# ---------------------------------------------------------------------------------------------
# Rows written before keyed hashing
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rows_from_before_the_migration_are_marked_legacy_and_still_verify():
    from django.db.migrations.executor import MigrationExecutor

    before = ("grading", "0004_feedback")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        previous = audit.GENESIS
        for seq in (1, 2, 3):  # as the unkeyed code wrote them: no scheme column
            row = AuditEvent(
                seq=seq,
                prev_hash=previous,
                created_at=timezone.now(),
                action="old.step",
                object_type="t",
                object_id=str(seq),
                payload="{}",
            )
            row.hash = _plain(row)
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO grading_auditevent (seq, created_at, action, object_type,"
                    " object_id, payload, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    [seq, row.created_at, row.action, "t", str(seq), "{}", previous, row.hash],
                )
            previous = row.hash
    finally:
        # Forward again to every app's latest migration, not only to the one under test: the
        # tests that follow need the whole schema back.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(AuditEvent.objects.values_list("alg", flat=True)) == ["sha256"] * 3
    assert audit.record(actor=None, action="new.step", obj=("t", "4")).alg == "hmac-sha256"
    call_command("audit_verify")
    assert audit.verify() == (4, None)
