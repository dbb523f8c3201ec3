//! What an upload request says: the hash (64 hex digits, never a path), the chunk's range and
//! the media type, each refused with a 400 that says what was expected.

use axum::http::{HeaderMap, header};
use terreno_shared::api::ErrorCode;

use crate::error::{ApiError, ApiResult};

/// A chunk's place in the blob: `[start, end)` of `total` bytes (`end` unknown with `?offset=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkRange {
    pub(super) start: u64,
    pub(super) end: Option<u64>,
    pub(super) total: u64,
}

impl ChunkRange {
    /// From `Content-Range: bytes START-END/TOTAL`, or else the query `offset=START&total=TOTAL`.
    pub fn parse(headers: &HeaderMap, query: Option<&str>) -> ApiResult<ChunkRange> {
        if let Some(v) = headers.get(header::CONTENT_RANGE) {
            let text = v.to_str().unwrap_or_default();
            return parse_content_range(text).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Content-Range {text:?} is not \"bytes START-END/TOTAL\" with START <= END < TOTAL"
                ))
            });
        }
        let (mut offset, mut total) = (None, None);
        for pair in query.unwrap_or_default().split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let n = || {
                v.parse::<u64>().map_err(|_| {
                    ApiError::bad_request(format!("query {k}={v:?} is not a byte count"))
                })
            };
            match k {
                "offset" => offset = Some(n()?),
                "total" => total = Some(n()?),
                _ => {}
            }
        }
        match (offset, total) {
            (Some(start), Some(total)) if start <= total => Ok(ChunkRange {
                start,
                end: None,
                total,
            }),
            _ => Err(ApiError::bad_request(
                "say where the chunk goes: Content-Range: bytes START-END/TOTAL, or \
                 ?offset=START&total=TOTAL with START <= TOTAL",
            )),
        }
    }
}

fn parse_content_range(text: &str) -> Option<ChunkRange> {
    let (range, total) = text.trim().strip_prefix("bytes ")?.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let (start, end, total): (u64, u64, u64) = (
        start.trim().parse().ok()?,
        end.trim().parse().ok()?,
        total.trim().parse().ok()?,
    );
    (start <= end && end < total).then_some(ChunkRange {
        start,
        end: Some(end + 1),
        total,
    })
}

/// A hash as stored: 64 hex digits, lower-cased. Anything else (a path, say) is refused.
pub fn parse_sha256(text: &str) -> ApiResult<String> {
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(ApiError::BadRequest {
            code: ErrorCode::InvalidHash,
            message: format!("{text:?} is not a SHA-256: expected 64 hexadecimal digits"),
        })
    }
}

/// The media type of `Content-Type` (parameters dropped, lower-cased); octet-stream if absent.
pub fn media_type(headers: &HeaderMap) -> ApiResult<String> {
    let Some(v) = headers.get(header::CONTENT_TYPE) else {
        return Ok("application/octet-stream".to_owned());
    };
    let text = v.to_str().unwrap_or_default();
    let essence = text.split(';').next().unwrap_or_default().trim();
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match essence.split_once('/') {
        Some((t, s)) if token(t) && token(s) => Ok(essence.to_ascii_lowercase()),
        _ => Err(ApiError::bad_request(format!(
            "Content-Type {text:?} is not a media type such as image/jpeg"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_are_inclusive_and_must_fit_the_total() {
        let r = parse_content_range("bytes 0-9/30").unwrap();
        assert_eq!((r.start, r.end, r.total), (0, Some(10), 30));
        for bad in [
            "bytes 5-4/30",
            "bytes 0-30/30",
            "0-9/30",
            "bytes 0-9/*",
            "bytes -1-3/9",
        ] {
            assert!(parse_content_range(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn only_64_hex_digits_name_a_blob() {
        let h = "AB".repeat(32);
        assert_eq!(parse_sha256(&h).unwrap(), "ab".repeat(32));
        for bad in ["", "../../etc/passwd", &"g".repeat(64), &"a".repeat(63)] {
            assert!(parse_sha256(bad).is_err(), "{bad}");
        }
    }
}
