//! Checks an action's parameters before anything is sent, so a typo or a pasted
//! look-alike ID is caught in the console (as the user types) and again in the proxy.
//!
//! Parameters are "logical" JSON named as the provider names them:
//! - Lighthouse: the JSON body itself (`{"InstanceIds": [...], "Limit": 20}`).
//! - ECS: one key per RPC parameter; ID lists (`DiskIds`, …) are JSON arrays and tags
//!   are `"Tag": [{"Key","Value"}]`; [`crate::alibaba::query_pairs`] turns that into
//!   `DiskIds=["d-1"]` and `Tag.1.Key=…` on the wire. Integers are JSON integers, flags
//!   JSON booleans. `RegionId` (Describe actions only) may be left out: the request
//!   builder then fills it from the profile's region.
//! - Workspace: the query (ListDesktopSnapshot) or body (BatchRestoreDesktopSnapshot)
//!   fields, plus the path variables `project_id` (optional: the profile usually
//!   supplies it) and `job_id`.
//!
//! Strings are trimmed (reported as a warning; the trimmed value is what gets sent),
//! `null` means "not given", and a field the action does not take is an error.

mod checks;
mod ids;
mod schema;
mod types;

pub use crate::limits::LIST_MAX;
pub use ids::{IdKind, IdLine, lookalike, parse_id_list, valid_ids, validate_id, validate_id_at};
pub use schema::{FilterRules, filter_rules};
pub use types::{FieldError, FieldWarning, ValidateOptions, Validated, codes};

use crate::action::Action;
use crate::i18n::Text;
use crate::provider::Provider;
use checks::Cx;
use schema::{Rule, schema};
use serde_json::{Map, Value};

/// The parameters an action takes: (name as the provider spells it, required).
pub fn fields(action: Action) -> impl Iterator<Item = (&'static str, bool)> {
    schema(action).iter().map(|f| (f.name, f.required))
}

/// What a field's value is once read back off a flat wire form (a query string), where
/// every value arrives as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireType {
    Text,
    Int,
    Bool,
    /// A list of scalars.
    List,
    /// A list of objects (`Filters`, `Tags`, `Tag`).
    Objects,
}

/// The wire type of one of `action`'s fields; `None` for a field it does not take.
pub fn wire_type(action: Action, field: &str) -> Option<WireType> {
    let f = schema(action).iter().find(|f| f.name == field)?;
    Some(match f.rule {
        Rule::Id(_) | Rule::Text { .. } | Rule::Enum(_) => WireType::Text,
        Rule::Int { .. } => WireType::Int,
        Rule::Bool => WireType::Bool,
        Rule::Ids { .. } | Rule::IdsOrCsv { .. } | Rule::Names { .. } => WireType::List,
        Rule::Filters(_) | Rule::LhTags | Rule::EcsTags => WireType::Objects,
    })
}

/// True for a region ID as the providers spell them (`cn-hangzhou`, `ap-guangzhou`):
/// 1 to 64 lower-case letters, digits and hyphens. The same rule as `RegionId`.
pub fn is_region_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks and normalizes the parameters of one call. Every problem is reported, not
/// just the first.
pub fn validate_params(
    action: Action,
    params: &Value,
    opts: &ValidateOptions,
) -> Result<Validated, Vec<FieldError>> {
    let mut cx = Cx {
        opts,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let empty = Map::new();
    let obj = match params {
        Value::Object(m) => m,
        Value::Null => &empty,
        other => {
            cx.type_error("params", "an object", other);
            return Err(cx.errors);
        }
    };
    let schema = schema(action);
    // The caller's key order is kept (Tencent's GET form signs parameters in order).
    let mut out = Map::new();
    for (key, v) in obj {
        match schema.iter().find(|f| f.name == key) {
            None => cx.unknown(action, key, schema.iter().map(|f| f.name)),
            // Not given: null, or an empty list for an optional field (left out).
            Some(f) if !given(v) && (v.is_null() || !f.required) => {}
            Some(f) => {
                if let Some(nv) = cx.check(f.name, f.rule, v) {
                    out.insert(f.name.to_string(), nv);
                }
            }
        }
    }
    for f in schema.iter().filter(|f| f.required) {
        if obj.get(f.name).is_none_or(Value::is_null) {
            cx.required(f.name);
        }
    }
    // Lighthouse: IDs and Filters cannot be combined.
    for ids in ["InstanceIds", "SnapshotIds"] {
        if action.provider() == Provider::Tencent
            && obj.get(ids).is_some_and(given)
            && obj.get("Filters").is_some_and(given)
        {
            cx.err(
                "Filters",
                codes::CONFLICT,
                Text::new(
                    format!("{ids} and Filters cannot be used together; use one or the other"),
                    format!("{ids} 和 Filters 不能同时使用，请二选一"),
                ),
            );
        }
    }
    // Workspace ListDesktopSnapshot: sort_type needs sort_field (sort_field alone is
    // fine: sort_type defaults to ascending).
    if action == Action::WsListDesktopSnapshot {
        for (have, missing) in [("sort_type", "sort_field")] {
            if obj.get(have).is_some_and(|v| !v.is_null())
                && obj.get(missing).is_none_or(Value::is_null)
            {
                cx.err(
                    missing,
                    codes::REQUIRED,
                    Text::new(
                        format!("{missing} is required when {have} is given"),
                        format!("指定 {have} 时必须同时指定 {missing}"),
                    ),
                );
            }
        }
    }
    // Lighthouse DescribeInstances: Order only goes with OrderField.
    if obj.get("Order").is_some_and(|v| !v.is_null())
        && obj.get("OrderField").is_none_or(Value::is_null)
        && action == Action::LhDescribeInstances
    {
        cx.err(
            "OrderField",
            codes::REQUIRED,
            Text::new(
                "OrderField is required when Order is given",
                "指定 Order 时必须同时指定 OrderField",
            ),
        );
    }
    if cx.errors.is_empty() {
        Ok(Validated {
            params: Value::Object(out),
            warnings: cx.warnings,
        })
    } else {
        Err(cx.errors)
    }
}

/// False for `null` and for an empty list: both mean "not given".
fn given(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Array(items) => !items.is_empty(),
        _ => true,
    }
}

/// Checks one field of an action as the user types it, with the same rules as
/// [`validate_params`]. `null` counts as not given.
pub fn validate_field(
    action: Action,
    field: &str,
    value: &Value,
    opts: &ValidateOptions,
) -> Result<(Option<Value>, Vec<FieldWarning>), Vec<FieldError>> {
    let mut cx = Cx {
        opts,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let schema = schema(action);
    let Some(f) = schema.iter().find(|f| f.name == field) else {
        cx.unknown(action, field, schema.iter().map(|f| f.name));
        return Err(cx.errors);
    };
    let out = if value.is_null() {
        if f.required {
            cx.required(f.name);
        }
        None
    } else {
        cx.check(f.name, f.rule, value)
    };
    if cx.errors.is_empty() {
        Ok((out, cx.warnings))
    } else {
        Err(cx.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_schema_and_id_kinds_cover_all_providers() {
        for &a in Action::ALL {
            assert!(fields(a).count() > 0, "{a}");
        }
        for p in Provider::ALL {
            assert!(IdKind::ALL.iter().any(|k| k.provider() == p));
        }
        for k in IdKind::ALL {
            assert!(
                validate_id(k, k.example(), &ValidateOptions::default()).is_ok(),
                "{k:?}"
            );
        }
    }
}
