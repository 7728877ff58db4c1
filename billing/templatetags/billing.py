"""Billing's parts of pages other apps render: ``{% plan_card %}`` (the plan, its renewal and
"cancel at period end", for Settings), ``{% usage_this_month as usage %}`` (for the usage card,
``entries/_usage.html``) and ``{% pro_offer_here as offer %}`` (the Pro price for the visitor's
location, on the home page)."""

from django import template

from accounts.models import User
from accounts.services import location_default
from billing import services

register = template.Library()


@register.inclusion_tag("billing/_plan_card.html", takes_context=True)
def plan_card(context):
    status = services.billing_status(user_id=context["request"].shiplog_user_id)
    return {"billing": status, "csrf_token": context.get("csrf_token"), "next": "settings"}


@register.simple_tag(takes_context=True)
def usage_this_month(context):
    return services.usage_summary(user=User.get(context["request"].shiplog_user_id))


@register.simple_tag(takes_context=True)
def pro_offer_here(context):
    return services.pro_offer(location=location_default(context["request"]))
