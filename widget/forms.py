"""The customizer's form: the widget's appearance, as the dashboard posts it."""

from django import forms
from django.core.validators import RegexValidator

from changelog_site.kv.records import HEX_COLOR
from widget.models import POSITIONS, SIZES

POSITION_LABELS = {"bottom-right": "Bottom right", "bottom-left": "Bottom left",
                   "top-right": "Top right", "top-left": "Top left"}
hex_color = RegexValidator(HEX_COLOR, "Enter a hex color like #4f46e5.")


def six_digit(color):
    """``#rgb`` and ``#rrggbbaa`` as ``#rrggbb``: the only form ``<input type="color">`` shows."""
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits[:6].lower()


def _color(label):
    return forms.CharField(label=label, max_length=9, validators=[hex_color],
                           widget=forms.TextInput(attrs={"type": "color"}))


class WidgetForm(forms.Form):
    primary = _color("Primary")
    background = _color("Background")
    text = _color("Text")
    position = forms.ChoiceField(choices=[(p, POSITION_LABELS[p]) for p in POSITIONS], widget=forms.RadioSelect)
    size = forms.ChoiceField(choices=[(s, s.capitalize()) for s in SIZES], widget=forms.RadioSelect)
    showDate = forms.BooleanField(label="Show dates", required=False)
    showCategory = forms.BooleanField(label="Show categories", required=False)
    showNewBadge = forms.BooleanField(label="Mark unread entries “New”", required=False)

    @classmethod
    def initial_for(cls, widget):
        colors = {name: six_digit(value) for name, value in widget.colors.items()}
        return {**colors, "position": widget.position, "size": widget.size, **widget.options}

    def changes(self):
        data = self.cleaned_data
        return {"colors": {name: data[name].lower() for name in ("primary", "background", "text")},
                "position": data["position"], "size": data["size"],
                "options": {name: data[name] for name in ("showDate", "showCategory", "showNewBadge")}}


class RepoChoiceForm(forms.Form):
    """Which repository a widget page is about (``?repo=`` or a posted ``repo``)."""

    repo = forms.CharField(required=False, strip=False)

    def chosen(self):
        return self.cleaned_data["repo"] if self.is_valid() else ""


class WidgetSwitchForm(forms.Form):
    """The on/off switch: ``enabled=1`` switches the widget on, anything else off."""

    enabled = forms.CharField(required=False)

    def turned_on(self):
        return self.is_valid() and self.cleaned_data["enabled"] == "1"
