from django.urls import path

from billing import api, views

urlpatterns = [
    path("pricing/", views.pricing, name="pricing"),
    path("dashboard/billing/", views.billing_page, name="dashboard-billing"),
    path("dashboard/billing/checkout/", views.billing_checkout, name="billing-checkout"),
    path("dashboard/billing/portal/", views.billing_portal, name="billing-portal"),
    path("dashboard/billing/cancel/", views.billing_cancel, name="billing-cancel"),
    path("api/billing/webhook", api.dodo_webhook, name="api-billing-webhook"),
]
