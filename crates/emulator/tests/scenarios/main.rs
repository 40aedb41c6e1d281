//! Every documented rule, through the HTTP surfaces with signed requests and a manual
//! clock: one example that passes and one that fails, per rule. Each scenario records
//! the error codes it saw, and the last test checks the README table against them.

mod authentication;
mod ecs;
mod faults;
mod lighthouse;
mod workspace;

#[path = "../common/mod.rs"]
mod common;

use authentication::authentication;
use common::{Env, Signer, env, env_with, project, ws_path};
use ecs::{ecs_create_snapshot, ecs_power_and_describe, ecs_reset_disk};
use faults::faults;
use lighthouse::{lighthouse_apply, lighthouse_create_and_limits, lighthouse_power_and_describe};
use rewind_emulator::World;
use rewind_emulator::seed::names;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;
use workspace::{workspace_list, workspace_restore};

type Codes = BTreeSet<String>;

const GZ: Option<&str> = Some(names::LH_REGION);

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn lh_inst_state(body: &Value) -> (String, Option<String>) {
    let i = &body["InstanceSet"][0];
    (
        i["InstanceState"].as_str().unwrap().to_string(),
        i["LatestOperationState"].as_str().map(str::to_string),
    )
}

macro_rules! scenario {
    ($name:ident, $f:ident) => {
        #[tokio::test]
        async fn $name() {
            let mut seen = Codes::new();
            $f(&mut seen).await;
        }
    };
}

scenario!(lighthouse_apply_instance_snapshot_rules, lighthouse_apply);
scenario!(
    lighthouse_create_snapshot_quota_and_rate_limit,
    lighthouse_create_and_limits
);
scenario!(
    lighthouse_stop_start_and_describe,
    lighthouse_power_and_describe
);
scenario!(ecs_reset_disk_rules, ecs_reset_disk);
scenario!(ecs_create_snapshot_rules, ecs_create_snapshot);
scenario!(ecs_stop_start_and_describe, ecs_power_and_describe);
scenario!(workspace_batch_restore_and_jobs, workspace_restore);
scenario!(workspace_list_filters_and_paths, workspace_list);
scenario!(signatures_keys_skew_nonces_and_tokens, authentication);
scenario!(injected_faults_use_each_providers_shape, faults);

/// The README's error-code table lists exactly the codes these scenarios produce.
#[tokio::test]
async fn readme_error_table_matches_the_scenarios() {
    let mut seen = Codes::new();
    lighthouse_apply(&mut seen).await;
    lighthouse_create_and_limits(&mut seen).await;
    lighthouse_power_and_describe(&mut seen).await;
    ecs_reset_disk(&mut seen).await;
    ecs_create_snapshot(&mut seen).await;
    ecs_power_and_describe(&mut seen).await;
    workspace_restore(&mut seen).await;
    workspace_list(&mut seen).await;
    authentication(&mut seen).await;
    faults(&mut seen).await;
    seen.remove("");
    let readme = include_str!("../../README.md");
    let table: Codes = readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_string))
        .collect();
    let missing_from_readme: Vec<_> = seen.difference(&table).collect();
    let never_produced: Vec<_> = table.difference(&seen).collect();
    assert!(
        missing_from_readme.is_empty(),
        "codes produced but not in the README table: {missing_from_readme:?}"
    );
    assert!(
        never_produced.is_empty(),
        "README codes no scenario produces: {never_produced:?}"
    );
}
