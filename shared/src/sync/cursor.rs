//! Pull cursors and snapshot page tokens: opaque to devices, compact, and strictly parsed.
//!
//! A [`Cursor`] names a position in the server's change feed: the feed's `epoch` (bumped when
//! the feed is compacted; an older epoch means "resync") and the commit-ordered position of the
//! last change delivered. On SQLite that is the row counter `pos` (one writer: commit order),
//! with `xid` 0; on PostgreSQL it is `(xid, pos)`, read only below the oldest transaction in
//! progress (SYNC.md). Encoding: `v1.<epoch>.<xid>.<pos>`, each number in lower-case hex without
//! leading zeros, so every cursor has exactly one spelling and parsing then encoding gives the
//! same text back. The empty token means "from the start".
//!
//! A [`SnapshotCursor`] is the page token of the bootstrap snapshot: the feed cursor taken
//! before the snapshot began (where pulling resumes once it is done), the section being read and
//! the key of the last record sent (hex-encoded, so any text fits in a URL query).
//!
//! Nothing here reads the database or decides validity against server state (an unknown epoch is
//! the server's call); this module only turns tokens into values and back.

use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// A position in the change feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    /// The feed epoch the position belongs to.
    pub epoch: u32,
    /// PostgreSQL transaction id (`xid8`) of the last change delivered; 0 on SQLite.
    pub xid: u64,
    /// Feed position of the last change delivered (0: none yet).
    pub pos: u64,
}

impl Cursor {
    /// The start of the feed in `epoch`: every change comes after it.
    pub const fn start(epoch: u32) -> Cursor {
        Cursor {
            epoch,
            xid: 0,
            pos: 0,
        }
    }

    /// Parses a token where the empty (or blank) token means "from the start": `Ok(None)`.
    pub fn parse_optional(token: &str) -> Result<Option<Cursor>, ValidationError> {
        let token = token.trim();
        if token.is_empty() {
            return Ok(None);
        }
        token.parse().map(Some)
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{:x}.{:x}.{:x}", self.epoch, self.xid, self.pos)
    }
}

impl FromStr for Cursor {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Cursor, ValidationError> {
        let bad = |why: &str| {
            ValidationError::new(
                "cursor",
                format!("{s:?} is not a cursor this server issued: {why}"),
            )
        };
        let rest = s
            .strip_prefix("v1.")
            .ok_or_else(|| bad("expected v1.EPOCH.XID.POS"))?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [epoch, xid, pos] = parts[..] else {
            return Err(bad("expected v1.EPOCH.XID.POS"));
        };
        let epoch = hex_number(epoch, 8).map_err(|why| bad(&format!("epoch {why}")))?;
        Ok(Cursor {
            epoch: u32::try_from(epoch).map_err(|_| bad("epoch out of range"))?,
            xid: hex_number(xid, 16).map_err(|why| bad(&format!("xid {why}")))?,
            pos: hex_number(pos, 16).map_err(|why| bad(&format!("pos {why}")))?,
        })
    }
}

/// A canonical lower-case hex number of at most `max_digits` digits (no sign, no leading zero).
fn hex_number(s: &str, max_digits: usize) -> Result<u64, String> {
    if s.is_empty() {
        return Err("is empty".into());
    }
    if s.len() > max_digits {
        return Err(format!("has more than {max_digits} digits"));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!("{s:?} is not lower-case hexadecimal"));
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(format!("{s:?} has a leading zero"));
    }
    u64::from_str_radix(s, 16).map_err(|e| format!("{s:?}: {e}"))
}

/// Which table a snapshot page is reading; the snapshot reads them in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SnapshotSection {
    /// Debtor accounts (`account` upserts).
    Accounts,
    /// Route stops (`stop` upserts).
    Stops,
    /// Visits (`visit` upserts).
    Visits,
    /// Current field values of those visits (`field` upserts).
    Fields,
    /// Check-ins of those visits with both verdicts (`checkin` upserts).
    Checkins,
    /// Attachments of those visits (`attachment` upserts).
    Attachments,
    /// The organization's questionnaire versions (`form` upserts).
    Forms,
    /// Which version is the organization's visit form (the `visit_form` upsert).
    VisitForm,
}

