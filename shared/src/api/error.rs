//! The common error body of every endpoint and its machine-readable [`ErrorCode`]. The codes are
//! written here once, as the strings the wire has always carried, so the server answers with a
//! variant and the device matches on one instead of comparing text. A code this build does not
//! know (a newer server's) still decodes, as [`ErrorCode::Other`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The body of every error answer: a stable machine-readable `code` (`device_fork`,
/// `invalid_json`, ...) and a sentence for people, saying what was being done and what was wrong.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// Stable code for programs.
    #[cfg_attr(feature = "ts", ts(as = "KnownErrorCode"))]
    pub code: ErrorCode,
    /// Explanation for people (lower case, no trailing period).
    pub message: String,
}

/// Declares [`ErrorCode`] with each variant's wire string, once.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// A stable error code, serialized as its snake_case string. Request-level codes come in
        /// an [`ErrorBody`]; event-level ones in a rejected event of a push answer.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
            /// A code this build does not know (a newer server's), kept as sent.
            Other(String),
        }

        /// The known codes as the TypeScript union `ErrorCode` (a newer server may send
        /// others: compare with `===`, never switch exhaustively).
        #[cfg(feature = "ts")]
        #[derive(ts_rs::TS)]
        #[ts(rename = "ErrorCode")]
        pub enum KnownErrorCode {
            $($(#[$doc])* #[ts(rename = $text)] $variant,)*
        }

        impl ErrorCode {
            /// Every code this build knows, in declaration order.
            pub const KNOWN: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                    ErrorCode::Other(s) => s,
                }
            }

            /// The code a wire string names; an unknown one is kept as [`ErrorCode::Other`].
            pub fn parse(s: &str) -> ErrorCode {
                match s {
                    $($text => ErrorCode::$variant,)*
                    other => ErrorCode::Other(other.to_owned()),
                }
            }
        }
    };
}

error_codes! {
    // Request-level codes (an `ErrorBody`).
    /// 403: the user is disabled.
    AccountDisabled = "account_disabled",
    /// 400: a pull cursor or snapshot token that does not parse.
    BadCursor = "bad_cursor",
    /// 400: a query string that does not fit.
    BadQuery = "bad_query",
    /// 400: a push batch's sequence range is wrong (not contiguous, out of range).
    BadRange = "bad_range",
    /// 400: a tracker report that does not read.
    BadReport = "bad_report",
    /// 400: the generic malformed request.
    BadRequest = "bad_request",
    /// 400: a push batch's signature does not verify.
    BadSignature = "bad_signature",
    /// 400: a push batch does not link to the stored chain.
    BrokenChain = "broken_chain",
    /// 503: the server is saturated; retry after the given seconds.
    Busy = "busy",
    /// 409: the device id is enrolled already.
    DeviceExists = "device_exists",
    /// 409: two installs share the device id; enroll a new one.
    DeviceFork = "device_fork",
    /// 403: the device was revoked: wipe its data.
    DeviceRevoked = "device_revoked",
    /// 400: a push batch without events.
    EmptyBatch = "empty_batch",
    /// 403: the caller's role may not do this.
    Forbidden = "forbidden",
    /// 409: that form version is stored already.
    FormVersionExists = "form_version_exists",
    /// 507: the server's disk is full; nothing of the request was stored, try again later.
    InsufficientStorage = "insufficient_storage",
    /// 500: a bug or an unavailable dependency (logged on the server).
    Internal = "internal",
    /// 422: well-formed but invalid content.
    Invalid = "invalid",
    /// 400: a body that does not fit its type.
    InvalidBody = "invalid_body",
    /// 415: an unsupported content type or encoding.
    InvalidContentType = "invalid_content_type",
    /// 400: a push event's envelope is invalid.
    InvalidEvent = "invalid_event",
    /// 422 (request): an uploaded questionnaire with problems; (event) a submission naming a
    /// form version the server cannot compile.
    InvalidForm = "invalid_form",
    /// 400: a blob whose content does not match its hash.
    InvalidHash = "invalid_hash",
    /// 400: a body that is not JSON.
    InvalidJson = "invalid_json",
    /// 405: the endpoint does not take this method.
    MethodNotAllowed = "method_not_allowed",
    /// 409: a review of a visit that is not done.
    NotCompleted = "not_completed",
    /// 404: absent, or not visible to the caller.
    NotFound = "not_found",
    /// 409: the pull cursor's epoch is gone: bootstrap from the snapshot.
    Resync = "resync",
    /// 413: over a size limit (halve the batch).
    TooLarge = "too_large",
    /// 429: slow down.
    TooManyRequests = "too_many_requests",
    /// 400: a tracker's device pushing through the device endpoint.
    TrackerDevice = "tracker_device",
    /// 401: no valid credentials.
    Unauthorized = "unauthorized",
    /// 404: no tracker with that identifier.
    UnknownTracker = "unknown_tracker",
    /// 409: another upload of the same blob is under way.
    UploadInProgress = "upload_in_progress",
    /// 409: the login name is taken.
    UsernameTaken = "username_taken",
    /// 409: a resumable upload's offset is not where the server stands.
    WrongOffset = "wrong_offset",
    /// 400: a resumable upload's announced total differs.
    WrongTotal = "wrong_total",
    // Event-level codes (a rejected event of a push answer).
    /// The event is about a visit that was deleted and stays deleted.
    Deleted = "deleted",
    /// A submission without the form the organization requires.
    FormRequired = "form_required",
    /// The event's payload does not decode for its kind and version.
    InvalidPayload = "invalid_payload",
    /// A submission whose answers the form refuses.
    InvalidSubmission = "invalid_submission",
    /// The device's user may not write that state.
    NotAllowed = "not_allowed",
    /// Rejected, with no more specific code (a stored reason without one).
    Rejected = "rejected",
    /// A submission naming a form version the server does not have.
    UnknownForm = "unknown_form",
}

impl ErrorCode {
    /// Whether this build knows the code (it is not [`ErrorCode::Other`]).
    pub fn is_known(&self) -> bool {
        !matches!(self, ErrorCode::Other(_))
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ErrorCode, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(ErrorCode::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_reads_back_as_itself_and_no_two_share_a_string() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::KNOWN {
            assert!(seen.insert(code.as_str()), "{code} is declared twice");
            let json = serde_json::to_string(code).expect("a code serializes");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).expect("a code deserializes");
            assert_eq!(&back, code);
        }
    }

    #[test]
    fn a_code_from_a_newer_server_still_decodes_and_is_sent_back_unchanged() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"code":"quota_exceeded","message":"too many photos"}"#)
                .expect("an unknown code decodes");
        assert_eq!(body.code, ErrorCode::Other("quota_exceeded".into()));
        assert!(!body.code.is_known());
        assert_eq!(
            serde_json::to_string(&body).expect("encodes"),
            r#"{"code":"quota_exceeded","message":"too many photos"}"#
        );
    }

    #[test]
    fn a_recorded_error_body_reads_as_its_code() {
        let recorded = r#"{"code":"device_fork","message":"event 3 differs from the one stored for this device: two installs share the device id; enroll a new one"}"#;
        let body: ErrorBody = serde_json::from_str(recorded).expect("a recorded body decodes");
        assert_eq!(body.code, ErrorCode::DeviceFork);
        assert_eq!(serde_json::to_string(&body).expect("encodes"), recorded);
    }
}
