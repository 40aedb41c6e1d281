//! `rewind`: the one server binary.

use clap::{Parser, Subcommand};
use rewind_proxy::{AppConfig, config, demo};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "rewind",
    version,
    about = "Rewind: roll cloud disks back to snapshots, safely"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console and the API (proxy + relay).
    Serve(ServeArgs),
    /// Print the security headers a static host must send with the built console, as
    /// nginx `add_header` lines: the policy `rewind` sends, with the Rewind server's
    /// origin (`--api-base`) allowed for `fetch`.
    Headers {
        /// The built console (its index.html's inline scripts are allowed by hash).
        #[arg(long, default_value = "dist")]
        dist: PathBuf,
        /// The origin of the Rewind server the console calls, e.g. https://rewind.example.com.
        #[arg(long, value_name = "URL")]
        api_base: Option<String>,
    },
    /// Run the local cloud emulator alone (Lighthouse, ECS and Workspace APIs).
    Emulator {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: SocketAddr,
        /// `demo` (a few dozen resources) or `scale` (10,000+ snapshots).
        #[arg(long, default_value = "demo")]
        world: rewind_emulator::World,
        /// Seed of the generated world (same seed, same world).
        #[arg(long, default_value_t = rewind_emulator::DEFAULT_SEED)]
        seed: u64,
        /// JSON file of accepted keys per provider; the documented demo keys without it.
        #[arg(long)]
        credentials: Option<PathBuf>,
        /// Enable the loopback-only fault-injection endpoint `/__emulator/faults`.
        #[arg(long)]
        faults: bool,
        /// How long every cloud-side operation (stop, start, rollback, reset, snapshot,
        /// restore) takes, in milliseconds [default: realistic times of a few seconds].
        #[arg(long, value_name = "MS")]
        op_ms: Option<u64>,
    },
    /// Print signed requests: reads one JSON object or an array on stdin (see README).
    Sign,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Embed the local emulator with demo profiles and no auth (loopback only).
    #[arg(long, conflicts_with = "config")]
    demo: bool,
    /// The configuration file (see rewind.example.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on [default: the file's `listen`, or 127.0.0.1:8080].
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// The built console (Trunk's dist folder) [default: the file's `dist`, or dist].
    #[arg(long)]
    dist: Option<PathBuf>,
    /// With --demo: the emulator's world, `demo` or `scale` (10,000+ snapshots).
    #[arg(long, requires = "demo", default_value = "demo")]
    world: rewind_emulator::World,
    /// With --demo: start the console in bring-your-own-keys (relay) mode.
    #[arg(long, requires = "demo")]
    relay: bool,
    /// With --demo: enable the embedded emulator's loopback-only fault-injection
    /// endpoint `/__emulator/faults` (its address is logged at start).
    #[arg(long, requires = "demo")]
    faults: bool,
    /// With --demo: an origin of a console hosted elsewhere (a static host) that may
    /// call this server; repeat for more (a configuration file has `cors.origins`).
    #[arg(long = "cors-origin", value_name = "ORIGIN", requires = "demo")]
    cors_origins: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `sign` is a pure filter: no runtime, no logs, output only on success.
    if let Command::Sign = cli.command {
        return sign();
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, not in files, journald or tests.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rewind: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rewind: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Serve(args) => serve(args).await,
        Command::Headers { dist, api_base } => {
            print!("{}", nginx_headers(&dist, api_base.as_deref())?);
            Ok(())
        }
        Command::Emulator {
            listen,
            world,
            seed,
            credentials,
            faults,
            op_ms,
        } => {
            let mut cfg = rewind_emulator::EmulatorConfig::new(world);
            cfg.seed = seed;
            cfg.faults_enabled = faults;
            if let Some(ms) = op_ms {
                let d = std::time::Duration::from_millis(ms);
                cfg.timings = rewind_emulator::config::Timings {
                    stop: d,
                    start: d,
                    rollback: d,
                    reset_disk: d,
                    create_snapshot: d,
                    job_queue: d,
                    restore_desktop: d,
                };
            }
            if let Some(path) = credentials {
                cfg.credentials = rewind_emulator::Credentials::from_file(&path)
                    .map_err(|e| format!("--credentials {}: {e}", path.display()))?;
            }
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!("rewind emulator listening on http://{addr}/");
            rewind_emulator::serve_with_shutdown(
                listener,
                rewind_emulator::Emulator::new(cfg),
                shutdown_signal(),
            )
            .await
            .map_err(|e| e.to_string())
        }
        Command::Sign => Ok(()),
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let ServeArgs {
        demo,
        config: config_path,
        listen,
        dist,
        world,
        relay,
        faults,
        cors_origins,
    } = args;
    let cors_origins = rewind_proxy::config::origins("--cors-origin", None, cors_origins)
        .map_err(|e| e.to_string())?;
    let found_dist = |dist: PathBuf| {
        if dist.join("index.html").is_file() {
            Some(dist)
        } else {
            tracing::warn!(dist = %dist.display(), "no built console found; serving the API only");
            None
        }
    };
    // The emulator of --demo lives as long as the server.
    let mut embedded = None;
    let (listen, app_config) = if demo {
        let listen = listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        if !listen.ip().is_loopback() {
            return Err(format!(
                "--demo has no authentication and listens on loopback only; {listen} is not a loopback address"
            ));
        }
        let mut emu_cfg = rewind_emulator::EmulatorConfig::new(world);
        emu_cfg.faults_enabled = faults;
        let emu = demo::EmbeddedEmulator::start(emu_cfg)
            .await
            .map_err(|e| format!("cannot start the embedded emulator: {e}"))?;
        tracing::info!(emulator = %emu.addr, "embedded emulator started");
        let mut cfg = demo::app_config(emu.addr, found_dist(dist.unwrap_or_else(|| "dist".into())))
            .map_err(|e| e.to_string())?;
        if relay {
            demo::enable_relay(&mut cfg);
        }
        cfg.cors_origins = cors_origins;
        embedded = Some(emu);
        (listen, cfg)
    } else {
        // clap counts an absent --demo flag as given, so `requires` cannot enforce this.
        if relay {
            return Err(
                "--relay only goes with --demo (a configuration file sets `mode` and `[relay]`)"
                    .into(),
            );
        }
        if faults {
            return Err("--faults only goes with --demo (it acts on the embedded emulator)".into());
        }
        if !cors_origins.is_empty() {
            return Err(
                "--cors-origin only goes with --demo (a configuration file has `cors.origins`)"
                    .into(),
            );
        }
        let Some(path) = config_path else {
            return Err("give --config FILE (see rewind.example.toml) or --demo".into());
        };
        let mut file = config::load_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(l) = listen {
            file.listen = l;
            if matches!(file.auth, config::Auth::None { .. }) && !l.ip().is_loopback() {
                return Err(format!(
                    "auth.mode: \"none\" is only allowed when listening on loopback, and {l} is not"
                ));
            }
        }
        let audit = match &file.audit_path {
            Some(p) => Some(rewind_proxy::audit::AuditLog::open(p).map_err(|e| e.to_string())?),
            None => {
                tracing::warn!("no audit.path configured: mutating calls are not recorded");
                None
            }
        };
        let dist = dist.or(file.dist.take()).unwrap_or_else(|| "dist".into());
        let listen = file.listen;
        let mut cfg = AppConfig::from_serve(file, audit);
        cfg.dist = found_dist(dist);
        (listen, cfg)
    };
    // Bound before the router is built: the router answers only for the names of the
    // address actually bound (port 0 resolved), see `rewind_proxy::host`.
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let mut app_config = app_config;
    app_config.listen = Some(addr);
    let serving = rewind_proxy::listen::Settings::new(&app_config.limits);
    let (router, state) = rewind_proxy::build(app_config);
    // The first line on stdout is the URL: scripts and tests wait for it.
    println!("rewind listening on http://{addr}/");
    let signal = {
        let state = state.clone();
        async move {
            shutdown_signal().await;
            // Operations start no new calls, and their event streams end, so the
            // connections can drain.
            state.executor.begin_shutdown();
        }
    };
    // Our own loop rather than axum::serve: deadlines for slow clients and a connection cap.
    rewind_proxy::listen::serve(listener, router, serving, signal).await;
    // Calls in flight get their answers recorded; the rest resumes at the next start.
    state.executor.shutdown(serving.shutdown_grace).await;
    if let Some(emu) = embedded {
        emu.stop().await;
    }
    Ok(())
}

fn sign() -> ExitCode {
    use std::io::Read;
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("rewind sign: cannot read stdin: {e}");
        return ExitCode::FAILURE;
    }
    match rewind_cloud::signcli::run(&input) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rewind sign: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// `rewind headers`: the static host's `add_header` lines for the console in `dist`.
fn nginx_headers(dist: &std::path::Path, api_base: Option<&str>) -> Result<String, String> {
    if let Some(base) = api_base {
        rewind_proxy::config::origins("--api-base", None, vec![base.to_string()])
            .map_err(|e| e.to_string())?;
    }
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| {
        format!(
            "cannot read {}: {e} (build the console first)",
            index.display()
        )
    })?;
    let mut out = String::new();
    for (name, value) in rewind_proxy::headers::static_host_headers(&html, api_base) {
        out.push_str(&format!("add_header {name} \"{value}\" always;\n"));
    }
    Ok(out)
}
