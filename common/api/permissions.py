"""Who may call what. Deny by default: only team members (a role in common.roles) pass.

The rules about *which* object a member may change (own drafts, four-eyes,
editors only for reopen) are not here: the services decide them, so the API
refuses exactly what the admin refuses.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from common.roles import Role, roles_of


class TeamMember(BasePermission):
    """Authenticated, active and holding at least one role.

    A view may narrow writes with ``write_roles`` (for example editors only for
    the taxonomy); otherwise any member may try a write and the service decides.
    """

    message = "only members of the annotation team (annotator, reviewer, editor) may use the API"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        roles = roles_of(user)
        if not roles:
            return False
        if request.method in SAFE_METHODS:
            return True
        write_roles: frozenset[Role] | None = getattr(view, "write_roles", None)
        if write_roles is not None and not roles & write_roles:
            self.message = "only an {} may change this".format(
                " or ".join(sorted(role.value.lower() for role in write_roles))
            )
            return False
        return True
