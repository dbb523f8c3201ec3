//! A file the UI hands over as a raw IPC body (a photo from the camera on phones, from a file
//! picker on desktop): the webview has the bytes, not a path, and the core attaches files by
//! path. It is written to a private inbox under the data directory, attached (the core copies
//! it into its encrypted blob store), and removed.

use std::path::Path;

use tauri::ipc::{InvokeBody, Request};
use terreno_app::visit::live::LiveForm;

use crate::error::{CommandError, CommandResult};
use crate::state::Shell;

const INBOX: &str = "inbox";

/// An attachment on its way to a visit.
#[derive(Debug)]
pub struct Upload {
    stop: String,
    question: String,
    extension: String,
    bytes: Vec<u8>,
}

fn header(request: &Request<'_>, name: &str) -> CommandResult<String> {
    let raw = request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            CommandError::new("invalid", format!("attaching a file: no {name} header"))
        })?;
    percent_decode(raw)
        .ok_or_else(|| CommandError::new("invalid", format!("attaching a file: bad {name} header")))
}

/// Decodes `encodeURIComponent` output.
fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

impl Upload {
    /// Reads the headers and the raw body of a `visit_attach` call.
    pub fn from_request(request: &Request<'_>) -> CommandResult<Upload> {
        let InvokeBody::Raw(bytes) = request.body() else {
            return Err(CommandError::new(
                "invalid",
                "attaching a file: the body must be the file's bytes",
            ));
        };
        let name = header(request, "x-file-name")?;
        // Only the extension survives: it tells the core the media type; the name may hold
        // anything the picker's OS allows.
        let extension = Path::new(&name)
            .extension()
            .and_then(|e| e.to_str())
            .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()))
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| {
                CommandError::new("invalid", format!("attaching {name:?}: no file extension"))
            })?;
        Ok(Upload {
            stop: header(request, "x-stop")?,
            question: header(request, "x-question")?,
            extension,
            bytes: bytes.clone(),
        })
    }

    /// Attaches the file as the answer of its question; returns the questionnaire.
    pub fn attach(self, shell: &Shell) -> CommandResult<LiveForm> {
        let inbox = shell.data_dir().join(INBOX);
        let what = |e: std::io::Error| {
            CommandError::new("storage", format!("writing {}: {e}", inbox.display()))
        };
        std::fs::create_dir_all(&inbox).map_err(what)?;
        let file = write_new(&inbox, &self.extension, &self.bytes).map_err(what)?;
        let answered = shell.core().answer(
            &self.stop,
            &[format!("{}={}", self.question, file.display())],
        );
        let _ = std::fs::remove_file(&file);
        answered?;
        Ok(shell.core().visit_form(&self.stop)?)
    }
}

/// Writes `bytes` to a file of `dir` no other upload uses (created exclusively, so two at
/// once never share one).
fn write_new(dir: &Path, extension: &str, bytes: &[u8]) -> std::io::Result<std::path::PathBuf> {
    use std::io::Write;
    for i in 0u32.. {
        let path = dir.join(format!("{}-{i}.{extension}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                f.write_all(bytes)?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free file name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encoded_headers_decode_and_bad_ones_are_refused() {
        assert_eq!(
            percent_decode("fachada%20de%20Jos%C3%A9.jpg").as_deref(),
            Some("fachada de José.jpg")
        );
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
    }
}
