from django import forms

LOCATION_CHOICES = [("intl", "International (USD pricing)"), ("in", "India (INR pricing)")]


class LocationForm(forms.Form):
    location = forms.ChoiceField(choices=LOCATION_CHOICES, label="Where are you based?",
                                 help_text="Sets the currency and payment methods offered on Billing.")


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "e.g. CI release script"}))


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(label="Type your email to confirm", max_length=254)

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip().lower() != (self.email or "").lower():
            raise forms.ValidationError("That is not your account's email.")
        return self.cleaned_data["confirm"]
