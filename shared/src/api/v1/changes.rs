//! The pull feed's changes as types. On the wire a change is still
//! `{entity_type, entity_id, op, body}` — the field names every device and server have always
//! used, so an older device reads a newer server and the reverse — but in code it is a
//! [`Change`]: an upsert carrying a typed [`Record`], a removal naming its [`EntityType`], or an
//! [`Change::Unknown`] change this build cannot read (a newer server's entity type, operation or
//! record shape), kept whole with the reason so the device can set it aside and go on pulling.
//!
//! Decoding never fails on one change's content: a page with a change this build does not know
//! still decodes, and only that change is [`Change::Unknown`].

use serde::de::{DeserializeOwned, Deserializer};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::forms::{FormVersion, VisitForm};
use super::views::{
    AccountView, AttachmentView, CheckInView, FieldView, PaymentView, StopView, VisitView,
};

/// What a pulled change does to the device's copy (`op` on the wire).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// Insert or replace the entity with `body`.
    Upsert,
    /// Delete the entity and what hangs off it: it left the device's scope.
    Remove,
}

impl ChangeOp {
    /// The wire string (`upsert`, `remove`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Upsert => "upsert",
            ChangeOp::Remove => "remove",
        }
    }

    /// The operation a wire string names, if this build knows it.
    pub fn parse(s: &str) -> Option<ChangeOp> {
        match s {
            "upsert" => Some(ChangeOp::Upsert),
            "remove" => Some(ChangeOp::Remove),
            _ => None,
        }
    }
}

/// Declares [`EntityType`], [`Record`] and the decoding between them, one line per entity.
macro_rules! entities {
    ($($(#[$doc:meta])* $variant:ident($view:ty) = $text:literal,)*) => {
        /// The kind of entity a change is about (`entity_type` on the wire).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum EntityType {
            $($(#[$doc])* $variant,)*
        }

        impl EntityType {
            /// Every entity type this build reads.
            pub const ALL: &'static [EntityType] = &[$(EntityType::$variant,)*];

            /// The wire string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EntityType::$variant => $text,)*
                }
            }

            /// The entity type a wire string names, if this build knows it.
            pub fn parse(s: &str) -> Option<EntityType> {
                match s {
                    $($text => Some(EntityType::$variant),)*
                    _ => None,
                }
            }
        }

        /// An upserted record, by entity type: the whole record as the device stores it.
        // Records live one page at a time, moved into their stores: a box per change would
        // cost an allocation for nothing (only the form version, far larger, is boxed).
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        pub enum Record {
            $($(#[$doc])* $variant($view),)*
        }

        impl Record {
            /// Its entity type.
            pub fn entity_type(&self) -> EntityType {
                match self {
                    $(Record::$variant(_) => EntityType::$variant,)*
                }
            }

            /// Decodes the body of an upsert of entity type `t`.
            pub fn decode<'de, D: Deserializer<'de>>(
                t: EntityType,
                body: D,
            ) -> Result<Record, D::Error> {
                Ok(match t {
                    $(EntityType::$variant => Record::$variant(decode_as::<$view, D>(body)?),)*
                })
            }
        }

        impl Serialize for Record {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Record::$variant(v) => v.serialize(s),)*
                }
            }
        }
    };
}

entities! {
    /// A debtor account in a collector's scope; its removal deletes the debtor's data.
    Account(AccountView) = "account",
    /// A stop of a collector's route.
    Stop(StopView) = "stop",
    /// A visit's folded status and outcome.
    Visit(VisitView) = "visit",
    /// The current value of one field or answer (entity id `ENTITY/FIELD`).
    Field(FieldView) = "field",
    /// A check-in with both verdicts (entity id `DEVICE/SEQ`).
    CheckIn(CheckInView) = "checkin",
    /// An attachment of a visit (entity id `VISIT/ATTACHMENT`).
    Attachment(AttachmentView) = "attachment",
    /// A stored questionnaire version (organization-wide; entity id the version's id).
    Form(Box<FormVersion>) = "form",
    /// Which form version new visits are filled with (entity id [`super::forms::VISIT_FORM_ID`]).
    VisitForm(VisitForm) = "visit_form",
    /// A payment received towards an account in the collector's scope (a fact: never changed).
    Payment(PaymentView) = "payment",
}

fn decode_as<'de, T: DeserializeOwned, D: Deserializer<'de>>(body: D) -> Result<T, D::Error> {
    T::deserialize(body)
}

/// One change of server state in the caller's scope.
// Most changes are upserts: sized for them (see `Record`).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Insert or replace the entity with the record.
    Upsert {
        /// The entity's id.
        entity_id: String,
        /// The whole record.
        record: Record,
    },
    /// Delete the entity and what hangs off it: it left the device's scope.
    Remove {
        /// What kind of entity.
        entity_type: EntityType,
        /// The entity's id.
        entity_id: String,
    },
    /// A change this build cannot read, kept as it came.
    Unknown {
        /// The change as sent.
        raw: RawChange,
        /// Why this build cannot read it (for the device's record of skipped changes).
        reason: String,
    },
}

