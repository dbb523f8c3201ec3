//! OpenAPI schemas of the wire types (feature `openapi`, which the server enables for its
//! document; a normal build of this crate has no utoipa). Most wire types derive `ToSchema` where
//! they are declared; this module holds what a derive cannot see:
//!
//! - types whose JSON is written by hand (`ErrorCode`, `EventKind`, hashes and keys as hex, the
//!   pull feed's `Change`, the holiday calendar, currencies);
//! - types serialized through a raw shape (`#[serde(try_from, into)]`): [`schema_via`] gives them
//!   their raw shape's schema under their own name;
//! - the JSON the types keep as `serde_json::Value`: an answer's value ([`AnswerValue`]) and an
//!   event's payload ([`EventPayload`]), described by what they may hold, never as "any".
//!
//! The schemas describe the serde representation; they never change it.

use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::api::ErrorCode;
use crate::api::v1::forms::{FormVersion, VisitForm};
use crate::api::v1::sync::Change;
use crate::api::v1::views::{
    AccountView, AttachmentView, CheckInView, FieldView, PaymentView, StopView, VisitView,
};
use crate::contact::{HolidayCalendar, LocalWindow};
use crate::model::Currency;
use crate::sync::{EventHash, EventKind, PublicKey, Signature};

/// Schemas a manual `ToSchema` names, as `schemas` collects them.
type Schemas = Vec<(String, RefOr<Schema>)>;

/// Gives `$public`, serialized through `$raw` (`#[serde(try_from, into)]`), the schema of
/// `$raw` under its own name. Invoked beside the types, since the raw shapes are private.
macro_rules! schema_via {
    ($public:ty, $raw:ty) => {
        impl utoipa::PartialSchema for $public {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <$raw as utoipa::PartialSchema>::schema()
            }
        }

        impl utoipa::ToSchema for $public {
            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                <$raw as utoipa::ToSchema>::schemas(schemas)
            }
        }
    };
}
pub(crate) use schema_via;

/// Registers `T` and what it names.
fn push<T: ToSchema>(schemas: &mut Schemas) {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
}

/// A reference to `T`'s component.
fn reference<T: ToSchema>() -> RefOr<Schema> {
    Ref::from_schema_name(T::name()).into()
}

/// A string matching `pattern`.
fn pattern(description: &str, pattern: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .into()
}

/// A string that is exactly `value`.
fn constant(value: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some([value]))
}

macro_rules! hex_schema {
    ($t:ty, $digits:literal, $what:literal) => {
        impl PartialSchema for $t {
            fn schema() -> RefOr<Schema> {
                pattern(
                    concat!($what, ", ", $digits, " lower-case hex digits"),
                    concat!("^[0-9a-f]{", $digits, "}$"),
                )
            }
        }
        impl ToSchema for $t {}
    };
}

hex_schema!(EventHash, 64, "SHA-256 hash");
hex_schema!(Signature, 128, "Ed25519 signature");
hex_schema!(PublicKey, 64, "Ed25519 public key");

impl PartialSchema for ErrorCode {
    fn schema() -> RefOr<Schema> {
        let known: Vec<&str> = ErrorCode::KNOWN.iter().map(ErrorCode::as_str).collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(format!(
                "Stable code for programs; a newer server may send others. Known: {}",
                known.join(", ")
            )))
            .examples(["invalid_json", "device_revoked"])
            .into()
    }
}

impl ToSchema for ErrorCode {}

impl PartialSchema for EventKind {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[a-z0-9_.]{1,64}$"))
            .description(Some(
                "What the event records: fix, check_in, visit_submitted, field_set, status_set, \
                 attachment_added, attachment_removed, deleted (a newer app's kind is stored \
                 and projected after an upgrade)",
            ))
            .examples(["fix", "field_set"])
            .into()
    }
}

impl ToSchema for EventKind {}

impl PartialSchema for Currency {
    fn schema() -> RefOr<Schema> {
        pattern("ISO 4217 currency code", "^[A-Z]{3}$")
    }
}

impl ToSchema for Currency {}

impl PartialSchema for LocalWindow {
    fn schema() -> RefOr<Schema> {
        pattern(
            "open hours in local time, `HH:MM-HH:MM`",
            "^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$",
        )
    }
}

impl ToSchema for LocalWindow {}

impl PartialSchema for HolidayCalendar {
    fn schema() -> RefOr<Schema> {
        let date = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)));
        ArrayBuilder::new()
            .items(date)
            .unique_items(true)
            .description(Some("Holidays as local dates, sorted"))
            .into()
    }
}

impl ToSchema for HolidayCalendar {}

/// The value of one questionnaire answer or field, as the device records it: a string, a number,
/// a boolean, `null` (cleared), an array (a select_multiple's choices) or an attachment
/// reference `{attachment_id}` (a photo or signature).
pub struct AnswerValue;

