from django import forms


class CancelForm(forms.Form):
    """"Cancel at period end", from Billing or from the plan card of Settings (``next``)."""

    next = forms.ChoiceField(required=False, choices=[("dashboard-billing", "Billing"), ("settings", "Settings")])
