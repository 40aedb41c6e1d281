//! The accessibility audit (issue #16 item 7): axe-core, installed under `.tools/npm` by
//! `cargo xtask setup`, runs in every page and state of the console — home, an inventory
//! of each cloud, an unknown page, a form with errors, the checklist, the confirmation, a
//! running and a finished operation, a batch, the operations and the settings (portal
//! and relay mode) — in English and Chinese, at 1366×768 and 390×844: no serious or
//! critical violation. "Needs review" results are printed, not failed.

use crate::support::Harness;
use crate::world::*;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

const LANGS: [&str; 2] = ["en", "zh-CN"];
const SIZES: [(u32, u32); 2] = [(1366, 768), (390, 844)];
/// The impacts that fail the audit.
const FAILING: [&str; 2] = ["critical", "serious"];
const IMPACTS: [&str; 4] = ["critical", "serious", "moderate", "minor"];

/// axe-core's browser build: under `REWIND_NPM_PREFIX`, else `<repo>/.tools/npm`.
fn axe_source() -> String {
    let prefix = std::env::var_os("REWIND_NPM_PREFIX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/npm"));
    let file = prefix.join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (run `cargo xtask setup` to install axe-core from npm, \
             or set REWIND_NPM_PREFIX to an npm prefix that has it)",
            file.display()
        )
    })
}

/// Runs axe in the page after two frames (so a resize or a language switch has been
/// painted); answers its violations and the serious or critical checks it could not
/// decide (`incomplete`, "needs review"), each as `{id, impact, help, nodes, targets,
/// why}` (`why`: axe's reasons, such as `bgOverlap`).
const RUN_AXE: &str = "const brief = v => ({id: v.id, impact: v.impact, help: v.help, \
      nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')), \
      why: [...new Set(v.nodes.flatMap(n => [...n.any, ...n.all, ...n.none]) \
        .map(c => c.data && c.data.messageKey).filter(Boolean))]}); \
    return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))\
    .then(() => axe.run(document))\
    .then(r => ({violations: r.violations.map(brief), \
      review: r.incomplete.filter(v => ['serious', 'critical'].includes(v.impact)).map(brief)}));";

/// One audit: a state in one language at one size.
struct Row {
    state: String,
    lang: &'static str,
    size: (u32, u32),
    /// Whether the state's marker was still in the page after the audit.
    held: bool,
    violations: Vec<Value>,
    /// Serious or critical checks axe could not decide (not failing).
    review: Vec<Value>,
}

struct Audit {
    axe: String,
    rows: Vec<Row>,
    started: Instant,
    /// Whether the report has been printed (else it is, when a step fails).
    reported: bool,
}

impl Drop for Audit {
    fn drop(&mut self) {
        if !self.reported {
            println!("{}", self.report("interrupted").0);
        }
    }
}

impl Audit {
    fn new() -> Audit {
        Audit {
            axe: axe_source(),
            rows: Vec::new(),
            started: Instant::now(),
            reported: false,
        }
    }

    /// Audits the page as it is, once per language and size; `marker` is the CSS that
    /// shows the page is still in `state`.
    async fn state(&mut self, h: &Harness, state: &str, marker: &str) {
        h.wait_css(marker).await;
        for lang in LANGS {
            set_lang(h, lang).await;
            for size in SIZES {
                set_size(h, size).await;
                if h.js("return typeof window.axe;").await != "object" {
                    h.client
                        .execute(&format!("{}\n;return typeof window.axe;", self.axe), vec![])
                        .await
                        .unwrap_or_else(|e| panic!("{state}: axe-core did not load: {e}"));
                }
                let result = h.js(RUN_AXE).await;
                let list = |key: &str| {
                    result[key]
                        .as_array()
                        .cloned()
                        .unwrap_or_else(|| panic!("{state}: axe answered no {key}: {result}"))
                };
                let (violations, review) = (list("violations"), list("review"));
                let held = h.count_css(marker).await > 0;
                self.rows.push(Row {
                    state: state.to_string(),
                    lang,
                    size,
                    held,
                    violations,
                    review,
                });
            }
        }
    }

