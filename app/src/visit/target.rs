//! Resolving what a command names (a stop id or a debtor's external id) to the stop, account
//! and visit, plus the organization's rules and the person's contact history the decisions need.

use chrono::{DateTime, Datelike, Utc};
use rusqlite::{Connection, OptionalExtension};
use terreno_shared::api::v1::org::OrgSettings;
use terreno_shared::api::v1::views::{AccountView, StopView};
use terreno_shared::contact::{
    ContactContext, ContactPolicy, Decision, HolidayCalendar, LocalWindow,
};
use terreno_shared::geofence::GeofencePolicy;
use terreno_shared::model::{GeoPoint, Outcome, VisitStatus};

use crate::error::{Context, Error, Result};
use crate::store::visits::{self, VisitRow};

/// A stop (or an unplanned visit to an assigned debtor) with its account and visit.
#[derive(Debug, Clone)]
pub struct Target {
    /// The account.
    pub account: AccountView,
    /// The route stop, when planned.
    pub stop: Option<StopView>,
    /// The visit, once one started.
    pub(crate) visit: Option<VisitRow>,
}

impl Target {
    /// Finds `name`: a stop id, or an external id (its open stop, the earliest planned).
    pub(crate) fn resolve(conn: &Connection, name: &str) -> Result<Target> {
        let name = name.trim();
        let stop_body: Option<String> = conn
            .query_row("select body from stops where id = ?1", [name], |r| r.get(0))
            .optional()
            .context("looking up a stop")?;
        let (account, stop) = match stop_body {
            Some(body) => {
                let stop: StopView = decode(&body)?;
                (account_by_id(conn, &stop.account.to_string())?, Some(stop))
            }
            None => {
                let account = account_by_external_id(conn, name)?;
                let stop = open_stop_of(conn, &account.id.to_string())?;
                (account, stop)
            }
        };
        let stop_id = stop.as_ref().map(|s| s.id.to_string());
        let mut visit = visits::find_for(conn, &account.id.to_string(), stop_id.as_deref())?;
        // An unplanned visit that is over leaves room for the next one (the contact rules decide
        // when); a planned stop is visited once.
        if stop.is_none() && visit.as_ref().is_some_and(|v| v.status.is_terminal()) {
            visit = None;
        }
        Ok(Target {
            account,
            stop,
            visit,
        })
    }

    /// The debtor's location, when known.
    pub fn location(&self) -> Option<GeoPoint> {
        GeoPoint::parse(self.account.lat?, self.account.lon?).ok()
    }

    /// The debtor's own contact window, when it parses.
    pub fn debtor_window(&self) -> Option<LocalWindow> {
        self.account
            .contact_window
            .as_deref()
            .and_then(|w| LocalWindow::parse(w).ok())
    }
}

/// The one account with this external id; external ids are unique per portfolio only, so two
/// portfolios naming the same code are ambiguous and the stop id must be used.
fn account_by_external_id(conn: &Connection, external_id: &str) -> Result<AccountView> {
    let mut stmt = conn
        .prepare_cached("select body from accounts where external_id = ?1 limit 2")
        .context("looking up a debtor")?;
    let bodies: Vec<String> = stmt
        .query_map([external_id], |r| r.get(0))
        .context("looking up a debtor")?
        .collect::<Result<_, _>>()
        .context("looking up a debtor")?;
    match bodies.as_slice() {
        [] => Err(Error::NotFound(format!(
            "no stop or debtor {external_id:?} on this device (sync first?)"
        ))),
        [one] => decode(one),
        _ => Err(Error::Invalid(format!(
            "debtor {external_id:?} exists in more than one portfolio: name the stop id instead (see `terreno route`)"
        ))),
    }
}

