//! The decision: may this person be contacted at this instant, and if not, when next?
//!
//! Pure: the zone, policy, holidays, debtor window and the person's merged history all come in
//! through [`ContactContext`]. The search for the next allowed moment is bounded by
//! [`SEARCH_HORIZON_DAYS`] local days and never loops further.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::holidays::HolidayCalendar;
use super::local::{first_instant_at_or_after, local, offset_change, second_pass};
use super::policy::ContactPolicy;
use super::rule::{Decision, Rule};
use super::window::LocalWindow;

/// How many local days after the asked one the next-allowed search looks at; a year and a day,
/// so any weekly pattern and a yearly holiday calendar are covered.
pub const SEARCH_HORIZON_DAYS: u32 = 366;

/// Everything a decision about one person depends on, besides the instant.
#[derive(Debug, Clone, Copy)]
pub struct ContactContext<'a> {
    /// The organization's IANA zone; it defines local days, weeks and hours.
    pub time_zone: Tz,
    /// The organization's policy.
    pub policy: &'a ContactPolicy,
    /// Holidays as local dates; should cover the asked day and the year after it.
    pub holidays: &'a HolidayCalendar,
    /// The hours the debtor asked to be contacted in, if any (applies every day).
    pub debtor_window: Option<LocalWindow>,
    /// Every recorded contact with the person, across all accounts and portfolios, in any order.
    /// Must not include the contact being decided.
    pub history: &'a [DateTime<Utc>],
}

/// A span of instants `[start, end)` in which a contact is allowed by the day's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedInterval {
    /// First allowed instant.
    pub start: DateTime<Utc>,
    /// First instant after the interval.
    pub end: DateTime<Utc>,
}

impl ContactContext<'_> {
    /// Decides whether a contact at `at` is allowed; a refusal lists every refusing rule and the
    /// earliest instant at or after `at` at which all rules allow one.
    pub fn decide(&self, at: DateTime<Utc>) -> Decision {
        let eval = Evaluator::new(self);
        let mut rules = eval.violations(at).into_iter();
        match rules.next() {
            None => Decision::Allowed,
            Some(rule) => Decision::Refused {
                rule,
                also: rules.collect(),
                next_allowed: eval.next_allowed(at),
            },
        }
    }

    /// The earliest instant at or after `at` at which every rule allows a contact (`at` itself
    /// when allowed), or `None` if none falls within [`SEARCH_HORIZON_DAYS`] local days.
    pub fn next_allowed(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        Evaluator::new(self).next_allowed(at)
    }

    /// The instants of local day `date` in which a contact is allowed, for route planning.
    ///
    /// In the hour repeated when clocks go back the interval follows the first pass, so in that
    /// rare case (a window edge inside the repeated hour) it may differ slightly from `decide`.
    pub fn allowed_interval_on(&self, date: NaiveDate) -> Option<AllowedInterval> {
        let eval = Evaluator::new(self);
        let (start, end) = eval.open_bounds(date)?;
        let start = first_instant_at_or_after(self.time_zone, start)?;
        let end = first_instant_at_or_after(self.time_zone, end)?;
        (start < end).then_some(AllowedInterval { start, end })
    }
}

/// One decision's working state: the context plus the history as local dates, sorted, so that
/// the day-by-day search counts contacts by bisection instead of rescanning the history.
struct Evaluator<'c, 'a> {
    ctx: &'c ContactContext<'a>,
    contacts: Vec<(NaiveDate, DateTime<Utc>)>,
}

impl<'c, 'a> Evaluator<'c, 'a> {
    fn new(ctx: &'c ContactContext<'a>) -> Self {
        let mut contacts: Vec<_> = ctx
            .history
            .iter()
            .map(|&t| (local(ctx.time_zone, t).date(), t))
            .collect();
        contacts.sort_unstable();
        Self { ctx, contacts }
    }

    /// Every refusing rule at `at`, in the documented order (see the module docs).
    fn violations(&self, at: DateTime<Utc>) -> Vec<Rule> {
        let reading = local(self.ctx.time_zone, at);
        let mut rules = self.day_rules(reading.date());
        let time = reading.time();
        if let Some(allowed) = self.ctx.policy.hours_on(reading.weekday()) {
            if !allowed.contains(time) {
                rules.push(Rule::OutsideHours {
                    local_time: time,
                    allowed,
                });
            }
        }
        if let Some(window) = self.ctx.debtor_window.filter(|w| !w.contains(time)) {
            rules.push(Rule::OutsideDebtorWindow {
                local_time: time,
                window,
            });
        }
        rules
    }

