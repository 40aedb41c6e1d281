//! The actions Rewind can call: one registry shared by the console, the proxy (only
//! these are callable or relayable) and the emulator.

use crate::provider::Provider;
use serde::{Deserialize, Serialize};

/// How an action travels over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpShape {
    /// Tencent API 3.0: `POST /` with a JSON body (or `GET /?…`), action in `X-TC-Action`.
    TencentJson,
    /// Alibaba RPC: `POST /` with every parameter in the query string, action in `Action`.
    EcsRpc,
    /// Huawei REST: a method and a path template with `{project_id}` and other
    /// `{name}` segments filled from params of the same name.
    Rest {
        method: &'static str,
        path: &'static str,
    },
}

/// What is known about an action, independent of any request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionSpec {
    pub action: Action,
    pub provider: Provider,
    /// The provider's own name for the action (`ApplyInstanceSnapshot`, `ResetDisk`, …).
    pub name: &'static str,
    pub shape: HttpShape,
    /// True when calling it changes state in the account.
    pub mutates: bool,
    /// The documented per-second limit, where the provider documents one.
    pub rate_limit_per_sec: Option<u32>,
}

macro_rules! actions {
    ($( $variant:ident => $provider:ident, $name:literal, $shape:expr, mutates: $mutates:literal, limit: $limit:expr; )*) => {
        /// Every action Rewind knows. Variant names are prefixed by product so that the
        /// two `DescribeInstances` stay distinct.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Action { $( $variant, )* }

        impl Action {
            pub const ALL: &'static [Action] = &[ $( Action::$variant, )* ];

            pub fn spec(self) -> ActionSpec {
                match self {
                    $( Action::$variant => ActionSpec {
                        action: Action::$variant,
                        provider: Provider::$provider,
                        name: $name,
                        shape: $shape,
                        mutates: $mutates,
                        rate_limit_per_sec: $limit,
                    }, )*
                }
            }
        }
    };
}

use HttpShape::{EcsRpc, Rest, TencentJson};

actions! {
    LhDescribeInstances => Tencent, "DescribeInstances", TencentJson, mutates: false, limit: None;
    LhDescribeSnapshots => Tencent, "DescribeSnapshots", TencentJson, mutates: false, limit: None;
    LhApplyInstanceSnapshot => Tencent, "ApplyInstanceSnapshot", TencentJson, mutates: true, limit: Some(20);
    LhCreateInstanceSnapshot => Tencent, "CreateInstanceSnapshot", TencentJson, mutates: true, limit: Some(20);
    LhStopInstances => Tencent, "StopInstances", TencentJson, mutates: true, limit: None;
    LhStartInstances => Tencent, "StartInstances", TencentJson, mutates: true, limit: None;
    EcsDescribeInstances => Alibaba, "DescribeInstances", EcsRpc, mutates: false, limit: None;
    EcsDescribeDisks => Alibaba, "DescribeDisks", EcsRpc, mutates: false, limit: None;
    EcsDescribeSnapshots => Alibaba, "DescribeSnapshots", EcsRpc, mutates: false, limit: None;
    EcsResetDisk => Alibaba, "ResetDisk", EcsRpc, mutates: true, limit: None;
    EcsCreateSnapshot => Alibaba, "CreateSnapshot", EcsRpc, mutates: true, limit: None;
    EcsStopInstance => Alibaba, "StopInstance", EcsRpc, mutates: true, limit: None;
    EcsStartInstance => Alibaba, "StartInstance", EcsRpc, mutates: true, limit: None;
    WsListDesktopSnapshot => Huawei, "ListDesktopSnapshot",
        Rest { method: "GET", path: "/v2/{project_id}/snapshots" }, mutates: false, limit: None;
    WsBatchRestoreDesktopSnapshot => Huawei, "BatchRestoreDesktopSnapshot",
        Rest { method: "POST", path: "/v2/{project_id}/snapshots/batch-restore" }, mutates: true, limit: None;
    WsShowJob => Huawei, "ShowJob",
        Rest { method: "GET", path: "/v2/{project_id}/workspace-jobs/{job_id}" }, mutates: false, limit: None;
}

impl Action {
    /// Finds an action by provider and the provider's own action name.
    pub fn lookup(provider: Provider, name: &str) -> Option<Action> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.provider() == provider && a.name() == name)
    }

    /// The action a Workspace request addresses, from its method and path.
    /// `path` is the decoded path with or without a trailing slash.
    pub fn lookup_rest(method: &str, path: &str) -> Option<(Action, Vec<(&'static str, String)>)> {
        let path = path.strip_suffix('/').unwrap_or(path);
        Action::ALL
            .iter()
            .copied()
            .find_map(|a| match a.spec().shape {
                HttpShape::Rest {
                    method: m,
                    path: template,
                } if m.eq_ignore_ascii_case(method) => {
                    match_template(template, path).map(|vars| (a, vars))
                }
                _ => None,
            })
    }

    pub fn provider(self) -> Provider {
        self.spec().provider
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn mutates(self) -> bool {
        self.spec().mutates
    }

    /// Every action of one provider.
    pub fn of(provider: Provider) -> impl Iterator<Item = Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(move |a| a.provider() == provider)
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.provider(), self.name())
    }
}

/// Matches `/v2/{project_id}/x` against `/v2/abc/x`, returning the named segments.
fn match_template(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let t: Vec<&'static str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut vars = Vec::new();
    for (ts, ps) in t.into_iter().zip(p) {
        if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if ps.is_empty() {
                return None;
            }
            vars.push((name, ps.to_string()));
        } else if ts != ps {
            return None;
        }
    }
    Some(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_every_action_by_its_provider_name() {
        for &a in Action::ALL {
            assert_eq!(Action::lookup(a.provider(), a.name()), Some(a));
        }
        // Same name, other provider: a different action.
        assert_eq!(
            Action::lookup(Provider::Alibaba, "DescribeInstances"),
            Some(Action::EcsDescribeInstances)
        );
        assert_eq!(Action::lookup(Provider::Tencent, "ResetDisk"), None);
        assert_eq!(
            Action::lookup(Provider::Tencent, "TerminateInstances"),
            None
        );
    }

    #[test]
    fn rollback_actions_mutate_and_lighthouse_ones_are_limited() {
        assert!(Action::LhApplyInstanceSnapshot.mutates());
        assert_eq!(
            Action::LhApplyInstanceSnapshot.spec().rate_limit_per_sec,
            Some(20)
        );
        assert_eq!(
            Action::LhCreateInstanceSnapshot.spec().rate_limit_per_sec,
            Some(20)
        );
        assert!(Action::EcsResetDisk.mutates());
        assert!(!Action::EcsDescribeDisks.mutates());
        assert!(Action::WsBatchRestoreDesktopSnapshot.mutates());
    }

    #[test]
    fn rest_paths_resolve_to_actions_with_their_variables() {
        let (a, vars) = Action::lookup_rest("GET", "/v2/p1/workspace-jobs/j-9/").unwrap();
        assert_eq!(a, Action::WsShowJob);
        assert_eq!(
            vars,
            vec![
                ("project_id", "p1".to_string()),
                ("job_id", "j-9".to_string())
            ]
        );
        let (a, _) = Action::lookup_rest("POST", "/v2/p1/snapshots/batch-restore").unwrap();
        assert_eq!(a, Action::WsBatchRestoreDesktopSnapshot);
        assert!(Action::lookup_rest("DELETE", "/v2/p1/snapshots").is_none());
        assert!(Action::lookup_rest("GET", "/v2//snapshots").is_none());
        assert!(Action::lookup_rest("GET", "/v2/p1/desktops").is_none());
    }
}
