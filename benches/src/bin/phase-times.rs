//! Times each phase of `kplace plan --goals spread` and `kplace check` on one snapshot:
//! read, parse, model build, check, repair, plan build, output. Used for benches/README.md.
//!
//! `phase-times SNAPSHOT.json POLICY.json`

use std::time::Instant;

use kplace_optimizer::plan::PlanInputs;
use kplace_placement::model::{ClusterModel, ModelOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (snapshot_path, policy_path) = match args.as_slice() {
        [_, s, p] => (s.clone(), p.clone()),
        _ => {
            eprintln!("usage: phase-times SNAPSHOT.json POLICY.json");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let mut last = (start, cpu_seconds());
    let mut lap = |name: &str| {
        let now = (Instant::now(), cpu_seconds());
        eprintln!(
            "{name:<14} wall {:>7.3} s   cpu {:>7.3} s",
            (now.0 - last.0).as_secs_f64(),
            now.1 - last.1
        );
        last = now;
    };
    let bytes = std::fs::read(&snapshot_path).expect("read snapshot");
    lap("read");
    let snapshot = kplace_placement::parse::parse_snapshot(&bytes, &snapshot_path).expect("parse");
    lap("parse");
    let policy_text = std::fs::read_to_string(&policy_path).expect("read policy");
    let policy = kplace_placement::parse::parse_policy(&policy_text, &policy_path).expect("policy");
    let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).expect("model");
    lap("model");
    let violations = kplace_placement::check::check(&model, model.current());
    lap("check");
    let outcome = kplace_placement::repair::repair(&model, model.current());
    lap("repair");
    let inputs = PlanInputs::new(policy);
    let plan = kplace_optimizer::spread_plan::plan_spread(&model, inputs).expect("feasible");
    lap("plan (again)");
    let json = serde_json::to_vec(&plan.reassignment_file()).expect("json");
    lap("reassign json");
    eprintln!(
        "violations {} changes {} infeasible {} json {} bytes; total {:.3} s",
        violations.len(),
        outcome.changes.len(),
        outcome.infeasible.len(),
        json.len(),
        start.elapsed().as_secs_f64()
    );
}

/// User + system CPU seconds of this process so far (all threads), from /proc/self/stat: on a
/// shared machine CPU time is far steadier than wall time.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields after the name start at state (3rd field overall); utime is 14th, stime 15th.
    (ticks(11) + ticks(12)) / 100.0
}
