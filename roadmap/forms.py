"""The owner's Roadmap forms. They carry what was typed; the rules (label lists, a write-back mode,
a roadmap column) are ``roadmap.services``', which name the field that breaks one."""

from django import forms


class RepoForm(forms.Form):
    """Which repository ("Sync from GitHub", its progress, the page's repository picker)."""

    repo = forms.CharField(max_length=200)


class RulesForm(RepoForm):
    labelFilter = forms.CharField(required=False, max_length=500)
    plannedLabels = forms.CharField(required=False, max_length=2000)
    inProgressLabels = forms.CharField(required=False, max_length=2000)
    completedLabels = forms.CharField(required=False, max_length=2000)
    writeBack = forms.CharField(required=False, max_length=20)

    def changes(self):
        """The keyword arguments of ``services.settings_update``."""
        data = self.cleaned_data
        return {"label_filter": data["labelFilter"], "planned_labels": data["plannedLabels"],
                "in_progress_labels": data["inProgressLabels"], "completed_labels": data["completedLabels"],
                "write_back": data["writeBack"] or "off"}


class ItemForm(forms.Form):
    """The card's no-JS controls: a column and/or hidden ("1") or shown ("0")."""

    status = forms.CharField(required=False, max_length=50)
    hidden = forms.TypedChoiceField(required=False, choices=[("1", "hidden"), ("0", "shown")],
                                    coerce=lambda value: value == "1", empty_value=None)


class UpvoteForm(forms.Form):
    """An upvote's optional email, to hear when the item ships (``votes.item_upvote`` checks it)."""

    email = forms.CharField(required=False, empty_value=None)
