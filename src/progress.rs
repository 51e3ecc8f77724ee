//! The training progress bar: one line on stderr with a bar, the running loss, the learning
//! rate, throughput and time left. On a terminal it redraws in place; otherwise (logs, CI)
//! it prints a line every tenth of the epoch so logs stay short and readable.

use std::io::{IsTerminal, Write};
use std::time::Instant;

const WIDTH: usize = 24;

pub struct EpochBar {
    epoch: usize,
    total: usize,
    started: Instant,
    terminal: bool,
    next_log: usize,
    /// Exponential moving average of the batch loss, so the number shown is readable.
    smoothed: Option<f64>,
}

impl EpochBar {
    pub fn new(epoch: usize, total: usize) -> Self {
        let terminal = std::io::stderr().is_terminal();
        EpochBar { epoch, total, started: Instant::now(), terminal, next_log: total / 10, smoothed: None }
    }

    pub fn update(&mut self, done: usize, loss: f64, lr: f64) {
        let smoothed = self.smoothed.map_or(loss, |s| 0.9 * s + 0.1 * loss);
        self.smoothed = Some(smoothed);
        if !self.terminal && done < self.next_log.max(1) && done < self.total {
            return;
        }
        self.next_log = done + self.total / 10;
        let line = self.line(done, smoothed, lr);
        let mut err = std::io::stderr().lock();
        // Ignored: a closed stderr must not stop training.
        let _ = if self.terminal { write!(err, "\r{line}") } else { writeln!(err, "{line}") };
    }

    /// Ends the in-place line.
    pub fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }

    fn line(&self, done: usize, loss: f64, lr: f64) -> String {
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = done as f64 / elapsed.max(1e-9);
        let left = (self.total.saturating_sub(done)) as f64 / rate.max(1e-9);
        let filled = (WIDTH * done / self.total.max(1)).min(WIDTH);
        format!(
            "epoch {:>3} [{}{}] {done:>6}/{}  loss {loss:.4}  lr {lr:.2e}  {rate:>6.1} samples/s  {} left",
            self.epoch,
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            self.total,
            clock(left)
        )
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
        let bar =
            EpochBar { epoch: 3, total: 100, started: Instant::now(), terminal: false, next_log: 10, smoothed: None };
        let line = bar.line(50, 0.25, 1e-3);
        assert!(line.starts_with("epoch   3 [############------------]     50/100  loss 0.2500  lr 1.00e-3"), "{line}");
        assert!(line.contains("samples/s") && line.ends_with(" left"), "{line}");
        assert_eq!(clock(125.4), "2:05");
    }
}
