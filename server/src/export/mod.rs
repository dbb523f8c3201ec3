//! The dashboard's downloads, written while they are read: a producer task formats rows a page
//! at a time (see [`crate::db::exports`]) into a small in-memory pipe that the response body
//! drains, so a year of visits costs one page of rows and one pipe buffer, and a slow client
//! slows the producer down instead of filling memory. Formats live in [`visits`],
//! [`visits_xlsx`] and [`tracks`]; this module owns the pipe and the cell rules every format shares.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context as TaskContext, Poll};

use anyhow::Context;
use axum::body::Body;
use chrono::DateTime;
use chrono_tz::Tz;
use tokio::io::{AsyncRead, AsyncWriteExt, DuplexStream, ReadBuf};
use tokio_util::io::ReaderStream;

pub mod report_xlsx;
pub mod tracks;
pub mod visits;
pub mod visits_xlsx;

/// Bytes in flight between the producer and the client.
const PIPE_BYTES: usize = 64 * 1024;

/// The producer's end of an export body.
pub struct Sink {
    writer: DuplexStream,
    finished: Arc<AtomicBool>,
}

impl Sink {
    /// Sends `bytes`, waiting while the client is behind.
    pub async fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.writer
            .write_all(bytes)
            .await
            .context("sending an export to the client")
    }

    /// Marks the export complete. A body whose producer stops without this (an error, a
    /// panic) ends with an error instead of looking like a shorter, complete file.
    pub fn finish(self) {
        self.finished.store(true, Ordering::SeqCst);
    }
}

/// A body fed by `produce`, run on its own task; a failure is logged and cuts the body short.
pub fn stream_body<F, Fut>(what: &'static str, produce: F) -> Body
where
    F: FnOnce(Sink) -> Fut,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let (writer, reader) = tokio::io::duplex(PIPE_BYTES);
    let finished = Arc::new(AtomicBool::new(false));
    let job = produce(Sink {
        writer,
        finished: finished.clone(),
    });
    tokio::spawn(async move {
        if let Err(e) = job.await {
            tracing::warn!(
                error = format!("{e:#}"),
                "exporting {what} stopped part way"
            );
        }
    });
    Body::from_stream(ReaderStream::new(Checked {
        inner: reader,
        finished,
    }))
}

/// The body's end of the pipe: end of file is an error unless the producer finished.
struct Checked {
    inner: DuplexStream,
    finished: Arc<AtomicBool>,
}

impl AsyncRead for Checked {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(()))
                if buf.filled().len() == before
                    && buf.remaining() > 0
                    && !this.finished.load(Ordering::SeqCst) =>
            {
                Poll::Ready(Err(io::Error::other(
                    "the export stopped part way; the server logged why",
                )))
            }
            other => other,
        }
    }
}

/// A text cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` (the OWASP rule for CSV injection). A plain number
/// (`-74.05`) is left alone: it cannot be a formula, and a longitude must stay a number.
pub fn neutral(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    match risky && text.parse::<f64>().is_err() {
        true => format!("'{text}").into(),
        false => text.into(),
    }
}

/// An instant as the organization's local wall-clock time, `YYYY-MM-DD HH:MM:SS`.
pub fn local_time(ms: i64, tz: Tz) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// An instant in UTC, RFC 3339 with milliseconds (GPX and GeoJSON times).
pub fn utc_time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        for (cell, want) in [
            ("=1+2", "'=1+2"),
            ("+57 300", "'+57 300"),
            ("-2+3", "'-2+3"),
            ("-74.05", "-74.05"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("José = 2", "José = 2"),
            ("", ""),
        ] {
            assert_eq!(neutral(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn local_times_are_the_organizations_wall_clock() {
        // 2026-11-24 15:00 UTC is 10:00 in Bogotá.
        let at = 1_795_532_400_000;
        assert_eq!(
            local_time(at, chrono_tz::America::Bogota),
            "2026-11-24 10:00:00"
        );
        assert_eq!(utc_time(at), "2026-11-24T15:00:00.000Z");
    }

    #[tokio::test]
    async fn a_body_whose_producer_fails_ends_in_an_error() {
        use http_body_util::BodyExt;
        let good = stream_body("test", |mut sink| async move {
            sink.write(b"whole").await?;
            sink.finish();
            Ok(())
        });
        let bad = stream_body("test", |mut sink| async move {
            sink.write(b"part").await?;
            anyhow::bail!("the database went away")
        });

        let good = good.collect().await.expect("a finished export").to_bytes();
        assert_eq!(&good[..], b"whole");
        assert!(
            bad.collect().await.is_err(),
            "a cut export must not look whole"
        );
    }
}
