//! Signatures per second for each signer, and verifications per second.
//! `cargo bench -p rewind-cloud --bench signers` (short measurement: about 15 s in all).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rewind_cloud::build::{self, Target, Variant};
use rewind_cloud::sign::{self, Algorithm, Credentials, SigningParams};
use rewind_cloud::{Action, HttpRequest};
use serde_json::json;
use std::hint::black_box;
use std::time::Duration;

const T: i64 = 1_700_000_000;

fn request(alg: Algorithm) -> HttpRequest {
    let target = Target {
        region: "cn-hangzhou".into(),
        project_id: Some("0c21d48f7eb06852102364c79780db2f".into()),
        ..Default::default()
    };
    let built = match alg {
        Algorithm::Tc3 => build::build(
            Action::LhApplyInstanceSnapshot,
            &json!({"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-nv6aqcv6"}),
            &target,
        ),
        Algorithm::Acs3 => build::build(
            Action::EcsResetDisk,
            &json!({"DiskId": "d-bp199lyny9b3xxxx", "SnapshotId": "s-bp199lyny9b3xxxx"}),
            &target,
        ),
        Algorithm::AcsV1 => build::build_with(
            Action::EcsResetDisk,
            &json!({"DiskId": "d-bp199lyny9b3xxxx", "SnapshotId": "s-bp199lyny9b3xxxx"}),
            &target,
            Variant::AlibabaV1,
        ),
        Algorithm::SdkHmac => build::build(
            Action::WsBatchRestoreDesktopSnapshot,
            &json!({"snapshot_ids": ["d0fe06a7-f0e8-3988-37f1-a94d92d6ed2d"]}),
            &target,
        ),
    };
    built.expect("benchmark request builds")
}

fn signers(c: &mut Criterion) {
    let creds = Credentials::new("AKIDEXAMPLEFAKE", "fake-secret-bench");
    let mut sign_group = c.benchmark_group("sign");
    sign_group.throughput(Throughput::Elements(1));
    for alg in Algorithm::ALL {
        let req = request(alg);
        sign_group.bench_function(alg.id(), |b| {
            b.iter_batched(
                || req.clone(),
                |mut r| {
                    let p = SigningParams::new(&creds, T)
                        .with_nonce("3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
                    black_box(sign::sign(alg, &mut r, &p).expect("signs"))
                },
                BatchSize::SmallInput,
            )
        });
    }
    sign_group.finish();

    let mut verify_group = c.benchmark_group("verify");
    verify_group.throughput(Throughput::Elements(1));
    for alg in Algorithm::ALL {
        let mut req = request(alg);
        let p = SigningParams::new(&creds, T).with_nonce("3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
        sign::sign(alg, &mut req, &p).expect("signs");
        verify_group.bench_function(alg.id(), |b| {
            b.iter(|| {
                black_box(
                    sign::verify(&req, T, |_| Some("fake-secret-bench".to_string()))
                        .expect("verifies"),
                )
            })
        });
    }
    verify_group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = signers
}
criterion_main!(benches);
