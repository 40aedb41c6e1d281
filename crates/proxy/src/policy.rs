//! Who may call what: rules grant users or groups actions on profiles, optionally only
//! on resources whose IDs match a list or a prefix. Nothing is allowed unless a rule
//! allows it; a denial carries a reason the console shows beside the disabled button.

use rewind_cloud::action::Action;
use serde_json::Value;

/// The caller, as established by the auth mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user: String,
    pub groups: Vec<String>,
}

/// Which actions a rule grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionPattern {
    /// `*`: every action.
    All,
    /// `read`: every action that does not change state.
    Read,
    /// `write`: every action that changes state.
    Write,
    /// `Describe*`: a prefix of the provider's action name.
    Prefix(String),
    /// `ApplyInstanceSnapshot`: one name (on any provider that has it).
    Exact(String),
}

impl ActionPattern {
    pub fn parse(s: &str) -> ActionPattern {
        match s {
            "*" => ActionPattern::All,
            "read" => ActionPattern::Read,
            "write" => ActionPattern::Write,
            _ => match s.strip_suffix('*') {
                Some(prefix) => ActionPattern::Prefix(prefix.to_string()),
                None => ActionPattern::Exact(s.to_string()),
            },
        }
    }

    pub fn matches(&self, action: Action) -> bool {
        match self {
            ActionPattern::All => true,
            ActionPattern::Read => !action.mutates(),
            ActionPattern::Write => action.mutates(),
            ActionPattern::Prefix(p) => action.name().starts_with(p.as_str()),
            ActionPattern::Exact(n) => action.name() == n,
        }
    }
}

/// One grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// User names, or `*` for every authenticated user.
    pub users: Vec<String>,
    pub groups: Vec<String>,
    /// Profile names, or `*`.
    pub profiles: Vec<String>,
    pub actions: Vec<ActionPattern>,
    /// Resource IDs or prefixes ending in `*`; empty means any resource.
    pub resources: Vec<String>,
}

impl Rule {
    /// A rule granting everything to everyone (the demo).
    pub fn allow_all() -> Rule {
        Rule {
            users: vec!["*".into()],
            groups: Vec::new(),
            profiles: vec!["*".into()],
            actions: vec![ActionPattern::All],
            resources: Vec::new(),
        }
    }

    fn applies_to(&self, who: &Identity) -> bool {
        self.users.iter().any(|u| u == "*" || *u == who.user)
            || self.groups.iter().any(|g| who.groups.contains(g))
    }

    fn covers(&self, profile: &str, action: Action) -> bool {
        self.profiles.iter().any(|p| p == "*" || p == profile)
            && self.actions.iter().any(|a| a.matches(action))
    }

    fn resource_allowed(&self, id: &str) -> bool {
        self.resources.iter().any(|r| match r.strip_suffix('*') {
            Some(prefix) => id.starts_with(prefix),
            None => r == id,
        })
    }
}

/// Whether `who` may call `action` on `profile` at all (before looking at parameters).
/// Used for `/api/v1/session` so the console can disable what it may not do.
pub fn may_call(rules: &[Rule], who: &Identity, profile: &str, action: Action) -> bool {
    rules
        .iter()
        .any(|r| r.applies_to(who) && r.covers(profile, action))
}

/// The decision for one call with its parameters: `Err(reason)` when denied.
pub fn check(
    rules: &[Rule],
    who: &Identity,
    profile: &str,
    action: Action,
    params: &Value,
) -> Result<(), String> {
    let candidates: Vec<&Rule> = rules
        .iter()
        .filter(|r| r.applies_to(who) && r.covers(profile, action))
        .collect();
    if candidates.is_empty() {
        return Err(format!(
            "{} may not call {} on profile {profile}",
            who.user,
            action.name()
        ));
    }
    let ids = resource_ids(params);
    for r in &candidates {
        if r.resources.is_empty() {
            return Ok(());
        }
        // A restricted grant covers a call only when every resource it names is allowed;
        // a call naming none (a listing) is allowed only when it changes nothing.
        if ids.is_empty() {
            if !action.mutates() {
                return Ok(());
            }
            continue;
        }
        if ids.iter().all(|id| r.resource_allowed(id)) {
            return Ok(());
        }
    }
    let outside: Vec<&str> = ids
        .iter()
        .filter(|id| !candidates.iter().any(|r| r.resource_allowed(id)))
        .map(String::as_str)
        .collect();
    Err(if outside.is_empty() {
        format!(
            "{} may call {} on profile {profile} only for specific resources",
            who.user,
            action.name()
        )
    } else {
        format!(
            "{} may not call {} on {} (profile {profile})",
            who.user,
            action.name(),
            outside.join(", ")
        )
    })
}

