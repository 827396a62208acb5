//! Feedback on stderr for steps that can take more than about a second: a
//! spinner with what is being done and the time spent, drawn only when stderr is
//! a terminal, cleared when the step ends (so stdout and piped stderr stay
//! exactly as they are).

use std::io::IsTerminal;
use std::time::Duration;

/// A step in progress; the spinner is cleared when this is dropped.
pub(crate) struct Step(indicatif::ProgressBar);

impl Step {
    /// Starts a spinner saying `what` (e.g. "writing snapshot 3"), drawn at once
    /// and redrawn 8 times a second; a quick step shows it only for that moment.
    pub(crate) fn start(what: &str) -> Step {
        if !std::io::stderr().is_terminal() {
            return Step(indicatif::ProgressBar::hidden());
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            None,
            indicatif::ProgressDrawTarget::stderr_with_hz(8),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(super::text::sanitize(what).into_owned());
        bar.enable_steady_tick(Duration::from_millis(125));
        Step(bar)
    }

    /// Runs `f` with the spinner hidden, for a step that prints a message (a
    /// warning, a "wrote FILE" line) to stderr while it is in progress.
    pub(crate) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.0.suspend(f)
    }

    /// Says what is being done now.
    pub(crate) fn say(&self, what: &str) {
        self.0.set_message(super::text::sanitize(what).into_owned());
    }
}

impl Drop for Step {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
