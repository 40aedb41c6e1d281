//! Emulator settings: simulated durations and limits, and the credentials file.

use rewind_cloud::{Action, limits};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// How long each simulated transition takes. Defaults are a few seconds, so a human
/// watching the console sees progress; tests set their own and move a manual clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timings {
    pub stop: Duration,
    pub start: Duration,
    /// Lighthouse ApplyInstanceSnapshot, after the instance is stopped.
    pub rollback: Duration,
    /// ECS ResetDisk (the disk shows ReIniting meanwhile).
    pub reset_disk: Duration,
    /// A new snapshot, CREATING/progressing → NORMAL/accomplished.
    pub create_snapshot: Duration,
    /// Before a Workspace restore sub-job leaves WAITING.
    pub job_queue: Duration,
    /// One Workspace restore sub-job, RUNNING → SUCCESS/FAIL.
    pub restore_desktop: Duration,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings {
            stop: Duration::from_secs(3),
            start: Duration::from_secs(3),
            rollback: Duration::from_secs(5),
            reset_disk: Duration::from_secs(5),
            create_snapshot: Duration::from_secs(8),
            job_queue: Duration::from_secs(1),
            restore_desktop: Duration::from_secs(6),
        }
    }
}

/// Quotas and limits the rules enforce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Lighthouse snapshots per instance (`LimitExceeded.SnapshotQuotaLimitExceeded`).
    pub lighthouse_snapshots_per_instance: usize,
    /// ECS snapshots per disk (documented: 64).
    pub ecs_snapshots_per_disk: usize,
    /// Lighthouse ApplyInstanceSnapshot / CreateInstanceSnapshot calls per second per account.
    pub lighthouse_requests_per_sec: usize,
}

impl Default for Limits {
    /// The documented figures: the quotas of `rewind_cloud::limits` and the rate of
    /// ApplyInstanceSnapshot (CreateInstanceSnapshot has the same).
    fn default() -> Limits {
        Limits {
            lighthouse_snapshots_per_instance: limits::LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE,
            ecs_snapshots_per_disk: limits::ECS_SNAPSHOTS_PER_DISK,
            lighthouse_requests_per_sec: Action::LhApplyInstanceSnapshot
                .spec()
                .rate_limit_per_sec
                .map_or(usize::MAX, |n| n as usize),
        }
    }
}

/// A key's secret and, for temporary credentials, the STS token it must come with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub secret: String,
    pub token: Option<String>,
}

/// A Huawei AK: its SK, the default project and the region each project lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HuaweiKey {
    pub secret: String,
    pub token: Option<String>,
    /// project_id → region; always contains the default project.
    pub projects: BTreeMap<String, String>,
}

/// Every key the emulator accepts, per provider. Each key is its own account.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Credentials {
    pub tencent: BTreeMap<String, Secret>,
    pub alibaba: BTreeMap<String, Secret>,
    pub huawei: BTreeMap<String, HuaweiKey>,
}

