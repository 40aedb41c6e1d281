//! `cargo xtask bench` (or `cargo bench -p rewind-console --features e2e --bench console`
//! with `REWIND_BIN` and `REWIND_DIST` set): how fast the console feels, measured in
//! headless Chromium against `rewind serve --demo`. Prints figures; never fails on timing.
//!
//! - navigation → first painted snapshot table (demo world): the console marks
//!   `rewind:first-table-paint` in the animation frame after its first rows render;
//!   the mark's `startTime` is milliseconds since the navigation started.
//! - filter keystroke → paint on the 10,000-snapshot table (scale world): in the page,
//!   an `input` event is dispatched on the filter; "DOM updated" is when the table body
//!   last changed (a MutationObserver), "next frame" is the following animation frame.
//!   Goal: ≤ 16 ms (one frame at 60 Hz).
//! - bytes received (issue #15): what the browser actually downloaded, read from the
//!   Performance API (the navigation and resource entries) in a fresh browser profile,
//!   once asking for gzip only (CDP `Network.setExtraHTTPHeaders`) and once with
//!   Chromium's own `Accept-Encoding` (brotli). First view: `/`, then the in-app move to
//!   `/tencent/instances` until its first table is painted. Whole console: every page
//!   opened once in the same document (the client-side router), each URL counted once.
//!   The budgets ([`FIRST_VIEW_BUDGET`], [`WHOLE_CONSOLE_BUDGET`], gzip) apply to the
//!   server's static assets (html, js, wasm, css); `/config.json` and `/api/…` calls are
//!   printed apart.

#[allow(dead_code)]
#[path = "../tests/support/mod.rs"]
mod support;

use fantoccini::Locator;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};
use support::Harness;

const NAVIGATIONS: usize = 7;
const KEYSTROKES: &[&str] = &[
    "a",
    "ap",
    "app",
    "app-",
    "app-0",
    "app-09",
    "app-099",
    "app-099-",
    "app-099-1",
    "app-099-",
    "app-09",
    "app",
    "s",
    "s-",
    "auto",
    "auto_1",
    "",
    "x",
    "",
];

/// The `p` quantile of sorted, non-empty samples (nearest rank).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn stats(mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    if v.is_empty() {
        return "no samples".into();
    }
    let pct = |p: f64| percentile(&v, p);
    format!(
        "median {:>6.1} ms   p90 {:>6.1} ms   min {:>6.1} ms   max {:>6.1} ms   (n={})",
        pct(0.5),
        pct(0.9),
        v[0],
        v[v.len() - 1],
        v.len()
    )
}