fn account_by_id(conn: &Connection, id: &str) -> Result<AccountView> {
    let body: String = conn
        .query_row("select body from accounts where id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()
        .context("looking up an account")?
        .ok_or_else(|| Error::NotFound(format!("account {id} is not on this device")))?;
    decode(&body)
}

/// The account's stop whose visit is not finished, earliest planned first; else the latest
/// finished one.
fn open_stop_of(conn: &Connection, account: &str) -> Result<Option<StopView>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "select s.body from stops s left join visits v on v.stop_id = s.id and not v.deleted \
             where s.account_id = ?1 order by coalesce({finished}, 0), \
             case when coalesce({finished}, 0) then s.planned_date end desc, s.planned_date, s.position",
            finished = visits::is_terminal_sql("v.status")
        ))
        .context("looking up a debtor's stops")?;
    let body: Option<String> = stmt
        .query_row([account], |r| r.get(0))
        .optional()
        .context("looking up a debtor's stops")?;
    body.map(|b| decode(&b)).transpose()
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(body: &str) -> Result<T> {
    serde_json::from_str(body).map_err(|e| Error::corrupt("reading a stored record", e))
}

/// The organization's rules as last synced, or the defaults (Colombia's law plus the company
/// rule, Bogotá time) before the first sync brought them.
pub(crate) struct Rules {
    pub zone: chrono_tz::Tz,
    pub geofence: GeofencePolicy,
    pub contact: ContactPolicy,
    pub holidays: HolidayCalendar,
}

impl Rules {
    pub(crate) fn from_settings(settings: Option<&OrgSettings>, now: DateTime<Utc>) -> Rules {
        match settings {
            Some(s) => Rules {
                zone: s.time_zone.parse().unwrap_or(chrono_tz::America::Bogota),
                geofence: s.geofence_policy,
                contact: s.contact_policy.clone(),
                holidays: s.holidays.clone(),
            },
            None => Rules {
                zone: chrono_tz::America::Bogota,
                geofence: GeofencePolicy::default(),
                contact: ContactPolicy::default_company(),
                holidays: HolidayCalendar::colombia(now.year() - 1..=now.year() + 1)
                    .unwrap_or_default(),
            },
        }
    }

    /// Contacts recorded with the account's person (all their accounts on this device), except
    /// the visit `except`. A contact is a completed visit whose outcome reached someone (the
    /// law limits contacts with people, not knocks on a closed door), or a visit in progress,
    /// counted at its check-in: it may still become one, and two open visits to one person's
    /// accounts must not both pass a one-per-day rule.
    pub(crate) fn history(
        conn: &Connection,
        account: &AccountView,
        except: Option<&str>,
    ) -> Result<Vec<DateTime<Utc>>> {
        let ids: Vec<String> = match account.person {
            Some(p) => {
                let mut stmt = conn
                    .prepare_cached("select id from accounts where person_id = ?1")
                    .context("reading a person's accounts")?;
                stmt.query_map([p.to_string()], |r| r.get(0))
                    .context("reading a person's accounts")?
                    .collect::<Result<_, _>>()
                    .context("reading a person's accounts")?
            }
            None => vec![account.id.to_string()],
        };
        let mut out = Vec::new();
        for v in visits::of_accounts(conn, &ids)? {
            let contact = v
                .outcome
                .as_deref()
                .and_then(|o| o.parse::<Outcome>().ok())
                .is_some_and(Outcome::is_contact);
            if Some(v.id.as_str()) == except {
                continue;
            }
            let at = if contact {
                v.completed_ms
            } else if v.status == VisitStatus::InProgress {
                v.checked_in_ms
            } else {
                None
            };
            if let Some(t) = at.and_then(DateTime::from_timestamp_millis) {
                out.push(t);
            }
        }
        Ok(out)
    }

    pub(crate) fn decide(
        &self,
        window: Option<LocalWindow>,
        history: &[DateTime<Utc>],
        at: DateTime<Utc>,
    ) -> Decision {
        self.context(window, history).decide(at)
    }

    pub(crate) fn context<'a>(
        &'a self,
        window: Option<LocalWindow>,
        history: &'a [DateTime<Utc>],
    ) -> ContactContext<'a> {
        ContactContext {
            time_zone: self.zone,
            policy: &self.contact,
            holidays: &self.holidays,
            debtor_window: window,
            history,
        }
    }
}