impl std::fmt::Debug for Credentials {
    // Secrets never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("tencent", &self.tencent.keys().collect::<Vec<_>>())
            .field("alibaba", &self.alibaba.keys().collect::<Vec<_>>())
            .field("huawei", &self.huawei.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The documented demo keys: obviously fake, accepted when no credentials file is given.
pub mod demo {
    pub const TENCENT_SECRET_ID: &str = "AKIDREWINDDEMO00000000000000000000000";
    pub const TENCENT_SECRET_KEY: &str = "rewind-demo-not-a-real-tencent-key";
    pub const ALIBABA_ACCESS_KEY_ID: &str = "LTAIREWINDDEMO0000000000";
    pub const ALIBABA_ACCESS_KEY_SECRET: &str = "rewind-demo-not-a-real-alibaba-secret";
    pub const HUAWEI_AK: &str = "REWINDDEMOAK00000000";
    pub const HUAWEI_SK: &str = "rewind-demo-not-a-real-huawei-sk";
    /// The demo AK's projects, one per region; the first is its default.
    pub const HUAWEI_PROJECTS: [(&str, &str); 3] = [
        ("0000000000000000000000000000de01", "cn-north-4"),
        ("0000000000000000000000000000de02", "cn-east-3"),
        ("0000000000000000000000000000de03", "ap-southeast-1"),
    ];
}

/// Why a credentials file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("cannot read the credentials file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the credentials file {path} is not valid: {message} (expected {{\"tencent\": {{\"<SecretId>\": \"<SecretKey>\"}}, \"alibaba\": {{\"<AccessKeyId>\": \"<AccessKeySecret>\"}}, \"huawei\": {{\"<AK>\": {{\"secret\": \"<SK>\", \"project_id\": \"<project id>\"}}}}}})"
    )]
    Parse { path: String, message: String },
    #[error("the credentials file {path} has an empty {field}")]
    Empty { path: String, field: String },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SecretFile {
    Plain(String),
    Full {
        secret: String,
        token: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HuaweiFile {
    secret: String,
    project_id: String,
    #[serde(default)]
    token: Option<String>,
    /// Further projects of the same account: project_id → region.
    #[serde(default)]
    projects: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    #[serde(default)]
    tencent: BTreeMap<String, SecretFile>,
    #[serde(default)]
    alibaba: BTreeMap<String, SecretFile>,
    #[serde(default)]
    huawei: BTreeMap<String, HuaweiFile>,
}

impl Credentials {
    /// The documented demo keys (see [`demo`]).
    pub fn demo() -> Credentials {
        let mut c = Credentials::default();
        c.tencent.insert(
            demo::TENCENT_SECRET_ID.into(),
            Secret {
                secret: demo::TENCENT_SECRET_KEY.into(),
                token: None,
            },
        );
        c.alibaba.insert(
            demo::ALIBABA_ACCESS_KEY_ID.into(),
            Secret {
                secret: demo::ALIBABA_ACCESS_KEY_SECRET.into(),
                token: None,
            },
        );
        c.huawei.insert(
            demo::HUAWEI_AK.into(),
            HuaweiKey {
                secret: demo::HUAWEI_SK.into(),
                token: None,
                projects: demo::HUAWEI_PROJECTS
                    .iter()
                    .map(|(p, r)| (p.to_string(), r.to_string()))
                    .collect(),
            },
        );
        c
    }

    /// Reads a credentials file (format in the crate README).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Credentials, CredentialsError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CredentialsError::Read {
            path: shown.clone(),
            source,
        })?;
        Credentials::from_json(&text).map_err(|e| match e {
            CredentialsError::Parse { message, .. } => CredentialsError::Parse {
                path: shown,
                message,
            },
            CredentialsError::Empty { field, .. } => CredentialsError::Empty { path: shown, field },
            other => other,
        })
    }

    /// Parses the credentials file's JSON.
    pub fn from_json(text: &str) -> Result<Credentials, CredentialsError> {
        let file: CredentialsFile =
            serde_json::from_str(text).map_err(|e| CredentialsError::Parse {
                path: "(inline)".into(),
                message: e.to_string(),
            })?;
        let empty = |field: String| CredentialsError::Empty {
            path: "(inline)".into(),
            field,
        };
        let mut c = Credentials::default();
        for (provider, src, dst) in [
            ("tencent", file.tencent, &mut c.tencent),
            ("alibaba", file.alibaba, &mut c.alibaba),
        ] {
            for (id, s) in src {
                let s = match s {
                    SecretFile::Plain(secret) => Secret {
                        secret,
                        token: None,
                    },
                    SecretFile::Full { secret, token } => Secret { secret, token },
                };
                if id.is_empty() || s.secret.is_empty() {
                    return Err(empty(format!("{provider} key or secret")));
                }
                dst.insert(id, s);
            }
        }
        for (ak, h) in file.huawei {
            if ak.is_empty() || h.secret.is_empty() || h.project_id.is_empty() {
                return Err(empty(format!("huawei AK, secret or project_id for {ak:?}")));
            }
            let mut projects = h.projects;
            projects
                .entry(h.project_id)
                .or_insert_with(|| "cn-north-4".to_string());
            c.huawei.insert(
                ak,
                HuaweiKey {
                    secret: h.secret,
                    token: h.token,
                    projects,
                },
            );
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_file_shape() {
        let c = Credentials::from_json(
            r#"{"tencent": {"AKIDx": "k1"}, "alibaba": {"LTAIx": {"secret": "k2", "token": "sts"}},
                "huawei": {"HWAK": {"secret": "k3", "project_id": "p1"}}}"#,
        )
        .unwrap();
        assert_eq!(c.tencent["AKIDx"].secret, "k1");
        assert_eq!(c.alibaba["LTAIx"].token.as_deref(), Some("sts"));
        assert_eq!(c.huawei["HWAK"].projects["p1"], "cn-north-4");
        // Debug output never shows secrets.
        assert!(!format!("{c:?}").contains("k1"));
    }

    #[test]
    fn bad_files_get_clear_errors() {
        let e = Credentials::from_json(r#"{"tencent": 3}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not valid") && e.contains("tencent"), "{e}");
        let e = Credentials::from_json(r#"{"huawei": {"A": {"secret": "s", "project_id": ""}}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("project_id"), "{e}");
        let e = Credentials::from_file("/nonexistent/creds.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("/nonexistent/creds.json"), "{e}");
    }
}
