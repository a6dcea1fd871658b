"""Access tokens are refused unless signed by a known key, for us, in time; fields encrypt."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest
from cryptography.exceptions import InvalidTag
from servicekit.crypto import Keyring, KeyringError, blind_index
from servicekit.testing.tokens import AUDIENCE, ISSUER, TestSigner
from servicekit.tokens import InvalidToken, Roles, TokenVerifier

pytestmark = pytest.mark.unit

ORG = uuid.uuid4()


@pytest.fixture
def signer() -> TestSigner:
    return TestSigner()


async def test_a_good_token_gives_the_principal(signer: TestSigner) -> None:
    token = signer.mint(organisation_id=ORG, roles=[Roles.CREDITOR, "made-up-role"])
    principal = await signer.verifier().verify(token)
    assert principal.organisation_id == ORG
    assert principal.roles == {Roles.CREDITOR}
    assert principal.tenant == ORG
    assert not principal.is_agency_staff


async def test_agency_staff_have_no_tenant_scope(signer: TestSigner) -> None:
    token = signer.mint(organisation_id=ORG, roles=[Roles.CASE_HANDLER])
    assert (await signer.verifier().verify(token)).tenant is None


def _unsigned(header: dict[str, object], payload: dict[str, object]) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}."


@pytest.mark.parametrize(
    "case",
    ["expired", "wrong_audience", "wrong_issuer", "not_yet_valid", "missing_org", "bad_sub"],
)
async def test_bad_claims_are_refused(signer: TestSigner, case: str) -> None:
    now = int(time.time())
    overrides: dict[str, object] = {
        "expired": {"exp": now - 120, "iat": now - 600},
        "wrong_audience": {"aud": "someone-else"},
        "wrong_issuer": {"iss": "https://evil.example"},
        "not_yet_valid": {"nbf": now + 600},
        "missing_org": {},
        "bad_sub": {"sub": "not-a-uuid"},
    }[case]
    token = signer.mint(organisation_id=ORG, roles=[Roles.CREDITOR], **overrides)
    if case == "missing_org":
        claims = jwt.decode(token, options={"verify_signature": False})
        del claims["org"]
        token = jwt.encode(
            claims, signer.key, algorithm="EdDSA", headers={"kid": signer.kid, "typ": "at+jwt"}
        )
    with pytest.raises(InvalidToken):
        await signer.verifier().verify(token)


async def test_alg_none_is_refused(signer: TestSigner) -> None:
    good = signer.mint(organisation_id=ORG, roles=[Roles.AGENCY_ADMIN])
    claims = jwt.decode(good, options={"verify_signature": False})
    token = _unsigned({"alg": "none", "typ": "at+jwt", "kid": signer.kid}, claims)
    with pytest.raises(InvalidToken, match="algorithm"):
        await signer.verifier().verify(token)


async def test_symmetric_algorithm_with_the_public_key_is_refused(signer: TestSigner) -> None:
    """The classic confusion attack: HS256 keyed with the public key bytes."""
    good = signer.mint(organisation_id=ORG, roles=[Roles.AGENCY_ADMIN])
    claims = jwt.decode(good, options={"verify_signature": False})
    public_x = signer.jwks["keys"][0]["x"]
    token = jwt.encode(
        claims, public_x, algorithm="HS256", headers={"kid": signer.kid, "typ": "at+jwt"}
    )
    with pytest.raises(InvalidToken, match="algorithm"):
        await signer.verifier().verify(token)


async def test_forged_signature_and_unknown_key_are_refused(signer: TestSigner) -> None:
    forger = TestSigner(kid=signer.kid)  # same kid, different key
    with pytest.raises(InvalidToken):
        await signer.verifier().verify(forger.mint(organisation_id=ORG, roles=[Roles.CREDITOR]))
    stranger = TestSigner()
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await signer.verifier().verify(stranger.mint(organisation_id=ORG, roles=["creditor"]))


async def test_only_access_tokens_and_no_embedded_keys(signer: TestSigner) -> None:
    with pytest.raises(InvalidToken, match="not an access token"):
        await signer.verifier().verify(
            signer.mint(organisation_id=ORG, roles=["creditor"], headers={"typ": "JWT"})
        )
    with pytest.raises(InvalidToken, match="jku"):
        await signer.verifier().verify(
            signer.mint(
                organisation_id=ORG,
                roles=["creditor"],
                headers={"jku": "https://evil.example/jwks"},
            )
        )
    with pytest.raises(InvalidToken, match="malformed"):
        await signer.verifier().verify("not.a.token")


def test_verifier_refuses_unsafe_algorithm_configuration() -> None:
    with pytest.raises(ValueError, match="not allowed"):
        TokenVerifier(jwks_url=None, issuer=ISSUER, audience=AUDIENCE, algorithms=["HS256"])


def test_keyring_round_trip_rotation_and_binding() -> None:
    old = Keyring(Keyring.generate_spec("v1"))
    sealed = old.encrypt(b"01017012345", aad=b"debtors:42:national_id")
    both = Keyring(
        ",".join([f"v1:{base64.b64encode(old._keys['v1']).decode()}", Keyring.generate_spec("v2")])
    )
    assert both.current == "v2"
    assert both.decrypt(sealed, aad=b"debtors:42:national_id") == b"01017012345"
    assert both.needs_rotation(sealed)
    assert not both.needs_rotation(both.encrypt(b"x", aad=b"a"))
    with pytest.raises(InvalidTag):
        both.decrypt(sealed, aad=b"debtors:43:national_id")  # copied to another row
    with pytest.raises(KeyringError):
        Keyring("v1:short")


def test_blind_index_is_keyed_and_stable() -> None:
    assert blind_index(b"k1", "01017012345") == blind_index(b"k1", "01017012345")
    assert blind_index(b"k1", "01017012345") != blind_index(b"k2", "01017012345")
    assert "01017012345" not in blind_index(b"k1", "01017012345")


async def test_a_verified_token_is_remembered_until_its_expiry_only(signer: TestSigner) -> None:
    now = [time.time()]
    verifier = signer.verifier()
    verifier.clock = lambda: now[0]
    token = signer.mint(organisation_id=ORG, roles=[Roles.CREDITOR], ttl=20)
    first = await verifier.verify(token)
    verifier._keys = {}  # a second verification of the signature would now fail
    assert await verifier.verify(token) is first
    now[0] += 21  # past exp: the signature is checked again (and no key is left)
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_a_new_key_set_forgets_the_verified_tokens(signer: TestSigner) -> None:
    verifier = signer.verifier()
    token = signer.mint(organisation_id=ORG, roles=[Roles.CREDITOR])
    await verifier.verify(token)
    verifier.static_jwks = None
    verifier._load({"keys": []})  # the signer's key withdrawn
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_a_remembered_token_is_still_refused_once_its_session_ended(
    signer: TestSigner,
) -> None:
    from servicekit.sessions import SessionStates

    ended: set[uuid.UUID] = set()

    async def ask(session_id: uuid.UUID) -> bool:
        return session_id not in ended

    verifier = signer.verifier(SessionStates(ask, active_ttl=0))
    session = uuid.uuid4()
    token = signer.mint(organisation_id=ORG, roles=[Roles.CREDITOR], session_id=session)
    await verifier.verify(token)
    ended.add(session)
    with pytest.raises(InvalidToken):
        await verifier.verify(token)
