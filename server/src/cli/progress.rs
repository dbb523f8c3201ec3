//! The import's progress on a terminal (indicatif): a spinner with the rows read, then a bar
//! of the accounts written. Drawn on stderr only when it is a terminal, so `--json` output and
//! logs stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::db::import::Progress;

/// A progress bar, hidden when stderr is not a terminal.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar on stderr when it is a terminal.
    pub fn stderr() -> Bar {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} reading: {human_pos} rows ({per_sec})")
                .expect("a valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(bar)
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn reading(&self, rows: u64) {
        self.0.set_position(rows);
    }

    fn writing(&self, total: u64) {
        self.0.set_style(
            ProgressStyle::with_template(
                "writing: [{bar:30}] {human_pos}/{human_len} accounts ({per_sec}, {eta} left)",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        self.0.set_length(total);
        self.0.reset();
    }

    fn written(&self, rows: u64) {
        self.0.set_position(rows);
    }
}