/// A change as it is on the wire, untyped: what [`Change::Unknown`] keeps, and what a device
/// stores of a change it set aside.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawChange {
    /// `account`, `stop`, `visit`, `field`, ...
    pub entity_type: String,
    /// The entity's id.
    pub entity_id: String,
    /// `upsert` or `remove`.
    pub op: String,
    /// The whole record (for upserts; `null` for removals).
    #[serde(default)]
    pub body: Value,
}

impl Change {
    /// An upsert of `record`.
    pub fn upsert(entity_id: impl Into<String>, record: Record) -> Change {
        Change::Upsert {
            entity_id: entity_id.into(),
            record,
        }
    }

    /// A removal.
    pub fn remove(entity_type: EntityType, entity_id: impl Into<String>) -> Change {
        Change::Remove {
            entity_type,
            entity_id: entity_id.into(),
        }
    }

    /// The `entity_type` wire string.
    pub fn entity_type(&self) -> &str {
        match self {
            Change::Upsert { record, .. } => record.entity_type().as_str(),
            Change::Remove { entity_type, .. } => entity_type.as_str(),
            Change::Unknown { raw, .. } => &raw.entity_type,
        }
    }

    /// The entity's id.
    pub fn entity_id(&self) -> &str {
        match self {
            Change::Upsert { entity_id, .. } | Change::Remove { entity_id, .. } => entity_id,
            Change::Unknown { raw, .. } => &raw.entity_id,
        }
    }

    /// The `op` wire string.
    pub fn op(&self) -> &str {
        match self {
            Change::Upsert { .. } => ChangeOp::Upsert.as_str(),
            Change::Remove { .. } => ChangeOp::Remove.as_str(),
            Change::Unknown { raw, .. } => &raw.op,
        }
    }

    /// The body as JSON text (`null` for a removal), as the feed stores it.
    pub fn body_json(&self) -> serde_json::Result<String> {
        match self {
            Change::Upsert { record, .. } => serde_json::to_string(record),
            Change::Remove { .. } => Ok("null".to_owned()),
            Change::Unknown { raw, .. } => serde_json::to_string(&raw.body),
        }
    }

    /// Reads a wire change; what this build cannot read becomes [`Change::Unknown`].
    pub fn from_raw(raw: RawChange) -> Change {
        Change::read(
            raw.entity_type,
            raw.entity_id,
            &raw.op,
            Body::Value(raw.body),
        )
    }

    /// Reads a change from its stored columns, decoding the body text straight into its record
    /// (the server's feed rows: no intermediate JSON tree per change).
    pub fn from_stored(entity_type: String, entity_id: String, op: &str, body: &str) -> Change {
        Change::read(entity_type, entity_id, op, Body::Text(body))
    }

    fn read(entity_type: String, entity_id: String, op: &str, body: Body<'_>) -> Change {
        let unknown = |entity_type, entity_id, body: Body<'_>, reason| Change::Unknown {
            raw: RawChange {
                entity_type,
                entity_id,
                op: op.to_owned(),
                body: body.into_value(),
            },
            reason,
        };
        let (Some(t), Some(op)) = (EntityType::parse(&entity_type), ChangeOp::parse(op)) else {
            let reason = format!(
                "{entity_type} {entity_id}: this app does not know the entity type or operation"
            );
            return unknown(entity_type, entity_id, body, reason);
        };
        match op {
            ChangeOp::Remove => Change::Remove {
                entity_type: t,
                entity_id,
            },
            ChangeOp::Upsert => match body.decode(t) {
                Ok(record) => Change::Upsert { entity_id, record },
                Err(e) => {
                    let reason = format!("{entity_type} {entity_id}: {e}");
                    unknown(entity_type, entity_id, body, reason)
                }
            },
        }
    }
}

/// A change's body as it arrives: a JSON tree (the device) or stored text (the server).
enum Body<'a> {
    Value(Value),
    Text(&'a str),
}

impl Body<'_> {
    fn decode(&self, t: EntityType) -> serde_json::Result<Record> {
        match self {
            Body::Value(v) => Record::decode(t, v),
            Body::Text(s) => {
                let mut de = serde_json::Deserializer::from_str(s);
                let record = Record::decode(t, &mut de)?;
                de.end()?;
                Ok(record)
            }
        }
    }

    fn into_value(self) -> Value {
        match self {
            Body::Value(v) => v,
            // Text that is not even JSON is kept as a string, so nothing of it is lost.
            Body::Text(s) => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.into())),
        }
    }
}

impl Serialize for Change {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Change", 4)?;
        st.serialize_field("entity_type", self.entity_type())?;
        st.serialize_field("entity_id", self.entity_id())?;
        st.serialize_field("op", self.op())?;
        match self {
            Change::Upsert { record, .. } => st.serialize_field("body", record)?,
            Change::Remove { .. } => st.serialize_field("body", &Value::Null)?,
            Change::Unknown { raw, .. } => st.serialize_field("body", &raw.body)?,
        }
        st.end()
    }
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Change, D::Error> {
        RawChange::deserialize(d).map(Change::from_raw)
    }
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
