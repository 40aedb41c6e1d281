//! The restore forms as data: which action each form ends in, its fields, how typed text
//! becomes parameters, and (in [`plan`]) the operation a confirmed form runs. Pure, so the rules are unit-tested natively; validation itself is the
//! cloud crate's (`rewind_cloud::validate`), the same code the proxy runs, and the steps
//! of an operation are its state machines'.

pub mod picker;
mod plan;

pub use plan::{
    Choices, Found, can_snapshot_first, failed_snapshots, has_stop_modes, plan, retry_href,
    stop_plan, undo_href,
};

use crate::i18n::Msg;
use rewind_cloud::validate::{self, FieldError, FieldWarning, IdKind, IdLine, ValidateOptions};
use rewind_cloud::{Action, Provider};
use serde_json::{Map, Value, json};

/// The forms Rewind offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Lighthouse ApplyInstanceSnapshot.
    LhRollback,
    /// Lighthouse CreateInstanceSnapshot.
    LhCreateSnapshot,
    /// ECS ResetDisk.
    EcsResetDisk,
    /// ECS CreateSnapshot.
    EcsCreateSnapshot,
    /// Workspace BatchRestoreDesktopSnapshot.
    WsRestore,
}

/// How a field is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One ID or one line of text.
    Line,
    /// A longer text.
    Multiline,
    /// A whole number.
    Int,
    /// `key=value` pairs, one per line (or comma-separated).
    Tags,
    /// A pasted list of IDs, one per line, each checked on its own.
    IdList(IdKind),
}

/// One field of a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The provider's parameter name.
    pub param: &'static str,
    pub label: Msg,
    /// The URL query key that pre-fills it (`?instance=lhins-…`).
    pub query: &'static str,
    pub input: Input,
    pub hint: Option<Msg>,
}

/// One form: reachable at `/{provider}/{key}` and from the rows of the inventory views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormSpec {
    pub kind: Kind,
    pub provider: Provider,
    pub key: &'static str,
    pub title: Msg,
    pub action: Action,
    pub fields: &'static [FieldSpec],
    /// True for the operations that overwrite a disk (they need the full confirmation).
    pub destructive: bool,
}

const fn field(param: &'static str, label: Msg, query: &'static str, input: Input) -> FieldSpec {
    FieldSpec {
        param,
        label,
        query,
        input,
        hint: None,
    }
}

pub const FORMS: &[FormSpec] = &[
    FormSpec {
        kind: Kind::LhRollback,
        provider: Provider::Tencent,
        key: "rollback",
        title: Msg::FormLhRollback,
        action: Action::LhApplyInstanceSnapshot,
        fields: &[
            field("InstanceId", Msg::FieldInstanceId, "instance", Input::Line),
            field("SnapshotId", Msg::FieldSnapshotId, "snapshot", Input::Line),
        ],
        destructive: true,
    },
    FormSpec {
        kind: Kind::LhCreateSnapshot,
        provider: Provider::Tencent,
        key: "create-snapshot",
        title: Msg::FormLhCreateSnapshot,
        action: Action::LhCreateInstanceSnapshot,
        fields: &[
            field("InstanceId", Msg::FieldInstanceId, "instance", Input::Line),
            field("SnapshotName", Msg::FieldSnapshotName, "name", Input::Line),
        ],
        destructive: false,
    },
    FormSpec {
        kind: Kind::EcsResetDisk,
        provider: Provider::Alibaba,
        key: "reset-disk",
        title: Msg::FormEcsResetDisk,
        action: Action::EcsResetDisk,
        fields: &[
            field("DiskId", Msg::FieldDiskId, "disk", Input::Line),
            field("SnapshotId", Msg::FieldSnapshotId, "snapshot", Input::Line),
        ],
        destructive: true,
    },
    FormSpec {
        kind: Kind::EcsCreateSnapshot,
        provider: Provider::Alibaba,
        key: "create-snapshot",
        title: Msg::FormEcsCreateSnapshot,
        action: Action::EcsCreateSnapshot,
        fields: &[
            field("DiskId", Msg::FieldDiskId, "disk", Input::Line),
            field("SnapshotName", Msg::FieldSnapshotName, "name", Input::Line),
            field(
                "Description",
                Msg::FieldDescription,
                "description",
                Input::Multiline,
            ),
            field(
                "RetentionDays",
                Msg::FieldRetentionDays,
                "retention",
                Input::Int,
            ),
            FieldSpec {
                param: "Tag",
                label: Msg::FieldTags,
                query: "tags",
                input: Input::Tags,
                hint: Some(Msg::TagsHint),
            },
        ],
        destructive: false,
    },
    FormSpec {
        kind: Kind::WsRestore,
        provider: Provider::Huawei,
        key: "restore",
        title: Msg::FormWsRestore,
        action: Action::WsBatchRestoreDesktopSnapshot,
        fields: &[FieldSpec {
            param: "snapshot_ids",
            label: Msg::FieldSnapshotIds,
            query: "snapshots",
            input: Input::IdList(IdKind::WsSnapshot),
            hint: Some(Msg::SnapshotIdsHint),
        }],
        destructive: true,
    },
];

