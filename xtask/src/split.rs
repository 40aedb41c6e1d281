//! The console's release build, split per page.
//!
//! Trunk cannot split a module (trunk-rs/trunk#1022), so `cargo xtask build` does what
//! it did, plus the split:
//!
//! 1. `cargo build` of the console for wasm32 with the `split` feature, linked with
//!    `--emit-relocs` so the splitter can move code;
//! 2. `wasm_split_cli_support` cuts the module at the `#[lazy]` functions of
//!    `src/pages.rs`: a main module, one chunk per page, shared chunks, and
//!    `__wasm_split.js`, which fetches a chunk the first time its page opens;
//! 3. `wasm-bindgen --keep-lld-exports` makes the JS glue of the main module (the
//!    chunks import what they need from its exports);
//! 4. `wasm-opt -Oz` on every module, without names or producers;
//! 5. `index.html` from the project's, with its stylesheets and icon named by content
//!    hash and its Trunk `rust` link replaced by the loader.
//!
//! The modules and their glue reference each other by relative name, so they go into one
//! directory named by the hash of all of them, `pkg-<16 hex>/`: a new build is a new
//! directory, and the server caches anything under it forever, as it does a hashed file.

use crate::sh::Step;
use std::path::{Path, PathBuf};

/// What rustc 1.95 emits for wasm32 and every browser the console supports runs; not
/// `--all-features`, which lets wasm-opt write encodings browsers refuse (compact imports).
const WASM_FEATURES: [&str; 7] = [
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-call-indirect-overlong",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
];

/// The console's binary (and output) name.
const NAME: &str = "rewind-console";

/// Builds the console into `dist/` (emptied first).
pub fn build(root: &Path, vars: &[(String, String)]) -> Result<(), String> {
    Step::new("build the console's wasm (cargo build --profile wasm-release --features split)")
        .cmd(
            root,
            "cargo",
            &[
                "build",
                "--quiet",
                "--profile",
                "wasm-release",
                "--target",
                "wasm32-unknown-unknown",
                "--bin",
                NAME,
                "--features",
                "split",
            ],
        )
        .env_all(vars)
        // As .cargo/config.toml's, plus the relocations the splitter reads.
        .env(
            "RUSTFLAGS",
            "--cfg erase_components -C link-args=--emit-relocs",
        )
        .run()?;
    let linked = root.join(format!(
        "target/wasm32-unknown-unknown/wasm-release/{NAME}.wasm"
    ));
    let work = root.join("target/split");
    reset_dir(&work)?;
    let cut = work.join("cut");
    let glue = work.join("pkg");
    let main_wasm = cut.join("main.wasm");

    let started = std::time::Instant::now();
    println!("\n==> split the module at the pages of src/pages.rs (wasm_split_cli_support)");
    let input = read(&linked)?;
    let main_module = format!("./{NAME}.js");
    let split = wasm_split_cli_support::transform({
        let mut o = wasm_split_cli_support::Options::new(&input);
        o.output_dir = &cut;
        o.main_out_path = &main_wasm;
        o.main_module = &main_module;
        o
    })
    .map_err(|e| format!("splitting {}: {e:?}", linked.display()))?;
    println!(
        "    {} chunks, {:.1} s",
        split.split_modules.len(),
        started.elapsed().as_secs_f64()
    );

    Step::new("JS glue of the main module (wasm-bindgen --keep-lld-exports)")
        .cmd(
            root,
            "wasm-bindgen",
            &[
                &main_wasm.to_string_lossy(),
                "--out-dir",
                &glue.to_string_lossy(),
                "--out-name",
                NAME,
                "--target",
                "web",
                "--no-typescript",
                "--keep-lld-exports",
            ],
        )
        .env_all(vars)
        .run()?;
    // The chunks and their loader sit beside the glue that imports them.
    for entry in list(&cut)? {
        let name = file_name(&entry);
        if name != "main.wasm" {
            copy(&entry, &glue.join(name))?;
        }
    }
    for module in list(&glue)? {
        if module.extension().is_some_and(|e| e == "wasm") {
            let m = module.to_string_lossy().to_string();
            Step::new(format!("optimize {} (wasm-opt -Oz)", file_name(&module)))
                .cmd(
                    root,
                    "wasm-opt",
                    &[
                        &["-Oz", "--strip-debug", "--strip-producers"][..],
                        &WASM_FEATURES[..],
                        &[&m, "-o", &m],
                    ]
                    .concat(),
                )
                .env_all(vars)
                .run()?;
        }
    }

    let dist = root.join("dist");
    reset_dir(&dist)?;
    let pkg = format!("pkg-{}", hash_of(&list(&glue)?)?);
    copy_dir(&glue, &dist.join(&pkg))?;
    let template = std::fs::read_to_string(root.join("index.html"))
        .map_err(|e| format!("cannot read index.html: {e}"))?;
    let html = index_html(&template, &pkg, |href| {
        let source = root.join(href);
        let bytes = read(&source)?;
        let hashed = hashed_name(href, &bytes);
        write(&dist.join(&hashed), &bytes)?;
        Ok(hashed)
    })?;
    write(&dist.join("index.html"), html.as_bytes())
}

