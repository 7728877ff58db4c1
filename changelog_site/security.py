"""The Content-Security-Policy on every response, and who may frame which page.

django-csp builds the header from ``settings.CONTENT_SECURITY_POLICY`` (``frame-ancestors 'none'``:
the dashboard, the admin and the API are never framed, with ``X-Frame-Options: DENY`` for older
browsers). The public pages, whose purpose is to be embedded (the changelog now, the roadmap and
the widget later), live under ``settings.EMBEDDABLE_PATH_PREFIXES``: there ``frame-ancestors`` is
``settings.PUBLIC_FRAME_ANCESTORS`` and X-Frame-Options is left off, since it cannot express
"these sites" and would override the CSP in browsers that honour both.

Building the header took about as long as serving a cached public page (django-csp assembles it
from the settings on every response), so a response without per-view CSP changes gets the header
django-csp builds for its kind (embeddable or not, with a nonce or not), built once and kept until
a CSP setting changes, with this response's nonce put in. Anything else (a view's ``csp_update``
or ``csp_exempt``, a report-only policy, excluded prefixes, DEBUG) goes through django-csp itself.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

NONCE_MARK = "csp-nonce-placeholder"
PER_VIEW = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
            "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")
CSP_SETTINGS = {"CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY", "PUBLIC_FRAME_ANCESTORS",
                "EMBEDDABLE_PATH_PREFIXES", "DEBUG"}
_policies = {}


@receiver(setting_changed)
def _forget_policies(setting, **kwargs):
    if setting in CSP_SETTINGS:
        _policies.clear()


def is_embeddable(path):
    return path.startswith(tuple(settings.EMBEDDABLE_PATH_PREFIXES))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (its documented extension point, ``get_policy_parts``), placed after
    ``XFrameOptionsMiddleware`` so that it answers before it on the way out."""

    def process_response(self, request, response):
        if response.status_code == 304:
            # The browser keeps the body it has and takes the 304's headers over that response's:
            # a policy here (with another nonce, or none) would block that body's nonce'd elements.
            return response
        embeddable = is_embeddable(request.path_info)
        if embeddable:
            response.xframe_options_exempt = True
        if not self._plain(response):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        kind = (embeddable, nonce is not None)
        if kind not in _policies:
            _policies[kind] = self._build(request, response, embeddable, nonce is not None)
        response[HEADER] = _policies[kind].replace(NONCE_MARK, nonce or "")
        if nonce is None:  # as django-csp does: a nonce asked for after the header is an error
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _plain(response):
        """True for a response django-csp would give the settings' policy, nothing per view."""
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        return not (settings.DEBUG or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
                    or policy.get("EXCLUDE_URL_PREFIXES") or HEADER in response or HEADER_REPORT_ONLY in response
                    or any(hasattr(response, name) for name in PER_VIEW))

    def _build(self, request, response, embeddable, with_nonce):
        """The header django-csp builds for this kind of response, with ``NONCE_MARK`` as its nonce."""
        parts = self.get_policy_parts(request=request, response=response)
        parts.nonce = NONCE_MARK if with_nonce else None
        return build_policy(config=parts.config, update=parts.update, replace=parts.replace, nonce=parts.nonce)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request=request, response=response, report_only=report_only)
        if is_embeddable(request.path_info):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": list(settings.PUBLIC_FRAME_ANCESTORS)}
        return parts
