//! The merge order, written once: a write's [`Stamp`] (`(hlc, device_id, seq)`), a status
//! cell's position `(epoch, rank, stamp)`, and the one sortable text key each is stored as.
//!
//! Storage (the server's `visits.status_key` and `field_values.stamp_key`, the device's
//! `visits.status_key` and `fields.stamp_key`) keeps the key in one column and its SQL compares
//! that column alone, so the order lives here and nowhere else. The key is fixed-width lowercase
//! hex, so comparing two keys byte by byte (SQLite's `binary`, PostgreSQL's `collate "C"`)
//! orders them exactly as the tuples compare (property-tested below):
//!
//! | part | width | encoding |
//! |---|---|---|
//! | epoch (status only) | 8 | `u32` |
//! | rank (status only) | 2 | `u8` |
//! | hlc | 16 | the `i64` with its sign bit flipped, so negatives sort first |
//! | device id | 32 | the UUID's 16 bytes (`Uuid`'s own order) |
//! | seq | 16 | `u64` |
//!
//! The empty key `""` is the bottom: below every write (a visit nobody set a status for).
//! Migrations that backfill the column spell the same encoding in SQL (`printf` on SQLite,
//! `to_hex` on PostgreSQL); their tests compare the result with [`Stamp::order_key`].

use serde::{Deserialize, Serialize};

use crate::ids::DeviceId;
use crate::model::visit::VisitStatus;
use crate::sync::event::Event;
use crate::sync::hlc::Hlc;

/// Characters in a [`Stamp::order_key`].
pub const STAMP_KEY_LEN: usize = 64;
/// Characters in a [`status_key`].
pub const STATUS_KEY_LEN: usize = 8 + 2 + STAMP_KEY_LEN;

/// The total order of state writes: stamp, then author, then the author's sequence.
///
/// `seq` closes the order: two events of one device never share a stamp, but a forked device
/// could, and the order must stay total for the join to be deterministic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    /// The HLC the merge uses (the server's receive stamp for a clamped event).
    pub hlc: Hlc,
    /// The author.
    pub device_id: DeviceId,
    /// The author's sequence number.
    pub seq: u64,
}

impl Stamp {
    /// The stamp of an event's write, with the HLC the merge uses for it (its own, or the
    /// server's receive stamp when its clock ran too far ahead).
    pub fn of(e: &Event, merge_hlc: Hlc) -> Stamp {
        Stamp {
            hlc: merge_hlc,
            device_id: e.key().device_id,
            seq: e.key().seq,
        }
    }

    /// The stamp as one sortable text key: `a.order_key() < b.order_key()` exactly when
    /// `a < b`.
    pub fn order_key(&self) -> String {
        let hlc = (self.hlc.raw() as u64) ^ (1 << 63);
        format!(
            "{hlc:016x}{}{:016x}",
            self.device_id.as_uuid().simple(),
            self.seq
        )
    }

    /// Whether `self`, the winning write, overwrote `loser` without its author having seen it:
    /// not the same device's later edit, and the value its author saw (`base_hlc`, none when
    /// it saw nothing) is older than the loser's stamp. Such an overwrite is recorded for
    /// review; the state never depends on it.
    pub fn is_unseen_overwrite(&self, base_hlc: Option<Hlc>, loser: &Stamp) -> bool {
        let own_later = self.device_id == loser.device_id && self.seq > loser.seq;
        !own_later && base_hlc.is_none_or(|b| b < loser.hlc)
    }
}

