"""Money as people read it (``{% load money %}``):

* ``{{ payment.totalAmount|money:payment.currency }}`` -> ``₹749.00``: DodoPayments' amounts are
  integers in the currency's smallest unit; "" when the amount is unknown.
* ``{{ offer.price|price:offer.currency }}`` -> ``₹749``: a price configured in whole units.
"""

from django import template

register = template.Library()

CURRENCY_SYMBOLS = {"INR": "₹", "USD": "$"}


def _symbol(currency):
    return CURRENCY_SYMBOLS.get(currency, (currency or "") + " ")


@register.filter
def money(amount, currency):
    if not isinstance(amount, int) or isinstance(amount, bool):
        return ""
    return f"{_symbol(currency)}{amount / 100:,.2f}"


@register.filter
def price(amount, currency):
    return f"{_symbol(currency)}{amount}"
