"""Domain errors: a stable kebab-case `code` and a fixed title; the HTTP edge maps categories to statuses."""

from __future__ import annotations


class DomainError(Exception):
    code = "domain-error"
    title = "The request breaks a rule."
    # Changes made before the error are kept (e.g. a failure counter); otherwise everything rolls back.
    keeps_changes = False

    def __init__(self, detail: str | None = None, **extra: object) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    code = "not-found"
    title = "Not found."


class Unauthenticated(DomainError):
    code = "unauthenticated"
    title = "Authentication is required."


class AccessDenied(DomainError):
    code = "access-denied"
    title = "Your role may not do this."


class Conflict(DomainError):
    """The request conflicts with stored state (409)."""

    code = "conflict"
    title = "The request conflicts with the current state."


class RuleViolation(DomainError):
    """The request breaks a rule of the rulebook whatever the stored state (422)."""

    code = "rule-violation"
    title = "The request breaks a rule."


class IllegalTransition(Conflict):
    code = "illegal-transition"
    title = "That status change is not allowed from the current status."


class CaseClosedForWriting(Conflict):
    code = "case-closed"
    title = "The case is closed; it can be read but not written to."


class IdentityNotAllowed(RuleViolation):
    code = "identity-not-allowed"
    title = "An anonymous report carries no identity."


class IdentityRequired(RuleViolation):
    code = "identity-required"
    title = "A named or confidential report needs the reporter's identity."


class VictimOnlyForThirdParty(RuleViolation):
    code = "victim-only-for-third-party"
    title = "Only a third-party reporter names the victim separately."


class IdempotencyKeyReused(RuleViolation):
    code = "idempotency-key-reused"
    title = "This Idempotency-Key was already used with a different request."


class ReceiptNotAccepted(Unauthenticated):
    code = "receipt-not-accepted"
    title = "That receipt code was not accepted."
    keeps_changes = True


class LoginFailed(Unauthenticated):
    code = "login-failed"
    title = "Sign-in failed."
    keeps_changes = True


class InvalidToken(Unauthenticated):
    code = "invalid-token"
    title = "The token is missing, expired or not valid here."


class SessionExpired(InvalidToken):
    """A staff sign-in past its idle or its absolute limit: sign in again."""

    code = "session-expired"
    title = "The sign-in has ended (unused for too long, or open too long). Please sign in again."


class InvalidClient(Unauthenticated):
    code = "invalid-client"
    title = "Client authentication failed."


class ScopeNotAllowed(AccessDenied):
    code = "scope-not-allowed"
    title = "The client may not request that scope."


class TokenOfAnotherClient(AccessDenied):
    """RFC 7009 §2.1: a client revokes only the tokens issued to it."""

    code = "token-of-another-client"
    title = "The token was not issued to this client."


class DuplicateEntry(Conflict):
    code = "duplicate"
    title = "That entry exists already."


class PreconditionRequired(DomainError):
    """A change to a versioned resource needs If-Match (428)."""

    code = "if-match-required"
    title = "Send If-Match with the version you read; changes to a case must say which version they change."


class StaleVersion(DomainError):
    """If-Match names an older version (412)."""

    code = "stale-version"
    title = "The case changed since you read it. Reload it and try again."


class UnsupportedMediaType(DomainError):
    """The content is not of a type on the allow-list, whatever its name says (415)."""

    code = "unsupported-media-type"
    title = "This kind of file is not accepted. Send a JPEG, PNG or WebP image, a PDF or a plain-text file."


class ContentTooLarge(DomainError):
    """An uploaded file above the configured size (413)."""

    code = "body-too-large"
    title = "The file is too large."


class EmptyFile(RuleViolation):
    code = "empty-file"
    title = "The file is empty."


class ImageTooLarge(RuleViolation):
    code = "image-too-large"
    title = "The image has too many pixels to be processed safely."


class MalformedFile(RuleViolation):
    code = "malformed-file"
    title = "The file is damaged or cannot be read."


class FileTooComplex(RuleViolation):
    """Cleaning the file needed more memory or time than one file may use (F9)."""

    code = "file-too-complex"
    title = "The file needs more memory or time to process than is allowed. Send a simpler or smaller copy."


class Busy(DomainError):
    """Work that runs only a few at a time is at its limit: try again after `retry_after` seconds (503)."""

    code = "busy"
    title = "The server is busy. Please try again in a moment."

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class EvidenceStoreUnavailable(Busy):
    """The evidence store (WITHU_EVIDENCE_DIR) cannot be written or a stored file cannot be read: a folder the
    service's user may not write, a full disk, a restore without the evidence (reliability review, finding 2). 503,
    never a 500; the log says which (the error's type only)."""

    code = "evidence-store-unavailable"
    title = "Evidence files cannot be stored or read right now. Nothing was saved; please try again later."

    def __init__(self) -> None:
        super().__init__(retry_after=60)


class Gone(DomainError):
    """The resource existed and was removed on purpose (410)."""

    code = "gone"
    title = "This no longer exists."


class CaseContentDestroyed(Gone):
    """DATA-1: the case's content was destroyed after its retention period; the case answers as destroyed."""

    code = "case-content-destroyed"
    title = "The content of this case was destroyed after its retention period ended (DATA-1)."


class LegalHoldAlreadySet(Conflict):
    code = "legal-hold-set"
    title = "A legal hold is already set on this case."


class NoLegalHold(Conflict):
    code = "no-legal-hold"
    title = "No legal hold is set on this case."


class CaseKeyNotShared(Conflict):
    """Issue 18: the reader may read the case (ACC-1) but holds no wrap of its key yet."""

    code = "case-key-not-shared"
    title = (
        "You may read this case, but its key has not been shared with you yet. It is shared the next time a "
        "colleague who reads the case opens it or signs in; if nobody can, the recovery officers can restore access."
    )
    keeps_changes = True  # the reader's request for the key is kept


class SignInForKeys(Unauthenticated):
    """Issue 18: a staff sign-in that holds no key (begun before per-case keys, or its token lacks the secret)."""

    code = "sign-in-again"
    title = "Sign in again to open case content: this sign-in holds no key."
