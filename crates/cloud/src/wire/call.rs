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