impl PartialSchema for AnswerValue {
    fn schema() -> RefOr<Schema> {
        let scalar = |t: Type| ObjectBuilder::new().schema_type(t);
        let item = OneOfBuilder::new()
            .item(scalar(Type::String))
            .item(scalar(Type::Number));
        let attachment = ObjectBuilder::new()
            .property(
                "attachment_id",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
            )
            .required("attachment_id");
        OneOfBuilder::new()
            .item(scalar(Type::String))
            .item(scalar(Type::Number))
            .item(scalar(Type::Boolean))
            .item(scalar(Type::Null))
            .item(ArrayBuilder::new().items(item))
            .item(attachment)
            .description(Some(
                "an answer's value: text, number, boolean, null (cleared), the choices of a \
                 select_multiple, or an attachment reference",
            ))
            .into()
    }
}

impl ToSchema for AnswerValue {}

/// An event's payload, by its kind: `fix` a [`crate::model::Fix`], `check_in` a check-in record,
/// `visit_submitted` a submission, `field_set` `{value}`, `status_set` `{status, epoch}`,
/// `attachment_added` an attachment reference, `attachment_removed` `{attachment_id}`, `deleted`
/// `{}`.
pub struct EventPayload;

/// Declares the payload schemas once, for the schema and for the components it names.
macro_rules! payloads {
    ($($t:ty,)*) => {
        impl PartialSchema for EventPayload {
            fn schema() -> RefOr<Schema> {
                OneOfBuilder::new()
                    $(.item(reference::<$t>()))*
                    .description(Some(
                        "the kind's content: fix (Fix), check_in (CheckInRecord), \
                         visit_submitted (Submission), field_set (FieldValue), status_set \
                         (StatusChange), attachment_added (AttachmentRef), attachment_removed \
                         (AttachmentRemoval), deleted (Deletion)",
                    ))
                    .into()
            }
        }

        impl ToSchema for EventPayload {
            fn schemas(schemas: &mut Schemas) {
                $(push::<$t>(schemas);)*
            }
        }
    };
}

payloads! {
    crate::model::Fix,
    crate::model::submission::CheckInRecord,
    crate::model::submission::Submission,
    crate::sync::payload::FieldValue,
    crate::sync::payload::StatusChange,
    crate::sync::payload::AttachmentRef,
    crate::sync::payload::AttachmentRemoval,
    crate::sync::payload::Deletion,
}

/// Declares the schema of [`Change`], one upsert shape per entity type and the removal.
macro_rules! changes {
    ($($text:literal => $view:ty,)*) => {
        impl PartialSchema for Change {
            fn schema() -> RefOr<Schema> {
                let change = |entity_type: ObjectBuilder, op: &str, body: RefOr<Schema>| {
                    ObjectBuilder::new()
                        .property("entity_type", entity_type)
                        .property(
                            "entity_id",
                            ObjectBuilder::new().schema_type(Type::String).description(Some(
                                "the entity's id (`ENTITY/FIELD` for fields, `DEVICE/SEQ` for \
                                 check-ins, `VISIT/ATTACHMENT` for attachments, `current` for \
                                 the visit form)",
                            )),
                        )
                        .property("op", constant(op))
                        .property("body", body)
                        .required("entity_type")
                        .required("entity_id")
                        .required("op")
                        .required("body")
                };
                let removal = change(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some([$($text,)*])),
                    "remove",
                    ObjectBuilder::new().schema_type(Type::Null).into(),
                );
                OneOfBuilder::new()
                    $(.item(change(constant($text), "upsert", reference::<$view>())))*
                    .item(removal)
                    .description(Some(
                        "One change of server state: `upsert` carries the whole record of its \
                         `entity_type` in `body`; `remove` (body null) deletes the entity and \
                         what hangs off it",
                    ))
                    .into()
            }
        }

        impl ToSchema for Change {
            fn schemas(schemas: &mut Schemas) {
                $(push::<$view>(schemas);)*
            }
        }
    };
}

changes! {
    "account" => AccountView,
    "stop" => StopView,
    "visit" => VisitView,
    "field" => FieldView,
    "checkin" => CheckInView,
    "attachment" => AttachmentView,
    "form" => FormVersion,
    "visit_form" => VisitForm,
    "payment" => PaymentView,
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::api::v1::sync::EntityType;

    #[test]
    fn the_change_schema_names_every_entity_type() {
        let json = serde_json::to_value(Change::schema()).expect("a schema serializes");
        let text = json.to_string();
        for t in EntityType::ALL {
            assert!(
                text.contains(&format!("\"{}\"", t.as_str())),
                "{}",
                t.as_str()
            );
        }
    }

    #[test]
    fn names_are_the_wire_types() {
        assert_eq!(Change::name(), Cow::Borrowed("Change"));
        assert_eq!(EventHash::name(), Cow::Borrowed("EventHash"));
    }
}
