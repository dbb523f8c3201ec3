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

/// Every read that takes one text per role binds the caller's scope first, in these places:
/// `$1` org, `$2` role, `$3` team, `$4` user (see [`BindScope`]); its own values follow from
/// `$5`.
///
/// The caller's scope over the users `c` (collectors, or a visit's owner), one predicate per
/// role so that each is led by its own key: the organization for an admin, the team for a
/// supervisor (`users_by_team`), their own row for a collector.
pub(crate) const OVER_C: ByRole = ByRole {
    admin: "c.org_id = $1",
    supervisor: "c.team_id = $3 and c.org_id = $1",
    collector: "c.id = $4 and c.org_id = $1",
};

/// The FROM items of the visits `who` may see: `v`, its account `owner_a` and its owner `c` (the
/// rule of [`VISIT_OWNER`]), with the scope applied. A supervisor's and a collector's start
/// from their users: the visits of the accounts those users hold, and their own visits of
/// accounts nobody holds, so they read their scope's visits and no one else's.
pub(crate) fn visits_in_scope(who: &Session) -> String {
    let over = OVER_C.of(who);
    match who.role {
        Role::Admin => format!("visits v {VISIT_OWNER} and {over}"),
        Role::Supervisor | Role::Collector => format!(
            "(select v.id as visit_id, c.id as owner_id from users c
                  join accounts a on a.collector_id = c.id join visits v on v.account_id = a.id
              where {over}
              union all
              select v.id as visit_id, c.id as owner_id from users c
                  join visits v on v.collector_id = c.id join accounts a on a.id = v.account_id
              where {over} and a.collector_id is null) owned
             join visits v on v.id = owned.visit_id
             join accounts owner_a on owner_a.id = v.account_id
             join users c on c.id = owned.owner_id"
        ),
    }
}

/// Binds the caller's scope to `$1`..`$4` (see [`OVER_C`]), so a read writes its own values
/// only.
pub(crate) trait BindScope: Sized {
    fn bind_scope(self, who: &Session) -> Self;
}

macro_rules! bind_scope_for {
    ($query:ident) => {
        impl<'q, DB, O> BindScope
            for sqlx::query::$query<'q, DB, O, <DB as sqlx::Database>::Arguments>
        where
            DB: sqlx::Database,
            String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            &'static str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        {
            fn bind_scope(self, who: &Session) -> Self {
                let (org, role, team, user) = scope_binds(who);
                self.bind(org).bind(role).bind(team).bind(user)
            }
        }
    };
}
bind_scope_for!(QueryAs);
bind_scope_for!(QueryScalar);

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
