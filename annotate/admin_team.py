"""Admin for what editors manage besides annotations: the claim-type taxonomy and users."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from archive import admin as archive_admin

from . import taxonomy
from .models import ClaimType


@admin.register(ClaimType)
class ClaimTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "checkable", "description")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        taxonomy.claim_type_save(
            actor=request.user, claim_type=obj, changed=form.changed_data
        )

    def delete_model(self, request, obj):
        taxonomy.claim_type_delete(actor=request.user, claim_type=obj)

    def delete_queryset(self, request, queryset):
        for claim_type in queryset:
            taxonomy.claim_type_delete(actor=request.user, claim_type=claim_type)

    def history_view(self, request, object_id, extra_context=None):
        claim_type = self.get_object(request, unquote(object_id))
        if claim_type is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return archive_admin.ledger_history_response(
            request, self, claim_type, archive_admin.ledger.history(claim_type)
        )


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class TeamUserAdmin(UserAdmin):
    """Editors manage accounts and roles but cannot grant superuser powers."""

    list_display = ("username", "email", "roles", "is_active", "last_login")
    list_filter = ("groups", "is_active", "is_staff")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all()) or "—"

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, "is_superuser", "user_permissions", "last_login", "date_joined")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)
