//! `POST /api/v1/call` (portal mode): the request the console posts. The answer is
//! `{"ok": true, "request_id", "data", "warnings"}` (with `"dry_run": "passed"` for a
//! passing ECS dry run, `data` then being [`crate::call::dry_run_data`]), or an
//! [`super::error::ErrorBody`].

use crate::validate::ValidateOptions;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /api/v1/call`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    pub profile: String,
    pub region: String,
    /// The provider's own action name (`ApplyInstanceSnapshot`, `ResetDisk`, …).
    pub action: String,
    #[serde(default)]
    pub params: Value,
    #[serde(default, skip_serializing_if = "is_default")]
    pub options: ValidateOptions,
}

/// The success half of `/api/v1/call`'s answer (and of a relayed call, as the console
/// reads it): the cloud's payload and its RequestId. The server writes it around the
/// payload's bytes rather than through this type (no re-encoding); a test holds the two
/// to the same shape.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CallAnswer {
    pub request_id: Option<String>,
    #[serde(default)]
    pub data: Value,
}

fn is_default(o: &ValidateOptions) -> bool {
    *o == ValidateOptions::default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_console_posts_what_the_server_reads() {
        let r = CallRequest {
            profile: "demo-lh".into(),
            region: "ap-guangzhou".into(),
            action: "DescribeInstances".into(),
            params: json!({"Limit": 1}),
            options: ValidateOptions::default(),
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            json!({"profile": "demo-lh", "region": "ap-guangzhou", "action": "DescribeInstances", "params": {"Limit": 1}})
        );
        assert_eq!(serde_json::from_value::<CallRequest>(v).unwrap(), r);
        let bad = json!({"profile": "p", "region": "r", "action": "a", "extra": 1});
        assert!(serde_json::from_value::<CallRequest>(bad).is_err());
    }
}
