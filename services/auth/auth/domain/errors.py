"""Identity domain errors."""

from servicekit.errors import Conflict, DomainError


class InvalidOrganisationNumber(DomainError):
    status, type, title = 422, "invalid-organisation-number", "Invalid organisation number"

    def __init__(self, value: str) -> None:
        super().__init__(
            "The organisation number is not a valid Norwegian organisasjonsnummer.",
            errors=[{"field": "organisation_number", "reason": "invalid check digit or length"}],
        )


class OrganisationAlreadyRegistered(Conflict):
    type, title = "organisation-exists", "Organisation already registered"


class PasswordRejected(DomainError):
    status, type, title = 422, "password-rejected", "Password not accepted"

    def __init__(self, reason: str, code: str = "", **values: int) -> None:
        """``code`` (``password_too_short`` …) and its ``values`` (``min_length``) are for
        clients that translate; ``reason`` is English, for developers."""
        error: dict[str, str | int] = {"field": "password", "reason": reason}
        if code:
            error.update(code=code, **values)
        super().__init__(f"The password {reason}.", errors=[error])


class InvalidCredentials(DomainError):
    """Wrong e-mail, password or code: never says which, nor whether the account exists."""

    status, type, title = 401, "invalid-credentials", "Sign-in failed"

    def __init__(self) -> None:
        super().__init__("The e-mail address, password or code is not correct.")


class TooManyAttempts(DomainError):
    status, type, title = 429, "too-many-attempts", "Too many attempts"

    def __init__(self, retry_after_seconds: int) -> None:
        minutes = max(1, (retry_after_seconds + 59) // 60)
        super().__init__(
            f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}."
        )
        self.retry_after_seconds = retry_after_seconds
        self.headers = {"Retry-After": str(retry_after_seconds)}


class InvalidSessionToken(DomainError):
    status, type, title = 401, "invalid-token", "Session expired or revoked"

    def __init__(self, detail: str = "Sign in again.") -> None:
        super().__init__(detail)


class InvalidLink(DomainError):
    status, type, title = 410, "link-expired", "Link expired or already used"

    def __init__(self) -> None:
        super().__init__("This link has expired or has already been used. Ask for a new one.")


class RoleNotAllowed(DomainError):
    status, type, title = 422, "role-not-allowed", "Role not allowed"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors=[{"field": "roles", "reason": detail}])


class UserAlreadyExists(Conflict):
    type, title = "user-exists", "User already exists"


class CodeRejected(DomainError):
    """A code from the authenticator app (or a recovery code) that is wrong or spent."""

    status, type, title = 422, "code-rejected", "Code not accepted"

    def __init__(self) -> None:
        super().__init__(
            "The code is not correct or has been used already. Check the clock of the "
            "device and enter the newest code.",
            errors=[{"field": "code", "reason": "wrong, expired or already used"}],
        )


class ReauthenticationFailed(DomainError):
    """A signed-in user confirming a sensitive change gave a wrong password or code."""

    status, type, title = 403, "reauthentication-failed", "Password or code not correct"

    def __init__(self) -> None:
        super().__init__("The password or code you gave to confirm this change is not correct.")


class OwnAccount(Conflict):
    """An administrator may not deactivate themself nor take away their own admin role."""

    type, title = "own-account", "Not allowed on your own account"


class UserStateConflict(Conflict):
    """The user is not in a state that allows this (resend to an active user, …)."""

    type, title = "user-state", "Not possible in the user's current state"


class MailNotDelivered(DomainError):
    """The mail relay did not take an invitation (the user is saved; resend later)."""

    status, type, title = 502, "mail-not-sent", "E-mail could not be sent"


class ApiClientNotFound(DomainError):
    """No such API client in the caller's organisation (another's answers the same)."""

    status, type, title = 404, "api-client-not-found", "No such API client"

    def __init__(self) -> None:
        super().__init__("No such API client.")


class ApiClientRevoked(Conflict):
    type, title = "api-client-revoked", "The API client is revoked"


class ApiClientInvalid(DomainError):
    """A name, scope or network that cannot be used (``errors`` names the field)."""

    status, type, title = 422, "api-client-invalid", "API client not valid"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}.", errors=[{"field": field, "reason": reason}])


class OAuthError(Exception):
    """An error of the token endpoint, answered in RFC 6749 §5.2's shape (not problem+json:
    OAuth client libraries read ``error``)."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
