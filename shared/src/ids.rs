//! Identifier newtypes. Every entity id is a UUID (UUIDv7 where the entity is created, so offline
//! creation needs no server); the caller mints it and passes it in, this crate never draws one.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

use crate::ValidationError;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID minted by the caller.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// The id's 16 bytes, as used by the canonical encoding.
            pub const fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|e| ValidationError::new($field, format!("{s:?} is not a UUID: {e}")))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(/// An agency (tenant): every other record belongs to exactly one.
    OrgId, "organization id");
uuid_id!(/// A team of collectors with its supervisors.
    TeamId, "team id");
uuid_id!(/// A person who logs in: admin, supervisor or collector.
    UserId, "user id");
uuid_id!(/// An enrolled device; the author of one event log.
    DeviceId, "device id");
uuid_id!(/// A creditor's portfolio (cartera) that the agency works.
    PortfolioId, "portfolio id");
uuid_id!(/// A debtor as a person, identified by national id across accounts and portfolios.
    PersonId, "person id");
uuid_id!(/// One debt of one person in one portfolio.
    AccountId, "account id");
uuid_id!(/// A collector's route for one date.
    RouteId, "route id");
uuid_id!(/// One stop of a route: an account to visit.
    StopId, "stop id");
uuid_id!(/// A visit to a debtor: check-in, answers, outcome.
    VisitId, "visit id");
uuid_id!(/// A photo, signature or file attached to a visit.
    AttachmentId, "attachment id");
uuid_id!(/// A questionnaire (form) version.
    FormId, "form id");
uuid_id!(/// A payment received towards an account, from the creditor's payment file.
    PaymentId, "payment id");
