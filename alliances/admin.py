from django.contrib import admin

from alliances.models import Alliance, Membership, Partner


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    fields = ["name", "description", "website"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "partner"]


@admin.register(Alliance)
class AllianceAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "created_at"]
    search_fields = ["name"]
    inlines = [PartnerInline, MembershipInline]