/// A status cell's place in the visit lattice as one sortable text key: the order of
/// `(epoch, status.rank(), stamp)`, which is the lattice's.
pub fn status_key(epoch: u32, status: VisitStatus, stamp: &Stamp) -> String {
    format!("{epoch:08x}{:02x}{}", status.rank(), stamp.order_key())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn stamp(hlc: i64, device: u128, seq: u64) -> Stamp {
        Stamp {
            hlc: Hlc::from_raw(hlc),
            device_id: DeviceId::from_uuid(Uuid::from_u128(device)),
            seq,
        }
    }

    fn status(i: usize) -> VisitStatus {
        VisitStatus::ALL[i % VisitStatus::ALL.len()]
    }

    /// Values near the edges of each part, where an encoding slip would show.
    fn edgy_i64() -> impl Strategy<Value = i64> {
        prop_oneof![
            any::<i64>(),
            Just(i64::MIN),
            Just(-1_i64),
            Just(0_i64),
            Just(1_i64),
            Just(i64::MAX)
        ]
    }

    fn edgy_u64() -> impl Strategy<Value = u64> {
        prop_oneof![any::<u64>(), Just(0_u64), Just(u64::MAX), 0_u64..4]
    }

    fn edgy_u128() -> impl Strategy<Value = u128> {
        prop_oneof![any::<u128>(), Just(0_u128), Just(u128::MAX), 0_u128..4]
    }

    proptest! {
        #[test]
        fn a_stamps_key_orders_exactly_like_the_stamp(
            a in (edgy_i64(), edgy_u128(), edgy_u64()),
            b in (edgy_i64(), edgy_u128(), edgy_u64()),
        ) {
            let (a, b) = (stamp(a.0, a.1, a.2), stamp(b.0, b.1, b.2));
            prop_assert_eq!(a.order_key().len(), STAMP_KEY_LEN);
            prop_assert_eq!(a.order_key().cmp(&b.order_key()), a.cmp(&b));
        }

        #[test]
        fn a_status_key_orders_exactly_like_the_lattice_tuple(
            a in (any::<u32>(), 0_usize..5, edgy_i64(), edgy_u128(), edgy_u64()),
            b in (any::<u32>(), 0_usize..5, edgy_i64(), edgy_u128(), edgy_u64()),
        ) {
            let (sa, sb) = (stamp(a.2, a.3, a.4), stamp(b.2, b.3, b.4));
            let (ka, kb) = (status_key(a.0, status(a.1), &sa), status_key(b.0, status(b.1), &sb));
            let (ta, tb) = ((a.0, status(a.1).rank(), sa), (b.0, status(b.1).rank(), sb));
            prop_assert_eq!(ka.len(), STATUS_KEY_LEN);
            prop_assert_eq!(ka.cmp(&kb), ta.cmp(&tb));
        }

        #[test]
        fn every_key_is_above_the_empty_bottom(a in (edgy_i64(), edgy_u128(), edgy_u64())) {
            let s = stamp(a.0, a.1, a.2);
            prop_assert!(s.order_key().as_str() > "");
            prop_assert!(status_key(0, VisitStatus::Planned, &s).as_str() > "");
        }
    }

    #[test]
    fn the_key_spells_each_part_in_fixed_width_hex() {
        let s = stamp(0x1234, 0x0193_a000_0000_7000_8000_0000_0000_0001, 7);
        assert_eq!(
            status_key(2, VisitStatus::Done, &s),
            "0000000202\
             8000000000001234\
             0193a000000070008000000000000001\
             0000000000000007"
        );
    }

    #[test]
    fn an_overwrite_is_unseen_unless_its_author_saw_the_loser_or_wrote_it() {
        let (a, b) = (1, 2);
        let loser = stamp(100, a, 5);
        assert!(stamp(200, b, 1).is_unseen_overwrite(None, &loser));
        assert!(stamp(200, b, 1).is_unseen_overwrite(Some(Hlc::from_raw(99)), &loser));
        assert!(!stamp(200, b, 1).is_unseen_overwrite(Some(Hlc::from_raw(100)), &loser));
        assert!(
            !stamp(200, a, 6).is_unseen_overwrite(None, &loser),
            "the same device's later edit"
        );
        assert!(
            stamp(200, a, 4).is_unseen_overwrite(None, &loser),
            "a forked device's lower seq has not seen it"
        );
    }
}
