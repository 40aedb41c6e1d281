//! What the lists do with their rows: tags, joins with another list, order, filters
//! and the window of rows drawn.

use super::*;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A row's tags as `(key, value)`, in either cloud's shape: Lighthouse's
/// `[{Key, Value}]` or ECS's `{Tag: [{TagKey, TagValue}]}`.
pub fn tags(row: &Value, field: &str) -> Vec<(String, String)> {
    let v = value_at(row, field);
    v.as_array()
        .or_else(|| v["Tag"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let key = t["Key"].as_str().or_else(|| t["TagKey"].as_str())?;
            let value = t["Value"]
                .as_str()
                .or_else(|| t["TagValue"].as_str())
                .unwrap_or("");
            Some((key.to_string(), value.to_string()))
        })
        .collect()
}

/// One tag as shown and searched: `env=prod` (the key alone when it has no value).
pub fn tag_text(key: &str, value: &str) -> String {
    if value.is_empty() {
        key.to_string()
    } else {
        format!("{key}={value}")
    }
}

/// The joined list's rows by their key: what each copies into a row of this list (absent
/// and empty values left out). The first row of a key wins; rows without the key are
/// skipped.
pub fn join_index(join: &Join, other_rows: &[Value]) -> HashMap<String, Value> {
    let mut index = HashMap::new();
    for r in other_rows {
        if let Some((field, value)) = join.only
            && value_at(r, field).as_str() != Some(value)
        {
            continue;
        }
        let Some(key) = value_at(r, join.other).as_str().filter(|k| !k.is_empty()) else {
            continue;
        };
        let copied: Map<String, Value> = join
            .copy
            .iter()
            .map(|f| (f.to_string(), value_at(r, f).clone()))
            // An empty value (an unattached ECS disk's `InstanceId: ""`) is no value.
            .filter(|(_, v)| present(v))
            .collect();
        index
            .entry(key.to_string())
            .or_insert(Value::Object(copied));
    }
    index
}

/// Copies the matched fields into each row under [`JOINED`]; a row without a match
/// keeps none (its joined cells read `—`).
pub fn apply_join(join: &Join, rows: &mut [Value], index: &HashMap<String, Value>) {
    for row in rows {
        let found = value_at(row, join.on)
            .as_str()
            .and_then(|k| index.get(k))
            .cloned();
        if let Some(obj) = row.as_object_mut() {
            match found {
                Some(v) => {
                    obj.insert(JOINED.to_string(), v);
                }
                None => {
                    obj.remove(JOINED);
                }
            }
        }
    }
}

/// The row order for a sort: indices into `rows`, by `field`, numbers numerically and
/// everything else as text. Stable, so equal rows keep the provider's order.
pub fn order(rows: &[Value], field: &str, ascending: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    idx.sort_by(|&a, &b| {
        let ord = compare(value_at(&rows[a], field), value_at(&rows[b], field));
        if ascending { ord } else { ord.reverse() }
    });
    idx
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(std::cmp::Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => text_of(a).cmp(&text_of(b)),
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Null => "—".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rows of `order` that match a free-text filter (over ID and name,
/// case-insensitive) and a state. Views keep the [`search_keys`] and call
/// [`filter_keys`] per keystroke instead.
pub fn filter_indices(
    spec: &ListSpec,
    rows: &[Value],
    order: &[usize],
    text: &str,
    state: &str,
) -> Vec<usize> {
    filter_keys(&search_keys(spec, rows), order, text, state)
}

/// What the text and state filters read of one row: ID and name lower-cased, state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchKey {
    pub text: String,
    pub state: String,
}

/// The filter keys of every row, computed once per load (not per keystroke): its ID,
/// name and the other IDs it shows (disk, instance), so `d-…` finds a disk's snapshots.
pub fn search_keys(spec: &ListSpec, rows: &[Value]) -> Vec<SearchKey> {
    // The other IDs a row shows, and what a join copied in (the instance's name).
    let ids: Vec<&str> = spec
        .columns
        .iter()
        .flat_map(|c| std::iter::once(c.field).chain(c.sub))
        .filter(|f| {
            *f != spec.id_field
                && (f.ends_with("Id") || f.ends_with("_id") || f.starts_with("joined."))
        })
        .collect();
    let tag_fields: Vec<&str> = spec
        .columns
        .iter()
        .filter(|c| c.tags)
        .map(|c| c.field)
        .collect();
    rows.iter()
        .map(|r| {
            let field = |f: &str| value_at(r, f).as_str().unwrap_or("").to_lowercase();
            // A separator no typed needle contains keeps the fields apart.
            let mut text = format!("{}\u{1}{}", field(spec.id_field), field(spec.name_field));
            for f in &ids {
                text.push('\u{1}');
                text.push_str(&field(f));
            }
            // Each tag as `key=value`: `env=prod` and `prod` both find it.
            for f in &tag_fields {
                for (k, v) in tags(r, f) {
                    text.push('\u{1}');
                    text.push_str(&tag_text(&k, &v).to_lowercase());
                }
            }
            SearchKey {
                text,
                state: r[spec.state_field].as_str().unwrap_or("").to_string(),
            }
        })
        .collect()
}

/// [`filter_indices`] over precomputed keys: the same rows, in `order`.
pub fn filter_keys(keys: &[SearchKey], order: &[usize], text: &str, state: &str) -> Vec<usize> {
    let needle = text.trim().to_lowercase();
    order
        .iter()
        .copied()
        .filter(|&i| {
            let k = &keys[i];
            (state.is_empty() || k.state == state)
                && (needle.is_empty() || k.text.contains(&needle))
        })
        .collect()
}

/// The rows to render for a scroll position: `(first, last)` indices (exclusive end) of
/// the filtered list, with `overscan` extra rows above and below the viewport.
pub fn window(
    total: usize,
    scroll_top: f64,
    viewport: f64,
    row_height: f64,
    overscan: usize,
) -> (usize, usize) {
    if total == 0 || row_height <= 0.0 {
        return (0, 0);
    }
    let first = ((scroll_top.max(0.0) / row_height) as usize).min(total.saturating_sub(1));
    let shown = (viewport.max(row_height) / row_height).ceil() as usize;
    let start = first.saturating_sub(overscan);
    let end = (first + shown + overscan).min(total);
    (start, end)
}
