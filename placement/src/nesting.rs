//! A pre-scan that refuses deeply nested YAML/JSON before the YAML parser sees it.
//!
//! libyaml (under serde_yaml_ng) keeps one "simple key" slot per open flow collection (`[` or
//! `{`) and re-checks every slot for each token, so a document of N nested brackets takes time
//! quadratic in N: a 400 KB policy of brackets ran for minutes. serde's recursion limit only
//! applies after libyaml has scanned the whole document, so it does not help. No policy nests
//! more than a handful of levels; this scan refuses anything deeper than [`MAX_DEPTH`] in one
//! linear pass.
//!
//! The scan counts `[`/`{` against `]`/`}` outside quoted scalars and comments. It may count a
//! bracket inside a plain scalar (`topics: a[0-9]` counts one level and closes it again), which
//! only ever makes it stricter, never lets deep nesting through. Block collections nest by
//! indentation; compact nested sequences (`- - - x`) are counted per line as well.

/// Deepest nesting accepted: far beyond any real policy, far below what makes the parser slow.
pub const MAX_DEPTH: usize = 64;

/// Where the nesting became too deep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in bytes).
    pub column: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Comment,
}

/// Checks that `text` nests at most [`MAX_DEPTH`] levels deep; else says where it goes deeper.
pub fn check_depth(text: &[u8]) -> Result<(), TooDeep> {
    let mut mode = Mode::Plain;
    let mut flow_depth = 0usize;
    // Compact block sequence indicators (`- `) seen since the line's indentation, while only
    // indicators and spaces have been seen on the line.
    let mut line_indicators = 0usize;
    let mut line_start = true;
    let mut previous = b'\n';
    let mut line = 1;
    let mut line_offset = 0;
    let mut escaped = false;
    for (offset, &byte) in text.iter().enumerate() {
        let at = || TooDeep {
            line,
            column: offset - line_offset + 1,
        };
        match mode {
            Mode::Comment => {
                if byte == b'\n' {
                    mode = Mode::Plain;
                }
            }
            Mode::SingleQuoted => {
                if byte == b'\'' {
                    mode = Mode::Plain;
                }
            }
            Mode::DoubleQuoted => {
                if escaped {
                    escaped = false;
                } else if byte == b'\\' {
                    escaped = true;
                } else if byte == b'"' {
                    mode = Mode::Plain;
                }
            }
            Mode::Plain => {
                let after_separator = matches!(
                    previous,
                    b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b':'
                );
                match byte {
                    b'[' | b'{' => {
                        flow_depth += 1;
                        if flow_depth + line_indicators > MAX_DEPTH {
                            return Err(at());
                        }
                    }
                    b']' | b'}' => flow_depth = flow_depth.saturating_sub(1),
                    b'#' if after_separator => mode = Mode::Comment,
                    b'\'' if after_separator => mode = Mode::SingleQuoted,
                    b'"' if after_separator => mode = Mode::DoubleQuoted,
                    b'-' | b'?' if line_start => {
                        line_indicators += 1;
                        if flow_depth + line_indicators > MAX_DEPTH {
                            return Err(at());
                        }
                    }
                    _ => {}
                }
            }
        }
        if byte == b'\n' {
            line += 1;
            line_offset = offset + 1;
            line_start = true;
            line_indicators = 0;
        } else if !matches!(byte, b' ' | b'\t' | b'-' | b'?') {
            line_start = false;
        }
        previous = byte;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_policies_pass() {
        for text in [
            include_str!("../../fixtures/stretch/policy.yaml"),
            include_str!("../../fixtures/rack-aware/policy.yaml"),
            "rules: [{topics: 'a[0-9]{2}', spread: {zone: {exact: {az1: 2}}}}]",
            "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\nrules: []",
            "rules: [{topics: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}]",
        ] {
            assert_eq!(check_depth(text.as_bytes()), Ok(()), "{text}");
        }
    }

    #[test]
    fn deep_flow_nesting_is_refused_where_it_gets_too_deep() {
        let text = format!("rules:\n  {}", "[".repeat(100));
        assert_eq!(
            check_depth(text.as_bytes()),
            Err(TooDeep {
                line: 2,
                column: 3 + MAX_DEPTH
            })
        );
    }

    #[test]
    fn deep_compact_sequences_are_refused() {
        let text = "- ".repeat(100);
        assert!(check_depth(text.as_bytes()).is_err());
        let shallow = "- - - x\n- - y\n".repeat(100);
        assert_eq!(check_depth(shallow.as_bytes()), Ok(()));
    }

    #[test]
    fn a_quote_inside_a_plain_scalar_does_not_hide_brackets() {
        let text = format!("[a'b, {}", "[".repeat(100));
        assert!(check_depth(text.as_bytes()).is_err());
    }
}
