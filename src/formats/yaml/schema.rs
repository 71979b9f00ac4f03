//! What a plain scalar means, whether a string may be written plain, and how
//! to write it quoted.
//!
//! A plain scalar is a string only when it does not resolve to null, bool,
//! int or float. Readers differ (YAML 1.2 core vs 1.1, used by PyYAML and
//! Ansible), so a NEW plain value must be a string under both: `yes`, `off`,
//! `0755`, `1_000`, `12:30` and the like are quoted.

/// Whether a plain scalar with this text is a string under the YAML 1.2 core
/// schema (the rule used to decide which scanned scalars are strings).
pub(crate) fn plain_is_string_core(s: &str) -> bool {
    !(is_null_core(s) || is_bool_core(s) || is_int_core(s) || is_float_core(s))
}

fn is_null_core(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn is_bool_core(s: &str) -> bool {
    matches!(s, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
}

fn is_int_core(s: &str) -> bool {
    let digits = |t: &str, f: fn(char) -> bool| !t.is_empty() && t.chars().all(f);
    if let Some(h) = s.strip_prefix("0x") {
        return digits(h, |c| c.is_ascii_hexdigit());
    }
    if let Some(o) = s.strip_prefix("0o") {
        return digits(o, |c| ('0'..='7').contains(&c));
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    digits(body, |c| c.is_ascii_digit())
}

fn is_float_core(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    // [0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)? with at least one digit in the mantissa
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i).unwrap_or(""), body.get(i + 1..)),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let all_digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = all_digits(int)
        && frac.is_none_or(all_digits)
        && (int.len() + frac.map_or(0, str::len)) > 0;
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exp_ok
}

/// Whether a plain scalar with this text might be read as something other
/// than a string by a YAML 1.1 or 1.2 reader. Deliberately broad: anything
/// that starts like a number, and the 1.1 booleans, nulls and special keys.
pub(crate) fn may_not_be_string(s: &str) -> bool {
    if !plain_is_string_core(s) {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~" | "=" | "<<"
    ) {
        return true;
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let mut chars = body.chars();
    match chars.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('.') => {
            // .5, ._5, . (YAML 1.1 floats), .inf, .nan and friends
            let rest: String = chars.collect::<String>().to_ascii_lowercase();
            rest.is_empty()
                || rest.starts_with(|c: char| c.is_ascii_digit() || c == '_')
                || rest == "inf"
                || rest == "nan"
        }
        _ => false,
    }
}

/// Characters that may not start a plain scalar (YAML c-indicator), except
/// `-`, `?` and `:` which may when followed by a safe character.
const INDICATORS: &[char] = &[
    '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
];

fn is_flow_indicator(c: char) -> bool {
    matches!(c, ',' | '[' | ']' | '{' | '}')
}

/// Characters we never write into a plain or single-quoted scalar: line
/// breaks, controls, the BOM, and the non-printable ranges of YAML.
pub(crate) fn needs_escape(c: char) -> bool {
    let u = c as u32;
    (c.is_control() && c != '\t')
        || c == '\u{feff}'
        || c == '\u{2028}'
        || c == '\u{2029}'
        || c == '\u{85}'
        || (0xD800..=0xDFFF).contains(&u)
        || u == 0xFFFE
        || u == 0xFFFF
}

/// Whether `s` can be written as a plain scalar in this context and be read
/// back as the same string by YAML 1.1 and 1.2 readers.
pub(crate) fn plain_ok(s: &str, in_flow: bool, is_key: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let second = s.chars().nth(1);
    if first.is_whitespace() || s.ends_with(|c: char| c.is_whitespace()) {
        return false;
    }
    if s.chars().any(|c| needs_escape(c) || c == '\t') {
        return false;
    }
    if INDICATORS.contains(&first) {
        let safe_follow = matches!(first, '-' | '?' | ':')
            && second.is_some_and(|c| !(c.is_whitespace() || (in_flow && is_flow_indicator(c))));
        if !safe_follow {
            return false;
        }
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if s.contains(" #") || s.ends_with(':') || s.contains(": ") {
        return false;
    }
    // `?` inside a flow plain scalar is valid YAML 1.2 that PyYAML rejects.
    if in_flow && (s.chars().any(is_flow_indicator) || s.contains([':', '?'])) {
        return false;
    }
    if is_key && (s.len() > 1024 || s.contains('?')) {
        return false;
    }
    !may_not_be_string(s)
}

/// `'…'` with `'` doubled; `None` when the value holds characters a
/// single-quoted scalar cannot show (line breaks, controls).
pub(crate) fn render_single(s: &str) -> Option<String> {
    if s.chars().any(needs_escape) {
        return None;
    }
    Some(format!("'{}'", escape_single(s)))
}

/// The inside of a single-quoted scalar.
pub(crate) fn escape_single(s: &str) -> String {
    s.replace('\'', "''")
}

/// `"…"` with YAML escapes.
pub(crate) fn render_double(s: &str) -> String {
    format!("\"{}\"", escape_double(s))
}

/// The inside of a double-quoted scalar: `\` and `"` escaped, non-printable
/// characters as YAML escapes.
pub(crate) fn escape_double(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if needs_escape(c) => {
                let u = c as u32;
                if u <= 0xFF {
                    out.push_str(&format!("\\x{u:02X}"));
                } else if u <= 0xFFFF {
                    out.push_str(&format!("\\u{u:04X}"));
                } else {
                    out.push_str(&format!("\\U{u:08X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema() {
        for s in [
            "true", "12", "-3", "0x1F", "0o17", "1.5", ".5", "1e3", ".inf", "-.Inf", ".NaN", "~",
            "null", "",
        ] {
            assert!(!plain_is_string_core(s), "{s}");
        }
        for s in [
            "yes", "pve-shop", "1.2.3", "0x", "e3", "12a", "True1", ".", "-",
        ] {
            assert!(plain_is_string_core(s), "{s}");
        }
    }

    #[test]
    fn plain_safety() {
        for s in ["pve", "proxmox-home", "a:b", "http://x/y", "a#b", "-x", "é"] {
            assert!(plain_ok(s, false, false), "{s}");
        }
        for s in [
            "yes", "Off", "y", "0755", "1_000", "12:30", ".5", "a: b", "a #b", "x:", " a", "a ",
            "#a", "&a", "*a", "!a", "'a", "\"a", "- a", "---", "...x", "", "a\nb", "<<", "~",
        ] {
            assert!(!plain_ok(s, false, false), "{s}");
        }
        assert!(plain_ok("a:b", false, true));
        for s in [".", "+.", "._5", "._"] {
            assert!(!plain_ok(s, false, false), "{s}: a YAML 1.1 float");
        }
        for s in ["a,b", "a]", "{a", "a:b", "x?"] {
            assert!(!plain_ok(s, true, false), "{s}");
        }
    }

    #[test]
    fn rendering() {
        assert_eq!(render_single("it's").as_deref(), Some("'it''s'"));
        assert_eq!(render_single("a\nb"), None);
        assert_eq!(render_double("a\"\\\n\u{1}"), "\"a\\\"\\\\\\n\\x01\"");
    }
}
