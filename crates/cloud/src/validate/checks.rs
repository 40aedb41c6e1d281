//! The interpreter that checks one value against its schema [`Rule`], recording every
//! error and warning and returning the normalized value to send.

use super::ids::{IdKind, duplicate_error, shown, trimmed_warning, validate_id_at};
use super::schema::{FilterRules, Rule, TagRules, TextCheck, filter_id_kind};
use super::types::{FieldError, FieldWarning, ValidateOptions, codes};
use crate::action::Action;
use crate::i18n::Text;
use crate::limits::LIGHTHOUSE_MAX_FILTERS;
use serde_json::{Map, Value};

pub(super) struct Cx<'a> {
    pub(super) opts: &'a ValidateOptions,
    pub(super) errors: Vec<FieldError>,
    pub(super) warnings: Vec<FieldWarning>,
}

fn type_name(v: &Value) -> (&'static str, &'static str) {
    match v {
        Value::Null => ("null", "null"),
        Value::Bool(_) => ("true/false", "布尔值"),
        Value::Number(n) if n.is_f64() => ("a decimal number", "小数"),
        Value::Number(_) => ("a number", "数字"),
        Value::String(_) => ("a string", "字符串"),
        Value::Array(_) => ("a list", "列表"),
        Value::Object(_) => ("an object", "对象"),
    }
}

fn zh_expected(en: &str) -> &'static str {
    match en {
        "a string" => "字符串",
        "an integer" => "整数",
        "true or false" => "布尔值 true 或 false",
        "a list" => "列表（JSON 数组）",
        "an object" => "对象",
        _ => "列表（JSON 数组）",
    }
}

