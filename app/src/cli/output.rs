//! What the CLI prints: a JSON document per command with `--json`, a short human text or table
//! otherwise. Errors go to stderr as one sentence (or a JSON `{"error": ...}` on stdout with
//! `--json`, so scripts read one stream), with the exit code of their kind.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::json;

use super::EXIT_REFUSED;
use super::track::TrackReport;
use crate::core::Enrolled;
use crate::error::{Error, Result};
use crate::status::Status;
use crate::sync::{SyncProgress, SyncReport};
use crate::visit::checkin::CheckIn;
use crate::visit::complete::Completed;
use crate::visit::live::LiveForm;
use crate::visit::route::RouteStop;

pub(crate) struct Out {
    pub json: bool,
}

impl Out {
    fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_default()
            );
        } else {
            println!("{}", human());
        }
    }

    pub fn error(&self, e: &Error) -> ExitCode {
        let (code, exit) = match e {
            Error::Refused { .. } => ("refused", EXIT_REFUSED),
            Error::Invalid(_) => ("invalid", 2),
            Error::NotFound(_) => ("not_found", 1),
            Error::NotEnrolled => ("not_enrolled", 1),
            Error::Offline { .. } => ("offline", 1),
            Error::Revoked => ("revoked", 1),
            Error::Conflict(_) => ("conflict", 1),
            Error::Forked(_) => ("forked", 1),
            Error::Rejected { .. } => ("rejected", 1),
            Error::ServerOutOfSpace { .. } => ("server_out_of_space", 1),
            _ => ("failed", 1),
        };
        let details = match e {
            Error::Refused { details, .. } => details.clone(),
            _ => serde_json::Value::Null,
        };
        if self.json {
            println!(
                "{}",
                json!({"error": {"code": code, "message": e.to_string(), "details": details}})
            );
        } else {
            eprintln!("terreno: {e}");
        }
        ExitCode::from(exit)
    }

    pub fn login(&self, e: &Enrolled) {
        self.print(e, || {
            let what = if e.new_device {
                "enrolled as new device"
            } else {
                "session renewed for device"
            };
            format!("logged in as {}: {what} {}", e.username, e.device_id)
        });
    }

    pub fn sync(&self, r: &SyncReport) {
        self.print(r, || {
            let mut s = format!(
                "synced: {} events pushed (server head {}), {} changes pulled{}",
                r.pushed,
                r.server_head,
                r.pulled,
                if r.resynced {
                    " after a full resync"
                } else {
                    ""
                }
            );
            for (seq, code, msg) in &r.rejected {
                s.push_str(&format!(
                    "\nevent {seq} rejected by the server ({code}): {msg}"
                ));
            }
            s
        });
    }

    pub fn route(&self, stops: &[RouteStop]) {
        self.print(&stops, || {
            let mut s = format!(
                "{:>3}  {:<10} {:<28} {:<10} {:>6} {:<7} {:>18} {:<11} {}\n",
                "#",
                "debtor",
                "name",
                "status",
                "dist m",
                "bucket",
                "balance",
                "window",
                "check-in / next allowed / stop"
            );
            for r in stops {
                let when = r
                    .checked_in_at
                    .map(|t| format!("in {}", t.format("%H:%M")))
                    .or_else(|| {
                        r.next_allowed
                            .map(|t| format!("not now, from {}", t.format("%Y-%m-%d %H:%M")))
                    })
                    .unwrap_or_default();
                s.push_str(&format!(
                    "{:>3}  {:<10} {:<28} {:<10} {:>6} {:<7} {:>18} {:<11} {} {}\n",
                    r.order,
                    r.external_id,
                    r.name.chars().take(28).collect::<String>(),
                    r.status,
                    r.distance_m
                        .map(|d| format!("{d:.0}"))
                        .unwrap_or_else(|| "-".into()),
                    r.bucket,
                    r.balance,
                    r.contact_window.as_deref().unwrap_or("-"),
                    when,
                    r.stop_id
                ));
            }
            if stops.is_empty() {
                s.push_str("(no stops for this day)");
            }
            s.trim_end().to_owned()
        });
    }

    pub fn shift(&self, what: &str, at: DateTime<Utc>) {
        self.print(&json!({"shift": what, "at": at}), || {
            format!("shift {what} at {}", at.to_rfc3339())
        });
    }

    pub fn track(&self, r: &TrackReport) {
        self.print(r, || {
            let mut s = format!(
                "{}: {} fixes read, {} stored ({} flagged by the track filter), {} outside the shift, {} already stored, {} after --until, {} points refused",
                r.file, r.read, r.recorded.stored, r.recorded.flagged, r.recorded.outside_shift,
                r.recorded.already_stored, r.after_until, r.refused.len()
            );
            for x in r.refused.iter().take(20) {
                s.push_str(&format!("\n  line {} ({}): {}", x.line, x.what, x.reason));
            }
            s
        });
    }

    pub fn checkin(&self, c: &CheckIn) {
        self.print(c, || {
            format!(
                "checked in at {} (visit {}, event {})",
                c.external_id, c.visit_id, c.seq
            )
        });
    }

    pub fn answered(&self, stop: &str, n: usize) {
        self.print(&json!({"stop": stop, "answers": n}), || {
            format!("{n} answers recorded for {stop}")
        });
    }

    pub fn completed(&self, c: &Completed) {
        self.print(c, || {
            format!(
                "visit to {} completed: {} ({})",
                c.external_id,
                c.outcome.as_str(),
                c.status.as_str()
            )
        });
    }

    pub fn form(&self, f: &LiveForm) {
        let questions = f.questions();
        let doc = json!({
            "visit_id": f.visit_id,
            "external_id": f.external_id,
            "form": f.form,
            "complete": f.state.complete,
            "questions": questions,
        });
        self.print(&doc, || {
            let mut s = format!(
                "{} ({} version {}) for {}{}\n",
                f.form.title,
                f.form.form_id,
                f.form.version,
                f.external_id,
                if f.state.complete {
                    ": ready to complete"
                } else {
                    ""
                }
            );
            for q in questions.iter().filter(|q| q.relevant) {
                let state = match (&q.issue, &q.value) {
                    (Some(issue), _) => format!("! {issue}"),
                    (None, Some(v)) => format!("= {v}"),
                    (None, None) => String::new(),
                };
                let choices = q
                    .choices
                    .as_ref()
                    .map(|c| format!(" [{}]", c.join(" ")))
                    .unwrap_or_default();
                s.push_str(&format!(
                    "{:<22} {:<30} {:<40} {state}\n",
                    q.path,
                    format!("{}{choices}", q.kind),
                    q.label.chars().take(40).collect::<String>(),
                ));
            }
            let hidden = questions.iter().filter(|q| !q.relevant).count();
            s.push_str(&format!("({hidden} questions not relevant now)"));
            s
        });
    }

    pub fn status(&self, s: &Status) {
        self.print(s, || {
            format!(
                "device {} ({} {}) on {}\npending events: {} (rejected {}), last seq {}, server head {}\nlast sync: {}\nlast fix: {}\nbattery: {}\nshift: {}",
                s.device_id,
                s.username,
                s.display_name,
                s.server_url,
                s.pending_events,
                s.rejected_events,
                s.last_seq,
                s.server_head,
                s.last_sync.map_or("never".into(), |t| t.to_rfc3339()),
                match (s.last_fix_at, s.last_fix) {
                    (Some(t), Some((lat, lon))) => format!("{} at {lat:.6},{lon:.6}", t.to_rfc3339()),
                    _ => "none".into(),
                },
                s.battery_percent.map_or("unknown".into(), |b| format!("{b:.0} %")),
                s.shift_started.map_or("not on shift".into(), |t| format!("on shift since {}", t.to_rfc3339())),
            )
        });
    }
}

/// Runs a sync with a progress bar on stderr when it is a terminal.
pub(crate) fn with_sync_progress(
    out: &Out,
    f: impl FnOnce(&mut dyn FnMut(SyncProgress)) -> Result<SyncReport>,
) -> Result<SyncReport> {
    let bar = if out.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:30} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut cb = |p: SyncProgress| match p {
        SyncProgress::Pushing { done, total } => {
            bar.set_message("pushing");
            bar.set_length(total);
            bar.set_position(done);
        }
        SyncProgress::Pulling { done } => {
            bar.set_message("pulling");
            bar.set_length(done);
            bar.set_position(done);
        }
    };
    let result = f(&mut cb);
    bar.finish_and_clear();
    result
}
