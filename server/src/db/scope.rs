//! Who may see collector-owned data, in SQL: one predicate shared by every scoped read, so the
//! rules cannot drift apart between endpoints. An admin sees the organization, a supervisor the
//! collectors of their team, a collector their own.

use terreno_shared::model::Role;

use super::sessions::Session;

/// Joins `c`, the collector who owns visit `v` now: the current collector of its account (a
/// reassigned debtor takes its visits along, and the previous collector loses them), or the
/// visit's author while the account is unassigned.
pub(crate) const VISIT_OWNER: &str = "join accounts owner_a on owner_a.id = v.account_id
     join users c on c.id = coalesce(owner_a.collector_id, v.collector_id)";

/// The caller's scope over the owning collector `c`: binds `$2` org, `$3` role, `$4` team,
/// `$5` user (see [`scope_binds`]).
pub(crate) const SCOPE: &str = "c.org_id = $2 and ($3 = 'admin'
     or ($3 = 'supervisor' and c.team_id = $4) or ($3 = 'collector' and c.id = $5))";

/// The values for `$2`..`$5` of [`SCOPE`].
pub(crate) fn scope_binds(s: &Session) -> (String, &'static str, Option<String>, String) {
    (
        s.org_id.to_string(),
        s.role.as_str(),
        s.team_id.map(|t| t.to_string()),
        s.user_id.to_string(),
    )
}

/// One query text per role, for the reads whose scope decides which index drives them: a
/// predicate like `($role = 'admin' or c.team_id = $team or a.collector_id = $user)` is one
/// plan for every caller, and that plan scans the organization (issue 16). Each text still
/// takes the same binds, so callers bind once whatever the role.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ByRole {
    pub(crate) admin: &'static str,
    pub(crate) supervisor: &'static str,
    pub(crate) collector: &'static str,
}

impl ByRole {
    /// One text for every role (its reads are not scoped by role).
    pub(crate) const fn same(sql: &'static str) -> ByRole {
        ByRole {
            admin: sql,
            supervisor: sql,
            collector: sql,
        }
    }

    /// The text for `who`'s role.
    pub(crate) fn of(&self, who: &Session) -> &'static str {
        match who.role {
            Role::Admin => self.admin,
            Role::Supervisor => self.supervisor,
            Role::Collector => self.collector,
        }
    }
}

/// A [`ByRole`] from a macro that takes the role's name (`admin`, `supervisor`, `collector`)
/// and expands to that role's text.
macro_rules! by_role {
    ($sql:ident) => {
        $crate::db::scope::ByRole {
            admin: $sql!(admin),
            supervisor: $sql!(supervisor),
            collector: $sql!(collector),
        }
    };
}
pub(crate) use by_role;
