"""The Content-Security-Policy on every response, and who may frame which page.

django-csp builds the header from ``settings.CONTENT_SECURITY_POLICY`` (``frame-ancestors 'none'``:
the dashboard, the admin and the API are never framed, with ``X-Frame-Options: DENY`` for older
browsers). The public pages, whose purpose is to be embedded (the changelog now, the roadmap and
the widget later), live under ``settings.EMBEDDABLE_PATH_PREFIXES``: there ``frame-ancestors`` is
``settings.PUBLIC_FRAME_ANCESTORS`` and X-Frame-Options is left off, since it cannot express
"these sites" and would override the CSP in browsers that honour both.
"""

from csp.middleware import CSPMiddleware
from django.conf import settings


def is_embeddable(path):
    return path.startswith(tuple(settings.EMBEDDABLE_PATH_PREFIXES))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (its documented extension point, ``get_policy_parts``), placed after
    ``XFrameOptionsMiddleware`` so that it answers before it on the way out."""

    def process_response(self, request, response):
        if is_embeddable(request.path_info):
            response.xframe_options_exempt = True
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request=request, response=response, report_only=report_only)
        if is_embeddable(request.path_info):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": list(settings.PUBLIC_FRAME_ANCESTORS)}
        return parts
