//! Wall-clock to instant conversions in an IANA zone, safe across daylight-saving changes.
//!
//! A local time can exist once, twice (the repeated hour when clocks go back) or not at all (the
//! hour skipped when they go forward). The rules reason in local time; these helpers turn a local
//! boundary into the instant at which the wall clock reaches it. They hold no policy.

use chrono::{DateTime, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// Wider than any offset (UTC−12 to UTC+14) plus any gap, so a skipped local time's transition
/// always lies within this many seconds of the same reading taken as UTC.
const SEARCH_SPAN_SECONDS: i64 = 27 * 3600;

/// The wall-clock reading of `t` in `tz`.
pub(super) fn local(tz: Tz, t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

/// The first instant at which the wall clock reads `naive` or later: the instant itself when the
/// reading exists once, the first pass when it repeats, and the end of the gap (the moment clocks
/// jump forward) when it is skipped. `None` only at the edges of the representable range.
pub(super) fn first_instant_at_or_after(tz: Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => Some(t.to_utc()),
        chrono::LocalResult::Ambiguous(first, _) => Some(first.to_utc()),
        chrono::LocalResult::None => {
            let guess = naive.and_utc().timestamp();
            let lo = guess.checked_sub(SEARCH_SPAN_SECONDS)?;
            let hi = guess.checked_add(SEARCH_SPAN_SECONDS)?;
            first_second_where(lo, hi, |t| local(tz, t) >= naive)
        }
    }
}

/// The second instant reading `naive`, when the clock goes back over it.
pub(super) fn second_pass(tz: Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Ambiguous(_, second) => Some(second.to_utc()),
        _ => None,
    }
}

/// The instant in `(from, to]` at which the zone's offset changes, if it differs at both ends.
/// Zones change offset at most once a day, so one search per local day finds every change.
pub(super) fn offset_change(
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let offset = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc()).fix();
    let before = offset(from);
    if before == offset(to) {
        return None;
    }
    first_second_where(from.timestamp(), to.timestamp(), |t| offset(t) != before)
}

/// Bisects whole seconds in `(lo, hi]` for the first one where `pred` holds, assuming it is
/// false at `lo` and true at `hi`; about 17 steps for a day-wide span.
fn first_second_where(
    mut lo: i64,
    mut hi: i64,
    pred: impl Fn(DateTime<Utc>) -> bool,
) -> Option<DateTime<Utc>> {
    let at = |s: i64| DateTime::<Utc>::from_timestamp(s, 0);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if at(mid).is_some_and(&pred) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    at(hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn naive(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_opt(h, mi, 0))
            .expect("valid test datetime")
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("valid RFC 3339 test instant")
    }

    #[test]
    fn a_skipped_local_time_maps_to_the_moment_clocks_jump_forward() {
        // Madrid, 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00Z.
        let t = first_instant_at_or_after(Tz::Europe__Madrid, naive(2026, 3, 29, 2, 30));
        assert_eq!(t, Some(utc("2026-03-29T01:00:00Z")));
    }

    #[test]
    fn a_repeated_local_time_maps_to_its_first_pass_and_the_second_is_known() {
        // Madrid, 25 October 2026: 03:00 CEST goes back to 02:00 CET at 01:00Z.
        let n = naive(2026, 10, 25, 2, 30);
        let first = first_instant_at_or_after(Tz::Europe__Madrid, n);
        assert_eq!(first, Some(utc("2026-10-25T00:30:00Z")));
        assert_eq!(
            second_pass(Tz::Europe__Madrid, n),
            Some(utc("2026-10-25T01:30:00Z"))
        );
    }

    #[test]
    fn the_offset_change_inside_a_day_is_found_to_the_second() {
        let change = offset_change(
            Tz::America__Santiago,
            utc("2026-09-05T12:00:00Z"),
            utc("2026-09-06T12:00:00Z"),
        );
        assert_eq!(change, Some(utc("2026-09-06T04:00:00Z")));
        let none = offset_change(
            Tz::America__Bogota,
            utc("2026-09-05T12:00:00Z"),
            utc("2026-09-06T12:00:00Z"),
        );
        assert_eq!(none, None);
    }
}
