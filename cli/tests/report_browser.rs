//! The HTML report as a person sees it: `kplace plan --html` on the stretch fixture, rendered in
//! Debian's headless Chromium. Checks the DOM after the page's script ran (headline numbers equal
//! the plan's totals, heatmaps and bars present, the moves table complete) and the screenshot
//! (right size, not blank, the warning and "after" colours visible).
//!
//! Chromium comes from scripts/install.d/20-chromium. Without it the test fails in CI (CI=true)
//! and skips with a loud message elsewhere.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod report_support;
use report_support::plan_stretch;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2400;

/// The Chromium binary (`CHROMIUM` overrides), or `None` (after a loud message) outside CI.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if path.exists() {
        return Some(path);
    }
    let message = format!(
        "{} not found: the HTML report browser test needs Debian's chromium (scripts/install.d/20-chromium)",
        path.display()
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{message}");
    }
    eprintln!("\n!!!!!!!!!! SKIPPED: {message} !!!!!!!!!!\n");
    None
}

/// Runs headless Chromium on `page` with `extra` flags and returns what it printed on stdout,
/// killing it after two minutes. Output goes through files so that a large DOM cannot fill a pipe.
fn headless(chromium: &Path, profile: &Path, extra: &[String], page: &Path) -> Vec<u8> {
    let (stdout, stderr) = (
        profile.with_extension("stdout"),
        profile.with_extension("stderr"),
    );
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).expect("stdout file"))
        .stderr(std::fs::File::create(&stderr).expect("stderr file"))
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium can be waited for") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let errors = std::fs::read_to_string(&stderr).unwrap_or_default();
    assert!(status.success(), "chromium failed: {errors}");
    std::fs::read(&stdout).expect("chromium's output")
}

/// The value of `attribute` on the first element whose tag text contains `marker`.
fn attribute(dom: &str, marker: &str, attribute: &str) -> String {
    let at = dom
        .find(marker)
        .unwrap_or_else(|| panic!("the DOM has no {marker}"));
    let tag_start = dom[..at].rfind('<').expect("marker inside a tag");
    let tag = &dom[tag_start..tag_start + dom[tag_start..].find('>').expect("tag closes")];
    let key = format!("{attribute}=\"");
    let value = &tag[tag
        .find(&key)
        .unwrap_or_else(|| panic!("{tag} has no {attribute}"))
        + key.len()..];
    value[..value.find('"').expect("attribute closes")].to_string()
}

/// The value of the first `key="…"` attribute in `text`.
fn value_after<'a>(text: &'a str, key: &str) -> &'a str {
    let key = format!("{key}=\"");
    let value = &text[text.find(&key).unwrap_or_else(|| panic!("no {key}")) + key.len()..];
    &value[..value.find('"').expect("attribute closes")]
}

