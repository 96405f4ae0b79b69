//! `kplace plan`, `check` and `analyze` end to end on the bundled stretch fixture: exit codes,
//! files written, and explanations that name the goal, broker or flag.

use std::path::Path;
use std::process::{Command, Output};

fn fixture(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/stretch")
        .join(file)
        .display()
        .to_string()
}

fn kplace(args: &[&str]) -> Output {
    let mut all = vec![
        args[0].to_string(),
        "--snapshot".into(),
        fixture("snapshot.json"),
        "--policy".into(),
        fixture("policy.yaml"),
    ];
    all.extend(args[1..].iter().map(|a| a.to_string()));
    Command::new(env!("CARGO_BIN_EXE_kplace"))
        .args(&all)
        .output()
        .expect("kplace runs")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// A scratch directory of one test, removed when it drops (also when the test fails).
fn scratch_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("kplace-goals-cli-")
        .tempdir()
        .expect("scratch dir")
}

#[test]
fn plan_meets_every_hard_goal_and_writes_both_files() {
    let dir = scratch_dir();
    let (out, reassignment) = (
        dir.path().join("plan.json"),
        dir.path().join("reassignment.json"),
    );
    let run = kplace(&[
        "plan",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap_or_default(),
        "--reassignment-json",
        reassignment.to_str().unwrap_or_default(),
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("PLAN.json written")).expect("JSON");
    let goals = plan["goals"].as_array().expect("goals");
    assert_eq!(goals.len(), 11, "every default goal is reported");
    for goal in goals.iter().filter(|g| g["hard"] == true) {
        assert_eq!(goal["after"]["satisfied"], true, "{goal}");
    }
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&reassignment).expect("written")).expect("JSON");
    assert_eq!(
        file["partitions"].as_array().map(Vec::len),
        plan["partitions"].as_array().map(Vec::len)
    );
    assert_eq!(json(&run)["totals"], plan["totals"]);
}

#[test]
fn spread_alone_moves_only_broken_partitions() {
    let run = kplace(&["plan", "--goals", "spread", "--format", "json"]);
    assert_eq!(run.status.code(), Some(0));
    let summary = json(&run);
    let goals = summary["goals"].as_array().expect("goals");
    // The hard goals left out of --goals guard: they veto moves, make none themselves.
    let names: Vec<(&str, bool)> = goals
        .iter()
        .map(|g| (g["name"].as_str().unwrap_or(""), g["guard"] == true))
        .collect();
    assert_eq!(
        names,
        vec![
            ("capacity", true),
            ("domain-survival", true),
            ("spread", false)
        ]
    );
    assert_eq!(goals[2]["after"]["satisfied"], true);
}

#[test]
fn impossible_hard_goal_exits_3_naming_the_rule() {
    // Draining every broker of az1 and az2 (7 is dead anyway) leaves 4 brokers for RF 6.
    let run = kplace(&["plan", "--remove-brokers", "1,2,3,4,5,6,8"]);
    assert_eq!(run.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("hard goal 'spread'"), "{stderr}");
    assert!(stderr.contains("rule 1"), "{stderr}");
}

