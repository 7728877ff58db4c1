"""The owner's Subscribers forms. They carry what was typed; the rules (a weekday, an hour, a time
zone, a Slack or Discord webhook URL, a Mailchimp audience id) are the services', which name the
field that breaks one."""

from django import forms

from engagement import subscribers, subscription_settings


class SubscriberFilterForm(forms.Form):
    repo = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(required=False, choices=[(name, name) for name in subscribers.STATUSES])
    q = forms.CharField(required=False, max_length=subscribers.SEARCH_MAX)


class SubscriberRemoveForm(forms.Form):
    email = forms.CharField(max_length=320)


class SubscribersImportForm(forms.Form):
    """A CSV or text file, or addresses pasted one per line (the file wins)."""

    file = forms.FileField(required=False)
    addresses = forms.CharField(required=False)

    def text(self):
        """What to import; ``UnicodeDecodeError`` for a file that is not UTF-8."""
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read(subscribers.IMPORT_MAX_BYTES + 1).decode("utf-8-sig")
        return self.cleaned_data.get("addresses") or ""


class NotificationsForm(forms.Form):
    """The subscriber section of a repository's settings page: the digest schedule, a Slack and a
    Discord webhook (blank keeps the stored one; "remove" clears it) and the Mailchimp audience."""

    digestWeekday = forms.CharField(required=False, max_length=10)
    digestHour = forms.CharField(required=False, max_length=10)
    digestTimezone = forms.CharField(required=False, max_length=100)
    mailchimpAudienceId = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for channel in subscription_settings.CHANNELS:
            self.fields[f"{channel}Webhook"] = forms.CharField(required=False, max_length=2000)
            self.fields[f"{channel}Clear"] = forms.BooleanField(required=False)

    def changes(self):
        """The keyword arguments of ``subscription_settings.repo_settings_update``; the audience
        only when the form had its field (it shows once a Mailchimp key is configured)."""
        data, channels = self.cleaned_data, subscription_settings.CHANNELS
        return {"weekday": data["digestWeekday"], "hour": data["digestHour"], "timezone": data["digestTimezone"],
                "webhooks": {channel: data[f"{channel}Webhook"] for channel in channels},
                "clear": {channel for channel in channels if data[f"{channel}Clear"]},
                "mailchimp_audience_id": data["mailchimpAudienceId"] if "mailchimpAudienceId" in self.data else None}


class ChannelTestForm(forms.Form):
    channel = forms.ChoiceField(choices=list(subscription_settings.CHANNELS.items()))