/// Parameters that name resources, as each provider spells them.
const RESOURCE_FIELDS: &[&str] = &[
    "InstanceId",
    "InstanceIds",
    "SnapshotId",
    "SnapshotIds",
    "DiskId",
    "DiskIds",
    "snapshot_ids",
    "desktop_id",
    "desktop_ids",
    "job_id",
];

/// Every resource ID in the (validated) parameters.
pub fn resource_ids(params: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(obj) = params.as_object() else {
        return out;
    };
    for field in RESOURCE_FIELDS {
        match obj.get(*field) {
            Some(Value::String(s)) => {
                // Workspace's desktop_ids is comma-separated.
                out.extend(
                    s.split(',')
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .map(str::to_string),
                );
            }
            Some(Value::Array(items)) => {
                out.extend(items.iter().filter_map(Value::as_str).map(str::to_string));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn who(user: &str, groups: &[&str]) -> Identity {
        Identity {
            user: user.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    fn rules() -> Vec<Rule> {
        vec![
            Rule {
                users: vec!["*".into()],
                groups: vec![],
                profiles: vec!["*".into()],
                actions: vec![ActionPattern::Read],
                resources: vec![],
            },
            Rule {
                users: vec![],
                groups: vec!["ops".into()],
                profiles: vec!["lh".into()],
                actions: vec![ActionPattern::parse("ApplyInstanceSnapshot")],
                resources: vec!["lhins-web*".into(), "lhsnap-*".into()],
            },
        ]
    }

    #[test]
    fn reads_for_everyone_rollbacks_for_ops_on_their_resources() {
        let r = rules();
        let p = json!({"InstanceId": "lhins-web00001", "SnapshotId": "lhsnap-00000001"});
        assert!(
            check(
                &r,
                &who("bob", &[]),
                "lh",
                Action::LhDescribeInstances,
                &json!({})
            )
            .is_ok()
        );
        let e = check(
            &r,
            &who("bob", &[]),
            "lh",
            Action::LhApplyInstanceSnapshot,
            &p,
        )
        .unwrap_err();
        assert!(e.contains("bob may not call ApplyInstanceSnapshot"), "{e}");
        assert!(
            check(
                &r,
                &who("amy", &["ops"]),
                "lh",
                Action::LhApplyInstanceSnapshot,
                &p
            )
            .is_ok()
        );
        let other = json!({"InstanceId": "lhins-db000001", "SnapshotId": "lhsnap-00000001"});
        let e = check(
            &r,
            &who("amy", &["ops"]),
            "lh",
            Action::LhApplyInstanceSnapshot,
            &other,
        )
        .unwrap_err();
        assert!(e.contains("lhins-db000001") && !e.contains("lhsnap"), "{e}");
        assert!(!may_call(
            &r,
            &who("amy", &["ops"]),
            "other",
            Action::LhApplyInstanceSnapshot
        ));
        assert!(may_call(
            &r,
            &who("amy", &["ops"]),
            "lh",
            Action::LhApplyInstanceSnapshot
        ));
    }

    #[test]
    fn patterns() {
        assert!(ActionPattern::parse("Describe*").matches(Action::EcsDescribeDisks));
        assert!(!ActionPattern::parse("Describe*").matches(Action::EcsResetDisk));
        assert!(ActionPattern::parse("write").matches(Action::WsBatchRestoreDesktopSnapshot));
        assert!(!ActionPattern::parse("read").matches(Action::WsBatchRestoreDesktopSnapshot));
        assert_eq!(
            resource_ids(&json!({"snapshot_ids": ["a", "b"], "desktop_ids": "c, d"})),
            ["a", "b", "c", "d"]
        );
    }
}