async fn first_table_paint() -> Vec<f64> {
    let h = Harness::start().await;
    let mut samples = Vec::new();
    for _ in 0..NAVIGATIONS {
        h.open("tencent/snapshots").await;
        let mut at = None;
        for _ in 0..400 {
            let v = h
                .client
                .execute(
                    "const m = performance.getEntriesByName('rewind:first-table-paint'); return m.length ? m[0].startTime : null;",
                    vec![],
                )
                .await
                .expect("script");
            if let Some(ms) = v.as_f64() {
                at = Some(ms);
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        match at {
            Some(ms) => samples.push(ms),
            None => eprintln!("console bench: no first-table-paint mark within 10 s"),
        }
    }
    h.stop().await;
    samples
}

const KEYSTROKE_JS: &str = r#"
const [text, done] = [arguments[0], arguments[arguments.length - 1]];
const input = document.querySelector('[data-testid=filter]');
const body = document.querySelector('.inventory tbody');
let last = null;
const obs = new MutationObserver(() => { last = performance.now(); });
obs.observe(body, {childList: true, subtree: true, characterData: true, attributes: true});
const t0 = performance.now();
input.value = text;
input.dispatchEvent(new Event('input', {bubbles: true}));
setTimeout(() => requestAnimationFrame(() => {
  const frame = performance.now();
  obs.disconnect();
  done([last === null ? 0 : last - t0, frame - t0]);
}), 0);
"#;

async fn filter_keystrokes() -> (Vec<f64>, Vec<f64>, usize) {
    let h = Harness::start_with(&["--world", "scale"]).await;
    h.open("alibaba/snapshots").await;
    let loaded = h.load_all_rows(10_000).await;
    let (mut dom, mut frame) = (Vec::new(), Vec::new());
    // Three passes over the keystrokes: the first warms the JIT and caches and is not
    // counted.
    for pass in 0..3 {
        for text in KEYSTROKES {
            let v = h
                .client
                .execute_async(KEYSTROKE_JS, vec![serde_json::json!(text)])
                .await
                .expect("script");
            if pass > 0
                && let (Some(d), Some(f)) = (v[0].as_f64(), v[1].as_f64())
            {
                dom.push(d);
                frame.push(f);
            }
        }
    }
    let rows = h.count_css(".inventory tbody tr[data-id]").await;
    let _ = h.client.find(Locator::Css("[data-testid=filter]")).await;
    h.stop().await;
    assert!(
        rows < 200,
        "the table is not windowed: {rows} rows rendered"
    );
    (dom, frame, loaded)
}

/// Budget for the first view (`/`, then [`FIRST_VIEW_PAGE`] painted): the static assets
/// the browser receives, gzip.
const FIRST_VIEW_BUDGET: u64 = 200 * 1024;
/// Budget for the whole console (every page of [`PAGES`] opened once), gzip.
const WHOLE_CONSOLE_BUDGET: u64 = 300 * 1024;
/// The inventory list the first view ends on.
const FIRST_VIEW_PAGE: &str = "/tencent/instances";
/// Every page of the console (README "Console routes"), in the order they are opened.
const PAGES: &[&str] = &[
    "/",
    FIRST_VIEW_PAGE,
    "/tencent/snapshots",
    "/tencent/rollback",
    "/tencent/batch",
    "/alibaba/instances",
    "/alibaba/disks",
    "/alibaba/snapshots",
    "/alibaba/reset-disk",
    "/alibaba/create-snapshot",
    "/huawei/snapshots",
    "/huawei/restore",
    "/operations",
    "/settings",
];

/// What a received resource is, for the budgets: only the server's static assets count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// html, js, wasm, css (and any other file of dist/).
    Asset,
    /// `/config.json`, the console's start-up settings.
    Config,
    /// `/api/…`.
    Api,
    /// Another origin.
    Other,
}

/// One Performance API entry (navigation or resource). `transfer` is `transferSize`:
/// the body as received (`encodedBodySize`) plus a nominal 300 bytes per response for
/// the headers (Chromium, as Resource Timing specifies, reports that constant rather
/// than the real header size), 0 when nothing came over the network (cache, or a
/// preload consumed by the fetch that asked for it).
#[derive(Clone, Debug)]
struct Entry {
    kind: Kind,
    /// Path and query on the console's origin, or the whole URL of another origin.
    path: String,
    transfer: u64,
    encoded: u64,
    decoded: u64,
}

const ENTRIES_JS: &str = r#"
const pick = e => [e.name, e.transferSize, e.encodedBodySize, e.decodedBodySize];
return performance.getEntriesByType('navigation').map(pick)
  .concat(performance.getEntriesByType('resource').map(pick));
"#;

/// The page's navigation and resource entries so far.
async fn entries(h: &Harness) -> Vec<Entry> {
    let origin = h.url.trim_end_matches('/');
    let v = h.js(ENTRIES_JS).await;
    let rows = v
        .as_array()
        .unwrap_or_else(|| panic!("console bench: performance entries are not a list: {v}"));
    rows.iter()
        .map(|r| {
            let name = r[0].as_str().unwrap_or_default();
            let name = name.split('#').next().unwrap_or_default();
            let (kind, path) = match name.strip_prefix(origin) {
                Some(p) => {
                    let p = if p.is_empty() { "/" } else { p };
                    let kind = if p.starts_with("/api/") {
                        Kind::Api
                    } else if p == "/config.json" || p.starts_with("/config.json?") {
                        Kind::Config
                    } else {
                        Kind::Asset
                    };
                    (kind, p.to_string())
                }
                None => (Kind::Other, name.to_string()),
            };
            let n = |i: usize| r[i].as_f64().unwrap_or(0.0) as u64;
            Entry {
                kind,
                path,
                transfer: n(1),
                encoded: n(2),
                decoded: n(3),
            }
        })
        .collect()
}

/// What a browser session had received at some moment.
struct Received {
    /// Static assets and `/config.json`, each URL once, with what came over the network
    /// for it: the entry with the most bytes transferred (a preloaded file and the fetch
    /// that uses it are two entries, one of them 0).
    files: BTreeMap<(Kind, String), Entry>,
    /// `/api/…`: every response (transferSize sum, count), repeats included: each is its
    /// own request (the cloud calls all go to `POST /api/v1/call`).
    api: (u64, usize),
    /// Other origins: every response (transferSize sum, count).
    other: (u64, usize),
    /// Static assets that came over the network more than once: path, times, bytes.
    repeated: Vec<(String, usize, u64)>,
}

impl Received {
    fn of(entries: &[Entry]) -> Received {
        let mut files: BTreeMap<(Kind, String), Entry> = BTreeMap::new();
        let mut times: BTreeMap<String, (usize, u64)> = BTreeMap::new();
        let (mut api, mut other) = ((0, 0), (0, 0));
        for e in entries {
            match e.kind {
                Kind::Api if e.transfer > 0 => api = (api.0 + e.transfer, api.1 + 1),
                Kind::Other if e.transfer > 0 => other = (other.0 + e.transfer, other.1 + 1),
                Kind::Api | Kind::Other => {}
                Kind::Asset | Kind::Config => {
                    if e.transfer > 0 {
                        let t = times.entry(e.path.clone()).or_default();
                        *t = (t.0 + 1, t.1 + e.transfer);
                    }
                    let slot = files
                        .entry((e.kind, e.path.clone()))
                        .or_insert_with(|| e.clone());
                    if e.transfer > slot.transfer {
                        *slot = e.clone();
                    }
                }
            }
        }
        let repeated = times
            .into_iter()
            .filter(|(_, (n, _))| *n > 1)
            .map(|(p, (n, bytes))| (p, n, bytes))
            .collect();
        Received {
            files,
            api,
            other,
            repeated,
        }
    }

    /// Sums over the distinct URLs of one kind: (transferSize, encodedBodySize, URLs).
    fn sums(&self, kind: Kind) -> (u64, u64, usize) {
        self.files
            .values()
            .filter(|e| e.kind == kind && e.transfer > 0)
            .fold((0, 0, 0), |(t, b, n), e| {
                (t + e.transfer, b + e.encoded, n + 1)
            })
    }
}

/// One encoding's run: the first view and the whole console, in one document.
struct Run {
    first: Received,
    whole: Received,
}

/// Moves the console to `path` in the same document, as its router does for a link.
async fn go_in_app(h: &Harness, path: &str) {
    h.client
        .execute(
            "history.pushState(null, '', arguments[0]); dispatchEvent(new PopStateEvent('popstate'));",
            vec![serde_json::json!(path)],
        )
        .await
        .unwrap_or_else(|e| panic!("console bench: cannot move to {path} in the page: {e}"));
}

/// Waits until no new resource entry has appeared for 600 ms (at most 10 s).
async fn settle(h: &Harness) {
    let start = Instant::now();
    let mut last = usize::MAX;
    let mut quiet = 0;
    while quiet < 3 && start.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let n = h
            .js("return performance.getEntriesByType('resource').length;")
            .await
            .as_u64()
            .unwrap_or(0) as usize;
        quiet = if n == last { quiet + 1 } else { 0 };
        last = n;
    }
}

