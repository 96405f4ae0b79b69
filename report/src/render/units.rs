//! Numbers as a person reads them: `48.2 GiB`, `12.5 MiB/s`, `2 h 14 min`, `40,000`.

/// Bytes in binary units, e.g. `48.2 GiB`.
pub fn bytes(value: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = value.max(0.0);
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Bytes per second, e.g. `12.5 MiB/s`.
pub fn rate(value: f64) -> String {
    format!("{}/s", bytes(value))
}

/// A count with thousands separators, e.g. `1,000,000`.
pub fn count(value: u64) -> String {
    let digits = value.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|g| std::str::from_utf8(g).unwrap_or(""))
        .collect();
    groups.join(",")
}

/// A count and its noun, e.g. `1 partition`, `2,000 partitions`.
pub fn counted(value: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(value), if value == 1 { one } else { many })
}

/// A duration, e.g. `45 s`, `12 min`, `2 h 14 min`, `3 d 4 h`.
pub fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3_599 => format!("{} min", s.div_ceil(60)),
        3_600..=86_399 => format!("{} h {} min", s / 3_600, (s % 3_600) / 60),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3_600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1.5 * 1024.0 * 1024.0 * 1024.0), "1.5 GiB");
        assert_eq!(rate(100.0 * 1024.0 * 1024.0), "100.0 MiB/s");
        assert_eq!(count(0), "0");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(counted(1, "move", "moves"), "1 move");
        assert_eq!(counted(2_000, "move", "moves"), "2,000 moves");
        assert_eq!(duration(42.0), "42 s");
        assert_eq!(duration(61.0), "2 min");
        assert_eq!(duration(2.0 * 3_600.0 + 14.0 * 60.0), "2 h 14 min");
        assert_eq!(duration(3.0 * 86_400.0 + 4.0 * 3_600.0), "3 d 4 h");
    }
}
