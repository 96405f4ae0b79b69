//! The public API of each library crate, compared to the list checked in under `snapshots/`:
//! a change to a crate's public surface fails this test until the list is regenerated, so the
//! change shows up as a reviewed diff of `tools/public-api/snapshots/<crate>.txt`.
//!
//! Regenerate every list after an intended change with `scripts/update-public-api` (it runs this
//! test with `KPLACE_UPDATE_PUBLIC_API=1`, which writes the lists instead of comparing).

use std::path::Path;

/// The library crates: directory in the workspace, crate name.
const CRATES: [(&str, &str); 4] = [
    ("placement", "kplace_placement"),
    ("optimizer", "kplace_optimizer"),
    ("kafka", "kplace_kafka"),
    ("report", "kplace_report"),
];

#[test]
fn public_api_matches_the_checked_in_lists() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = here.join("../..");
    let update = std::env::var_os("KPLACE_UPDATE_PUBLIC_API").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (dir, name) in CRATES {
        let listed = kplace_public_api::list_crate(name, &workspace.join(dir).join("src/lib.rs"))
            .unwrap_or_else(|e| panic!("{dir}: {e} ({:?})", std::error::Error::source(&e)));
        let file = here.join("snapshots").join(format!("{dir}.txt"));
        if update {
            std::fs::write(&file, &listed).expect("write the snapshot");
            continue;
        }
        let expected = std::fs::read_to_string(&file).unwrap_or_default();
        if expected != listed {
            stale.push(format!(
                "{dir}: public API differs from {}\n{}",
                file.display(),
                diff(&expected, &listed)
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\n\nIf the change is intended, regenerate the lists with scripts/update-public-api \
         and commit them with the change.",
        stale.join("\n")
    );
}

/// The lines only in `old` (`-`) and only in `new` (`+`), with the item each belongs to.
fn diff(old: &str, new: &str) -> String {
    let blocks = |text: &str| -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut key = String::new();
        for line in text.lines() {
            if let Some(k) = line.strip_prefix("// ") {
                if !k.starts_with('(') {
                    key = k.to_string();
                    continue;
                }
            }
            out.push((key.clone(), line.to_string()));
        }
        out
    };
    let (old, new) = (blocks(old), blocks(new));
    let mut lines = Vec::new();
    for (key, line) in &old {
        if !new.contains(&(key.clone(), line.clone())) {
            lines.push(format!("- [{key}] {line}"));
        }
    }
    for (key, line) in &new {
        if !old.contains(&(key.clone(), line.clone())) {
            lines.push(format!("+ [{key}] {line}"));
        }
    }
    lines.truncate(200);
    lines.join("\n")
}
