//! `cargo xtask bench`: figures, never pass/fail timing tests.

use crate::compress;
use crate::sh::Step;
use std::path::Path;

pub fn run(root: &Path) -> Result<(), String> {
    let env = crate::build_console(root)?;
    transfer_size(&root.join("dist"))?;
    crate::build_server(root, crate::Profile::Release)?;
    Step::new(
        "console bytes received and timings in headless Chromium (cargo bench -p rewind-console --bench console)",
    )
    .cmd(
        root,
        "cargo",
        &[
            "bench",
            "-p",
            "rewind-console",
            "--features",
            "e2e",
            "--bench",
            "console",
        ],
    )
    .env_all(&env.vars)
    .env("REWIND_BIN", root.join("target/release/rewind"))
    .env("REWIND_DIST", root.join("dist"))
    .run()?;
    Step::new("signer throughput (cargo bench -p rewind-cloud --bench signers)")
        .cmd(
            root,
            "cargo",
            &["bench", "-p", "rewind-cloud", "--bench", "signers"],
        )
        .env_all(&env.vars)
        .run()?;
    Step::new("proxy latency and throughput (cargo bench -p rewind-proxy --bench call)")
        .cmd(
            root,
            "cargo",
            &["bench", "-p", "rewind-proxy", "--bench", "call"],
        )
        .run()?;
    Step::new(
        "operations at scale: 1,000 at once, a 100-instance Lighthouse batch (cargo bench -p rewind-proxy --bench operations)",
    )
    .cmd(
        root,
        "cargo",
        &["bench", "-p", "rewind-proxy", "--bench", "operations"],
    )
    .env("REWIND_BIN", root.join("target/release/rewind"))
    .run()?;
    Ok(())
}

/// Prints raw and compressed sizes of the built console per kind and in total: the bytes
/// the server sends (the precompressed `.gz` / `.br` files the build wrote). The transfer
/// budgets are not checked here but on what the browser actually receives, in the
/// console bench (`benches/console.rs`, "console bytes received in headless Chromium").
pub fn transfer_size(dist: &Path) -> Result<(), String> {
    let mut rows = Vec::new();
    let files = compress::assets(dist)?;
    for kind in ["wasm", "js", "css"] {
        let (mut raw, mut gz, mut br) = (0u64, 0u64, 0u64);
        for path in files
            .iter()
            .filter(|p| p.extension().and_then(|e| e.to_str()) == Some(kind))
        {
            raw += std::fs::metadata(path).map_err(|e| e.to_string())?.len();
            gz += compress::sent(path, "gz")?.len() as u64;
            br += compress::sent(path, "br")?.len() as u64;
        }
        rows.push((kind, raw, gz, br));
    }
    println!("\n==> console files as built (dist/; the precompressed files the server sends)");
    println!(
        "    {:<6} {:>12} {:>12} {:>12}",
        "kind", "raw", "gzip", "brotli"
    );
    for (kind, raw, gz, br) in &rows {
        println!(
            "    {kind:<6} {:>12} {:>12} {:>12}",
            kb(*raw),
            kb(*gz),
            kb(*br)
        );
    }
    let total = |f: fn(&(&str, u64, u64, u64)) -> u64| rows.iter().map(f).sum::<u64>();
    let (total_raw, total_gz, total_br) = (total(|r| r.1), total(|r| r.2), total(|r| r.3));
    println!(
        "    {:<6} {:>12} {:>12} {:>12}",
        "total",
        kb(total_raw),
        kb(total_gz),
        kb(total_br)
    );
    println!(
        "    (the transfer budgets apply to the bytes headless Chromium receives: see \
         \"console bytes received in headless Chromium\" below)"
    );
    Ok(())
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}
