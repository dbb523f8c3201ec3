//! What the request log shows of a request: method, path and query with secrets blanked, and
//! version. The live feed takes its token in the query (`/api/v1/live?token=…`: browsers cannot
//! set headers on WebSockets), and `tower_http=debug` would log it with every connection;
//! anything that logs a URI goes through [`redacted_uri`]. Headers are never logged.

use axum::http::{Request, Uri};
use tracing::Span;

/// Query keys whose values are secrets (compared without regard to case).
const SECRET_KEYS: &[&str] = &["token", "access_token"];

/// What a secret's value is replaced with.
const REDACTED: &str = "REDACTED";

/// The span of one request, for `TraceLayer::make_span_with`: tower-http's default span (its
/// target, DEBUG level and fields, so `tower_http=debug` still shows it), with the URI redacted.
pub fn request_span<B>(req: &Request<B>) -> Span {
    tracing::debug_span!(
        target: "tower_http::trace::make_span",
        "request",
        method = %req.method(),
        uri = %redacted_uri(req.uri()),
        version = ?req.version(),
    )
}

/// `uri` as text with the value of every secret query parameter replaced by `REDACTED`.
pub fn redacted_uri(uri: &Uri) -> String {
    let path = uri.path();
    let Some(query) = uri.query() else {
        return path.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret(key) => format!("{key}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

/// Whether a raw (still percent-encoded) query key names a secret.
fn is_secret(raw_key: &str) -> bool {
    let key = percent_decoded(raw_key);
    SECRET_KEYS.iter().any(|s| key.eq_ignore_ascii_case(s))
}

/// The key with `%XX` escapes and `+` decoded, so `%74oken` is caught too; bytes that do not
/// decode are kept as they are.
fn percent_decoded(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(s: &str) -> String {
        redacted_uri(&s.parse::<Uri>().unwrap())
    }

    #[test]
    fn token_values_are_replaced_and_everything_else_is_kept() {
        assert_eq!(
            redact("/api/v1/live?token=abc123&since=5"),
            "/api/v1/live?token=REDACTED&since=5"
        );
        assert_eq!(
            redact("/x?a=1&TOKEN=s&access_token=t&%74oken=u&tokens=keep"),
            "/x?a=1&TOKEN=REDACTED&access_token=REDACTED&%74oken=REDACTED&tokens=keep"
        );
        assert_eq!(redact("/api/v1/visits"), "/api/v1/visits");
        assert_eq!(
            redact("/x?token"),
            "/x?token",
            "a key without a value has no secret"
        );
        assert_eq!(
            redact("http://h:1/x?token=a&token=b"),
            "/x?token=REDACTED&token=REDACTED"
        );
    }
}
