//! The server's HTTP API as the device uses it (blocking reqwest: the core is synchronous and the
//! shell runs it off its UI thread). Maps transport failures to [`Error::Offline`] and error
//! answers to [`Error::Rejected`] with the server's code; never retries (the driver does).

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use terreno_shared::api::ErrorBody;
use terreno_shared::api::v1::auth::{DeviceInfo, EnrollRequest, LoginRequest, LoginResponse};
use terreno_shared::api::v1::org::OrgSettings;
use terreno_shared::api::v1::sync::{DeviceStatus, PullResponse, PushResponse};
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

    pub(crate) fn status(&self, device: DeviceId) -> Result<DeviceStatus> {
        let rb = self.auth(
            self.http
                .get(self.url("/api/v1/sync/status"))
                .query(&[("device_id", device.to_string())]),
        );
        json(
            "asking for the device's head",
            send("asking for the device's head", rb)?,
        )
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
        code: status
            .canonical_reason()
            .unwrap_or("error")
            .to_lowercase()
            .replace(' ', "_"),
        message: text.chars().take(300).collect(),
    });
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

/// Whether a failure is worth retrying after a pause (the network, the server's overload or
/// its own errors), as opposed to an answer that will not change.
pub(crate) fn is_transient(e: &Error) -> bool {
    match e {
        Error::Offline { .. } => true,
        Error::Rejected { status, .. } => {
            *status == StatusCode::TOO_MANY_REQUESTS.as_u16() || *status >= 500
        }
        _ => false,
    }
}