/// The form at `/{provider}/{key}`.
pub fn find(provider: Provider, key: &str) -> Option<&'static FormSpec> {
    FORMS
        .iter()
        .find(|f| f.provider == provider && f.key == key)
}

/// The forms of one kind.
pub fn form(kind: Kind) -> &'static FormSpec {
    FORMS.iter().find(|f| f.kind == kind).unwrap_or(&FORMS[0])
}

/// The parameter value for what the user typed: blank is "not given", a whole number
/// field becomes a number when it reads as one (else the text goes to the validator,
/// which explains what is wrong), tags become `[{Key, Value}]`.
pub fn field_value(input: Input, text: &str) -> Value {
    if text.trim().is_empty() {
        return Value::Null;
    }
    match input {
        Input::Line | Input::Multiline => Value::String(text.to_string()),
        Input::Int => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(text.to_string())),
        Input::Tags => Value::Array(
            text.split(['\n', ','])
                .filter(|t| !t.trim().is_empty())
                .map(|t| match t.split_once('=') {
                    Some((k, v)) => json!({"Key": k.trim(), "Value": v.trim()}),
                    None => json!({"Key": t.trim()}),
                })
                .collect(),
        ),
        Input::IdList(kind) => Value::Array(
            validate::parse_id_list(kind, text, &ValidateOptions::default())
                .into_iter()
                .map(|l| Value::String(l.raw))
                .collect(),
        ),
    }
}

/// What the inline check of one field says.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldCheck {
    /// Nothing typed yet in an optional field, or a valid value.
    Ok(Vec<FieldWarning>),
    /// Required and still empty: not an error to shout about before the user typed.
    Empty,
    Invalid(Vec<FieldError>),
}

impl FieldCheck {
    pub fn is_ok(&self) -> bool {
        matches!(self, FieldCheck::Ok(_))
    }
}

/// Checks one field as the user types, with the cloud crate's rules.
pub fn check_field(
    spec: &FormSpec,
    field: &FieldSpec,
    text: &str,
    opts: &ValidateOptions,
) -> FieldCheck {
    if let Input::IdList(kind) = field.input {
        let lines = validate::parse_id_list(kind, text, opts);
        return check_id_list(&lines);
    }
    let value = field_value(field.input, text);
    let required = validate::fields(spec.action).any(|(name, req)| name == field.param && req);
    if value.is_null() {
        return if required {
            FieldCheck::Empty
        } else {
            FieldCheck::Ok(Vec::new())
        };
    }
    match validate::validate_field(spec.action, field.param, &value, opts) {
        Ok((_, warnings)) => FieldCheck::Ok(warnings),
        Err(errors) if field.input == Input::Tags => FieldCheck::Invalid(
            errors
                .into_iter()
                .map(|e| on_tag_lines(field.param, e))
                .collect(),
        ),
        Err(errors) => FieldCheck::Invalid(errors),
    }
}

/// A tag error as the form's lines read: the API's `Tag[3].Key` (counted from zero) is
/// "The key on line 4" / "第 4 行的键" of the text box.
fn on_tag_lines(param: &str, mut e: FieldError) -> FieldError {
    let Some(rest) = e
        .field
        .strip_prefix(param)
        .and_then(|r| r.strip_prefix('['))
    else {
        return e;
    };
    let Some((index, tail)) = rest.split_once(']') else {
        return e;
    };
    let Ok(i) = index.parse::<usize>() else {
        return e;
    };
    let (line, path) = (i + 1, format!("{param}[{i}]{tail}"));
    let (en, zh) = match tail {
        ".Key" => (
            format!("The key on line {line}"),
            format!("第 {line} 行的键"),
        ),
        ".Value" => (
            format!("The value on line {line}"),
            format!("第 {line} 行的值"),
        ),
        _ => (format!("Line {line}"), format!("第 {line} 行")),
    };
    e.message = rewind_cloud::Text::new(
        e.message.en.replace(&path, &en),
        e.message.zh.replace(&path, &zh),
    );
    e
}

