"""What services say back: domain errors, and the outcome of a webhook delivery.

Services raise these and never build an HTTP status, a response or a page: ``changelog_site.errors``
is the one place that turns an error into HTTP, the contract's JSON ``{"code", "detail", "errors"?}``
with its status (and ``Retry-After`` when ``retry_after`` is set) for the API, the error page for
pages. Each class names a kind of failure and has a default ``code``; a service may give a more
precise one (``NotFound(f"{name} is not connected.", code="repo_not_connected")``). ``errors`` holds
per-field messages or facts a client acts on (a plan limit and the usage).
"""

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base of every error a service raises on purpose. ``detail`` is a sentence for people."""

    code = "error"
    default_detail = "The request could not be completed."

    def __init__(self, detail=None, *, code=None, errors=None, retry_after=None):
        self.detail = str(detail) if detail is not None else self.default_detail
        self.code = code or type(self).code
        self.errors = errors
        self.retry_after = retry_after
        super().__init__(self.detail)


class ValidationFailed(DomainError):
    """The input breaks a rule (``errors`` names the fields, where there are fields)."""

    code = "invalid"
    default_detail = "Some fields are invalid."


class Unauthenticated(DomainError):
    """The caller could not be identified: a bad API token, a webhook signature that does not match."""

    code = "not_authenticated"
    default_detail = "Authentication is required."


class PlanLimitReached(DomainError):
    """The plan's monthly allowance of ``what`` is used up."""

    code = "plan_limit_reached"
    NOUNS = {"entriesPublished": "published entries", "aiRewrites": "AI rewrites"}

    def __init__(self, *, what, limit, used):
        super().__init__(f"Your plan allows {limit} {self.NOUNS[what]} a month and you have used {used}. "
                         "Upgrade to Pro for more.", errors={"limit": limit, "usage": used})
        self.what, self.limit, self.used = what, limit, used


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    code = "forbidden"
    default_detail = "You may not do this."


class NotFound(DomainError):
    """There is no such thing, or not one the caller may see (another tenant's is "not found" too)."""

    code = "not_found"
    default_detail = "There is nothing here."


class Conflict(DomainError):
    """The current state forbids it: changed meanwhile, already done, or another run in progress."""

    code = "conflict"
    default_detail = "This changed meanwhile; reload and try again."


class Gone(DomainError):
    """It existed and was switched off or removed on purpose."""

    code = "gone"
    default_detail = "This is not available any more."


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    default_detail = "The request body is too large."


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    default_detail = "This content type is not accepted."


class RateLimited(DomainError):
    """Too many attempts in the current window; ``retry_after`` seconds until the next one counts."""

    code = "rate_limited"

    def __init__(self, detail=None, *, retry_after, code=None):
        super().__init__(detail or f"Too many requests; try again in {retry_after} seconds.", code=code,
                         retry_after=retry_after)


class ProviderFailed(DomainError):
    """A provider we called (DodoPayments, the AI provider) failed or refused."""

    code = "provider_error"
    default_detail = "A service we depend on failed; try again shortly."


class ServiceNotConfigured(DomainError):
    """This install lacks the settings a feature needs (payments, webhooks, ...)."""

    code = "not_configured"
    default_detail = "This feature is not configured on this server."


class GitHubUnavailable(DomainError):
    """GitHub could not be reached or answered with an error; try again later."""

    code = "github_unavailable"
    default_detail = "GitHub could not be reached; try again in a minute."


class StorageUnavailable(DomainError):
    """Where the data goes (Redis, the SQL database, the webhook inbox) cannot take it now."""

    code = "storage_unavailable"
    default_detail = "The data store is unreachable; try again shortly."


@dataclass(frozen=True)
class Outcome:
    """What a webhook intake did with a delivery it accepted.

    ``status`` names it: ``processed``, ``duplicate`` (done before), ``ignored`` (nothing to do;
    ``details["reason"]`` says why), ``queued`` (kept to be done later), ``pong``, ``acknowledged``,
    or what the change was (``upgraded``, ``recorded``, ...). ``details`` are counts and names the
    sender may log. ``ignored`` and ``queued`` were accepted without being acted on yet.
    """

    status: str
    details: dict = field(default_factory=dict)

    DEFERRED = ("ignored", "queued")

    @property
    def deferred(self):
        return self.status in self.DEFERRED

    def as_dict(self):
        return {"status": self.status, **self.details}
