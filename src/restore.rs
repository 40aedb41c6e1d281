//! The restore forms as data: which action each form ends in, its fields, how typed text
//! becomes parameters, and the operation plan (`rewind_cloud::operation`) a confirmed
//! form runs. Pure, so the rules are unit-tested natively; validation itself is the
//! cloud crate's (`rewind_cloud::validate`), the same code the proxy runs, and the steps
//! of an operation are its state machines'.

use crate::i18n::Msg;
use rewind_cloud::operation::{
    Operation, Power, PowerPlan, SafetySnapshot, Tag, alibaba, huawei, tencent,
};
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
        Err(errors) => FieldCheck::Invalid(errors),
    }
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

// ---------------------------------------------------------------------- plans

/// What the confirmation asks besides the typed target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Choices {
    /// Take a safety snapshot of the target first (rollbacks).
    pub snapshot_first: bool,
    /// Start the instance once the rollback has finished.
    pub start_afterwards: bool,
    /// ECS: send the reset as a dry run first; only a passing check goes on.
    pub dry_run_first: bool,
}

/// What the pre-flight read that the plan needs besides the form's parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Found<'a> {
    /// ECS: the instance the disk is attached to.
    pub instance_id: Option<&'a str>,
    /// Workspace: the snapshots as listed (each with its `desktop_id`).
    pub desktops: &'a [Value],
}

fn text(params: &Value, key: &str) -> String {
    params[key].as_str().unwrap_or_default().to_string()
}

