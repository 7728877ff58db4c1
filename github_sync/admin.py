from django.contrib import admin

from github_sync.models import SyncSettings, WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "delivery_id", "state", "verified", "attempts", "received_at", "processed_at")
    list_filter = ("state", "event")
    search_fields = ("delivery_id",)
    exclude = ("body",)
    readonly_fields = ("delivery_id", "event", "content_type", "signature", "hook_target_id", "verified",
                       "body_size", "attempts", "last_error", "received_at", "processed_at")


@admin.register(SyncSettings)
class SyncSettingsAdmin(admin.ModelAdmin):
    list_display = ("user_id", "github_repo_id", "skip_label", "skip_bots", "updated_at")
    search_fields = ("user_id",)