    /// The summary table and the serious and critical violations, one per line.
    fn report(&self, title: &str) -> (String, Vec<String>) {
        let mut out = format!(
            "\n== axe-core audit: {title} ({:.1}s) ==\n{:<22} {:<6} {:<9} {:>4} {:>4} {:>4} {:>4}  rules\n",
            self.started.elapsed().as_secs_f64(),
            "state",
            "lang",
            "size",
            "crit",
            "ser",
            "mod",
            "min"
        );
        let mut failing = Vec::new();
        for r in &self.rows {
            let count = |impact: &str| {
                r.violations
                    .iter()
                    .filter(|v| v["impact"] == impact)
                    .count()
            };
            let ids: Vec<String> = r
                .violations
                .iter()
                .map(|v| {
                    format!(
                        "{}({})",
                        v["id"].as_str().unwrap_or("?"),
                        v["impact"].as_str().unwrap_or("?")
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "{:<22} {:<6} {:<9} {:>4} {:>4} {:>4} {:>4}  {}{}",
                r.state,
                r.lang,
                format!("{}x{}", r.size.0, r.size.1),
                count(IMPACTS[0]),
                count(IMPACTS[1]),
                count(IMPACTS[2]),
                count(IMPACTS[3]),
                ids.join(" "),
                if r.held {
                    ""
                } else {
                    "  [state left during audit]"
                }
            );
            for v in &r.violations {
                if FAILING.iter().any(|i| v["impact"] == *i) {
                    failing.push(format!(
                        "{} | {} | {}x{} | {} ({}): {} | {} node(s): {}",
                        r.state,
                        r.lang,
                        r.size.0,
                        r.size.1,
                        v["id"].as_str().unwrap_or("?"),
                        v["impact"].as_str().unwrap_or("?"),
                        v["help"].as_str().unwrap_or("?"),
                        v["nodes"],
                        targets(v)
                    ));
                }
            }
        }
        // Needs review, once per state, rule and nodes, with where it was seen.
        let mut review: Vec<(String, Vec<String>)> = Vec::new();
        for r in &self.rows {
            for v in &r.review {
                let key = format!(
                    "{} | {} ({}) {} | {}",
                    r.state,
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?"),
                    v["why"],
                    targets(v)
                );
                let at = format!("{}@{}", r.lang, r.size.0);
                match review.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, seen)) => seen.push(at),
                    None => review.push((key, vec![at])),
                }
            }
        }
        if !review.is_empty() {
            out.push_str("needs review (axe could not decide; not failing):\n");
            for (key, seen) in &review {
                let _ = writeln!(out, "  {key} | {}", seen.join(" "));
            }
        }
        if failing.is_empty() {
            out.push_str("no serious or critical violation\n");
        } else {
            out.push_str("serious and critical violations:\n");
            for f in &failing {
                let _ = writeln!(out, "  {f}");
            }
        }
        (out, failing)
    }

    /// Prints the report and fails on any serious or critical violation.
    fn finish(mut self, title: &str) {
        self.reported = true;
        let (out, failing) = self.report(title);
        println!("{out}");
        assert!(
            failing.is_empty(),
            "{} serious or critical accessibility violation(s):\n{}",
            failing.len(),
            failing.join("\n")
        );
    }
}

