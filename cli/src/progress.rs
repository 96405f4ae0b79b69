//! How an apply shows its progress: a display on a terminal (stderr), log lines otherwise, or
//! line-delimited JSON events on stdout with `--progress json` (the schema is in README.md,
//! "Progress events").

use std::time::Duration;

use kplace_kafka::apply::{ApplyEvent, ApplyReport};
use kplace_kafka::figures::Figures;
use kplace_kafka::heal::RoundReport;
use kplace_report::render::units;
use serde_json::{json, Value};

use crate::exit::CliError;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ProgressMode {
    /// A progress display on a terminal, log lines otherwise (both on stderr).
    #[default]
    Auto,
    /// One JSON object per line on stdout for each event; the outcome is the last line.
    Json,
}

/// Shows the events of one apply.
pub struct Reporter {
    mode: ProgressMode,
    bar: Option<indicatif::ProgressBar>,
    last: Option<(usize, usize, bool)>,
}

impl Reporter {
    /// A reporter for `total` moves.
    pub fn new(mode: ProgressMode, total: usize) -> Self {
        let bar = (mode == ProgressMode::Auto && crate::logging::interactive()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Reporter {
            mode,
            bar,
            last: None,
        }
    }

    /// Clears the display, if one was drawn (an outcome, if any, is the caller's to show).
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// Shows one event.
    pub fn event(&mut self, event: &ApplyEvent) {
        if self.mode == ProgressMode::Json {
            if let Some(value) = json_event(event) {
                // A closed stdout must not end the apply half-way: the moves go on.
                crate::print::stdout_line(&value.to_string());
            }
            return;
        }
        match event {
            ApplyEvent::Figures(f) => {
                if let Some(bar) = &self.bar {
                    let (pos, len) = if f.total_bytes > 0 {
                        (f.copied_bytes, f.total_bytes)
                    } else {
                        (f.done as u64, f.total as u64)
                    };
                    bar.set_length(len);
                    bar.set_position(pos);
                    bar.set_message(describe(f));
                }
                let key = (f.done, f.in_flight, f.holding);
                if self.last != Some(key) {
                    tracing::info!(
                        done = f.done,
                        in_flight = f.in_flight,
                        waiting = f.waiting,
                        total = f.total,
                        copied_bytes = f.copied_bytes,
                        total_bytes = f.total_bytes,
                        rate = f.rate_bytes_per_second,
                        eta_seconds = f.eta_seconds,
                        slowest_broker = f.slowest_broker,
                        "progress"
                    );
                    self.last = Some(key);
                }
            }
            ApplyEvent::Progress { .. } => {}
            ApplyEvent::Submitted(batch) => {
                tracing::info!(moves = batch.len(), "batch submitted");
                self.println(&format!("submitted {} moves", batch.len()));
            }
            ApplyEvent::Pace(change) => self.println(&format!(
                "pace: {} per broker, {} in the cluster{}: {}",
                change.to.per_broker,
                change.to.cluster,
                if change.holding { ", new moves held" } else { "" },
                change.reason
            )),
            ApplyEvent::Stopping {
                in_flight,
                cancelling,
                ..
            } => self.println(&if *cancelling {
                format!("stopping: cancelling the {in_flight} moves in flight")
            } else {
                format!(
                    "stopping: nothing more is submitted; waiting for the {in_flight} moves in flight to finish (again to end at once, or use --cancel-on-stop)"
                )
            }),
            ApplyEvent::Elected(partitions) => {
                tracing::info!(partitions = partitions.len(), "preferred leaders elected");
            }
            // An event this display does not know yet (ApplyEvent is non-exhaustive).
            _ => {}
        }
    }

    /// Ends the display; in JSON mode prints the outcome as the last event.
    pub fn finish(&self, outcome: &Result<ApplyReport, CliError>) {
        self.clear();
        if self.mode != ProgressMode::Json {
            return;
        }
        let value = match outcome {
            Ok(report) => json!({
                "event": "finished",
                "total": report.total,
                "already_done": report.already_done,
                "already_in_flight": report.already_in_flight,
                "submitted": report.submitted,
                "done": report.done,
                "in_flight": report.in_flight,
                "pending": report.pending,
                "elected": report.elected.len(),
                "failed": report.failed.iter().map(|f| json!({
                    "topic": f.topic, "partition": f.partition, "reason": f.reason,
                })).collect::<Vec<_>>(),
            }),
            Err(error) => json!({
                "event": "failed",
                "exit_code": error.code(),
                "message": error.to_string(),
            }),
        };
        crate::print::stdout_line(&value.to_string());
    }

    fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => tracing::info!("{line}"),
        }
    }
}

/// "12.0 MiB of 40.0 MiB · 3/10 done, 2 in flight, 5 waiting · 1.2 MiB/s · ETA 25 s · slowest
/// broker 4 (8.0 MiB left)", plus the pace when it is below its ceiling or holding.
pub fn describe(f: &Figures) -> String {
    let mut parts = vec![
        format!(
            "{} of {}",
            units::bytes(f.copied_bytes as f64),
            units::bytes(f.total_bytes as f64)
        ),
        format!(
            "{}/{} done, {} in flight, {} waiting",
            f.done, f.total, f.in_flight, f.waiting
        ),
    ];
    if let Some(rate) = f.rate_bytes_per_second {
        parts.push(units::rate(rate as f64));
    }
    if let Some(eta) = f.eta_seconds {
        parts.push(format!("ETA {}", units::duration(eta as f64)));
    }
    if let Some(b) = f.slowest_broker {
        parts.push(format!(
            "slowest broker {b} ({} left)",
            units::bytes(f.slowest_broker_remaining_bytes as f64)
        ));
    }
    if f.holding {
        parts.push("new moves held".into());
    }
    parts.join(" · ")
}

