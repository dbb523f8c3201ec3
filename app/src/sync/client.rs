//! The server's HTTP API as the device uses it (blocking reqwest: the core is synchronous and the
//! shell runs it off its UI thread). Maps transport failures to [`Error::Offline`], a `507` (the
//! server's full disk) to [`Error::ServerOutOfSpace`] and other error answers to
//! [`Error::Rejected`] with the server's code; never retries (the driver does).

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use terreno_shared::api::v1::auth::{DeviceInfo, EnrollRequest, LoginRequest, LoginResponse};
use terreno_shared::api::v1::org::OrgSettings;
use terreno_shared::api::v1::sync::{DeviceStatus, PullResponse, PushResponse};
use terreno_shared::api::{ErrorBody, ErrorCode};
use terreno_shared::ids::DeviceId;
use terreno_shared::sync::PushBatch;

use crate::error::{Error, Result};

/// zstd level for push bodies: SYNC.md measured 1-3 as the sweet spot for JSON events.
const ZSTD_LEVEL: i32 = 3;

/// A connection to one server.
#[derive(Clone)]
pub(crate) struct Api {
    http: Client,
    base: String,
    token: Option<String>,
}

impl Api {
    pub(crate) fn new(base: &str, token: Option<String>) -> Result<Api> {
        let http = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| Error::Offline {
                message: "setting up HTTP".into(),
                source: Some(e),
            })?;
        Ok(Api {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn auth(&self, rb: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    pub(crate) fn login(&self, username: &str, password: &str) -> Result<LoginResponse> {
        let body = LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        };
        let rb = self.http.post(self.url("/api/v1/auth/login")).json(&body);
        json("logging in", send("logging in", rb)?)
    }

    pub(crate) fn enroll(&self, req: &EnrollRequest) -> Result<DeviceInfo> {
        let rb = self.auth(self.http.post(self.url("/api/v1/devices")).json(req));
        json("enrolling the device", send("enrolling the device", rb)?)
    }

    /// The device's head on the server, and the server's wall clock (the HTTP `Date` header,
    /// to the second) when it answered.
    pub(crate) fn status(
        &self,
        device: DeviceId,
    ) -> Result<(DeviceStatus, Option<chrono::DateTime<chrono::Utc>>)> {
        let rb = self.auth(
            self.http
                .get(self.url("/api/v1/sync/status"))
                .query(&[("device_id", device.to_string())]),
        );
        let resp = send("asking for the device's head", rb)?;
        let date = resp
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .map(|d| d.with_timezone(&chrono::Utc));
        Ok((json("asking for the device's head", resp)?, date))
    }

    pub(crate) fn settings(&self) -> Result<OrgSettings> {
        let rb = self.auth(self.http.get(self.url("/api/v1/org/settings")));
        json(
            "reading the organization's rules",
            send("reading the organization's rules", rb)?,
        )
    }

    /// Pushes a batch, zstd-compressed.
    pub(crate) fn push(&self, batch: &PushBatch) -> Result<PushResponse> {
        let raw = serde_json::to_vec(batch)
            .map_err(|e| Error::Invalid(format!("encoding a push: {e}")))?;
        let body = zstd::bulk::compress(&raw, ZSTD_LEVEL)
            .map_err(|e| Error::Invalid(format!("compressing a push: {e}")))?;
        let rb = self.auth(
            self.http
                .post(self.url("/api/v1/sync/push"))
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(reqwest::header::CONTENT_ENCODING, "zstd")
                .body(body),
        );
        json("pushing events", send("pushing events", rb)?)
    }

    pub(crate) fn pull(
        &self,
        path: &str,
        device: DeviceId,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<PullResponse> {
        let mut q = vec![
            ("device_id", device.to_string()),
            ("limit", limit.to_string()),
        ];
        if let Some(c) = cursor {
            q.push(("cursor", c.to_owned()));
        }
        let rb = self.auth(self.http.get(self.url(path)).query(&q));
        json("pulling changes", send("pulling changes", rb)?)
    }
}

/// How far the server got with a blob (`GET /api/v1/blobs/{sha}/status`).
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct BlobStatus {
    pub received: u64,
    pub complete: bool,
}

impl Api {
    pub(crate) fn blob_status(&self, sha256: &str) -> Result<BlobStatus> {
        let rb = self.auth(
            self.http
                .get(self.url(&format!("/api/v1/blobs/{sha256}/status"))),
        );
        json(
            "asking how much of an attachment the server holds",
            send("asking about an attachment", rb)?,
        )
    }

    /// Sends `chunk`, the bytes `[start, start + len)` of a `total`-byte blob.
    pub(crate) fn blob_put(
        &self,
        sha256: &str,
        media_type: &str,
        start: u64,
        total: u64,
        chunk: Vec<u8>,
    ) -> Result<BlobStatus> {
        let end = start + chunk.len() as u64 - 1;
        let rb = self.auth(
            self.http
                .put(self.url(&format!("/api/v1/blobs/{sha256}")))
                .header(reqwest::header::CONTENT_TYPE, media_type)
                .header(
                    reqwest::header::CONTENT_RANGE,
                    format!("bytes {start}-{end}/{total}"),
                )
                .body(chunk),
        );
        json(
            "uploading an attachment",
            send("uploading an attachment", rb)?,
        )
    }
}

impl Api {
    /// Media file `name` of form version `form`; refused past `max` bytes without reading on.
    pub(crate) fn form_media(&self, form: &str, name: &str, max: usize) -> Result<Vec<u8>> {
        use std::io::Read;
        let what = format!("downloading media file {name} of form {form}");
        let mut url =
            reqwest::Url::parse(&self.url(&format!("/api/v1/forms/versions/{form}/media")))
                .map_err(|e| Error::Invalid(format!("{what}: {e}")))?;
        url.path_segments_mut()
            .map_err(|()| Error::Invalid(format!("{what}: the server address has no path")))?
            .push(name);
        let resp = send(&what, self.auth(self.http.get(url)))?;
        let mut bytes = Vec::new();
        resp.take(max as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Offline {
                message: format!("{what}: {e}"),
                source: None,
            })?;
        if bytes.len() > max {
            return Err(Error::Invalid(format!(
                "{what}: the file is over {max} bytes"
            )));
        }
        Ok(bytes)
    }
}

fn send(what: &str, rb: RequestBuilder) -> Result<Response> {
    let resp = rb.send().map_err(|e| Error::Offline {
        message: what.to_owned(),
        source: Some(e),
    })?;
    if resp.status().is_success() {
        return Ok(resp);
    }
    let status = resp.status();
    let text = resp.text().unwrap_or_default();
    let body: ErrorBody = serde_json::from_str(&text).unwrap_or(ErrorBody {
        code: ErrorCode::parse(
            &status
                .canonical_reason()
                .unwrap_or("error")
                .to_lowercase()
                .replace(' ', "_"),
        ),
        message: text.chars().take(300).collect(),
    });
    // These two are about the device, whatever the request: a revoked device must wipe, a
    // forked id cannot push again.
    match (status.as_u16(), &body.code) {
        (403, ErrorCode::DeviceRevoked) => return Err(Error::Revoked),
        (409, ErrorCode::DeviceFork) => return Err(Error::Forked(body.message)),
        // Whatever the code: a 507 is the server's full disk, never a refusal of the request.
        (507, _) => {
            return Err(Error::ServerOutOfSpace {
                what: what.to_owned(),
            });
        }
        _ => {}
    }
    Err(Error::Rejected {
        what: what.to_owned(),
        status: status.as_u16(),
        code: body.code,
        message: body.message,
    })
}

fn json<T: DeserializeOwned>(what: &str, resp: Response) -> Result<T> {
    resp.json().map_err(|e| Error::Offline {
        message: format!("{what}: the answer did not decode"),
        source: Some(e),
    })
}

/// Whether a failure is worth retrying after a pause (the network, the server's overload, its
/// full disk or its own errors), as opposed to an answer that will not change.
pub(crate) fn is_transient(e: &Error) -> bool {
    match e {
        Error::Offline { .. } | Error::ServerOutOfSpace { .. } => true,
        Error::Rejected { status, .. } => {
            *status == StatusCode::TOO_MANY_REQUESTS.as_u16() || *status >= 500
        }
        _ => false,
    }
}
