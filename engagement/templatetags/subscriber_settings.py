"""``{% subscriber_settings_section repo_name %}``: the subscriber section of a repository's settings
page (digest schedule, Slack/Discord webhooks, Mailchimp audience); it posts to its own views."""

from django import template
from django.conf import settings
from django.urls import reverse

from engagement import subscription_settings

register = template.Library()
EXAMPLES = {"slack": "https://hooks.slack.com/services/…", "discord": "https://discord.com/api/webhooks/…"}


@register.inclusion_tag("engagement/subscribers/_repo_settings.html", takes_context=True)
def subscriber_settings_section(context, repo_name):
    owner, name = repo_name.split("/", 1)
    kwargs = {"owner": owner, "repo": name}
    conf = subscription_settings.repo_settings(repo_name)
    return {
        "csrf_token": context.get("csrf_token"), "repo_id": repo_name, "conf": conf,
        "weekdays": subscription_settings.WEEKDAYS, "hours": range(24), "timezones": subscription_settings.timezones(),
        "channels": [dict(channel, example=EXAMPLES[key]) for key, channel in conf["channels"].items()],
        "mailchimp_key_set": bool(settings.MAILCHIMP_API_KEY), "default_audience": settings.MAILCHIMP_AUDIENCE_ID,
        "save_url": reverse("repo-subscriber-settings", kwargs=kwargs),
        "test_url": reverse("repo-channel-test", kwargs=kwargs),
        "subscribers_url": reverse("dashboard-subscribers") + f"?repo={repo_name}",
    }
