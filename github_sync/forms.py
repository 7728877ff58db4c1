"""The repository settings page's forms. They carry what was typed; the rules (lengths, the rule
lines' syntax, a URL or a color) are the services', which name the field that breaks one
(``ServiceForm.save`` puts that message on the field)."""

from django import forms

from changelog_site.kv.records import ValidationError


def _text(**kwargs):
    return forms.CharField(required=False, strip=False, **kwargs)


class ServiceForm(forms.Form):
    """A form whose ``save`` calls a service; its ``ValidationError`` becomes the fields' errors."""

    def save(self, service, **kwargs):
        """``service(**kwargs, **self.service_kwargs())``, or None when it refused the input (the
        reasons are then in ``errors``)."""
        try:
            return service(**kwargs, **self.service_kwargs())
        except ValidationError as error:
            for field, message in error.errors.items():
                self.add_error(field if field in self.fields else None, message)
            return None

    def first_errors(self):
        """Field name to its first message, as the template shows them."""
        return {field: messages[0] for field, messages in self.errors.items()}


class RulesForm(ServiceForm):
    """This user's draft rules for one repository (``sync_settings_update``)."""

    skip_label = _text()
    skip_bots = forms.BooleanField(required=False)
    bot_patterns = _text()
    label_rules = _text()
    prefix_rules = _text()

    @staticmethod
    def initial_for(row):
        rules = row.category_rules if isinstance(row.category_rules, dict) else {}
        return {"skip_label": row.skip_label, "skip_bots": row.skip_bots, "bot_patterns": row.bot_patterns,
                "label_rules": _rule_lines(rules.get("labels")), "prefix_rules": _rule_lines(rules.get("prefixes"))}

    def service_kwargs(self):
        return self.cleaned_data


class BrandingForm(ServiceForm):
    """The repository's public changelog branding (``branding_update``)."""

    name = _text()
    logoUrl = _text()
    accentColor = _text()

    @staticmethod
    def initial_for(branding):
        return {"name": branding["name"] if branding["custom"] else "", "logoUrl": branding["logoUrl"],
                "accentColor": branding["accentColor"]}

    def service_kwargs(self):
        data = self.cleaned_data
        return {"name": data["name"], "logo_url": data["logoUrl"], "accent_color": data["accentColor"]}


class ShippedInForm(forms.Form):
    """The repository's "Shipped in" settings (``loop_settings_update``)."""

    shipped_in = forms.BooleanField(required=False)
    released_label = _text()
    remove_on_unpublish = forms.BooleanField(required=False)


def _rule_lines(rules):
    return "\n".join(f"{name} = {category}" for name, category in (rules or {}).items())
