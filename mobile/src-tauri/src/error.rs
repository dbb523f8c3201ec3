//! What the webview sees of a failure: `{code, message}` (plus the machine-readable `details`
//! of a refusal, so the UI can say each reason in the collector's words). Built from the core's
//! `Error`; never carries Rust error internals beyond their message.

use serde::Serialize;
use terreno_app::Error;

/// A command's error, as the UI receives it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommandError {
    /// Stable code the UI branches on: `not_found`, `invalid`, `refused`, `not_enrolled`,
    /// `conflict`, `offline`, `rejected`, `forked`, `revoked`, `storage`, `internal`.
    pub code: &'static str,
    /// One sentence for people (English; the UI shows its own words per code where it has them).
    pub message: String,
    /// For `refused`: the rules' verdict (contact rule and next allowed moment, or the geofence
    /// reasons); for `rejected`: the server's status and code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl CommandError {
    /// An error of the shell itself (not of the core).
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        CommandError {
            code,
            message: message.into(),
            details: None,
        }
    }
}

impl From<Error> for CommandError {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        let (code, details) = match e {
            Error::NotFound(_) => ("not_found", None),
            Error::Invalid(_) => ("invalid", None),
            Error::Refused { details, .. } => ("refused", Some(details)),
            Error::NotEnrolled => ("not_enrolled", None),
            Error::Conflict(_) => ("conflict", None),
            Error::Offline { .. } => ("offline", None),
            Error::Rejected { status, code, .. } => (
                "rejected",
                Some(serde_json::json!({"status": status, "code": code})),
            ),
            Error::ServerOutOfSpace { .. } => ("server_out_of_space", None),
            Error::Forked(_) => ("forked", None),
            Error::Revoked => ("revoked", None),
            Error::Storage { .. } => ("storage", None),
            _ => ("internal", None),
        };
        CommandError {
            code,
            message,
            details,
        }
    }
}

/// Result of a command.
pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_its_reasons_for_the_ui() {
        let e = CommandError::from(Error::Refused {
            message: "check-in at CL-1 refused".into(),
            details: serde_json::json!({"verdict": {"verdict": "refused"}}),
        });
        assert_eq!(e.code, "refused");
        assert_eq!(e.message, "check-in at CL-1 refused");
        assert_eq!(
            serde_json::to_value(&e).unwrap()["details"]["verdict"]["verdict"],
            "refused"
        );
    }

    #[test]
    fn an_offline_error_serializes_as_code_and_message_only() {
        let e = CommandError::from(Error::Offline {
            message: "pushing events".into(),
            source: None,
        });
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "offline", "message": "server unreachable: pushing events"})
        );
    }
}
