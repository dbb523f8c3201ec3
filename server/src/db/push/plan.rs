//! What one batch's transaction does to each event, decided from the locked head and the
//! stored neighbours without the database (the plan half of `apply`): an event stored before
//! and not projectable now is only reported; a new one beyond a gap is stored pending; one that
//! extends the contiguous head is projected, with the merge stamp stored for it when it was
//! stored before (a replay projects what the first push stamped).

use std::collections::BTreeMap;

use terreno_shared::sync::Hlc;

use super::PreparedBatch;
use super::store::{HeadRow, StoredRow};

/// What happens to one event of the batch.
#[derive(Debug)]
pub(super) enum Step<'a> {
    /// Stored before and not projected now: the answer reports its stored state.
    Report(&'a StoredRow),
    /// New, beyond a gap: stored pending.
    Pend,
    /// Extends the contiguous head: projected with this merge stamp.
    Project {
        /// The stored stamp when stored before, else the prepared one.
        merge_hlc: Hlc,
    },
}

/// Whether the batch appends right after the head with nothing stored beyond it: the common
/// case, which needs no look at stored events (the locked head row says it all).
pub(super) fn appends(head: &HeadRow, b: &PreparedBatch) -> bool {
    let first = b.first_seq();
    head.max_seen == head.head_seq
        && head.head_seq as u64 == first - 1
        && (first == 1 || head.head_hash == Some(b.events[0].prev_hash.to_hex()))
}

/// Whether the batch reaches the contiguous head (`head_seq`): else all of it waits beyond a
/// gap.
pub(super) fn connects(first: u64, head_seq: u64) -> bool {
    first <= head_seq + 1
}

/// The stored events of the batch's own seqs, by seq (the neighbours read for the link checks
/// are left out).
pub(super) fn in_batch(stored: Vec<StoredRow>, first: u64, last: u64) -> BTreeMap<u64, StoredRow> {
    stored
        .into_iter()
        .map(|r| (r.seq as u64, r))
        .filter(|(s, _)| (first..=last).contains(s))
        .collect()
}

/// The step of each event of `b`, in order, over the head at `head_seq` and the stored events
/// of the batch's seqs. Projecting moves the head one seq at a time through a contiguous batch,
/// so whether an event is projectable follows from the head before the batch.
pub(super) fn steps<'a>(
    b: &PreparedBatch,
    head_seq: u64,
    stored: &'a BTreeMap<u64, StoredRow>,
) -> Vec<Step<'a>> {
    let connects = connects(b.first_seq(), head_seq);
    b.events
        .iter()
        .map(|e| {
            let existing = stored.get(&e.seq);
            match (existing, connects && e.seq > head_seq) {
                (Some(row), false) => Step::Report(row),
                (None, false) => Step::Pend,
                (found, true) => Step::Project {
                    merge_hlc: found.map_or(e.merge_hlc, |r| Hlc::from_raw(r.merge_hlc)),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use terreno_shared::api::v1::sync::EventState;
    use terreno_shared::ids::{DeviceId, OrgId, UserId};
    use terreno_shared::model::Role;
    use terreno_shared::sync::EventHash;
    use terreno_shared::sync::payload::PayloadError;
    use uuid::Uuid;

    use super::super::PreparedEvent;
    use super::*;
    use crate::db::devices::DeviceRecord;

    fn hash(n: u8) -> EventHash {
        EventHash([n; 32])
    }

    fn event(seq: u64, stamp: u64) -> PreparedEvent {
        PreparedEvent {
            seq,
            hlc: Hlc::from_raw(stamp as i64),
            merge_hlc: Hlc::from_raw(stamp as i64),
            clock_suspect: false,
            kind: "fix".into(),
            v: 1,
            entity: None,
            field: None,
            base_hlc: None,
            prev_hash: hash(seq as u8 - 1),
            hash: hash(seq as u8),
            payload_json: "{}".into(),
            payload: Err(PayloadError::Schema {
                kind: "fix".into(),
                v: 1,
                reason: "not needed by the plan".into(),
            }),
        }
    }

    fn batch(seqs: std::ops::RangeInclusive<u64>) -> PreparedBatch {
        PreparedBatch {
            device: DeviceRecord {
                id: DeviceId::from_uuid(Uuid::from_u128(1)),
                user_id: UserId::from_uuid(Uuid::from_u128(2)),
                org_id: OrgId::from_uuid(Uuid::from_u128(3)),
                team_id: None,
                public_key: None,
                revoked: false,
                head_seq: 0,
                head_hash: None,
                max_seen: 0,
            },
            role: Role::Collector,
            events: seqs.map(|s| event(s, 1000 + s)).collect(),
            signature: None,
            received_ms: 0,
            forms: Default::default(),
        }
    }

    fn stored(seq: u64, merge_hlc: i64) -> StoredRow {
        StoredRow {
            seq: seq as i64,
            hash: hash(seq as u8).to_hex(),
            prev_hash: hash(seq as u8 - 1).to_hex(),
            merge_hlc,
            state: EventState::Applied,
            reason: None,
            clock_suspect: false,
        }
    }

    fn head(head_seq: i64, max_seen: i64, head_hash: Option<EventHash>) -> HeadRow {
        HeadRow {
            head_seq,
            head_hash: head_hash.map(|h| h.to_hex()),
            max_seen,
            revoked_ms: None,
        }
    }

    /// The steps as letters: R(eport), P(end), J (project, with its stamp).
    fn letters(steps: &[Step<'_>]) -> Vec<String> {
        steps
            .iter()
            .map(|s| match s {
                Step::Report(r) => format!("R{}", r.seq),
                Step::Pend => "P".into(),
                Step::Project { merge_hlc } => format!("J{}", merge_hlc.raw()),
            })
            .collect()
    }

    #[test]
    fn a_batch_right_after_the_head_appends_without_reading_stored_events() {
        let b = batch(4..=6);

        assert!(appends(&head(3, 3, Some(hash(3))), &b));
        assert!(!appends(&head(3, 3, Some(hash(9))), &b), "another chain");
        assert!(
            !appends(&head(3, 8, Some(hash(3))), &b),
            "events stored beyond the head"
        );
        assert!(!appends(&head(2, 2, Some(hash(2))), &b), "a gap");
        assert!(
            appends(&head(0, 0, None), &batch(1..=2)),
            "the first batch links to nothing"
        );
    }

    #[test]
    fn new_events_after_the_head_are_projected_with_their_prepared_stamps() {
        let b = batch(4..=5);

        let none = BTreeMap::new();
        let steps = steps(&b, 3, &none);

        assert_eq!(letters(&steps), ["J1004", "J1005"]);
    }

    #[test]
    fn a_batch_beyond_a_gap_is_stored_pending_and_a_stored_one_only_reported() {
        let b = batch(6..=7);
        let stored = in_batch(vec![stored(5, 1), stored(7, 77), stored(8, 1)], 6, 7);

        let steps = steps(&b, 3, &stored);

        assert_eq!(
            letters(&steps),
            ["P", "R7"],
            "neighbours 5 and 8 are not the batch's"
        );
    }

    #[test]
    fn a_replay_reports_what_is_projected_and_projects_with_the_first_stamp_what_waited() {
        let b = batch(3..=5);
        let stored = in_batch(vec![stored(3, 33), stored(4, 44)], 3, 5);

        let steps = steps(&b, 3, &stored);

        assert_eq!(letters(&steps), ["R3", "J44", "J1005"]);
    }
}
