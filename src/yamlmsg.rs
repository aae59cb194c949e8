//! serde's error messages in the words of a scenario's author.
//!
//! serde speaks of Rust types ("invalid type: integer `10`, expected struct RawUsers", "data did
//! not match any variant of untagged enum RawDist"); a user wrote YAML and needs to know what
//! the field takes and what was found instead. Found text is never quoted: it may come from any
//! file `extends:` reached.

/// Examples of what a field of each raw struct looks like, for "expected a mapping such as …".
const EXAMPLES: &[(&str, &str)] = &[
    ("RawUsers", "`{growth: constant, users: 10}`"),
    ("RawDailyShape", "`{peak_factor: 3, peak_hours: 19-22}`"),
    ("RawPoint", "`{at: 30d, users: 100}`"),
    ("RawRateLimit", "`{max: 10, per: 1s}`"),
    ("RawSimulation", "`{mode: peak_window, window: 1h}`"),
    ("RawAddInstances", "`{component: api, count: 1, max: 4}`"),
    ("RawUpgrade", "`{component: api, vcpu: 4}`"),
    ("RawBudget", "`{monthly: $200}`"),
    ("RawSlo", "`{latency_p95: 200ms}`"),
];

/// What serde expected, in words.
fn expected_words(expected: &str) -> String {
    let e = expected.trim();
    let whole = |max: u64| format!("a whole number from 0 to {max}");
    match e {
        "u8" => return whole(u8::MAX.into()),
        "u16" => return whole(u16::MAX.into()),
        "u32" => return whole(u32::MAX.into()),
        "u64" | "usize" => return whole(u64::MAX),
        "i8" | "i16" | "i32" | "i64" | "isize" => return "a whole number".into(),
        "f32" | "f64" => return "a number".into(),
        "a boolean" | "bool" => return "`true` or `false`".into(),
        "a string" | "string" => return "text".into(),
        "a sequence" | "sequence" => return "a list".into(),
        "a map" | "map" => return "a mapping (`key: value` pairs)".into(),
        "unit" => return "nothing".into(),
        _ => {}
    }
    if let Some(name) = e.strip_prefix("struct ") {
        return match EXAMPLES.iter().find(|(n, _)| *n == name) {
            Some((_, ex)) => format!("a mapping of fields such as {ex}"),
            None => "a mapping of fields (`key: value` pairs)".into(),
        };
    }
    if e.contains("enum") || e.contains("Raw") || e.contains("::") {
        return "a value of another form".into();
    }
    e.to_string()
}

/// What serde found, in words: its kind, and a number or boolean as written (short and not
/// secret); text is never quoted.
fn found_words(found: &str) -> String {
    let f = found.trim();
    let ticked = |s: &str| s.split('`').nth(1).map(str::to_string);
    if f.starts_with("integer ") || f.starts_with("floating point ") {
        if let Some(n) = ticked(f) {
            return format!("the number {n}");
        }
        return "a number".into();
    }
    if f.starts_with("boolean ") {
        return ticked(f)
            .map(|b| format!("`{b}`"))
            .unwrap_or_else(|| "a boolean".into());
    }
    if f.starts_with("string ") || f.starts_with("character ") {
        return "text".into();
    }
    match f {
        "sequence" => "a list".into(),
        "map" => "a mapping".into(),
        "unit value" | "Option value" => "nothing (an empty value)".into(),
        "enum" => "a tagged value (`!tag`)".into(),
        _ => "a value of another kind".into(),
    }
}

/// serde's message in the project's words (unchanged when it is already one of ours).
pub fn rewrite(msg: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            if let Some(i) = rest.rfind(", expected ") {
                let (found, expected) = (&rest[..i], &rest[i + ", expected ".len()..]);
                return format!("expected {}, found {}", expected_words(expected), found_words(found));
            }
        }
    }
    if let Some(rest) = msg.strip_prefix("invalid length ") {
        if let Some((n, expected)) = rest.split_once(", expected ") {
            return format!("expected {}, found {n} values", expected_words(expected));
        }
    }
    if msg.starts_with("data did not match any variant") {
        return "this value has none of the forms the field takes".into();
    }
    if msg.contains("struct Raw") || msg.contains("enum Raw") {
        return "this value does not have the form the field takes".into();
    }
    msg.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_name_the_form_and_never_quote_text() {
        assert_eq!(
            rewrite("invalid type: integer `10`, expected struct RawUsers"),
            "expected a mapping of fields such as `{growth: constant, users: 10}`, found the number 10"
        );
        assert_eq!(
            rewrite("invalid type: string \"root:x:0:0, expected it\", expected u32"),
            "expected a whole number from 0 to 4294967295, found text"
        );
        assert_eq!(
            rewrite("invalid value: integer `-1`, expected u32"),
            "expected a whole number from 0 to 4294967295, found the number -1"
        );
        assert_eq!(
            rewrite("invalid type: sequence, expected struct RawSomethingNew"),
            "expected a mapping of fields (`key: value` pairs), found a list"
        );
        let untagged = rewrite("data did not match any variant of untagged enum RawThing");
        assert!(!untagged.contains("Raw") && !untagged.contains("untagged"));
        assert_eq!(rewrite("duration `5 parsecs` is odd"), "duration `5 parsecs` is odd");
    }
}
