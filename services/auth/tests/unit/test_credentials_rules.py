"""Pure identity rules: passwords, TOTP steps, throttling, recovery codes, roles."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from auth.adapters.credentials import Argon2PasswordHasher, offline_blocklist
from auth.domain import recovery, totp
from auth.domain.errors import PasswordRejected, RoleNotAllowed
from auth.domain.model import OrganisationKind
from auth.domain.passwords import MAX_LENGTH, check_password, context_words
from auth.domain.throttle import (
    MAX_LOCK,
    RESET_MAIL_WINDOW,
    RESET_MAILS_PER_WINDOW,
    ThrottleState,
    after_failure,
    after_reset_mail,
)
from auth.domain.users import check_roles, may_manage
from servicekit.roles import Roles

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CONTEXT = context_words("kari.nordmann@nordlys.example", "Kari Nordmann", "Nordlys Energi AS")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 12"),
        ("x" * (MAX_LENGTH + 1), "at most"),
        ("password1234", "too common"),
        ("passord2024!", "too common"),
        ("123456789012", "too easy"),
        ("qwertyuiopas", "too easy"),
        ("aaaaaaaaaaaa", "too few different"),
        ("nordmann.nordmann", "too close"),
        # the e-mail, name or organisation, whole or put together (issue 18, finding 6)
        ("kari.nordmann@nordlys.example", "too close"),
        ("Kari.Nordmann@Nordlys.Example", "too close"),
        ("karinordmann@nordlys.example", "too close"),
        ("KariNordmann2026!", "too close"),
        ("Kari Nordmann 1985", "too close"),
        ("Nordlys Energi AS 2026", "too close"),
        ("nordlys.example-kari", "too close"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    with pytest.raises(PasswordRejected, match=reason) as caught:
        check_password(password, blocklist=offline_blocklist(), context=CONTEXT)
    assert caught.value.errors[0]["field"] == "password"


@pytest.mark.parametrize(
    "password",
    [
        "korrekt hest batteri stift",
        "Tromsø-fjellet-i-mørketida",
        "ÆØÅ blåbærsyltetøy 7",
        "🙂" * 3 + "måke hav fyr",
        "kari sin korrekte hest og batteri",  # a context word among words of one's own
    ],
)
def test_long_unusual_passwords_of_any_characters_pass(password: str) -> None:
    assert check_password(password, blocklist=offline_blocklist(), context=CONTEXT)


def test_context_words_hold_the_whole_e_mail_name_and_organisation() -> None:
    assert {
        "kari.nordmann@nordlys.example",
        "kari.nordmann",
        "nordlys.example",
        "kari nordmann",
        "karinordmann",
        "nordlys energi as",
        "kari",
        "energi",
    } <= CONTEXT
    assert context_words(None, "") == {"infocenter", "inkasso", "passord", "password"}


def test_hashing_normalises_unicode_and_verifies_constant_work() -> None:
    hasher = Argon2PasswordHasher(time_cost=1, memory_kib=8 * 1024)
    composed, decomposed = "blåbær-syltetøy-1", "bla\u030abær-syltetøy-1"
    stored = hasher.hash(composed)
    assert stored.startswith("$argon2id$")
    assert hasher.verify(stored, decomposed)
    assert not hasher.verify(stored, "blabaer-syltetoy-1")
    assert not hasher.verify(None, composed)  # no account: still false, same work
    assert hasher.needs_rehash(stored) is False
    assert Argon2PasswordHasher().needs_rehash(stored)  # weaker than the production setting


def test_totp_accepts_drift_of_one_step_and_never_a_used_step() -> None:
    secret = totp.new_secret()
    step = totp.step_at(NOW)
    code = pyotp.TOTP(secret).at(NOW)
    assert totp.matching_step(secret, code, now=NOW, last_used_step=None) == step
    assert totp.matching_step(secret, code, now=NOW + timedelta(seconds=30), last_used_step=None)
    assert (
        totp.matching_step(secret, code, now=NOW + timedelta(minutes=2), last_used_step=None)
        is None
    )
    assert totp.matching_step(secret, code, now=NOW, last_used_step=step) is None
    assert totp.matching_step(secret, "12 34", now=NOW, last_used_step=None) is None
    assert "issuer=InfoCenter" in totp.provisioning_uri(secret, "kari@nordlys.example")


def test_account_locks_progressively_and_never_for_good() -> None:
    state = ThrottleState()
    locks = []
    moment = NOW
    for _ in range(12):
        state = after_failure(state, moment, per_account=True)
        locks.append(state.locked_for(moment))
        moment += timedelta(seconds=1)
    assert locks[:4] == [0, 0, 0, 0]
    assert 0 < locks[4] <= 31
    assert locks[5] > locks[4]
    assert max(locks) <= MAX_LOCK.total_seconds() + 1
    quiet = after_failure(state, moment + timedelta(hours=2), per_account=True)
    assert quiet.failures == 1  # a quiet hour starts the count over


def test_address_locks_only_after_many_failures() -> None:
    state = ThrottleState()
    for i in range(30):
        state = after_failure(state, NOW + timedelta(seconds=i), per_account=False)
    assert state.locked_for(NOW + timedelta(seconds=30)) == 0
    state = after_failure(state, NOW + timedelta(seconds=31), per_account=False)
    assert state.locked_for(NOW + timedelta(seconds=31)) > 0


def test_recovery_codes_are_many_distinct_and_forgiving_to_type() -> None:
    codes = recovery.new_codes()
    assert len(set(codes)) == 10
    assert all(len(c) == 19 and c.count("-") == 3 for c in codes)
    assert recovery.normalise(codes[0].lower().replace("-", " ")) == codes[0].replace("-", "")


def test_roles_fit_the_organisation_and_admins_manage_their_own() -> None:
    assert check_roles([Roles.CREDITOR], OrganisationKind.CREDITOR) == {Roles.CREDITOR}
    with pytest.raises(RoleNotAllowed):
        check_roles([Roles.AGENCY_ADMIN], OrganisationKind.CREDITOR)
    with pytest.raises(RoleNotAllowed):
        check_roles([], OrganisationKind.AGENCY)
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    assert may_manage(frozenset({Roles.CREDITOR_ADMIN}), mine, mine)
    assert not may_manage(frozenset({Roles.CREDITOR_ADMIN}), mine, theirs)
    assert not may_manage(frozenset({Roles.CREDITOR}), mine, mine)
    assert may_manage(frozenset({Roles.AGENCY_ADMIN}), mine, theirs)


def test_an_account_gets_at_most_five_reset_mails_a_day() -> None:
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    state = ThrottleState()
    for hour in range(RESET_MAILS_PER_WINDOW):
        assert state.locked_for(start + timedelta(hours=hour)) == 0
        state = after_reset_mail(state, start + timedelta(hours=hour))
    # the fifth mail closes the window: nothing until a day after the first
    assert state.locked_for(start + timedelta(hours=5)) > 0
    assert state.locked_for(start + timedelta(hours=23, minutes=59)) > 0
    assert state.locked_for(start + RESET_MAIL_WINDOW) == 0
    fresh = after_reset_mail(state, start + RESET_MAIL_WINDOW)
    assert (fresh.failures, fresh.last_failure_at, fresh.locked_until) == (
        1,
        start + RESET_MAIL_WINDOW,
        None,
    )
