"""``{% plan_card %}``: the plan, its renewal and "cancel at period end", for the Settings page."""

from django import template

from accounts.services import shiplog_user_id
from billing import services

register = template.Library()


@register.inclusion_tag("billing/_plan_card.html", takes_context=True)
def plan_card(context):
    request = context["request"]
    status = services.billing_status(user_id=shiplog_user_id(request.user, request))
    return {"billing": status, "csrf_token": context.get("csrf_token"), "next": "settings"}