impl Cx<'_> {
    pub(super) fn err(&mut self, field: &str, code: &'static str, message: Text) {
        self.errors.push(FieldError {
            field: field.to_string(),
            code,
            message,
        });
    }

    fn warn(&mut self, field: &str, code: &'static str, message: Text) {
        self.warnings.push(FieldWarning {
            field: field.to_string(),
            code,
            message,
        });
    }

    pub(super) fn required(&mut self, field: &str) {
        self.err(
            field,
            codes::REQUIRED,
            Text::new(format!("{field} is required"), format!("{field} 为必填项")),
        );
    }

    fn blank(&mut self, field: &str) {
        self.err(
            field,
            codes::BLANK,
            Text::new(
                format!("{field} must not be blank"),
                format!("{field} 不能为空"),
            ),
        );
    }

    pub(super) fn type_error(&mut self, field: &str, expected: &'static str, got: &Value) {
        let (got_en, got_zh) = type_name(got);
        let hint = if expected == "a list" && got.is_string() {
            " (give a JSON array; Rewind encodes it for the provider)"
        } else {
            ""
        };
        self.err(
            field,
            codes::TYPE,
            Text::new(
                format!("{field} must be {expected}, not {got_en}{hint}"),
                format!("{field} 必须是{}，而不是{got_zh}", zh_expected(expected)),
            ),
        );
    }

    pub(super) fn unknown<'s>(
        &mut self,
        action: Action,
        key: &str,
        known: impl Iterator<Item = &'s str> + Clone,
    ) {
        let suggestion = suggest(key, known.clone());
        let (en_hint, zh_hint) = match suggestion {
            Some(s) => (
                format!("; did you mean {s}?"),
                format!("；是否想输入 {s}？"),
            ),
            None => {
                let list: Vec<&str> = known.collect();
                (
                    format!("; it takes {}", list.join(", ")),
                    format!("；可用参数：{}", list.join("、")),
                )
            }
        };
        let name = action.name();
        self.err(
            key,
            codes::UNKNOWN,
            Text::new(
                format!("{key:?} is not a parameter of {name}{en_hint}"),
                format!("{key:?} 不是 {name} 的参数{zh_hint}"),
            ),
        );
    }

    /// Checks one value; `None` when it failed (the error is recorded).
    pub(super) fn check(&mut self, field: &str, rule: Rule, v: &Value) -> Option<Value> {
        match rule {
            Rule::Id(kind) => {
                let Value::String(s) = v else {
                    self.type_error(field, "a string", v);
                    return None;
                };
                self.id(kind, field, s).map(Value::String)
            }
            Rule::Ids { kind, min, max } => self.ids(field, kind, min, max, v),
            Rule::IdsOrCsv { kind, max } => self.ids_or_csv(field, kind, max, v),
            Rule::Names { max } => self.plain_list(field, max, v),
            Rule::Text { min, max, check } => {
                self.text(field, min, max, check, v).map(Value::String)
            }
            Rule::Enum(allowed) => self.enumeration(field, allowed, v).map(Value::String),
            Rule::Int { min, max } => self.int(field, min, max, v),
            Rule::Bool => {
                if v.is_boolean() {
                    Some(v.clone())
                } else {
                    self.type_error(field, "true or false", v);
                    None
                }
            }
            Rule::Filters(rules) => self.filters(field, rules, v),
            Rule::LhTags => self.tags(field, v, TagRules::LIGHTHOUSE),
            Rule::EcsTags => self.tags(field, v, TagRules::ECS),
        }
    }

    fn id(&mut self, kind: IdKind, field: &str, raw: &str) -> Option<String> {
        match validate_id_at(kind, field, raw, self.opts) {
            Ok((id, w)) => {
                self.warnings.extend(w);
                Some(id)
            }
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    fn count(&mut self, field: &str, n: usize, min: usize, max: usize) -> bool {
        if n < min {
            self.err(
                field,
                codes::COUNT,
                Text::new(
                    format!("{field} needs at least {min} item(s) (got {n})"),
                    format!("{field} 至少需要 {min} 项（收到 {n} 项）"),
                ),
            );
            false
        } else if n > max {
            self.err(
                field,
                codes::COUNT,
                Text::new(
                    format!("{field} takes at most {max} items (got {n})"),
                    format!("{field} 最多 {max} 项（收到 {n} 项）"),
                ),
            );
            false
        } else {
            true
        }
    }

    fn ids(
        &mut self,
        field: &str,
        kind: IdKind,
        min: usize,
        max: usize,
        v: &Value,
    ) -> Option<Value> {
        let Value::Array(items) = v else {
            self.type_error(field, "a list", v);
            return None;
        };
        let mut ok = self.count(field, items.len(), min, max);
        let mut out: Vec<String> = Vec::with_capacity(items.len());
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{field}[{i}]");
            let Value::String(s) = item else {
                self.type_error(&path, "a string", item);
                ok = false;
                continue;
            };
            if s.trim().is_empty() {
                self.blank(&path);
                ok = false;
                continue;
            }
            let Some(id) = self.id(kind, &path, s) else {
                ok = false;
                continue;
            };
            if let Some((_, first)) = seen.iter().find(|(prev, _)| *prev == id) {
                let first = format!("{field}[{first}]");
                self.errors.push(duplicate_error(&path, &id, &first));
                ok = false;
                continue;
            }
            seen.push((id.clone(), i));
            out.push(id);
        }
        ok.then(|| Value::Array(out.into_iter().map(Value::String).collect()))
    }

    fn ids_or_csv(&mut self, field: &str, kind: IdKind, max: usize, v: &Value) -> Option<Value> {
        match v {
            Value::String(s) => {
                let items: Vec<Value> =
                    s.split(',').map(|p| Value::String(p.to_string())).collect();
                self.ids(field, kind, 1, max, &Value::Array(items))
            }
            other => self.ids(field, kind, 1, max, other),
        }
    }

    fn text(
        &mut self,
        field: &str,
        min: usize,
        max: usize,
        check: TextCheck,
        v: &Value,
    ) -> Option<String> {
        let Value::String(raw) = v else {
            self.type_error(field, "a string", v);
            return None;
        };
        let s = raw.trim();
        if s.is_empty() {
            self.blank(field);
            return None;
        }
        if s.len() != raw.len() {
            self.warnings.push(trimmed_warning(field, s));
        }
        let n = s.chars().count();
        if n < min || n > max {
            let (en, zh) = if min <= 1 {
                (
                    format!("{field} must be at most {max} characters long (got {n})"),
                    format!("{field} 长度不能超过 {max} 个字符（当前 {n} 个）"),
                )
            } else {
                (
                    format!("{field} must be {min} to {max} characters long (got {n})"),
                    format!("{field} 长度必须为 {min} 到 {max} 个字符（当前 {n} 个）"),
                )
            };
            self.err(field, codes::LENGTH, Text::new(en, zh));
            return None;
        }
        if let Some(c) = s.chars().find(|c| c.is_control()) {
            self.format(
                field,
                format!(
                    "{field} must not contain control characters (found U+{:04X})",
                    c as u32
                ),
                format!("{field} 不能包含控制字符（发现 U+{:04X}）", c as u32),
            );
            return None;
        }
        let ok = match check {
            TextCheck::Plain => true,
            TextCheck::RegionId => self.require(
                field,
                s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "must be a region or zone ID such as cn-hangzhou (lower-case letters, digits, hyphens)",
                "必须是地域或可用区 ID，如 cn-hangzhou（小写字母、数字、连字符）",
            ),
            TextCheck::ClientToken => self.require(
                field,
                s.chars().all(|c| c.is_ascii_graphic()),
                "may contain only visible ASCII characters",
                "只能包含可见的 ASCII 字符",
            ),
            TextCheck::ResourceGroupId => self.require(
                field,
                s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "must be a resource group ID such as rg-bp67acfmxazb4ph (letters, digits, hyphens)",
                "必须是资源组 ID，如 rg-bp67acfmxazb4ph（字母、数字、连字符）",
            ),
            TextCheck::EcsDescription => self.no_url_prefix(field, s),
            TextCheck::EcsSnapshotName => {
                self.no_url_prefix(field, s)
                    && self.require(
                        field,
                        !s.starts_with("auto"),
                        "must not start with \"auto\" (ECS reserves it for automatic snapshots)",
                        "不能以 \"auto\" 开头（ECS 将其保留给自动快照）",
                    )
                    && self.require(
                        field,
                        s.chars().next().is_some_and(char::is_alphabetic),
                        "must start with a letter",
                        "必须以字母开头",
                    )
                    && self.require(
                        field,
                        s.chars().all(|c| c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | '.')),
                        "may contain only letters, digits, colons (:), underscores (_), hyphens (-) and periods (.)",
                        "只能包含字母、数字、冒号（:）、下划线（_）、连字符（-）和英文句点（.）",
                    )
            }
        };
        ok.then(|| s.to_string())
    }

    fn format(&mut self, field: &str, en: String, zh: String) {
        self.err(field, codes::FORMAT, Text::new(en, zh));
    }

    /// Records a format error unless `ok`; returns `ok`.
    fn require(&mut self, field: &str, ok: bool, en: &str, zh: &str) -> bool {
        if !ok {
            self.format(field, format!("{field} {en}"), format!("{field} {zh}"));
        }
        ok
    }

    fn no_url_prefix(&mut self, field: &str, s: &str) -> bool {
        let lower = s.to_ascii_lowercase();
        self.require(
            field,
            !(lower.starts_with("http://") || lower.starts_with("https://")),
            "must not start with http:// or https://",
            "不能以 http:// 或 https:// 开头",
        )
    }

    fn enumeration(&mut self, field: &str, allowed: &[&str], v: &Value) -> Option<String> {
        let Value::String(raw) = v else {
            self.type_error(field, "a string", v);
            return None;
        };
        let s = raw.trim();
        if let Some(exact) = allowed.iter().find(|a| **a == s) {
            if s.len() != raw.len() {
                self.warnings.push(trimmed_warning(field, s));
            }
            return Some(exact.to_string());
        }
        if let Some(canon) = allowed.iter().find(|a| a.eq_ignore_ascii_case(s)) {
            self.warn(
                field,
                codes::NORMALIZED,
                Text::new(
                    format!("{field}: {} will be sent as {canon:?}", shown(raw)),
                    format!("{field}：{} 将以 {canon:?} 发送", shown(raw)),
                ),
            );
            return Some(canon.to_string());
        }
        self.err(
            field,
            codes::ENUM,
            Text::new(
                format!(
                    "{field} must be one of {} (got {})",
                    allowed.join(", "),
                    shown(raw)
                ),
                format!(
                    "{field} 必须是以下之一：{}（收到 {}）",
                    allowed.join("、"),
                    shown(raw)
                ),
            ),
        );
        None
    }

    fn int(&mut self, field: &str, min: i64, max: i64, v: &Value) -> Option<Value> {
        let Some(n) = v.as_i64().or_else(|| v.as_u64().map(|_| i64::MAX)) else {
            self.type_error(field, "an integer", v);
            return None;
        };
        if v.as_i64().is_none() || n < min || n > max {
            let shown_n = v.to_string();
            let (en, zh) = if max == i64::MAX {
                (format!("at least {min}"), format!("不小于 {min}"))
            } else {
                (
                    format!("between {min} and {max}"),
                    format!("在 {min} 到 {max} 之间"),
                )
            };
            self.err(
                field,
                codes::RANGE,
                Text::new(
                    format!("{field} must be {en} (got {shown_n})"),
                    format!("{field} 必须{zh}（收到 {shown_n}）"),
                ),
            );
            return None;
        }
        Some(Value::from(n))
    }

    /// Checks an object has only `allowed` keys; records errors for the others.
    fn only_keys(&mut self, path: &str, obj: &Map<String, Value>, allowed: &[&str]) -> bool {
        let mut ok = true;
        for k in obj.keys() {
            if !allowed.contains(&k.as_str()) {
                let hint = suggest(k, allowed.iter().copied());
                let (en, zh) = match hint {
                    Some(s) => (
                        format!("; did you mean {s}?"),
                        format!("；是否想输入 {s}？"),
                    ),
                    None => (
                        format!("; it takes {}", allowed.join(", ")),
                        format!("；可用字段：{}", allowed.join("、")),
                    ),
                };
                self.err(
                    &format!("{path}.{k}"),
                    codes::UNKNOWN,
                    Text::new(
                        format!("{k:?} is not a field of {path}{en}"),
                        format!("{k:?} 不是 {path} 的字段{zh}"),
                    ),
                );
                ok = false;
            }
        }
        ok
    }

    fn filters(&mut self, field: &str, rules: &FilterRules, v: &Value) -> Option<Value> {
        let names = rules.names;
        let Value::Array(items) = v else {
            self.type_error(field, "a list", v);
            return None;
        };
        let mut ok = self.count(field, items.len(), 0, LIGHTHOUSE_MAX_FILTERS);
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{field}[{i}]");
            let Value::Object(obj) = item else {
                self.type_error(&path, "an object", item);
                ok = false;
                continue;
            };
            ok &= self.only_keys(&path, obj, &["Name", "Values"]);
            let name_path = format!("{path}.Name");
            let name = match obj.get("Name") {
                None | Some(Value::Null) => {
                    self.required(&name_path);
                    None
                }
                Some(n) => {
                    let name = self.text(&name_path, 1, 128, TextCheck::Plain, n);
                    match name {
                        Some(n) if rules.accepts(&n) => Some(n),
                        Some(n) => {
                            let (tag_en, tag_zh) = if rules.tag_pairs {
                                (" or tag:<key>", " 或 tag:<键>")
                            } else {
                                ("", "")
                            };
                            self.err(
                                &name_path,
                                codes::ENUM,
                                Text::new(
                                    format!(
                                        "{name_path} must be one of {}{tag_en} (got {})",
                                        names.join(", "),
                                        shown(&n)
                                    ),
                                    format!(
                                        "{name_path} 必须是以下之一：{}{tag_zh}（收到 {}）",
                                        names.join("、"),
                                        shown(&n)
                                    ),
                                ),
                            );
                            None
                        }
                        None => None,
                    }
                }
            };
            let values_path = format!("{path}.Values");
            let values = match obj.get("Values") {
                None | Some(Value::Null) => {
                    self.required(&values_path);
                    None
                }
                Some(vals) => match name.as_deref().and_then(filter_id_kind) {
                    Some(kind) => self.ids(&values_path, kind, 1, rules.max_values, vals),
                    None => self.plain_list(&values_path, rules.max_values, vals),
                },
            };
            match (name, values) {
                (Some(n), Some(vals)) => {
                    let mut m = Map::new();
                    m.insert("Name".into(), Value::String(n));
                    m.insert("Values".into(), vals);
                    out.push(Value::Object(m));
                }
                _ => ok = false,
            }
        }
        ok.then_some(Value::Array(out))
    }

    /// A list of 1..=max non-blank strings.
    fn plain_list(&mut self, field: &str, max: usize, v: &Value) -> Option<Value> {
        let Value::Array(items) = v else {
            self.type_error(field, "a list", v);
            return None;
        };
        let mut ok = self.count(field, items.len(), 1, max);
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match self.text(&format!("{field}[{i}]"), 1, 255, TextCheck::Plain, item) {
                Some(s) => out.push(Value::String(s)),
                None => ok = false,
            }
        }
        ok.then_some(Value::Array(out))
    }

    fn tags(&mut self, field: &str, v: &Value, rules: TagRules) -> Option<Value> {
        let Value::Array(items) = v else {
            self.type_error(field, "a list", v);
            return None;
        };
        let mut ok = self.count(field, items.len(), 0, rules.max_tags);
        let mut out = Vec::new();
        let mut keys: Vec<(String, usize)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{field}[{i}]");
            let Value::Object(obj) = item else {
                self.type_error(&path, "an object", item);
                ok = false;
                continue;
            };
            ok &= self.only_keys(&path, obj, &["Key", "Value"]);
            let key_path = format!("{path}.Key");
            let key = match obj.get("Key") {
                None | Some(Value::Null) => {
                    self.required(&key_path);
                    None
                }
                Some(k) => self
                    .text(&key_path, 1, rules.max_key, TextCheck::Plain, k)
                    .filter(|k| self.tag_text_ok(&key_path, k, rules.ecs, true)),
            };
            let value_path = format!("{path}.Value");
            let value = match obj.get("Value") {
                None | Some(Value::Null) if rules.value_required => {
                    self.required(&value_path);
                    None
                }
                None | Some(Value::Null) => Some(None),
                // Tag values may be empty.
                Some(Value::String(s)) if s.trim().is_empty() => Some(Some(String::new())),
                Some(val) => self
                    .text(&value_path, 1, rules.max_value, TextCheck::Plain, val)
                    .filter(|s| self.tag_text_ok(&value_path, s, rules.ecs, false))
                    .map(Some),
            };
            if let Some(key) = &key {
                if let Some((_, first)) = keys.iter().find(|(k, _)| k == key) {
                    let first = format!("{field}[{first}].Key");
                    self.errors.push(duplicate_error(&key_path, key, &first));
                    ok = false;
                    continue;
                }
                keys.push((key.clone(), i));
            }
            let (Some(key), Some(value)) = (key, value) else {
                ok = false;
                continue;
            };
            let mut m = Map::new();
            m.insert("Key".into(), Value::String(key));
            if let Some(value) = value {
                m.insert("Value".into(), Value::String(value));
            }
            out.push(Value::Object(m));
        }
        ok.then_some(Value::Array(out))
    }

    /// ECS tag rules: keys cannot start with `aliyun` or `acs:`, values not with `acs:`,
    /// and neither may contain `http://` or `https://`.
    fn tag_text_ok(&mut self, field: &str, s: &str, ecs: bool, is_key: bool) -> bool {
        if !ecs {
            return true;
        }
        let lower = s.to_ascii_lowercase();
        let reserved = lower.starts_with("acs:") || (is_key && lower.starts_with("aliyun"));
        let url = lower.contains("http://") || lower.contains("https://");
        let (en, zh) = if is_key {
            (
                "must not start with aliyun or acs:",
                "不能以 aliyun 或 acs: 开头",
            )
        } else {
            ("must not start with acs:", "不能以 acs: 开头")
        };
        self.require(field, !reserved, en, zh)
            && self.require(
                field,
                !url,
                "must not contain http:// or https://",
                "不能包含 http:// 或 https://",
            )
    }
}

/// The known name closest to a typo: same letters in another case, or at most two edits.
fn suggest<'s>(key: &str, known: impl Iterator<Item = &'s str>) -> Option<&'s str> {
    let lower = key.to_ascii_lowercase();
    let mut best: Option<(usize, &'s str)> = None;
    for k in known {
        let d = if k.eq_ignore_ascii_case(key) {
            0
        } else {
            edit_distance(&lower, &k.to_ascii_lowercase())
        };
        if d <= 2 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_and_suggestions() {
        assert_eq!(edit_distance("snapshotid", "snapshotid"), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let known = ["InstanceId", "SnapshotId"];
        assert_eq!(
            suggest("SnapshotID", known.iter().copied()),
            Some("SnapshotId")
        );
        assert_eq!(
            suggest("SnapshotIdd", known.iter().copied()),
            Some("SnapshotId")
        );
        assert_eq!(suggest("Zone", known.iter().copied()), None);
    }
}
