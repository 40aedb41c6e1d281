//! The restore forms as data: which action each form calls, its fields, how typed text
//! becomes parameters, and how the live state read while an operation runs says how far
//! it got. Pure, so the rules are unit-tested natively; validation itself is the cloud
//! crate's (`rewind_cloud::validate`), the same code the proxy runs.

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

// ---------------------------------------------------------------------- progress

/// How far an operation is, read from the live state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Still going; a short word for where it is (`ROLLBACKING`, `ReIniting`, `RUNNING 40%`).
    Running(String),
    Done,
    Failed(String),
}

/// Lighthouse rollback: the snapshot is ROLLBACKING until it ends; the instance's latest
/// operation then reads SUCCESS or FAILED.
pub fn lighthouse_rollback_progress(instance: &Value, snapshot: &Value) -> Progress {
    let snap_state = snapshot["SnapshotState"].as_str().unwrap_or("");
    let op_state = instance["LatestOperationState"].as_str().unwrap_or("");
    let snap_op_state = snapshot["LatestOperationState"].as_str().unwrap_or("");
    if op_state == "FAILED" || snap_op_state == "FAILED" {
        return Progress::Failed(format!(
            "{} {}",
            instance["LatestOperation"].as_str().unwrap_or("operation"),
            op_state
        ));
    }
    if snap_state == "NORMAL" && op_state != "OPERATING" {
        Progress::Done
    } else {
        let inst_state = instance["InstanceState"].as_str().unwrap_or("?");
        Progress::Running(format!("{snap_state} · {inst_state}"))
    }
}

/// A new snapshot (either cloud): CREATING / progressing until NORMAL / accomplished.
pub fn snapshot_progress(provider: Provider, snapshot: &Value) -> Progress {
    match provider {
        Provider::Tencent => match snapshot["SnapshotState"].as_str().unwrap_or("") {
            "NORMAL" => Progress::Done,
            s => Progress::Running(format!(
                "{s} {}%",
                snapshot["Percent"].as_u64().unwrap_or(0)
            )),
        },
        _ => match snapshot["Status"].as_str().unwrap_or("") {
            "accomplished" => Progress::Done,
            "failed" => Progress::Failed("failed".into()),
            s => Progress::Running(format!(
                "{s} {}",
                snapshot["Progress"].as_str().unwrap_or("")
            )),
        },
    }
}

/// ECS ResetDisk: the disk is ReIniting until the reset ends.
pub fn ecs_reset_progress(disk: &Value) -> Progress {
    match disk["Status"].as_str().unwrap_or("") {
        "ReIniting" => Progress::Running("ReIniting".into()),
        "In_use" | "Available" => Progress::Done,
        other => Progress::Running(other.to_string()),
    }
}

/// An instance reaching `target` (Lighthouse STOPPED/RUNNING, ECS Stopped/Running).
pub fn instance_state_progress(provider: Provider, instance: &Value, target: &str) -> Progress {
    let field = if provider == Provider::Tencent {
        "InstanceState"
    } else {
        "Status"
    };
    match instance[field].as_str().unwrap_or("") {
        s if s == target => Progress::Done,
        s => Progress::Running(s.to_string()),
    }
}

/// One desktop of a Workspace restore job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubJob {
    pub desktop: String,
    pub status: String,
    pub process: u64,
    pub error_code: Option<String>,
    pub fail_reason: Option<String>,
}

