//! `cargo xtask bench`: figures, never pass/fail timing tests.

use crate::sh::Step;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::Path;

/// The console's transfer budget (wasm + js + css, gzip).
const BUDGET_GZIP_BYTES: u64 = 200 * 1024;

pub fn run(root: &Path) -> Result<(), String> {
    let env = crate::build_console(root)?;
    transfer_size(&root.join("dist"))?;
    Step::new("build the server for the console bench (release)")
        .cmd(
            root,
            "cargo",
            &[
                "build",
                "--release",
                "--quiet",
                "-p",
                "rewind-proxy",
                "--bin",
                "rewind",
            ],
        )
        .run()?;
    Step::new(
        "console timings in headless Chromium (cargo bench -p rewind-console --bench console)",
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
    Ok(())
}

/// Prints raw and gzip sizes of the built console per kind and in total.
pub fn transfer_size(dist: &Path) -> Result<(), String> {
    let mut rows = Vec::new();
    for kind in ["wasm", "js", "css"] {
        let (mut raw, mut gz) = (0u64, 0u64);
        for entry in
            std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?
        {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().and_then(|e| e.to_str()) == Some(kind) {
                let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
                raw += bytes.len() as u64;
                gz += gzip(&bytes)?.len() as u64;
            }
        }
        rows.push((kind, raw, gz));
    }
    println!("\n==> console transfer size (dist/)");
    println!("    {:<6} {:>12} {:>12}", "kind", "raw", "gzip");
    for (kind, raw, gz) in &rows {
        println!("    {kind:<6} {:>12} {:>12}", kb(*raw), kb(*gz));
    }
    let total_raw: u64 = rows.iter().map(|r| r.1).sum();
    let total_gz: u64 = rows.iter().map(|r| r.2).sum();
    println!(
        "    {:<6} {:>12} {:>12}",
        "total",
        kb(total_raw),
        kb(total_gz)
    );
    println!(
        "    budget: {} gzip; used {:.0}%{}",
        kb(BUDGET_GZIP_BYTES),
        100.0 * total_gz as f64 / BUDGET_GZIP_BYTES as f64,
        if total_gz > BUDGET_GZIP_BYTES {
            "  OVER BUDGET"
        } else {
            ""
        }
    );
    Ok(())
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes).map_err(|e| e.to_string())?;
    enc.finish().map_err(|e| e.to_string())
}

/// Writes `file.gz` beside each text/wasm asset so the server can send it precompressed.
pub fn precompress(dist: &Path) -> Result<(), String> {
    for entry in
        std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "wasm" | "js" | "css" | "html" | "json") {
            let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
            let mut gz_path = path.clone().into_os_string();
            gz_path.push(".gz");
            std::fs::write(&gz_path, gzip(&bytes)?).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;

    #[test]
    fn precompressed_files_decompress_to_the_original() {
        let dir = std::env::temp_dir().join(format!("xtask-precompress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let content = "body { color: red; }\n".repeat(50);
        std::fs::write(dir.join("style-0123456789abcdef.css"), &content).unwrap();
        std::fs::write(dir.join("notes.txt"), "not an asset").unwrap();
        precompress(&dir).unwrap();
        let gz = std::fs::read(dir.join("style-0123456789abcdef.css.gz")).unwrap();
        assert!(gz.len() < content.len());
        let mut out = String::new();
        GzDecoder::new(&gz[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, content);
        assert!(!dir.join("notes.txt.gz").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
