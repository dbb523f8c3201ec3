//! Hybrid logical clock (SYNC.md "Clock"): `hlc = (unix_ms << 16) | counter`.
//!
//! Stamps decide merge winners; they are never used as pull cursors. Wall time comes in as an
//! argument, so this module reads no clock. Ties between equal stamps are broken by device id in
//! the merge, not here.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How far ahead of the server a stamp may be before it is treated as suspect (10 minutes).
pub const MAX_FUTURE_MS: i64 = 10 * 60 * 1000;

const COUNTER_BITS: u32 = 16;
const COUNTER_MASK: i64 = (1 << COUNTER_BITS) - 1;

/// A hybrid logical clock stamp. Ordered as an integer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
// JSON carries it as a number (below 2^63, read as a float by JavaScript: compared, not summed).
pub struct Hlc(#[cfg_attr(feature = "ts", ts(type = "number"))] i64);

impl Hlc {
    /// The zero stamp: older than any real event.
    pub const ZERO: Hlc = Hlc(0);

    /// A stamp at a wall-clock millisecond with counter 0. Negative times clamp to zero: no
    /// device writes before 1970, and a negative stamp would sort before [`Hlc::ZERO`].
    pub fn from_millis(unix_ms: i64) -> Hlc {
        Hlc(unix_ms.clamp(0, i64::MAX >> COUNTER_BITS) << COUNTER_BITS)
    }

    /// Rebuilds a stamp from its integer form (as stored or sent).
    pub const fn from_raw(raw: i64) -> Hlc {
        Hlc(raw)
    }

    /// The integer form.
    pub const fn raw(self) -> i64 {
        self.0
    }

    /// The wall-clock part, in Unix milliseconds.
    pub const fn millis(self) -> i64 {
        self.0 >> COUNTER_BITS
    }

    /// The logical counter within the millisecond.
    pub const fn counter(self) -> u16 {
        (self.0 & COUNTER_MASK) as u16
    }

    /// The next stamp after this one. Saturates rather than wrapping into negative stamps.
    pub fn succ(self) -> Hlc {
        Hlc(self.0.saturating_add(1))
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.millis(), self.counter())
    }
}

/// A device's (or the server's) clock state: the last stamp issued or seen.
///
/// Persist [`HlcClock::last`] in the same transaction as the event it stamped, so a restart can
/// never issue a stamp at or below one already used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    /// A clock that has issued or seen `last`.
    pub fn new(last: Hlc) -> Self {
        Self { last }
    }

    /// The last stamp issued or seen.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// Stamps a local event at wall time `now_ms`: `max(last + 1, now << 16)`. A wall clock that
    /// went backwards (or lags a stamp received from elsewhere) still yields increasing stamps.
    pub fn tick(&mut self, now_ms: i64) -> Hlc {
        self.last = self.last.succ().max(Hlc::from_millis(now_ms));
        self.last
    }

    /// Takes in a stamp seen on a remote event, so later local stamps order after it: this is
    /// what makes a causally later edit win even on a device whose wall clock is slow.
    pub fn receive(&mut self, remote: Hlc) {
        self.last = self.last.max(remote);
    }
}

/// How the server stamps an event for merging (SYNC.md: the future-stamp clamp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clamped {
    /// The stamp the merge uses.
    pub merge_hlc: Hlc,
    /// The stamp the device wrote, kept as evidence.
    pub original: Hlc,
    /// The device's clock was more than [`MAX_FUTURE_MS`] ahead of the server's.
    pub clock_suspect: bool,
}

/// Applies the future-stamp clamp: an event stamped more than `max_future_ms` ahead of the
/// server's wall clock is still accepted (facts are never dropped) but merges with the server's
/// receive stamp `receive`, so one device with a wrong clock cannot win every register for hours.
pub fn clamp_future(stamp: Hlc, server_now_ms: i64, receive: Hlc, max_future_ms: i64) -> Clamped {
    let limit = server_now_ms.saturating_add(max_future_ms);
    if stamp.millis() > limit {
        Clamped {
            merge_hlc: receive,
            original: stamp,
            clock_suspect: true,
        }
    } else {
        Clamped {
            merge_hlc: stamp,
            original: stamp,
            clock_suspect: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_stamp_splits_into_millis_and_counter() {
        let h = Hlc::from_millis(1_764_000_000_123).succ().succ();
        assert_eq!(h.millis(), 1_764_000_000_123);
        assert_eq!(h.counter(), 2);
        assert_eq!(h.to_string(), "1764000000123.2");
    }

    #[test]
    fn ticks_increase_even_when_the_wall_clock_goes_back() {
        let mut c = HlcClock::default();
        let a = c.tick(2_000);
        let b = c.tick(1_000);
        let d = c.tick(1_000);
        assert!(a < b && b < d);
        assert_eq!(b.millis(), 2_000);
    }

    #[test]
    fn a_received_stamp_pulls_a_slow_clock_forward() {
        let mut slow = HlcClock::default();
        let remote = Hlc::from_millis(10_000);
        slow.receive(remote);
        assert!(slow.tick(5_000) > remote);
    }

    #[test]
    fn a_stamp_far_in_the_future_is_clamped_and_flagged() {
        let now = 1_000_000;
        let receive = Hlc::from_millis(now);
        let far = Hlc::from_millis(now + MAX_FUTURE_MS + 1);
        let near = Hlc::from_millis(now + MAX_FUTURE_MS);
        let c = clamp_future(far, now, receive, MAX_FUTURE_MS);
        assert_eq!(
            (c.merge_hlc, c.original, c.clock_suspect),
            (receive, far, true)
        );
        let c = clamp_future(near, now, receive, MAX_FUTURE_MS);
        assert_eq!((c.merge_hlc, c.clock_suspect), (near, false));
    }

    #[test]
    fn negative_wall_times_do_not_produce_negative_stamps() {
        assert_eq!(Hlc::from_millis(-5), Hlc::ZERO);
    }

    proptest! {
        #[test]
        fn tick_is_strictly_monotonic(times in proptest::collection::vec(-1_000i64..1i64 << 40, 1..50)) {
            let mut c = HlcClock::default();
            let mut prev = Hlc::ZERO;
            for t in times {
                let h = c.tick(t);
                prop_assert!(h > prev);
                prev = h;
            }
        }
    }
}