/// `index.html` from the project's: each `<link data-trunk rel="css|icon" href=…>` names
/// the copy `asset` makes, and the `rel="rust"` link becomes the loader of `pkg`.
fn index_html(
    template: &str,
    pkg: &str,
    mut asset: impl FnMut(&str) -> Result<String, String>,
) -> Result<String, String> {
    let mut out = String::new();
    let mut loader = false;
    for line in template.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if !trimmed.starts_with("<link data-trunk") {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let rel = attribute(trimmed, "rel")
            .ok_or_else(|| format!("index.html: a Trunk link without rel: {trimmed}"))?;
        match rel {
            "rust" => {
                loader = true;
                out.push_str(&format!(
                    "{indent}<link rel=\"modulepreload\" href=\"/{pkg}/{NAME}.js\" />\n\
                     {indent}<link rel=\"preload\" href=\"/{pkg}/{NAME}_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"anonymous\" />\n\
                     {indent}<script type=\"module\">import init from '/{pkg}/{NAME}.js'; await init({{ module_or_path: '/{pkg}/{NAME}_bg.wasm' }});</script>\n"
                ));
            }
            "css" | "icon" => {
                let href = attribute(trimmed, "href")
                    .ok_or_else(|| format!("index.html: a Trunk link without href: {trimmed}"))?;
                let kind = if rel == "css" { "stylesheet" } else { "icon" };
                out.push_str(&format!(
                    "{indent}<link rel=\"{kind}\" href=\"/{}\" />\n",
                    asset(href)?
                ));
            }
            other => {
                return Err(format!(
                    "index.html: Trunk link rel={other:?} is not built here"
                ));
            }
        }
    }
    if !loader {
        return Err("index.html has no <link data-trunk rel=\"rust\"> to load the console".into());
    }
    Ok(out)
}

/// The value of `name="…"` in one tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// `style/main.css` → `main-<16 hex>.css`.
fn hashed_name(href: &str, bytes: &[u8]) -> String {
    let file = href.rsplit('/').next().unwrap_or(href);
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    format!("{stem}-{:016x}.{ext}", fnv1a(&[bytes]))
}

/// A hash of the files' names and contents, in name order.
fn hash_of(files: &[PathBuf]) -> Result<String, String> {
    let mut parts = Vec::new();
    for f in files {
        parts.push(file_name(f).as_bytes().to_vec());
        parts.push(read(f)?);
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    Ok(format!("{:016x}", fnv1a(&refs)))
}

/// FNV-1a, 64 bits: stable across Rust releases, unlike `DefaultHasher`.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.iter().chain(&[0xff]) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// The files directly in `dir`, in name order.
fn list(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for entry in
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?
    {
        let p = entry.map_err(|e| e.to_string())?.path();
        if p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?
    {
        let p = entry.map_err(|e| e.to_string())?.path();
        let dest = to.join(file_name(&p));
        if p.is_dir() {
            copy_dir(&p, &dest)?;
        } else {
            copy(&p, &dest)?;
        }
    }
    Ok(())
}

fn reset_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

fn read(p: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

fn write(p: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(p, bytes).map_err(|e| format!("cannot write {}: {e}", p.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <title>Rewind</title>
    <link data-trunk rel="icon" href="style/favicon.svg" />
    <link data-trunk rel="css" href="style/main.css" />
    <link data-trunk rel="rust" data-bin="rewind-console" data-wasm-opt="z" />
  </head>
  <body></body>
</html>
"#;

    #[test]
    fn the_pages_links_name_the_hashed_copies_and_the_loader_names_the_package() {
        let mut asked = Vec::new();
        let html = index_html(TEMPLATE, "pkg-0123456789abcdef", |href| {
            asked.push(href.to_string());
            Ok(hashed_name(href, href.as_bytes()))
        })
        .unwrap();
        assert_eq!(asked, ["style/favicon.svg", "style/main.css"]);
        assert!(!html.contains("data-trunk"), "{html}");
        let css = hashed_name("style/main.css", b"style/main.css");
        assert!(
            html.contains(&format!("<link rel=\"stylesheet\" href=\"/{css}\" />")),
            "{html}"
        );
        assert!(
            html.contains("import init from '/pkg-0123456789abcdef/rewind-console.js'; await init({ module_or_path: '/pkg-0123456789abcdef/rewind-console_bg.wasm' });"),
            "{html}"
        );
        assert!(html.contains("<title>Rewind</title>"));
    }

    #[test]
    fn a_page_without_the_console_or_with_an_unknown_link_is_refused() {
        let no_rust = TEMPLATE.replace("rel=\"rust\"", "rel=\"copy-dir\"");
        let e = index_html(&no_rust, "pkg-x", |h| Ok(h.to_string())).unwrap_err();
        assert!(e.contains("copy-dir"), "{e}");
        let none = TEMPLATE
            .lines()
            .filter(|l| !l.contains("rel=\"rust\""))
            .collect::<Vec<_>>()
            .join("\n");
        let e = index_html(&none, "pkg-x", |h| Ok(h.to_string())).unwrap_err();
        assert!(e.contains("no <link data-trunk rel=\"rust\">"), "{e}");
    }

    #[test]
    fn names_change_with_content_only() {
        assert_eq!(
            hashed_name("style/main.css", b"a"),
            hashed_name("x/main.css", b"a")
        );
        assert_ne!(
            hashed_name("style/main.css", b"a"),
            hashed_name("style/main.css", b"b")
        );
        assert!(hashed_name("style/main.css", b"a").starts_with("main-"));
        assert_eq!(fnv1a(&[b""]), fnv1a(&[b""]));
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
    }
}