/// One measurement in the browser session `h` (which must be fresh: nothing cached),
/// asking for gzip only or with Chromium's default `Accept-Encoding`.
async fn receive(h: &Harness, gzip_only: bool) -> Run {
    h.cdp("Network.enable", serde_json::json!({})).await;
    if gzip_only {
        h.cdp(
            "Network.setExtraHTTPHeaders",
            serde_json::json!({"headers": {"Accept-Encoding": "gzip"}}),
        )
        .await;
    }
    h.open("").await;
    h.wait_css("header.topbar").await;
    // Room for every entry of the whole console (the default buffer keeps 250).
    h.js("performance.setResourceTimingBufferSize(100000); return null;")
        .await;
    go_in_app(h, FIRST_VIEW_PAGE).await;
    let start = Instant::now();
    while h
        .js("return performance.getEntriesByName('rewind:first-table-paint').length;")
        .await
        .as_u64()
        .unwrap_or(0)
        == 0
    {
        assert!(
            start.elapsed() < support::DEADLINE,
            "console bench: {FIRST_VIEW_PAGE} painted no table (no rewind:first-table-paint mark) within {:?}; server log: {}",
            support::DEADLINE,
            h.server_log.display()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let first = Received::of(&entries(h).await);
    for page in PAGES
        .iter()
        .filter(|p| **p != "/" && **p != FIRST_VIEW_PAGE)
    {
        go_in_app(h, page).await;
        settle(h).await;
    }
    let all = entries(h).await;
    let whole = Received::of(&all);
    for (name, got) in [("first view", &first), ("whole console", &whole)] {
        assert!(
            got.sums(Kind::Asset).0 > 0,
            "console bench: no static asset received in the {name} (performance entries: {all:?})"
        );
    }
    Run { first, whole }
}

/// Which precompressed file of dist/ the body matches: `gzip`, `br`, `identity` (not
/// compressed), or `?` (compressed, but the size matches neither file).
fn encoding(dist: &Path, e: &Entry) -> &'static str {
    if e.encoded == e.decoded {
        return "identity";
    }
    let path = e.path.split('?').next().unwrap_or_default();
    let file = match path.trim_start_matches('/') {
        "" => "index.html".to_string(),
        p if p.contains('.') => p.to_string(),
        _ => "index.html".to_string(),
    };
    let size = |ext: &str| {
        std::fs::metadata(dist.join(format!("{file}.{ext}")))
            .map(|m| m.len())
            .ok()
    };
    if size("gz") == Some(e.encoded) {
        "gzip"
    } else if size("br") == Some(e.encoded) {
        "br"
    } else {
        "?"
    }
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn budget(used: u64, budget: u64) -> String {
    format!(
        "budget {}: {:.0}%{}",
        kb(budget),
        100.0 * used as f64 / budget as f64,
        if used > budget { "  OVER BUDGET" } else { "" }
    )
}

/// Shortens a long path for the table.
fn short(path: &str, width: usize) -> String {
    if path.chars().count() <= width {
        return path.to_string();
    }
    let head: String = path.chars().take(width - 1).collect();
    format!("{head}…")
}

async fn bytes_received() {
    let dist = std::path::PathBuf::from(std::env::var_os("REWIND_DIST").unwrap_or_default());
    let mut h = Harness::start().await;
    let gz = receive(&h, true).await;
    h.new_browser().await;
    let br = receive(&h, false).await;
    h.stop().await;

    // The gzip-only figures must be gzip: a brotli body means the header did not apply.
    for e in gz.whole.files.values() {
        assert!(
            encoding(&dist, e) != "br",
            "console bench: {} came as brotli although the browser asked for gzip only \
             (CDP Network.setExtraHTTPHeaders did not apply)",
            e.path
        );
    }

    println!("\n==> console bytes received in headless Chromium (static assets; API calls apart)");
    for (name, budget_bytes, g, b) in [
        (
            format!("first view (/ then {FIRST_VIEW_PAGE} painted)"),
            FIRST_VIEW_BUDGET,
            &gz.first,
            &br.first,
        ),
        (
            format!("whole console ({} pages, each URL once)", PAGES.len()),
            WHOLE_CONSOLE_BUDGET,
            &gz.whole,
            &br.whole,
        ),
    ] {
        let (g_assets, g_body, g_n) = g.sums(Kind::Asset);
        let (b_assets, b_body, _) = b.sums(Kind::Asset);
        let (g_cfg, _, _) = g.sums(Kind::Config);
        println!(
            "    {name}: {} gzip ({}), {} brotli; {g_n} files; bodies alone {} gzip, {} brotli",
            kb(g_assets),
            budget(g_assets, budget_bytes),
            kb(b_assets),
            kb(g_body),
            kb(b_body),
        );
        println!(
            "        apart: API {} in {} responses; /config.json {}{}",
            kb(g.api.0),
            g.api.1,
            kb(g_cfg),
            if g.other.1 > 0 {
                format!(
                    "; other origins {} in {} responses",
                    kb(g.other.0),
                    g.other.1
                )
            } else {
                String::new()
            }
        );
    }
    println!("    (transferSize: the body as received + a nominal 300 B per response for headers)");
    println!(
        "    first view per resource (transferSize; body = encodedBodySize; raw = decodedBodySize):"
    );
    println!(
        "      {:<46} {:>10} {:>10} {:>10} {:>10} {:>10}  sent as (gzip run / br run)",
        "path", "gzip", "gzip body", "brotli", "br body", "raw"
    );
    let mut rows: Vec<_> = gz.first.files.iter().collect();
    rows.sort_by_key(|((kind, _), e)| (*kind, std::cmp::Reverse(e.transfer)));
    for (key, e) in rows {
        let b = br.first.files.get(key);
        println!(
            "      {:<46} {:>10} {:>10} {:>10} {:>10} {:>10}  {} / {}",
            short(&e.path, 46),
            kb(e.transfer),
            kb(e.encoded),
            b.map(|b| kb(b.transfer)).unwrap_or_else(|| "-".into()),
            b.map(|b| kb(b.encoded)).unwrap_or_else(|| "-".into()),
            kb(e.decoded),
            encoding(&dist, e),
            b.map(|b| encoding(&dist, b)).unwrap_or("-"),
        );
    }
    let (api, n) = (gz.first.api, br.first.api);
    println!(
        "      {:<46} {:>10} {:>10} {:>10} {:>10} {:>10}  ({} / {} responses)",
        "/api/… (all responses)",
        kb(api.0),
        "",
        kb(n.0),
        "",
        "",
        api.1,
        n.1
    );
    for (run, got) in [("gzip", &gz.whole), ("brotli", &br.whole)] {
        for (path, times, bytes) in &got.repeated {
            println!(
                "    note ({run} run): {path} came {times} times ({} in all; counted once above)",
                kb(*bytes)
            );
        }
    }
}

fn main() {
    if std::env::var_os("REWIND_BIN").is_none() || std::env::var_os("REWIND_DIST").is_none() {
        eprintln!("console bench: set REWIND_BIN and REWIND_DIST (cargo xtask bench does)");
        return;
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("console bench: no runtime: {e}");
            return;
        }
    };
    rt.block_on(async {
        bytes_received().await;
        let paint = first_table_paint().await;
        println!("\n==> console: navigation → first painted snapshot table (demo world, headless Chromium)");
        println!("    {}", stats(paint));
        let (dom, frame, loaded) = filter_keystrokes().await;
        println!("\n==> console: filter keystroke → paint on the {loaded}-snapshot table (scale world)");
        println!("    input → DOM updated   {}", stats(dom.clone()));
        println!("    input → next frame    {}", stats(frame));
        let mut sorted = dom;
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        if !sorted.is_empty() {
            let (median, p90) = (percentile(&sorted, 0.5), percentile(&sorted, 0.9));
            println!(
                "    goal: ≤ 16 ms per keystroke; DOM update median {median:.1} ms, p90 {p90:.1} ms{}",
                if p90 > 16.0 { "  OVER GOAL" } else { "  (within one frame)" }
            );
        }
    });
}
