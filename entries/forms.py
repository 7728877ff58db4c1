from django import forms

from entries.models import BODY_MAX, CATEGORIES, TITLE_MAX

CATEGORY_CHOICES = [(name, name) for name in CATEGORIES]
EDITOR_ACTIONS = ("save", "publish", "unpublish", "rewrite")
BULK_ACTIONS = ("publish", "discard", "unpublish")
BULK_LIMIT = 100
PREVIEW_MAX = 65536


class EntryFilterForm(forms.Form):
    repo = forms.ChoiceField(required=False)
    category = forms.ChoiceField(required=False, choices=[("", "All categories")] + CATEGORY_CHOICES)
    label = forms.CharField(required=False, max_length=100)
    q = forms.CharField(required=False, max_length=200, label="Search titles")

    def __init__(self, *args, repos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repo"].choices = [("", "All repositories")] + [(name, name) for name in repos]


class EntryEditForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX)
    category = forms.ChoiceField(choices=CATEGORY_CHOICES)
    body = forms.CharField(required=False, max_length=BODY_MAX, strip=False, widget=forms.Textarea(attrs={"rows": 14}))
    aiRewrite = forms.CharField(required=False, max_length=BODY_MAX, label="Rewrite for readers",
                                widget=forms.Textarea(attrs={"rows": 8}))
    textSource = forms.ChoiceField(label="Readers see", widget=forms.RadioSelect,
                                   choices=[("aiRewrite", "The rewrite"), ("original", "The original text")])
    action = forms.ChoiceField(required=False, choices=[(name, name) for name in EDITOR_ACTIONS],
                               widget=forms.HiddenInput)

    def __init__(self, *args, entry, **kwargs):
        self.entry = entry
        initial = {"title": entry.title, "category": entry.category, "body": entry.body,
                   "aiRewrite": entry.aiRewrite or "",
                   "textSource": entry.textSource or ("aiRewrite" if entry.aiRewrite else "original")}
        super().__init__(*args, initial=initial, **kwargs)

    def changes(self):
        """Only the fields the user actually changed, so untouched ones stay GitHub's to update."""
        data = dict(self.cleaned_data)
        data.pop("action")
        data["aiRewrite"] = data["aiRewrite"] or None
        current = {"title": self.entry.title, "category": self.entry.category, "body": self.entry.body,
                   "aiRewrite": self.entry.aiRewrite,
                   "textSource": self.entry.textSource or ("aiRewrite" if self.entry.aiRewrite else "original")}
        return {name: value for name, value in data.items() if value != current[name]}

    def chosen_action(self):
        """The button pressed: save first, then this (``EDITOR_ACTIONS``)."""
        return self.cleaned_data.get("action") or "save"


class EntryIdsField(forms.Field):
    """The ``entry`` checkboxes of a list: the entry ids ticked, at most ``BULK_LIMIT``."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [str(item) for item in (value or [])][:BULK_LIMIT]


class EntryBulkForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, name) for name in BULK_ACTIONS])
    entry = EntryIdsField()
    next = forms.CharField(required=False, max_length=2000)


class NextForm(forms.Form):
    """Where a button sends the user back to (checked with ``safe_next`` before use)."""

    next = forms.CharField(required=False, max_length=2000)


class PreviewForm(forms.Form):
    text = forms.CharField(required=False, strip=False)