/// A pasted ID list passes when it has 1–100 entries and every line is a valid, new ID.
pub fn check_id_list(lines: &[IdLine]) -> FieldCheck {
    if lines.is_empty() {
        return FieldCheck::Empty;
    }
    let mut errors: Vec<FieldError> = lines
        .iter()
        .filter_map(|l| l.result.clone().err())
        .collect();
    if lines.len() > rewind_cloud::validate::LIST_MAX {
        errors.push(FieldError {
            field: "snapshot_ids".into(),
            code: validate::codes::COUNT,
            message: rewind_cloud::Text::new(
                format!(
                    "{} IDs given; at most {} can be restored in one batch",
                    lines.len(),
                    validate::LIST_MAX
                ),
                format!(
                    "共 {} 个 ID；一批最多恢复 {} 个",
                    lines.len(),
                    validate::LIST_MAX
                ),
            ),
        });
    }
    if errors.is_empty() {
        FieldCheck::Ok(lines.iter().flat_map(|l| l.warnings.clone()).collect())
    } else {
        FieldCheck::Invalid(errors)
    }
}

/// The parameters to send for the typed texts (one per field, in order), checked as the
/// proxy will check them. `Err` lists every problem.
pub fn params(
    spec: &FormSpec,
    texts: &[String],
    opts: &ValidateOptions,
) -> Result<Value, Vec<FieldError>> {
    let mut map = Map::new();
    for (f, text) in spec.fields.iter().zip(texts) {
        let v = match f.input {
            Input::IdList(kind) => {
                let lines = validate::parse_id_list(kind, text, opts);
                if let FieldCheck::Invalid(errors) = check_id_list(&lines) {
                    return Err(errors);
                }
                Value::from(validate::valid_ids(&lines))
            }
            input => field_value(input, text),
        };
        if !v.is_null() {
            map.insert(f.param.to_string(), v);
        }
    }
    validate::validate_params(spec.action, &Value::Object(map), opts).map(|v| v.params)
}

/// The ID the confirmation asks the user to type: the instance, the disk, or for a
/// Workspace batch the number of snapshots.
pub fn confirm_word(spec: &FormSpec, params: &Value) -> String {
    match spec.kind {
        Kind::LhRollback | Kind::LhCreateSnapshot => {
            params["InstanceId"].as_str().unwrap_or("").into()
        }
        Kind::EcsResetDisk | Kind::EcsCreateSnapshot => {
            params["DiskId"].as_str().unwrap_or("").into()
        }
        Kind::WsRestore => params["snapshot_ids"]
            .as_array()
            .map(|a| a.len().to_string())
            .unwrap_or_default(),
    }
}