/// Up to three of a result's nodes, as CSS selectors.
fn targets(v: &Value) -> String {
    v["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// Goes to `path` in the page, as the console's own links do (its router follows
/// `popstate`). Full page loads are avoided: after a few of them, a page's first API
/// call was seen to wait 20–35 s with Chromium's six connections to the server all open.
async fn go(h: &Harness, path: &str) {
    h.js(&format!(
        "history.pushState(null, '', '/{path}'); dispatchEvent(new PopStateEvent('popstate')); \
         return null;"
    ))
    .await;
}

/// Switches the console's language with its own switch, unless it is already on.
async fn set_lang(h: &Harness, lang: &str) {
    let current = || async { h.js("return document.documentElement.lang;").await };
    if current().await == lang {
        return;
    }
    h.js(&format!(
        "document.querySelector(\".lang-switch button[lang='{lang}']\").click(); return null;"
    ))
    .await;
    h.wait_until(&format!("the page in {lang}"), || async {
        current().await == lang
    })
    .await;
}

async fn set_size(h: &Harness, (width, height): (u32, u32)) {
    h.client.set_window_size(width, height).await.unwrap();
    h.wait_until(&format!("a {width}px wide viewport"), || async {
        h.js("return window.innerWidth;").await == width
    })
    .await;
}

#[tokio::test]
async fn every_page_and_state_has_no_serious_or_critical_axe_violation() {
    let mut audit = Audit::new();
    let h = Harness::start().await;
    let emu = h.emulator();
    let inst = lh_instance(&emu, "blog-prod").await;
    let snap = lh_snapshot(&emu, &inst, "blog-daily").await;
    let wiki = lh_instance(&emu, "wiki").await;
    let game = lh_instance(&emu, "game-server").await;

    // The pages before any state: home, an inventory of each cloud, an unknown page.
    h.open("").await;
    for (state, page, marker) in [
        ("home", "", ".cloud-cards a"),
        (
            "inventory-tencent",
            "tencent/instances",
            ".inventory[data-view=instances] tbody tr[data-id^=lhins-]",
        ),
        (
            "inventory-lh-snaps",
            "tencent/snapshots",
            ".inventory[data-view=snapshots] tbody tr[data-id^=lhsnap-]",
        ),
        (
            "inventory-alibaba",
            "alibaba/disks",
            ".inventory[data-view=disks] tbody tr[data-id^=d-]",
        ),
        (
            "inventory-ecs-inst",
            "alibaba/instances",
            ".inventory[data-view=instances] tbody tr[data-id^=i-]",
        ),
        (
            "inventory-huawei",
            "huawei/snapshots",
            ".inventory[data-view=snapshots] tbody tr[data-id]",
        ),
        ("not-found", "no/such/page", "main h1"),
    ] {
        go(&h, page).await;
        if state == "not-found" {
            h.wait_until("the 404 page", || async {
                h.js("return document.querySelector('main h1')?.textContent ?? '';")
                    .await
                    == "404"
            })
            .await;
        }
        audit.state(&h, state, marker).await;
    }

    // A row's Stop, asking for its confirmation (ECS: with the stop modes).
    let web2 = ecs_instance(&emu, "web-2").await;
    go(&h, "alibaba/instances").await;
    h.click(&format!("tr[data-id='{web2}'] [data-testid=action-stop]"))
        .await;
    audit
        .state(&h, "power-confirm", "[data-testid=stop-confirm-instance]")
        .await;

    // A form with errors: an invalid instance ID, explained inline.
    go(&h, "tencent/rollback").await;
    h.type_into("[data-testid=InstanceId]", "lhins-BAD!").await;
    audit
        .state(&h, "form-errors", "[data-testid=field-error]")
        .await;

    // The pre-flight checklist (a running instance: the forced-shutdown warning).
    h.type_into("[data-testid=InstanceId]", &inst).await;
    h.type_into("[data-testid=SnapshotId]", &snap).await;
    h.click("[data-testid=check]").await;
    h.wait_css("[data-testid=checklist] li[data-status]").await;
    audit
        .state(&h, "checklist", "[data-testid=confirm-target]")
        .await;

    // The confirmation, typed: Start enabled.
    h.type_into("[data-testid=confirm-input]", &inst).await;
    audit
        .state(&h, "confirmation", "[data-testid=start]:not([disabled])")
        .await;

    // A running operation (the safety snapshot takes 8 s in the emulator), then finished.
    h.click("[data-testid=start]").await;
    audit
        .state(&h, "op-running", "[data-testid=op][data-status=running]")
        .await;
    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;
    audit
        .state(&h, "op-finished", "[data-testid=op][data-status=succeeded]")
        .await;

    // A batch of two, one held by its pre-flight (a snapshot from before a resize).
    go(&h, "tencent/batch").await;
    for target in [&game, &wiki] {
        h.click(&format!(
            "tr[data-id='{target}'] [data-testid=batch-select]"
        ))
        .await;
    }
    let resized = lh_snapshot(&emu, &wiki, "wiki-before-resize").await;
    h.wait_css(&format!(
        "tr[data-id='{wiki}'] [data-testid=batch-snapshot]"
    ))
    .await
    .select_by_value(&resized)
    .await
    .unwrap();
    for target in [&game, &wiki] {
        let check = format!("tr[data-id='{target}'] [data-testid=batch-preflight]");
        h.wait_until("the batch pre-flight", || async {
            let status = h
                .js(&format!(
                    "const e = document.querySelector(\"{check}\"); \
                     return e ? e.getAttribute('data-status') : '';"
                ))
                .await;
            status.as_str().is_some_and(|s| !s.is_empty())
        })
        .await;
    }
    audit
        .state(&h, "batch", "[data-testid=batch-preflight-blocked]")
        .await;

    // The operations page: the finished rollback and the audit log.
    go(&h, "operations").await;
    h.wait_css("[data-testid=ops-list] [data-testid=op][data-status=succeeded]")
        .await;
    audit
        .state(&h, "operations", "[data-testid=audit] tbody tr")
        .await;

    // The settings, in portal mode.
    go(&h, "settings").await;
    audit
        .state(&h, "settings", "[data-testid=settings] p")
        .await;

    h.stop().await;
    audit.finish("rewind serve --demo");
}

#[tokio::test]
async fn relay_settings_have_no_serious_or_critical_axe_violation() {
    let mut audit = Audit::new();
    let h = Harness::start_with(&["--relay"]).await;
    // The key forms of bring-your-own-keys mode.
    h.open("settings").await;
    h.wait_css_text("[data-testid=tencent-status]", "No keys set")
        .await;
    audit
        .state(&h, "settings-relay", "[data-testid=tencent-secret]")
        .await;
    // Keys the cloud refuses when they are saved: the explanation beside the form.
    h.type_into("[data-testid=tencent-id]", "AKIDFAKEA11Y000000000000")
        .await;
    h.type_into("[data-testid=tencent-secret]", "fake-wrong-secret-for-a11y")
        .await;
    h.click("[data-testid=tencent-save]").await;
    audit
        .state(
            &h,
            "keys-refused",
            "[data-testid=tencent-check] [data-testid=error-code]",
        )
        .await;
    h.stop().await;
    audit.finish("rewind serve --demo --relay");
}
