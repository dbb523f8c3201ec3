//! The writer side of one device's log: allocates gapless sequence numbers, stamps with the HLC
//! and links each event to the previous one's hash.
//!
//! The device persists [`LogHead`] in the same transaction as each event it appends, so after a
//! crash the next event continues the chain exactly where the last committed one left it.

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::ids::DeviceId;
use crate::sync::event::{Draft, Event, EventHash};
use crate::sync::hlc::{Hlc, HlcClock};

/// Where a device's log stands: enough to append the next event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogHead {
    /// The device that owns the log.
    pub device_id: DeviceId,
    /// Sequence of the last event written (0 when the log is empty).
    pub last_seq: u64,
    /// Hash of the last event ([`EventHash::GENESIS`] when empty).
    pub last_hash: EventHash,
    /// The device's clock.
    pub clock: HlcClock,
}

impl LogHead {
    /// An empty log for a newly enrolled device.
    pub fn new(device_id: DeviceId) -> Self {
        LogHead {
            device_id,
            last_seq: 0,
            last_hash: EventHash::GENESIS,
            clock: HlcClock::default(),
        }
    }

    /// Seals `draft` as the next event at wall time `now_ms` and advances the head. On error
    /// the head is unchanged.
    pub fn append(&mut self, draft: Draft, now_ms: i64) -> Result<Event, ValidationError> {
        let mut clock = self.clock;
        let hlc = clock.tick(now_ms);
        let seq = self
            .last_seq
            .checked_add(1)
            .ok_or_else(|| ValidationError::new("seq", "device log is full"))?;
        let event = draft.seal(self.device_id, seq, hlc, self.last_hash)?;
        self.last_seq = seq;
        self.last_hash = event.hash();
        self.clock = clock;
        Ok(event)
    }

    /// Takes in a stamp seen on a pulled event (HLC receive rule).
    pub fn receive(&mut self, remote: Hlc) {
        self.clock.receive(remote);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::event::EventKind;
    use serde_json::json;

    #[test]
    fn appended_events_form_a_gapless_hash_chain() {
        let mut head = LogHead::new(DeviceId::from_uuid(uuid::Uuid::from_u128(1)));
        let a = head
            .append(Draft::new(EventKind::Fix, 1, json!({})), 1_000)
            .unwrap();
        let b = head
            .append(Draft::new(EventKind::Fix, 1, json!({})), 900)
            .unwrap();
        assert_eq!((a.key().seq, b.key().seq), (1, 2));
        assert_eq!(a.prev_hash(), EventHash::GENESIS);
        assert_eq!(b.prev_hash(), a.hash());
        assert!(b.hlc() > a.hlc(), "clock going back still orders events");
        assert_eq!(head.last_hash, b.hash());
    }

    #[test]
    fn a_refused_draft_leaves_the_head_unchanged() {
        let mut head = LogHead::new(DeviceId::from_uuid(uuid::Uuid::from_u128(1)));
        let before = head;
        assert!(
            head.append(Draft::new(EventKind::Fix, 0, json!({})), 5)
                .is_err()
        );
        assert_eq!(head, before);
    }
}
