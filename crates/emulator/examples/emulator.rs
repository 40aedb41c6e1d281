//! Runs the emulator alone until Ctrl-C, for manual checks with the official SDKs:
//! `cargo run -p rewind-emulator --example emulator -- [ADDR] [demo|scale] [CREDENTIALS.json]`.
//! Fault injection is enabled (loopback callers only). The `rewind` binary's
//! `rewind emulator` subcommand is the supported way to run it.

use rewind_emulator::{Credentials, EmulatorConfig, World};

#[tokio::main]
async fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8090".into());
    let world: World = args.next().as_deref().unwrap_or("demo").parse()?;
    let mut cfg = EmulatorConfig::new(world);
    if let Some(path) = args.next() {
        cfg.credentials = Credentials::from_file(path).map_err(|e| e.to_string())?;
    }
    cfg.faults_enabled = true;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("emulator listening on http://{local}/");
    let emu = rewind_emulator::Emulator::new(cfg);
    rewind_emulator::serve_with_shutdown(listener, emu, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| e.to_string())
}