    /// The rules that refuse a whole local day: calendar first, then the person's frequency from
    /// the widest period to the narrowest.
    fn day_rules(&self, date: NaiveDate) -> Vec<Rule> {
        let policy = self.ctx.policy;
        let mut rules = Vec::new();
        if policy.is_closed_on_holidays() && self.ctx.holidays.contains(date) {
            rules.push(Rule::Holiday { date });
        }
        if policy.hours_on(date.weekday()).is_none() {
            rules.push(Rule::ClosedDay {
                weekday: date.weekday(),
            });
        }
        rules.extend(self.too_soon(date));
        if let Some(max) = policy.max_per_week() {
            let week_start = shift(date, -i64::from(date.weekday().num_days_from_monday()));
            let count = self.count_between(week_start, shift(week_start, 6));
            if count >= max {
                rules.push(Rule::WeeklyLimit {
                    week_start,
                    count,
                    max,
                });
            }
        }
        if let Some(max) = policy.max_per_day() {
            let count = self.count_between(date, date);
            if count >= max {
                rules.push(Rule::DailyLimit { date, count, max });
            }
        }
        rules
    }

    /// The nearest contact fewer than `min_days` local days away, before or after `date`; on a
    /// tie the earlier one, since it is the one the collector knows about.
    fn too_soon(&self, date: NaiveDate) -> Option<Rule> {
        let min_days = self.ctx.policy.min_days_between();
        let reach = i64::from(min_days) - 1;
        if reach < 0 {
            return None;
        }
        let near = self.range(shift(date, -reach), shift(date, reach));
        let &(contact_date, contact) = near
            .iter()
            .min_by_key(|(d, t)| ((*d - date).num_days().abs(), *t))?;
        Some(Rule::TooSoon {
            contact,
            contact_date,
            min_days,
        })
    }

    /// Contacts whose local date is in `from..=to`.
    fn range(&self, from: NaiveDate, to: NaiveDate) -> &[(NaiveDate, DateTime<Utc>)] {
        let lo = self.contacts.partition_point(|(d, _)| *d < from);
        let hi = self.contacts.partition_point(|(d, _)| *d <= to);
        self.contacts.get(lo..hi.max(lo)).unwrap_or_default()
    }

    fn count_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        u32::try_from(self.range(from, to).len()).unwrap_or(u32::MAX)
    }

    /// The local bounds `[start, end)` of the hours open on `date`, if no day rule closes it and
    /// the policy's hours meet the debtor's window.
    fn open_bounds(&self, date: NaiveDate) -> Option<(NaiveDateTime, NaiveDateTime)> {
        if !self.day_rules(date).is_empty() {
            return None;
        }
        let mut window = self.ctx.policy.hours_on(date.weekday())?;
        if let Some(debtor) = self.ctx.debtor_window {
            window = window.intersect(&debtor)?;
        }
        let midnight = date.and_time(chrono::NaiveTime::MIN);
        let at_minute = |m: u16| midnight.checked_add_signed(TimeDelta::minutes(i64::from(m)));
        Some((
            at_minute(window.start_minute())?,
            at_minute(window.end_minute())?,
        ))
    }

    fn next_allowed(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.violations(at).is_empty() {
            return Some(at);
        }
        let first_day = local(self.ctx.time_zone, at).date();
        (0..=SEARCH_HORIZON_DAYS)
            .map_while(|n| first_day.checked_add_days(Days::new(u64::from(n))))
            .find_map(|date| self.first_allowed_on(date, at))
    }

    /// The first allowed instant of local day `date` not before `not_before`.
    ///
    /// The decision can only switch to allowed where the wall clock reaches the window's start
    /// (once, twice in a repeated hour, or at the end of a skipped one) or where the offset
    /// changes; each such candidate is checked against the full rules, so what is returned is
    /// always allowed.
    fn first_allowed_on(
        &self,
        date: NaiveDate,
        not_before: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let (start, _) = self.open_bounds(date)?;
        let tz = self.ctx.time_zone;
        let day_start = first_instant_at_or_after(tz, date.and_time(chrono::NaiveTime::MIN));
        let day_end = date
            .succ_opt()
            .and_then(|next| first_instant_at_or_after(tz, next.and_time(chrono::NaiveTime::MIN)));
        let change = day_start
            .zip(day_end)
            .and_then(|(s, e)| offset_change(tz, s, e));
        let mut candidates: Vec<_> = [
            first_instant_at_or_after(tz, start),
            second_pass(tz, start),
            change,
        ]
        .into_iter()
        .flatten()
        .filter(|c| *c >= not_before)
        .collect();
        candidates.sort_unstable();
        candidates
            .into_iter()
            .find(|c| self.violations(*c).is_empty())
    }
}

/// `date` moved by `days`, clamped to the representable range (only reached at its far edges).
fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    let moved = if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    moved.unwrap_or(if days >= 0 {
        NaiveDate::MAX
    } else {
        NaiveDate::MIN
    })
}