impl SnapshotSection {
    /// Every section, in reading order.
    pub const ALL: [SnapshotSection; 8] = [
        SnapshotSection::Accounts,
        SnapshotSection::Stops,
        SnapshotSection::Visits,
        SnapshotSection::Fields,
        SnapshotSection::Checkins,
        SnapshotSection::Attachments,
        SnapshotSection::Forms,
        SnapshotSection::VisitForm,
    ];

    /// The section read after this one, if any.
    pub fn next(self) -> Option<SnapshotSection> {
        let i = Self::ALL.iter().position(|s| *s == self)?;
        Self::ALL.get(i + 1).copied()
    }

    fn digit(self) -> u8 {
        match self {
            SnapshotSection::Accounts => b'a',
            SnapshotSection::Stops => b's',
            SnapshotSection::Visits => b'v',
            SnapshotSection::Fields => b'f',
            SnapshotSection::Checkins => b'c',
            SnapshotSection::Attachments => b't',
            SnapshotSection::Forms => b'o',
            SnapshotSection::VisitForm => b'w',
        }
    }
}

/// Where a paginated snapshot stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SnapshotCursor {
    /// The feed cursor taken before the snapshot's first page: pulling resumes from it.
    pub feed: Cursor,
    /// The section the next page reads.
    pub section: SnapshotSection,
    /// Key of the last record sent in `section` (empty: from the section's start).
    pub after: String,
}

impl SnapshotCursor {
    /// The first page of a snapshot whose changes are followed by the feed after `feed`.
    pub fn first(feed: Cursor) -> SnapshotCursor {
        SnapshotCursor {
            feed,
            section: SnapshotSection::Accounts,
            after: String::new(),
        }
    }
}

impl fmt::Display for SnapshotCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Cursor { epoch, xid, pos } = self.feed;
        write!(
            f,
            "s1.{epoch:x}.{xid:x}.{pos:x}.{}.",
            char::from(self.section.digit())
        )?;
        self.after.bytes().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl FromStr for SnapshotCursor {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<SnapshotCursor, ValidationError> {
        let bad = |why: &str| {
            ValidationError::new(
                "snapshot cursor",
                format!("{s:?} is not a snapshot page token this server issued: {why}"),
            )
        };
        let shape = "expected s1.EPOCH.XID.POS.SECTION.KEY";
        let rest = s.strip_prefix("s1.").ok_or_else(|| bad(shape))?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [epoch, xid, pos, section, key] = parts[..] else {
            return Err(bad(shape));
        };
        let feed: Cursor = format!("v1.{epoch}.{xid}.{pos}")
            .parse()
            .map_err(|e: ValidationError| bad(&e.reason))?;
        let section = SnapshotSection::ALL
            .into_iter()
            .find(|c| section.as_bytes() == [c.digit()])
            .ok_or_else(|| bad(&format!("unknown section {section:?}")))?;
        let after = decode_hex_text(key).map_err(|why| bad(&format!("key {why}")))?;
        Ok(SnapshotCursor {
            feed,
            section,
            after,
        })
    }
}

/// Lower-case hex pairs back into UTF-8 text.
fn decode_hex_text(s: &str) -> Result<String, String> {
    if s.len() % 2 != 0 {
        return Err("has an odd number of hex digits".into());
    }
    let bytes = s
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            let lower_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
            let text = String::from_utf8_lossy(pair);
            if !pair.iter().all(lower_hex) {
                return Err(format!("{text:?} is not a lower-case hex byte"));
            }
            u8::from_str_radix(&text, 16).map_err(|e| format!("{text:?}: {e}"))
        })
        .collect::<Result<Vec<u8>, String>>()?;
    String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".into())
}

#[cfg(test)]
mod tests;
