//! Progress lines on stderr: the training bar (a bar, the running loss, the learning rate,
//! throughput and time left) and the evaluation count. On a terminal a line redraws in
//! place; otherwise (logs, CI) one is printed every tenth of the way, so logs stay short.

use std::io::{IsTerminal, Write};
use std::time::Instant;

const WIDTH: usize = 24;

/// When to print: every update on a terminal (redrawn in place), else every tenth of `total`.
struct Throttle {
    total: usize,
    terminal: bool,
    next_log: usize,
}

impl Throttle {
    fn new(total: usize) -> Self {
        Throttle { total, terminal: std::io::stderr().is_terminal(), next_log: total / 10 }
    }

    /// Whether `done` items call for a line (and, if so, when the next one will).
    fn due(&mut self, done: usize) -> bool {
        if !self.terminal && done < self.next_log.max(1) && done < self.total {
            return false;
        }
        self.next_log = done + self.total / 10;
        true
    }

    fn print(&mut self, done: usize, line: impl FnOnce() -> String) {
        if !self.due(done) {
            return;
        }
        let line = line();
        let mut err = std::io::stderr().lock();
        // Ignored: a closed stderr must not stop the work.
        let _ = if self.terminal { write!(err, "\r{line}") } else { writeln!(err, "{line}") };
    }

    /// Ends the in-place line.
    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}

pub struct EpochBar {
    epoch: usize,
    total: usize,
    started: Instant,
    throttle: Throttle,
    /// Exponential moving average of the batch loss, so the number shown is readable.
    smoothed: Option<f64>,
}

impl EpochBar {
    pub fn new(epoch: usize, total: usize) -> Self {
        EpochBar { epoch, total, started: Instant::now(), throttle: Throttle::new(total), smoothed: None }
    }

    pub fn update(&mut self, done: usize, loss: f64, lr: f64) {
        let smoothed = self.smoothed.map_or(loss, |s| 0.9 * s + 0.1 * loss);
        self.smoothed = Some(smoothed);
        let (epoch, total, started) = (self.epoch, self.total, self.started);
        self.throttle.print(done, || epoch_line(epoch, total, started, done, smoothed, lr));
    }

    pub fn finish(&self) {
        self.throttle.finish();
    }
}

fn epoch_line(epoch: usize, total: usize, started: Instant, done: usize, loss: f64, lr: f64) -> String {
    let elapsed = started.elapsed().as_secs_f64();
    let rate = done as f64 / elapsed.max(1e-9);
    let left = (total.saturating_sub(done)) as f64 / rate.max(1e-9);
    let filled = (WIDTH * done / total.max(1)).min(WIDTH);
    format!(
        "epoch {epoch:>3} [{}{}] {done:>6}/{total}  loss {loss:.4}  lr {lr:.2e}  {rate:>6.1} samples/s  {} left",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        clock(left)
    )
}

/// How many of `total` queries are evaluated, and the time so far.
pub struct QueryCount {
    started: Instant,
    throttle: Throttle,
}

impl QueryCount {
    pub fn new(total: usize) -> Self {
        QueryCount { started: Instant::now(), throttle: Throttle::new(total) }
    }

    pub fn update(&mut self, done: usize) {
        let (total, seconds) = (self.throttle.total, self.started.elapsed().as_secs_f64());
        self.throttle.print(done, || format!("{done}/{total} queries, {seconds:.0} s"));
    }

    pub fn finish(&self) {
        self.throttle.finish();
    }
}

fn clock(seconds: f64) -> String {
    let s = seconds.round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_shows_bar_rate_and_time_left() {
        let line = epoch_line(3, 100, Instant::now(), 50, 0.25, 1e-3);
        assert!(line.starts_with("epoch   3 [############------------]     50/100  loss 0.2500  lr 1.00e-3"), "{line}");
        assert!(line.contains("samples/s") && line.ends_with(" left"), "{line}");
        assert_eq!(clock(125.4), "2:05");
    }

    #[test]
    fn a_log_gets_a_line_every_tenth_and_at_the_end() {
        let mut throttle = Throttle { total: 1_000, terminal: false, next_log: 100 };
        let printed: Vec<usize> = (1..=1_000).filter(|&done| throttle.due(done)).collect();
        assert_eq!(printed, (1..=10).map(|i| i * 100).collect::<Vec<_>>());
        let mut short = Throttle { total: 3, terminal: false, next_log: 0 };
        assert_eq!((1..=3).filter(|&done| short.due(done)).collect::<Vec<_>>(), vec![1, 2, 3]);
    }
}