/// `kplace heal --progress json`: the `round` event that ends a round which ran to its end.
pub fn round_event(round_number: u64, r: &RoundReport) -> Value {
    json!({
        "event": "round",
        "round": round_number,
        "status": r.status.name(),
        "violations": r.violations,
        "moves": r.moves.iter().map(|m| json!({
            "topic": m.topic, "partition": m.partition, "replicas": m.target,
        })).collect::<Vec<_>>(),
        "applied": r.applied,
        "reason": r.reason,
    })
}

/// `kplace heal --progress json`: the `round` event of a round that failed (`status` is
/// `failed`, `infeasible` or `bad-input`).
pub fn failed_round_event(round_number: u64, status: &str, error: &CliError) -> Value {
    json!({
        "event": "round",
        "round": round_number,
        "status": status,
        "exit_code": error.code(),
        "error": error.to_string(),
    })
}

/// The JSON line of an event (`None` for the bare counts, which `progress` events carry).
pub fn json_event(event: &ApplyEvent) -> Option<Value> {
    Some(match event {
        ApplyEvent::Progress { .. } => return None,
        ApplyEvent::Figures(f) => {
            let mut value = serde_json::to_value(f).ok()?;
            value
                .as_object_mut()?
                .insert("event".into(), Value::from("progress"));
            value
        }
        ApplyEvent::Submitted(batch) => json!({
            "event": "submitted",
            "moves": batch.iter().map(|m| json!({
                "topic": m.topic, "partition": m.partition, "replicas": m.target,
            })).collect::<Vec<_>>(),
        }),
        ApplyEvent::Pace(c) => json!({
            "event": "pace",
            "from": {"per_broker": c.from.per_broker, "cluster": c.from.cluster},
            "to": {"per_broker": c.to.per_broker, "cluster": c.to.cluster},
            "holding": c.holding,
            "reason": c.reason,
        }),
        ApplyEvent::Stopping {
            signal,
            in_flight,
            cancelling,
        } => json!({
            "event": "stopping",
            "signal": signal,
            "in_flight": in_flight,
            "cancelling": cancelling,
        }),
        ApplyEvent::Elected(partitions) => json!({
            "event": "elected",
            "partitions": partitions.iter().map(|(t, p)| json!({"topic": t, "partition": p})).collect::<Vec<_>>(),
        }),
        // An event without a JSON form yet (ApplyEvent is non-exhaustive).
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kplace_kafka::batching::Limits;
    use kplace_kafka::pace::PaceChange;

    fn figures() -> Figures {
        let mut f = Figures::default();
        f.elapsed_seconds = 4.0;
        f.done = 3;
        f.in_flight = 2;
        f.waiting = 5;
        f.total = 10;
        f.copied_bytes = 12 << 20;
        f.total_bytes = 40 << 20;
        f.rate_bytes_per_second = Some(1 << 20);
        f.eta_seconds = Some(28);
        f.slowest_broker = Some(4);
        f.slowest_broker_remaining_bytes = 8 << 20;
        f.per_broker_limit = 5;
        f.cluster_limit = 100;
        f.holding = true;
        f
    }

    #[test]
    fn the_display_line_has_every_figure() {
        let line = describe(&figures());
        for part in [
            "12.0 MiB of 40.0 MiB",
            "3/10 done, 2 in flight, 5 waiting",
            "1.0 MiB/s",
            "ETA",
            "slowest broker 4 (8.0 MiB left)",
            "new moves held",
        ] {
            assert!(line.contains(part), "{part:?} missing from {line:?}");
        }
    }

    #[test]
    fn json_events_name_themselves_and_carry_the_figures() {
        let value = json_event(&ApplyEvent::Figures(figures())).expect("a progress event");
        assert_eq!(value["event"], "progress");
        assert_eq!(value["done"], 3);
        assert_eq!(value["total_bytes"], 40 << 20);
        assert_eq!(value["eta_seconds"], 28);
        let pace = json_event(&ApplyEvent::Pace(PaceChange::new(
            Limits {
                per_broker: 4,
                cluster: 8,
            },
            Limits {
                per_broker: 2,
                cluster: 4,
            },
            true,
            "1 partitions under min ISR (t-0)",
        )))
        .expect("a pace event");
        assert_eq!(pace["event"], "pace");
        assert_eq!(pace["to"]["cluster"], 4);
        assert_eq!(pace["holding"], true);
        assert!(json_event(&ApplyEvent::Progress {
            done: 0,
            in_flight: 0,
            pending: 0,
            total: 0
        })
        .is_none());
    }

    #[test]
    fn a_round_event_names_the_round_its_status_and_its_moves() {
        let mut report = RoundReport::new(kplace_kafka::heal::Status::Partial);
        report.violations = 2;
        report.moves = vec![kplace_kafka::reassignment_json::Move {
            topic: "t".into(),
            partition: 3,
            target: vec![1, 2, 5],
        }];
        report.applied = 1;
        report.reason = Some("capped at 1 move".into());
        let value = round_event(7, &report);
        assert_eq!(value["event"], "round");
        assert_eq!(value["round"], 7);
        assert_eq!(value["status"], "partial");
        assert_eq!(value["violations"], 2);
        assert_eq!(value["moves"][0]["replicas"], json!([1, 2, 5]));
        assert_eq!(value["applied"], 1);
        assert_eq!(value["reason"], "capped at 1 move");
        let failed = failed_round_event(2, "infeasible", &CliError::Internal("x".into()));
        assert_eq!(failed["status"], "infeasible");
        assert_eq!(failed["exit_code"], 70);
    }
}