#[test]
fn plan_report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (plan_path, html_path) = (dir.path().join("plan.json"), dir.path().join("report.html"));
    let planned = plan_stretch(&plan_path, &html_path);
    assert!(
        planned.status.success(),
        "{}",
        String::from_utf8_lossy(&planned.stderr)
    );
    let plan: Value = serde_json::from_slice(&std::fs::read(&plan_path).expect("plan written"))
        .expect("plan is JSON");
    let html = std::fs::read_to_string(&html_path).expect("report written");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the report must fetch nothing"
    );
    assert!(
        !html.contains(" src=") && !html.contains("<link"),
        "the report must load no resource"
    );

    // The DOM after the page's script ran.
    let profile = dir.path().join("profile");
    let dom = headless(&chromium, &profile, &["--dump-dom".to_string()], &html_path);
    let dom = String::from_utf8(dom).expect("DOM is UTF-8");
    assert!(
        dom.contains(r#"data-ready="true""#),
        "the page's script did not run to its end"
    );
    let totals = &plan["totals"];
    for (metric, field) in [
        ("replica-moves", "replica_moves"),
        ("leader-moves", "leader_moves"),
        ("partitions-changed", "partitions_changed"),
        ("bytes-to-move", "bytes_to_move"),
    ] {
        let shown = attribute(&dom, &format!(r#"data-metric="{metric}""#), "data-value");
        assert_eq!(shown, totals[field].to_string(), "headline {metric}");
    }
    assert!(
        totals["replica_moves"].as_u64().expect("a count") > 0,
        "the fixture needs moves"
    );

    // Heatmaps: before and after for each rule, violations before, none after (the plan meets
    // the spread goal).
    let before_maps = dom
        .matches(r#"class="heatmap" data-phase="before""#)
        .count();
    let after_maps = dom.matches(r#"class="heatmap" data-phase="after""#).count();
    assert!(
        before_maps >= 2 && before_maps == after_maps,
        "{before_maps} / {after_maps} heatmaps"
    );
    assert!(
        dom.contains(r#"data-rows="zone" data-cols="cluster""#),
        "a zone × cluster heatmap"
    );
    let violations = |phase: &str| -> u64 {
        dom.split(&format!(r#"class="heatmap" data-phase="{phase}""#))
            .skip(1)
            .map(|rest| {
                value_after(rest, "data-violations")
                    .parse::<u64>()
                    .expect("a count")
            })
            .sum()
    };
    assert!(violations("before") > 0);
    assert_eq!(violations("after"), 0);
    assert_eq!(
        dom.matches(r#"class="cell"#).count(),
        2 * before_maps * 6,
        "3 zones × 2 clusters per map"
    );

    // Bars: before and after, per broker and metric, with capacity lines.
    let brokers = plan["brokers"].as_array().expect("brokers").len();
    assert_eq!(dom.matches(r#"<svg class="bars""#).count(), 5);
    assert_eq!(
        dom.matches(r#"<rect class="bar before""#).count(),
        5 * brokers
    );
    assert_eq!(
        dom.matches(r#"<rect class="bar after""#).count(),
        5 * brokers
    );
    assert!(dom.matches(r#"class="capacity""#).count() >= brokers);

    // Failure scenarios and the full moves table (the fixture is far below the cap).
    assert!(
        dom.contains(r#"data-scenario="zone=az1""#)
            && dom.contains(r#"data-scenario="cluster=k8s-a""#)
    );
    let moves = plan["partitions"].as_array().expect("partitions").len();
    assert_eq!(dom.matches(r#"<tr class="move">"#).count(), moves);
    assert!(
        dom.contains(&format!("{moves} of {moves} rows")),
        "the filter script counted the rows"
    );

    // The screenshot: the right size, and a picture rather than a blank page.
    let shot = dir.path().join("report.png");
    let extra = [
        format!("--screenshot={}", shot.display()),
        format!("--window-size={WIDTH},{HEIGHT}"),
    ];
    headless(&chromium, &profile, &extra, &html_path);
    let decoder = png::Decoder::new(std::fs::File::open(&shot).expect("screenshot written"));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).expect("PNG decodes");
    assert_eq!((frame.width, frame.height), (WIDTH, HEIGHT));
    let channels = frame.color_type.samples();
    assert!(channels >= 3, "an RGB screenshot");
    let mut colours = std::collections::HashSet::new();
    let (mut red, mut blue) = (0usize, 0usize);
    for px in pixels[..frame.buffer_size()].chunks(channels) {
        let (r, g, b) = (px[0], px[1], px[2]);
        colours.insert((r >> 3, g >> 3, b >> 3));
        red += usize::from(r > 180 && g < 80 && b < 80);
        blue += usize::from(b > 180 && r < 80 && g < 140);
    }
    assert!(
        colours.len() > 200,
        "only {} colours: a blank page?",
        colours.len()
    );
    assert!(
        red > 500,
        "the violations' warning colour is missing ({red} px)"
    );
    assert!(blue > 5_000, "the 'after' bars are missing ({blue} px)");
}