/// Workspace ShowJob: the job's status and one line per desktop.
pub fn workspace_job_progress(job: &Value) -> (Progress, Vec<SubJob>) {
    let subs = job["sub_jobs"]
        .as_array()
        .map(|subs| {
            subs.iter()
                .map(|s| SubJob {
                    desktop: s["entities"]["desktop_name"]
                        .as_str()
                        .or_else(|| s["entities"]["desktop_id"].as_str())
                        .unwrap_or("?")
                        .to_string(),
                    status: s["status"].as_str().unwrap_or("").to_string(),
                    process: s["process"]
                        .as_u64()
                        .or_else(|| {
                            s["process"]
                                .as_str()
                                .and_then(|p| p.trim_end_matches('%').parse().ok())
                        })
                        .unwrap_or(0),
                    error_code: s["error_code"].as_str().map(str::to_string),
                    fail_reason: s["fail_reason"].as_str().map(str::to_string),
                })
                .collect()
        })
        .unwrap_or_default();
    let status = job["status"].as_str().unwrap_or("");
    let progress = match status {
        "SUCCESS" => Progress::Done,
        "FAIL" | "FAILED" => Progress::Failed(
            job["fail_reason"]
                .as_str()
                .or_else(|| job["job_error_code"].as_str())
                .unwrap_or(status)
                .to_string(),
        ),
        s => Progress::Running(s.to_string()),
    };
    (progress, subs)
}

/// Poll intervals with back-off: quick at first, then slower, capped.
pub fn poll_delay_ms(attempt: u32) -> u32 {
    const STEPS: [u32; 5] = [500, 1000, 1500, 2000, 3000];
    STEPS[(attempt as usize).min(STEPS.len() - 1)]
}

/// "1 min 05 s" / "42 s".
pub fn elapsed(ms: f64) -> String {
    let s = (ms.max(0.0) / 1000.0) as u64;
    if s >= 60 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{s} s")
    }
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
    fn progress_is_read_from_live_state() {
        let inst = |state: &str, op: &str| json!({"InstanceState": state, "LatestOperation": "ApplyInstanceSnapshot", "LatestOperationState": op});
        let snap =
            |state: &str| json!({"SnapshotState": state, "LatestOperationState": "OPERATING"});
        assert!(matches!(
            lighthouse_rollback_progress(&inst("STOPPING", "OPERATING"), &snap("ROLLBACKING")),
            Progress::Running(_)
        ));
        assert_eq!(
            lighthouse_rollback_progress(&inst("STOPPED", "SUCCESS"), &snap("NORMAL")),
            Progress::Done
        );
        assert!(matches!(
            lighthouse_rollback_progress(&inst("STOPPED", "FAILED"), &snap("NORMAL")),
            Progress::Failed(_)
        ));
        assert_eq!(
            ecs_reset_progress(&json!({"Status": "ReIniting"})),
            Progress::Running("ReIniting".into())
        );
        assert_eq!(
            ecs_reset_progress(&json!({"Status": "In_use"})),
            Progress::Done
        );
        assert_eq!(
            snapshot_progress(Provider::Alibaba, &json!({"Status": "accomplished"})),
            Progress::Done
        );
        assert_eq!(
            snapshot_progress(Provider::Tencent, &json!({"SnapshotState": "NORMAL"})),
            Progress::Done
        );
        assert_eq!(
            instance_state_progress(Provider::Alibaba, &json!({"Status": "Stopped"}), "Stopped"),
            Progress::Done
        );
        let job = json!({"status": "FAIL", "fail_reason": "one desktop failed", "sub_jobs": [
            {"status": "SUCCESS", "process": 100, "entities": {"desktop_name": "desk-alice"}},
            {"status": "FAIL", "process": "40%", "error_code": "WKS.00110043", "fail_reason": "agent down",
             "entities": {"desktop_id": "d1"}}
        ]});
        let (p, subs) = workspace_job_progress(&job);
        assert_eq!(p, Progress::Failed("one desktop failed".into()));
        assert_eq!(subs[1].process, 40);
        assert_eq!(subs[1].desktop, "d1");
        assert_eq!(subs[1].error_code.as_deref(), Some("WKS.00110043"));
    }

    #[test]
    fn polling_backs_off_and_elapsed_reads_well() {
        assert!(poll_delay_ms(0) < poll_delay_ms(3));
        assert_eq!(poll_delay_ms(100), poll_delay_ms(10));
        assert_eq!(elapsed(42_300.0), "42 s");
        assert_eq!(elapsed(65_000.0), "1 min 05 s");
    }
}
