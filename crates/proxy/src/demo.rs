//! `rewind serve --demo`: the emulator runs inside the process on 127.0.0.1:0, and one
//! profile per provider points at it with the emulator's documented demo keys, signing
//! for the emulator's own address. No auth (loopback only), everything allowed, audit
//! in memory. Its names are those of its loopback listener (`localhost`, `127.0.0.1` and
//! `[::1]` on the bound port; `rewind serve` sets `listen` once bound): with no auth,
//! a page at any other name that resolves to 127.0.0.1 must reach nothing.

use crate::config::{AlibabaSignature, Auth, Endpoint, Profile};
use crate::{AppConfig, Mode, audit, policy};
use rewind_cloud::Provider;
use rewind_cloud::sign::Credentials;
use rewind_emulator::config::demo as keys;
use rewind_emulator::seed::names;
use std::net::SocketAddr;
use std::path::PathBuf;

pub const TENCENT_PROFILE: &str = "demo-lighthouse";
pub const ALIBABA_PROFILE: &str = "demo-ecs";
pub const HUAWEI_PROFILE: &str = "demo-workspace";

/// An emulator running on a background task until stopped (or dropped).
pub struct EmbeddedEmulator {
    pub addr: SocketAddr,
    pub emulator: rewind_emulator::Emulator,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl EmbeddedEmulator {
    /// Starts `cfg` on 127.0.0.1 with a free port.
    pub async fn start(cfg: rewind_emulator::EmulatorConfig) -> std::io::Result<EmbeddedEmulator> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let emulator = rewind_emulator::Emulator::new(cfg);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(rewind_emulator::serve_with_shutdown(
            listener,
            emulator.clone(),
            async {
                let _ = stopped.await;
            },
        ));
        Ok(EmbeddedEmulator {
            addr,
            emulator,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Stops accepting connections and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for EmbeddedEmulator {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// One profile per provider, pointed at an emulator on `addr`.
pub fn profiles(addr: SocketAddr) -> Vec<Profile> {
    let endpoint = Endpoint {
        scheme: "http".into(),
        connect: addr.to_string(),
        host: addr.to_string(),
    };
    vec![
        Profile {
            name: TENCENT_PROFILE.into(),
            provider: Provider::Tencent,
            regions: names::LH_REGIONS.iter().map(|r| r.to_string()).collect(),
            credentials: Credentials::new(keys::TENCENT_SECRET_ID, keys::TENCENT_SECRET_KEY),
            signature: AlibabaSignature::V3,
            endpoint: Some(endpoint.clone()),
            project_ids: Default::default(),
        },
        Profile {
            name: ALIBABA_PROFILE.into(),
            provider: Provider::Alibaba,
            regions: names::ECS_REGIONS.iter().map(|r| r.to_string()).collect(),
            credentials: Credentials::new(
                keys::ALIBABA_ACCESS_KEY_ID,
                keys::ALIBABA_ACCESS_KEY_SECRET,
            ),
            signature: AlibabaSignature::V3,
            endpoint: Some(endpoint.clone()),
            project_ids: Default::default(),
        },
        Profile {
            name: HUAWEI_PROFILE.into(),
            provider: Provider::Huawei,
            regions: keys::HUAWEI_PROJECTS
                .iter()
                .map(|(_, r)| r.to_string())
                .collect(),
            credentials: Credentials::new(keys::HUAWEI_AK, keys::HUAWEI_SK),
            signature: AlibabaSignature::V3,
            endpoint: Some(endpoint),
            project_ids: keys::HUAWEI_PROJECTS
                .iter()
                .map(|(p, r)| (r.to_string(), p.to_string()))
                .collect(),
        },
    ]
}

/// `rewind serve --demo --relay`: the console starts in bring-your-own-keys mode (relay
/// mode in `/config.json`) and signs in the browser. The relay forwards to the emulator
/// because every demo profile names it as an explicit endpoint override (the only way a
/// loopback address is allowed); `relay_hosts` lists it for all three providers.
pub fn enable_relay(config: &mut AppConfig) {
    config.mode = Mode::Relay;
    config.relay.enabled = true;
}

/// The router settings of `rewind serve --demo` against an emulator on `addr`.
pub fn app_config(addr: SocketAddr, dist: Option<PathBuf>) -> Result<AppConfig, audit::AuditError> {
    Ok(AppConfig {
        mode: Mode::Portal,
        demo: true,
        dist,
        auth: Auth::None {
            user: "demo".into(),
        },
        profiles: profiles(addr),
        policy: vec![policy::Rule::allow_all()],
        audit: Some(audit::AuditLog::in_memory()?),
        ..AppConfig::default()
    })
}