#[test]
fn bad_flags_exit_2_naming_the_flag() {
    let run = kplace(&["plan", "--goals", "spread,balance-everything"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("--goals: unknown goal 'balance-everything'")
    );
    let run = kplace(&["plan", "--add-brokers", "99"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--add-brokers: broker 99"));
    let run = kplace(&["plan", "--remove-brokers", "98"]);
    assert!(String::from_utf8_lossy(&run.stderr).contains("--remove-brokers: broker 98"));
}

#[test]
fn check_fails_on_hard_goals_and_on_named_soft_goals_only() {
    let run = kplace(&["check", "--format", "json"]);
    assert_eq!(run.status.code(), Some(1), "the fixture breaks spread");
    let report = json(&run);
    let spread = report["goals"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["name"] == "spread"))
        .cloned();
    assert_eq!(
        spread.map(|s| s["satisfied"].clone()),
        Some(serde_json::Value::Bool(false))
    );

    // After the plan, hard goals hold: check passes unless a violated soft goal is named.
    let dir = scratch_dir();
    let out = dir.path().join("applied-plan.json");
    assert_eq!(
        kplace(&["plan", "--out", out.to_str().unwrap_or_default()])
            .status
            .code(),
        Some(0)
    );
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("JSON");
    let mut snapshot: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("snapshot.json")).expect("fixture"))
            .expect("JSON");
    for change in plan["partitions"].as_array().expect("partitions") {
        for p in snapshot["partitions"].as_array_mut().expect("partitions") {
            if p["topic"] == change["topic"] && p["partition"] == change["partition"] {
                p["replicas"] = change["new_replicas"].clone();
                p["isr"] = change["new_replicas"].clone();
                p["leader"] = change["new_leader"].clone();
            }
        }
    }
    let applied = dir.path().join("applied-snapshot.json");
    std::fs::write(&applied, serde_json::to_vec(&snapshot).expect("JSON")).expect("write");
    let check = |extra: &[&str]| {
        let mut args = vec![
            "check".to_string(),
            "--snapshot".into(),
            applied.display().to_string(),
            "--policy".into(),
            fixture("policy.yaml"),
            "--format".into(),
            "json".into(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        Command::new(env!("CARGO_BIN_EXE_kplace"))
            .args(&args)
            .output()
            .expect("kplace runs")
    };
    let run = check(&[]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let violated_soft: Vec<String> = json(&run)["goals"]
        .as_array()
        .expect("goals")
        .iter()
        .filter(|g| g["satisfied"] == false)
        .filter_map(|g| g["name"].as_str().map(String::from))
        .collect();
    if let Some(name) = violated_soft.first() {
        assert_eq!(
            check(&["--goals", name]).status.code(),
            Some(1),
            "{name} is named, so it is enforced"
        );
    }
}

#[test]
fn analyze_reports_every_zone_and_broker() {
    let run = kplace(&["analyze", "--format", "json"]);
    assert_eq!(run.status.code(), Some(0));
    let scenarios = json(&run)["scenarios"]
        .as_array()
        .cloned()
        .expect("scenarios");
    for name in [
        "zone=az1",
        "zone=az2",
        "zone=az3",
        "cluster=k8s-a",
        "broker=1",
    ] {
        let s = scenarios
            .iter()
            .find(|s| s["scenario"] == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert!(
            s["offline_partitions"].is_u64() && s["under_min_isr_partitions"].is_u64(),
            "{s}"
        );
    }
    assert!(scenarios.iter().any(|s| s["kind"] == "domain+broker"));
}

#[test]
fn exact_mode_meets_every_hard_goal() {
    every_hard_goal_holds(&kplace(&["plan", "--exact", "--format", "json"]));
}

/// The run succeeded and every hard goal holds after its plan; its JSON summary.
fn every_hard_goal_holds(run: &Output) -> serde_json::Value {
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary = json(run);
    for goal in summary["goals"]
        .as_array()
        .expect("goals")
        .iter()
        .filter(|g| g["hard"] == true)
    {
        assert_eq!(goal["after"]["satisfied"], true, "{goal}");
    }
    summary
}

/// `--improve` runs the improvement phase within its budget (converted from the duration),
/// keeps every hard goal and never leaves a counting goal above where the greedy goals left it;
/// a budget that is not a duration, or is zero, is refused with exit 2 naming the flag.
#[test]
fn improve_keeps_hard_goals_within_its_budget() {
    let most = |summary: &serde_json::Value, goal: &str| {
        summary["goals"]
            .as_array()
            .expect("goals")
            .iter()
            .find(|g| g["name"] == goal)
            .and_then(|g| g["bound"]["after"].as_f64())
            .expect("bound")
    };
    let greedy = json(&kplace(&["plan", "--format", "json"]));
    let summary = every_hard_goal_holds(&kplace(&["plan", "--improve", "5s", "--format", "json"]));
    let improvement = &summary["improvement"];
    let budget = improvement["budget"].as_u64().expect("budget");
    assert_eq!(
        budget,
        5 * u64::from(kplace_optimizer::improve::NEIGHBOURHOODS_PER_SECOND)
    );
    assert!(
        improvement["solved"].as_u64().expect("solved") <= budget,
        "{improvement}"
    );
    for goal in ["replica-balance", "leader-balance"] {
        assert!(most(&summary, goal) <= most(&greedy, goal), "{goal}");
    }
    for bad in ["soon", "0s"] {
        let run = kplace(&["plan", "--improve", bad]);
        assert_eq!(run.status.code(), Some(2), "--improve {bad}");
        assert!(String::from_utf8_lossy(&run.stderr).contains("--improve"));
    }
}

/// `--remove-brokers` moves only what the drain and the hard goals need: every soft goal's cost
/// is zero moves, and the plan's moves are the hard goals'; `--rebalance` lets soft goals move
/// more. The summary carries each soft goal's bound and the move bound.
#[test]
fn drain_moves_only_what_the_hard_goals_need_unless_asked() {
    let moves = |extra: &[&str]| {
        let mut args = vec!["plan", "--format", "json", "--remove-brokers", "12"];
        args.extend_from_slice(extra);
        let run = kplace(&args);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let summary = json(&run);
        let goals = summary["goals"].as_array().expect("goals").clone();
        let soft: i64 = goals
            .iter()
            .filter(|g| g["hard"] == false)
            .map(|g| g["cost"]["replica_moves"].as_i64().unwrap_or(0))
            .sum();
        let replica = goals
            .iter()
            .find(|g| g["name"] == "replica-balance")
            .expect("replica-balance");
        assert!(replica["bound"]["bound"].as_f64().is_some(), "{replica}");
        (
            summary["totals"]["replica_moves"].as_i64().unwrap_or(-1),
            soft,
        )
    };
    let (drain, soft) = moves(&[]);
    assert_eq!(soft, 0, "soft goals copied nothing on a plain drain");
    let (rebalanced, soft) = moves(&["--rebalance"]);
    assert!(
        soft > 0 && rebalanced > drain,
        "{drain} vs {rebalanced} ({soft} by soft goals)"
    );
}