fn opt_text(params: &Value, key: &str) -> Option<String> {
    params[key]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The operation a form runs, from its validated parameters ([`params`]) and the
/// confirmation's choices.
pub fn plan(kind: Kind, params: &Value, found: Found<'_>, choices: Choices) -> Operation {
    let safety = choices.snapshot_first.then(SafetySnapshot::default);
    match kind {
        Kind::LhRollback => Operation::LhRollback(tencent::RollbackPlan {
            instance_id: text(params, "InstanceId"),
            snapshot_id: text(params, "SnapshotId"),
            safety_snapshot: safety,
            start_afterwards: choices.start_afterwards,
        }),
        Kind::LhCreateSnapshot => Operation::LhCreateSnapshot(tencent::SnapshotPlan {
            instance_id: text(params, "InstanceId"),
            name: opt_text(params, "SnapshotName"),
            tags: Vec::new(),
        }),
        Kind::EcsResetDisk => {
            let instance_id = found.instance_id.map(str::to_string);
            Operation::EcsResetDisk(alibaba::ResetPlan {
                disk_id: text(params, "DiskId"),
                snapshot_id: text(params, "SnapshotId"),
                start_afterwards: choices.start_afterwards && instance_id.is_some(),
                instance_id,
                // The pre-flight requires the instance Stopped (its fix stops it).
                stop_if_running: false,
                stop: Default::default(),
                safety_snapshot: safety,
                dry_run: choices.dry_run_first,
            })
        }
        Kind::EcsCreateSnapshot => Operation::EcsCreateSnapshot(alibaba::SnapshotPlan {
            disk_id: text(params, "DiskId"),
            name: opt_text(params, "SnapshotName"),
            description: opt_text(params, "Description"),
            retention_days: params["RetentionDays"].as_u64().map(|d| d as u32),
            tags: params["Tag"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| Tag {
                    key: text(t, "Key"),
                    value: text(t, "Value"),
                })
                .collect(),
        }),
        Kind::WsRestore => Operation::WsRestore(huawei::RestorePlan {
            snapshots: params["snapshot_ids"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|id| huawei::SnapshotRef {
                    snapshot_id: id.to_string(),
                    desktop_id: found
                        .desktops
                        .iter()
                        .find(|s| s["snapshot_id"] == id)
                        .and_then(|s| opt_text(s, "desktop_id")),
                })
                .collect(),
        }),
    }
}

/// The pre-flight's fix "Stop instance", as an operation of its own.
pub fn stop_plan(provider: Provider, instance_id: &str) -> Operation {
    let plan = PowerPlan {
        instance_id: instance_id.to_string(),
        power: Power::Stop,
        stop: Default::default(),
    };
    match provider {
        Provider::Tencent => Operation::LhPower(plan),
        _ => Operation::EcsPower(plan),
    }
}

/// True when the form's confirmation offers a safety snapshot of the target.
pub fn can_snapshot_first(kind: Kind) -> bool {
    matches!(kind, Kind::LhRollback | Kind::EcsResetDisk)
}

/// "Undo": the form that rolls the target back to the safety snapshot a finished
/// rollback took, pre-filled (the same pre-flight and typed confirmation follow).
pub fn undo_href(
    op: &Operation,
    created: &[String],
    profile: &str,
    region: &str,
) -> Option<String> {
    let (path, key, target, safety) = match op {
        Operation::LhRollback(p) => (
            "tencent/rollback",
            "instance",
            &p.instance_id,
            &p.safety_snapshot,
        ),
        Operation::EcsResetDisk(p) => {
            ("alibaba/reset-disk", "disk", &p.disk_id, &p.safety_snapshot)
        }
        _ => return None,
    };
    safety.as_ref()?;
    let snapshot = created.first()?;
    Some(format!(
        "/{path}?{key}={target}&snapshot={snapshot}&profile={}&region={}",
        crate::api::path_segment(profile),
        crate::api::path_segment(region)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn each_form_builds_its_plan_with_the_confirmations_choices() {
        let opts = ValidateOptions::default();
        let lh = params(
            form(Kind::LhRollback),
            &texts(&["lhins-k31c771o", "lhsnap-nv6aqcv6"]),
            &opts,
        )
        .unwrap();
        let choices = Choices {
            snapshot_first: true,
            start_afterwards: true,
            dry_run_first: false,
        };
        let Operation::LhRollback(p) = plan(Kind::LhRollback, &lh, Found::default(), choices)
        else {
            panic!()
        };
        assert_eq!(p.instance_id, "lhins-k31c771o");
        assert_eq!(p.snapshot_id, "lhsnap-nv6aqcv6");
        assert_eq!(p.safety_snapshot, Some(SafetySnapshot::default()));
        assert!(p.start_afterwards);

        // ECS: the disk's instance comes from the pre-flight; without one nothing is
        // started afterwards.
        let ecs = json!({"DiskId": "d-bp199lyny9b3xxxx", "SnapshotId": "s-bp1c8ioq8d7axxxx"});
        let choices = Choices {
            snapshot_first: false,
            start_afterwards: true,
            dry_run_first: true,
        };
        let found = Found {
            instance_id: Some("i-bp1inst000000000000"),
            desktops: &[],
        };
        let Operation::EcsResetDisk(p) = plan(Kind::EcsResetDisk, &ecs, found, choices) else {
            panic!()
        };
        assert_eq!(p.instance_id.as_deref(), Some("i-bp1inst000000000000"));
        assert!(p.start_afterwards && p.dry_run && !p.stop_if_running);
        assert_eq!(p.safety_snapshot, None);
        let Operation::EcsResetDisk(p) = plan(Kind::EcsResetDisk, &ecs, Found::default(), choices)
        else {
            panic!()
        };
        assert!(!p.start_afterwards);

        // Every field of the ECS snapshot form reaches the plan.
        let snap = params(
            form(Kind::EcsCreateSnapshot),
            &texts(&[
                "d-bp199lyny9b3xxxx",
                "before-upgrade",
                "why",
                "7",
                "team=web",
            ]),
            &opts,
        )
        .unwrap();
        let Operation::EcsCreateSnapshot(p) = plan(
            Kind::EcsCreateSnapshot,
            &snap,
            Found::default(),
            Choices::default(),
        ) else {
            panic!()
        };
        assert_eq!(p.name.as_deref(), Some("before-upgrade"));
        assert_eq!(p.description.as_deref(), Some("why"));
        assert_eq!(p.retention_days, Some(7));
        assert_eq!(
            p.tags,
            [Tag {
                key: "team".into(),
                value: "web".into()
            }]
        );

        // Workspace: each snapshot with its desktop as listed.
        let ws = json!({"snapshot_ids": ["6c1f0a52-3c1e-4a4e-9c55-0b1d2e3f4a5b"]});
        let listed = [
            json!({"snapshot_id": "6c1f0a52-3c1e-4a4e-9c55-0b1d2e3f4a5b", "desktop_id": "desk-1"}),
        ];
        let found = Found {
            instance_id: None,
            desktops: &listed,
        };
        let Operation::WsRestore(p) = plan(Kind::WsRestore, &ws, found, Choices::default()) else {
            panic!()
        };
        assert_eq!(p.snapshots[0].desktop_id.as_deref(), Some("desk-1"));
        // Every plan a form builds is one the machines accept.
        for op in [
            plan(Kind::LhRollback, &lh, Found::default(), Choices::default()),
            plan(
                Kind::EcsCreateSnapshot,
                &snap,
                Found::default(),
                Choices::default(),
            ),
            stop_plan(Provider::Alibaba, "i-bp1inst000000000000"),
        ] {
            assert!(
                rewind_cloud::operation::Machine::new("op-1", op.clone()).is_ok(),
                "{op:?}"
            );
        }
        assert!(matches!(
            stop_plan(Provider::Tencent, "lhins-k31c771o"),
            Operation::LhPower(_)
        ));
    }

    #[test]
    fn undo_opens_the_form_on_the_safety_snapshot() {
        let op = Operation::LhRollback(tencent::RollbackPlan {
            instance_id: "lhins-k31c771o".into(),
            snapshot_id: "lhsnap-nv6aqcv6".into(),
            safety_snapshot: Some(SafetySnapshot::default()),
            start_afterwards: false,
        });
        let created = vec!["lhsnap-safety01".to_string()];
        assert_eq!(
            undo_href(&op, &created, "demo-lighthouse", "ap-guangzhou").as_deref(),
            Some(
                "/tencent/rollback?instance=lhins-k31c771o&snapshot=lhsnap-safety01&profile=demo-lighthouse&region=ap-guangzhou"
            )
        );
        assert_eq!(undo_href(&op, &[], "p", "r"), None);
        let ecs = Operation::EcsResetDisk(alibaba::ResetPlan {
            disk_id: "d-1".into(),
            snapshot_id: "s-1".into(),
            instance_id: None,
            stop_if_running: false,
            stop: Default::default(),
            safety_snapshot: None,
            start_afterwards: false,
            dry_run: false,
        });
        // No safety snapshot: nothing to undo to.
        assert_eq!(undo_href(&ecs, &created, "p", "r"), None);
        // The form reads the same query keys back.
        let href = undo_href(&op, &created, "p", "r").unwrap();
        let l = crate::router::Location::parse(&href);
        let f = form(Kind::LhRollback);
        assert_eq!(
            l.query(f.fields[0].query).as_deref(),
            Some("lhins-k31c771o")
        );
        assert_eq!(
            l.query(f.fields[1].query).as_deref(),
            Some("lhsnap-safety01")
        );
    }
}
