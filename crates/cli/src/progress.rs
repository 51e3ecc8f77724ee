//! Progress on stderr: the training bar (the running loss, the learning rate, throughput and
//! time left) and the evaluation count. On a terminal indicatif draws the bar in place; in a log
//! (CI, a file) a plain line is printed every tenth of the way, so logs stay short and still
//! show throughput.

use std::fmt;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

const EPOCH_TEMPLATE: &str = "epoch {prefix:>3} [{bar:24}] {pos:>6}/{len}  {msg}  {rate:>6} samples/s  {left} left";
const QUERY_TEMPLATE: &str = "{pos}/{len} queries, {elapsed}";

/// indicatif's bar on a terminal; a line every tenth of `total` otherwise.
struct Progress {
    bar: ProgressBar,
    terminal: bool,
    next_log: u64,
}

impl Progress {
    fn new(total: usize, template: &str) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let target = if terminal { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(Some(total as u64), target);
        // The templates are constants, checked by the tests below.
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(
                style
                    .progress_chars("#-")
                    .with_key("rate", |s: &ProgressState, w: &mut dyn fmt::Write| {
                        write!(w, "{:.1}", s.per_sec()).unwrap_or(())
                    })
                    .with_key("left", |s: &ProgressState, w: &mut dyn fmt::Write| {
                        write!(w, "{}", clock(s.eta())).unwrap_or(())
                    }),
            );
        }
        Progress { bar, terminal, next_log: total as u64 / 10 }
    }

    /// Whether a log is due a line at `done` (and, if so, when the next one will be).
    fn log_due(&mut self, done: u64) -> bool {
        let total = self.bar.length().unwrap_or(0);
        if self.terminal || (done < self.next_log.max(1) && done < total) {
            return false;
        }
        self.next_log = done + total / 10;
        true
    }

    fn finish(&self) {
        self.bar.finish();
    }
}

pub struct EpochBar {
    progress: Progress,
    /// Exponential moving average of the batch loss, so the number shown is readable.
    smoothed: Option<f64>,
}

impl EpochBar {
    pub fn new(epoch: usize, total: usize) -> Self {
        let progress = Progress::new(total, EPOCH_TEMPLATE);
        progress.bar.set_prefix(epoch.to_string());
        EpochBar { progress, smoothed: None }
    }

    pub fn update(&mut self, done: usize, loss: f64, lr: f64) {
        let smoothed = self.smoothed.map_or(loss, |s| 0.9 * s + 0.1 * loss);
        self.smoothed = Some(smoothed);
        let bar = self.progress.bar.clone();
        bar.set_position(done as u64);
        bar.set_message(format!("loss {smoothed:.4}  lr {lr:.2e}"));
        if self.progress.log_due(done as u64) {
            eprintln!("{}", epoch_line(&bar, done, smoothed, lr));
        }
    }

    pub fn finish(&self) {
        self.progress.finish();
    }
}

/// The log's form of the bar, with indicatif's throughput and time-left estimates.
fn epoch_line(bar: &ProgressBar, done: usize, loss: f64, lr: f64) -> String {
    let total = bar.length().unwrap_or(0) as usize;
    let filled = (24 * done / total.max(1)).min(24);
    format!(
        "epoch {:>3} [{}{}] {done:>6}/{total}  loss {loss:.4}  lr {lr:.2e}  {:>6.1} samples/s  {} left",
        bar.prefix(),
        "#".repeat(filled),
        "-".repeat(24 - filled),
        bar.per_sec(),
        clock(bar.eta())
    )
}

/// How many of `total` queries are evaluated, and the time so far.
pub struct QueryCount {
    progress: Progress,
}

impl QueryCount {
    pub fn new(total: usize) -> Self {
        QueryCount { progress: Progress::new(total, QUERY_TEMPLATE) }
    }

    pub fn update(&mut self, done: usize) {
        let bar = self.progress.bar.clone();
        bar.set_position(done as u64);
        if self.progress.log_due(done as u64) {
            let total = bar.length().unwrap_or(0);
            eprintln!("{done}/{total} queries, {:.0} s", bar.elapsed().as_secs_f64());
        }
    }

    pub fn finish(&self) {
        self.progress.finish();
    }
}

fn clock(left: Duration) -> String {
    let s = left.as_secs_f64().round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_are_valid() {
        for template in [EPOCH_TEMPLATE, QUERY_TEMPLATE] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
    }

    #[test]
    fn the_log_line_shows_bar_rate_and_time_left() {
        let bar = ProgressBar::hidden();
        bar.set_length(100);
        bar.set_prefix("3");
        bar.set_position(50);
        let line = epoch_line(&bar, 50, 0.25, 1e-3);
        assert!(line.starts_with("epoch   3 [############------------]     50/100  loss 0.2500  lr 1.00e-3"), "{line}");
        assert!(line.contains("samples/s") && line.ends_with(" left"), "{line}");
        assert_eq!(clock(Duration::from_secs_f64(125.4)), "2:05");
    }

    #[test]
    fn a_log_gets_a_line_every_tenth_and_at_the_end() {
        let mut progress = Progress::new(1_000, QUERY_TEMPLATE);
        progress.terminal = false;
        let printed: Vec<u64> = (1..=1_000).filter(|&done| progress.log_due(done)).collect();
        assert_eq!(printed, (1..=10).map(|i| i * 100).collect::<Vec<_>>());
        let mut short = Progress::new(3, QUERY_TEMPLATE);
        short.terminal = false;
        assert_eq!((1..=3).filter(|&done| short.log_due(done)).collect::<Vec<_>>(), vec![1, 2, 3]);
    }
}
