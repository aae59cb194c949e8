//! `summary.json`: the result as data (see `reports/SCHEMA.md`).

use crate::results::RunResult;

/// `summary.json`: the whole result. NaN (no data) becomes null.
pub fn json(r: &RunResult) -> Vec<u8> {
    let mut v = serde_json::to_value(r).expect("serialisable");
    positive_zeros(&mut v);
    let mut out = serde_json::to_vec_pretty(&v).expect("serialisable");
    out.push(b'\n');
    out
}

/// Replaces every `-0.0` in a JSON tree by `0` (a credit of nothing is not a negative amount).
fn positive_zeros(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if n.as_f64() == Some(0.0) && n.to_string().starts_with('-') => {
            *v = serde_json::Value::from(0.0);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(positive_zeros),
        serde_json::Value::Object(o) => o.values_mut().for_each(positive_zeros),
        _ => {}
    }
}
