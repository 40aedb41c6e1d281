//! One structured log line per request, never a secret or a signature. Alone in its
//! test binary: `tracing` caches callsite interest process-wide, so a thread-local
//! subscriber must not race other tests' requests.

mod common;

use common::{Env, Signer, env};
use rewind_emulator::config::demo;
use rewind_emulator::seed::names;
use serde_json::json;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn one_log_line_per_request_without_secrets_or_signatures() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let e = env();
    let mut req = Env::tc_request("DescribeInstances", Some(names::LH_REGION), &json!({}));
    e.sign(&mut req, &Signer::tencent());
    let signature = req
        .header("Authorization")
        .unwrap()
        .rsplit("Signature=")
        .next()
        .unwrap()
        .to_string();
    e.send_raw(&req).await;
    e.ecs(
        "ResetDisk",
        &[("DiskId", "d-nope"), ("SnapshotId", "s-nope")],
    )
    .await;
    e.ws("GET", &common::ws_path("snapshots"), &[], None).await;
    let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("emulator request"))
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].contains("provider=tencent")
            && lines[0].contains("action=\"DescribeInstances\"")
            && lines[0].contains("status=200"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("code=\"InvalidDiskId.NotFound\"") && lines[1].contains("status=404"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains("region=\"cn-north-4\""), "{}", lines[2]);
    for secret in [
        demo::TENCENT_SECRET_KEY,
        demo::ALIBABA_ACCESS_KEY_SECRET,
        demo::HUAWEI_SK,
        signature.as_str(),
        "Authorization",
        "Signature=",
    ] {
        assert!(!text.contains(secret), "log contains {secret:?}: {text}");
    }
}