/// True when what the user typed matches the target exactly (surrounding spaces aside).
pub fn confirmed(typed: &str, word: &str) -> bool {
    !word.is_empty() && typed.trim() == word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_errors_count_lines_from_one() {
        let spec = form(Kind::EcsCreateSnapshot);
        let tags = spec.fields.iter().find(|f| f.input == Input::Tags).unwrap();
        let long = "k".repeat(200);
        let text = format!("a=1\nb=2\nc=3\n{long}=4");
        let FieldCheck::Invalid(errors) =
            check_field(spec, tags, &text, &ValidateOptions::default())
        else {
            panic!("a 200-character key is refused");
        };
        let e = &errors[0];
        assert!(
            e.message.en.starts_with("The key on line 4"),
            "{}",
            e.message.en
        );
        assert!(e.message.zh.starts_with("第 4 行的键"), "{}", e.message.zh);
        // The field path stays the API's, for the proxy and the tests.
        assert!(e.field.contains("[3]"), "{}", e.field);
    }

    fn texts(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_form_is_found_at_its_url_and_its_fields_exist_in_the_action() {
        for f in FORMS {
            assert_eq!(find(f.provider, f.key), Some(f));
            assert_eq!(f.action.provider(), f.provider);
            for field in f.fields {
                assert!(
                    validate::fields(f.action).any(|(n, _)| n == field.param),
                    "{}: {} is not a parameter of {}",
                    f.key,
                    field.param,
                    f.action.name()
                );
            }
        }
        assert_eq!(find(Provider::Tencent, "reset-disk"), None);
    }

    #[test]
    fn inline_checks_use_the_cloud_rules() {
        let lh = form(Kind::LhRollback);
        let inst = &lh.fields[0];
        let opts = ValidateOptions::default();
        assert_eq!(check_field(lh, inst, "", &opts), FieldCheck::Empty);
        assert!(check_field(lh, inst, "lhins-k31c771o", &opts).is_ok());
        let FieldCheck::Invalid(errors) = check_field(lh, inst, "lhsnap-k31c771o", &opts) else {
            panic!("a snapshot ID in the instance field must be refused")
        };
        assert!(!errors[0].message.en.is_empty() && !errors[0].message.zh.is_empty());
        // Optional fields may stay empty; a bad number is explained.
        let ecs = form(Kind::EcsCreateSnapshot);
        let days = ecs
            .fields
            .iter()
            .find(|f| f.param == "RetentionDays")
            .unwrap();
        assert!(check_field(ecs, days, "", &opts).is_ok());
        assert!(check_field(ecs, days, "30", &opts).is_ok());
        assert!(!check_field(ecs, days, "0", &opts).is_ok());
        assert!(!check_field(ecs, days, "thirty", &opts).is_ok());
    }

    #[test]
    fn params_are_built_and_validated_as_the_proxy_will() {
        let opts = ValidateOptions::default();
        let p = params(
            form(Kind::LhRollback),
            &texts(&["lhins-k31c771o", " lhsnap-nv6aqcv6 "]),
            &opts,
        )
        .unwrap();
        assert_eq!(
            p,
            json!({"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-nv6aqcv6"})
        );
        assert!(
            params(
                form(Kind::LhRollback),
                &texts(&["lhins-k31c771o", ""]),
                &opts
            )
            .is_err()
        );
        let p = params(
            form(Kind::EcsCreateSnapshot),
            &texts(&[
                "d-bp199lyny9b3xxxx",
                "before-upgrade",
                "",
                "7",
                "team=web, env = prod",
            ]),
            &opts,
        )
        .unwrap();
        assert_eq!(p["RetentionDays"], 7);
        assert_eq!(
            p["Tag"],
            json!([{"Key": "team", "Value": "web"}, {"Key": "env", "Value": "prod"}])
        );
        assert!(p.get("Description").is_none());
    }

    #[test]
    fn id_lists_report_each_line_and_the_batch_limit() {
        let ws = form(Kind::WsRestore);
        let opts = ValidateOptions::default();
        let good = "6c1f0a52-3c1e-4a4e-9c55-0b1d2e3f4a5b\n\n7d2e1b63-4d2f-4b5f-8d66-1c2e3f4a5b6c";
        let p = params(ws, &texts(&[good]), &opts).unwrap();
        assert_eq!(p["snapshot_ids"].as_array().unwrap().len(), 2);
        let dup = format!("{good}\n6c1f0a52-3c1e-4a4e-9c55-0b1d2e3f4a5b\nnot a uuid!");
        let FieldCheck::Invalid(errors) = check_field(ws, &ws.fields[0], &dup, &opts) else {
            panic!("duplicates and malformed lines must be refused")
        };
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().any(|e| e.field == "line 4"));
        assert!(errors.iter().any(|e| e.field == "line 5"));
        let many: Vec<String> = (0..101)
            .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
            .collect();
        let FieldCheck::Invalid(errors) = check_field(ws, &ws.fields[0], &many.join("\n"), &opts)
        else {
            panic!("101 IDs must be refused")
        };
        assert!(errors.iter().any(|e| e.message.en.contains("at most 100")));
        assert!(check_field(ws, &ws.fields[0], &many[..100].join("\n"), &opts).is_ok());
    }

    #[test]
    fn confirmation_needs_the_exact_target() {
        let p = json!({"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-nv6aqcv6"});
        let word = confirm_word(form(Kind::LhRollback), &p);
        assert_eq!(word, "lhins-k31c771o");
        assert!(confirmed(" lhins-k31c771o ", &word));
        assert!(!confirmed("lhins-k31c771", &word));
        assert!(!confirmed("", ""));
    }
}
