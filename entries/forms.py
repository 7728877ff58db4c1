from django import forms

from changelog_site.kv.records import ValidationError

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


class SocialFormMixin:
    def checked_data(self):
        """The cleaned data, or the form's problems as the services' ``ValidationError`` (the page
        reports both the same way)."""
        if not self.is_valid():
            raise ValidationError({name: " ".join(problems) for name, problems in self.errors.items()})
        return self.cleaned_data


class SocialGenerateForm(SocialFormMixin, forms.Form):
    """"Write a post": the platform and, optionally, a tone (``social.social_generate`` checks both)."""

    platform = forms.CharField(required=False)
    tone = forms.CharField(required=False, empty_value=None)


class SocialEditForm(SocialFormMixin, forms.Form):
    """An edited post: X's thread is the ``tweet`` fields in order, LinkedIn's the one ``post``."""

    post = forms.CharField(required=False, strip=False)

    def __init__(self, *args, platform, **kwargs):
        super().__init__(*args, **kwargs)
        self.platform = platform

    def typed(self):
        """What was typed, as posted: shown again when the edit is not saved."""
        return self.data.getlist("tweet") if self.platform == "twitter" else self.data.get("post", "")

    def clean(self):
        data = super().clean()
        if self.platform == "twitter":
            return {"tweets": self.data.getlist("tweet")}
        return {"post": data.get("post", "")}
