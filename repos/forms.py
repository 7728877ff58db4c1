from django import forms


class GitHubTokenForm(forms.Form):
    token = forms.CharField(label="Personal access token", max_length=255, strip=True,
                            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                            help_text="A classic token with the 'repo' and 'admin:repo_hook' scopes. "
                                      "It is stored encrypted and never shown again.")


BACK_TO = [("repositories", "the Repositories page"), ("onboarding", "onboarding")]


class RepoConnectForm(forms.Form):
    name = forms.CharField(max_length=200)
    next = forms.ChoiceField(choices=BACK_TO, required=False)


class RepoDisconnectForm(forms.Form):
    delete_entries = forms.BooleanField(required=False)
    next = forms.ChoiceField(choices=BACK_TO, required=False)
