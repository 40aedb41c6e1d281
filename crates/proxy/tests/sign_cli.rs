//! `rewind sign`: the binary reads JSON on stdin and prints signed requests, or fails
//! cleanly with a message on stderr and nothing on stdout.

use std::io::Write;
use std::process::{Command, Stdio};

fn sign(input: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rewind"))
        .arg("sign")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rewind sign");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const TENCENT: &str = r#"{"provider":"tencent","action":"ApplyInstanceSnapshot",
  "params":{"InstanceId":"lhins-k31c771o","SnapshotId":"lhsnap-nv6aqcv6"},
  "region":"ap-guangzhou","endpoint":"lighthouse.tencentcloudapi.com",
  "credentials":{"id":"AKIDFAKEEXAMPLE","secret":"fake-secret-not-real"},"time":1700000000}"#;

#[test]
fn prints_a_verifiable_signed_request() {
    let (ok, stdout, stderr) = sign(TENCENT);
    assert!(ok, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["method"], "POST");
    assert_eq!(v["url"], "https://lighthouse.tencentcloudapi.com/");
    assert_eq!(v["headers"]["X-TC-Action"], "ApplyInstanceSnapshot");
    let auth = v["headers"]["Authorization"].as_str().unwrap();
    assert!(
        auth.starts_with(
            "TC3-HMAC-SHA256 Credential=AKIDFAKEEXAMPLE/2023-11-14/lighthouse/tc3_request"
        ),
        "{auth}"
    );
    assert!(
        v["debug"]["string_to_sign"]
            .as_str()
            .unwrap()
            .starts_with("TC3-HMAC-SHA256\n1700000000\n")
    );
    // The secret is an input, never an output.
    assert!(!stdout.contains("fake-secret-not-real"));

    // What it printed verifies with the cloud crate's verifier.
    let mut req = rewind_cloud::HttpRequest {
        method: "POST".into(),
        scheme: "https".into(),
        host: "lighthouse.tencentcloudapi.com".into(),
        path: "/".into(),
        body: v["body"].as_str().unwrap().as_bytes().to_vec(),
        ..Default::default()
    };
    for (k, val) in v["headers"].as_object().unwrap() {
        req.headers
            .push((k.clone(), val.as_str().unwrap().to_string()));
    }
    req.set_header("Host", "lighthouse.tencentcloudapi.com");
    let verified = rewind_cloud::sign::verify(&req, 1_700_000_030, |id| {
        (id == "AKIDFAKEEXAMPLE").then(|| "fake-secret-not-real".to_string())
    })
    .expect("our own signature verifies");
    assert_eq!(verified.access_key_id, "AKIDFAKEEXAMPLE");
}

#[test]
fn arrays_in_give_arrays_out() {
    let (ok, stdout, stderr) = sign(&format!("[{TENCENT}, {TENCENT}]"));
    assert!(ok, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(2));
}

#[test]
fn bad_input_fails_with_a_clear_message_and_no_partial_output() {
    for (input, needle) in [
        ("not json", "JSON"),
        (r#"{"provider":"aws"}"#, "provider"),
        (
            &TENCENT.replace("ApplyInstanceSnapshot", "TerminateInstances"),
            "TerminateInstances",
        ),
        // One bad item in an array: nothing is printed for the good one either.
        (
            &format!(
                "[{TENCENT}, {}]",
                TENCENT.replace("\"time\":1700000000", "\"time\":\"soon\"")
            ),
            "item 1",
        ),
    ] {
        let (ok, stdout, stderr) = sign(input);
        assert!(!ok, "accepted {input}");
        assert!(stdout.is_empty(), "partial output for {input}: {stdout}");
        assert!(
            stderr.contains(needle),
            "stderr for {input} lacks {needle:?}: {stderr}"
        );
    }
}
