//! Lighthouse's documented 20 requests per second for ApplyInstanceSnapshot and
//! CreateInstanceSnapshot, as the emulator enforces it: per access key and per action,
//! in a sliding one-second window on the injected clock. The operations bench counts
//! the `RequestLimitExceeded` answers, so they must mean what the cloud means.

mod common;

use common::{Env, Signer, env_with};
use rewind_emulator::World;
use rewind_emulator::config::Secret;
use serde_json::{Value, json};
use std::time::Duration;

const GZ: Option<&str> = Some("ap-guangzhou");
const OTHER_KEY: &str = "AKIDREWINDSECONDKEY00000000000000000000";

fn other_key() -> Signer {
    Signer {
        id: OTHER_KEY.into(),
        secret: "another-account".into(),
        ..Signer::tencent()
    }
}

/// An ApplyInstanceSnapshot the rules refuse after the rate check (no such instance),
/// so that the calls change nothing; its error code.
async fn apply(e: &Env, signer: &Signer) -> String {
    let body: Value = json!({"InstanceId": "lhins-zzzzzzzz", "SnapshotId": "lhsnap-zzzzzzzz"});
    let r = e
        .send(
            Env::tc_request("ApplyInstanceSnapshot", GZ, &body),
            Some(signer),
        )
        .await;
    r.code().unwrap_or_default()
}

#[tokio::test]
async fn a_21st_call_within_one_second_is_refused_per_key_and_action() {
    let e = env_with(World::Demo, |cfg| {
        cfg.credentials.tencent.insert(
            OTHER_KEY.into(),
            Secret {
                secret: "another-account".into(),
                token: None,
            },
        );
    });
    let key = Signer::tencent();
    // Twenty calls spread over 950 ms are admitted.
    for k in 0..20 {
        assert_eq!(
            apply(&e, &key).await,
            "ResourceNotFound.InstanceIdNotFound",
            "call {k}"
        );
        if k < 19 {
            e.clock.advance(Duration::from_millis(50));
        }
    }
    // The 21st, 999 ms after the first, is refused.
    e.clock.advance(Duration::from_millis(49));
    assert_eq!(apply(&e, &key).await, "RequestLimitExceeded");
    // Another access key is another account, with a budget of its own.
    assert_eq!(
        apply(&e, &other_key()).await,
        "ResourceNotFound.InstanceIdNotFound"
    );
    // So is another action.
    let r = e
        .tc(
            "CreateInstanceSnapshot",
            GZ,
            json!({"InstanceId": "lhins-zzzzzzzz"}),
        )
        .await;
    assert_eq!(
        r.code().as_deref(),
        Some("ResourceNotFound.InstanceIdNotFound")
    );
    // One second after the first call, it has left the window.
    e.clock.advance(Duration::from_millis(1));
    assert_eq!(apply(&e, &key).await, "ResourceNotFound.InstanceIdNotFound");
}
