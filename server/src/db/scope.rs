//! Who may see collector-owned data, in SQL: one predicate shared by every scoped read, so the
//! rules cannot drift apart between endpoints. An admin sees the organization, a supervisor the
//! collectors of their team, a collector their own.

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
