//! Shared harness for the browser tests: starts chromedriver and `rewind serve --demo` on
//! free loopback ports, each in its own process group killed on drop.

mod nginx;
pub mod portal;

use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const DEADLINE: Duration = Duration::from_secs(30);

/// A child process in its own process group; dropping it kills the whole group, so
/// Chromium processes started by chromedriver do not outlive the test.
pub struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        kill_group(&mut self.0);
    }
}

/// SIGKILLs the child's whole process group and reaps the child.
fn kill_group(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // `--` so that kill(1) reads `-PGID` as a process group, not as an option.
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.wait();
}

pub struct Harness {
    pub client: Client,
    /// The console's base URL, ending in `/`.
    pub url: String,
    /// The Rewind server's base URL, ending in `/`: `url` unless the console is on a
    /// static host ([`Harness::start_static_host`]).
    pub api: String,
    pub server_log: PathBuf,
    _server: Group,
    _driver: Group,
    profile: PathBuf,
    /// nginx serving the console, for a cross-origin deployment.
    pub static_host: Option<nginx::StaticHost>,
    /// The emulator and identity provider of a configured portal.
    pub portal: Option<portal::Parts>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        // Fields drop after this, but the profile is only removable once Chromium is gone.
        kill_group(&mut self._driver.0);
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn env_path(name: &str) -> PathBuf {
    std::env::var_os(name)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("{name} is not set: run the browser tests with `cargo xtask test`")
        })
}

/// A new folder for a Chromium profile (removed with the harness).
fn browser_profile() -> PathBuf {
    std::env::temp_dir().join(format!(
        "rewind-chromium-{}-{}",
        std::process::id(),
        free_port()
    ))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(&[]).await
    }

    /// Starts with extra `rewind serve` arguments (`--world scale`).
    pub async fn start_with(args: &[&str]) -> Harness {
        let (server, url, server_log) = start_server(args);
        Harness::with_browser(server, url.clone(), url, server_log).await
    }

    /// Starts `rewind serve --demo` with the console served from `dist` (a copy of
    /// `REWIND_DIST` a test has changed; see [`copy_dist`]).
    pub async fn start_with_dist(dist: &Path) -> Harness {
        let (server, url, server_log) = start_server_in(dist, &[]);
        Harness::with_browser(server, url.clone(), url, server_log).await
    }

    /// The portal with sign-in (`rewind serve --config`, see [`portal`]): the browser
    /// starts signed out.
    pub async fn start_portal(sign_in: portal::SignIn) -> Harness {
        let (server, url, server_log, parts) = portal::start(sign_in);
        let mut h = Harness::with_browser(server, url.clone(), url, server_log).await;
        h.portal = Some(parts);
        h
    }

    /// The console on a static host (nginx, its own origin) and `rewind serve --demo
    /// --relay` on another port; with `accepted`, the console's origin is in the
    /// server's `cors.origins`.
    pub async fn start_static_host(accepted: bool) -> Harness {
        let port = free_port();
        let origin = format!("http://127.0.0.1:{port}");
        let mut args = vec!["--relay"];
        if accepted {
            args.extend(["--cors-origin", origin.as_str()]);
        }
        let (server, api, server_log) = start_server(&args);
        let host = nginx::StaticHost::start(port, api.trim_end_matches('/'));
        let mut h = Harness::with_browser(server, host.url.clone(), api, server_log).await;
        h.static_host = Some(host);
        h
    }

    /// A fresh Chromium (its own profile folder) for the console at `url` served by
    /// `server`, whose API is at `api`.
    async fn with_browser(server: Group, url: String, api: String, server_log: PathBuf) -> Harness {
        let (driver, driver_url) = start_chromedriver();
        let profile = browser_profile();
        let client = connect(&driver_url, &profile).await;
        Harness {
            client,
            url,
            api,
            server_log,
            _server: server,
            _driver: driver,
            profile,
            static_host: None,
            portal: None,
        }
    }

    /// Ends this browser session as a user closing the browser would (Chromium and its
    /// driver are killed, the profile with its storage removed) and opens a new one
    /// against the same server.
    pub async fn new_browser(&mut self) {
        kill_group(&mut self._driver.0);
        let _ = std::fs::remove_dir_all(&self.profile);
        let (driver, driver_url) = start_chromedriver();
        let profile = browser_profile();
        self.client = connect(&driver_url, &profile).await;
        self._driver = driver;
        self.profile = profile;
    }

    /// Ends the test: chromedriver's process group (and so Chromium) and the server are
    /// killed, and the browser profile is removed. (`Client::close` would wait for every
    /// `Element` handle to be dropped first.)
    pub async fn stop(self) {
        drop(self);
    }

    /// Waits for an element to be present.
    pub async fn wait_css(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(DEADLINE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(el) => el,
            Err(e) => {
                // What the page was doing: its URL, its console, and its last requests.
                self.screenshot("timeout").await;
                let url = self.client.current_url().await.map(|u| u.to_string());
                let log = self.browser_log().await;
                let requests = self
                    .client
                    .execute(
                        "return performance.getEntriesByType('resource').slice(-10)
                            .map(e => [e.name, Math.round(e.startTime), Math.round(e.duration)]);",
                        vec![],
                    )
                    .await;
                panic!(
                    "no element {css:?} within {DEADLINE:?}: {e}\n  page: {url:?}\n  browser log: {log:#?}\n  last requests: {requests:?}\n  (server log: {})",
                    self.server_log.display()
                )
            }
        }
    }

    /// Waits until an element's text contains `needle`.
    pub async fn wait_text(&self, el: &Element, needle: &str) {
        let start = Instant::now();
        loop {
            let text = el.text().await.unwrap_or_default();
            if text.contains(needle) {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "text {needle:?} did not appear; last text: {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How many elements match `css` right now.
    pub async fn count_css(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0)
    }

    /// Polls `cond` until it holds, failing after the deadline.
    pub async fn wait_until<F, Fut>(&self, what: &str, mut cond: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let start = Instant::now();
        while !cond().await {
            assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves a screenshot under `$REWIND_ARTIFACTS/screenshots/` when that is set.
    pub async fn screenshot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("REWIND_ARTIFACTS") {
            let dir = PathBuf::from(dir).join("screenshots");
            std::fs::create_dir_all(&dir).unwrap();
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
        }
    }

    /// Fails on any SEVERE entry in the browser console (a failed module load, a panic, …).
    pub async fn assert_no_console_errors(&self) {
        let logs = self
            .client
            .issue_cmd(Chromedriver::browser_log())
            .await
            .unwrap();
        let severe: Vec<_> = logs
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .collect();
        assert!(severe.is_empty(), "browser console errors: {severe:#?}");
    }
}

impl Harness {
    /// The browser console's entries since the last read (`{level, message, source, …}`);
    /// reading empties chromedriver's buffer, so each call sees only what is new.
    pub async fn browser_log(&self) -> Vec<serde_json::Value> {
        let logs = self
            .client
            .issue_cmd(Chromedriver::browser_log())
            .await
            .unwrap();
        logs.as_array().cloned().unwrap_or_default()
    }

    /// Waits until a new browser console entry contains `needle`, and returns it.
    pub async fn wait_log(&self, needle: &str) -> serde_json::Value {
        let start = Instant::now();
        let mut seen = Vec::new();
        loop {
            for entry in self.browser_log().await {
                if entry["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(needle))
                {
                    return entry;
                }
                seen.push(entry);
            }
            assert!(
                start.elapsed() < DEADLINE,
                "no browser console entry containing {needle:?}; saw {seen:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A POST to one of chromedriver's own endpoints of the session: `se/log` (the browser
/// console; `goog:loggingPrefs` must ask for browser logs) or `goog/cdp/execute` (a
/// Chrome DevTools Protocol command).
#[derive(Debug)]
struct Chromedriver {
    endpoint: &'static str,
    body: serde_json::Value,
}

impl Chromedriver {
    fn browser_log() -> Chromedriver {
        Chromedriver {
            endpoint: "se/log",
            body: serde_json::json!({"type": "browser"}),
        }
    }
}

impl WebDriverCompatibleCommand for Chromedriver {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.endpoint
        ))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

impl Harness {
    /// Sends the DevTools command `cmd` with `params` to the page in view; panics with
    /// chromedriver's answer if it fails.
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> serde_json::Value {
        self.client
            .issue_cmd(Chromedriver {
                endpoint: "goog/cdp/execute",
                body: serde_json::json!({"cmd": cmd, "params": params}),
            })
            .await
            .unwrap_or_else(|e| panic!("CDP {cmd} through chromedriver: {e}"))
    }

    /// Runs the browser in `zone` (an IANA name such as `Asia/Shanghai`), as if the
    /// machine's time zone were set to it; pages opened afterwards see it.
    pub async fn time_zone(&self, zone: &str) {
        self.cdp(
            "Emulation.setTimezoneOverride",
            serde_json::json!({"timezoneId": zone}),
        )
        .await;
    }
}

/// A copy of the built console (`REWIND_DIST`) in a fresh folder of its own, for a test
/// that changes it.
pub fn copy_dist(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rewind-dist-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    nginx::copy_dir(&env_path("REWIND_DIST"), &dir);
    dir
}

fn start_server(extra: &[&str]) -> (Group, String, PathBuf) {
    start_server_in(&env_path("REWIND_DIST"), extra)
}

fn start_server_in(dist: &Path, extra: &[&str]) -> (Group, String, PathBuf) {
    let dist = dist.display().to_string();
    let mut args = vec![
        "serve",
        "--demo",
        "--listen",
        "127.0.0.1:0",
        "--dist",
        &dist,
    ];
    args.extend_from_slice(extra);
    spawn_logged(&args, &[], "rewind listening on ")
}

/// Runs `rewind <args>` in its own process group with `envs` added, stderr to a log
/// file, and waits for the stdout line starting with `ready`; returns the process, the
/// rest of that line (the URL it listens on) and the log's path.
fn spawn_logged(args: &[&str], envs: &[(&str, &str)], ready: &str) -> (Group, String, PathBuf) {
    let bin = env_path("REWIND_BIN");
    let log_dir = std::env::var_os("REWIND_ARTIFACTS")
        .map(|d| PathBuf::from(d).join("logs"))
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&log_dir).unwrap();
    let log = log_dir.join(format!(
        "rewind-e2e-{}-{}.log",
        std::process::id(),
        free_port()
    ));
    let log_file = std::fs::File::create(&log).unwrap();
    let mut child = Command::new(&bin)
        .args(args)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(log_file)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let stdout = child.stdout.take().unwrap();
    let group = Group(child);
    let (tx, rx) = std::sync::mpsc::channel();
    let prefix = ready.to_string();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix(&prefix) {
                let _ = tx.send(rest.to_string());
            }
        }
    });
    let url = rx.recv_timeout(DEADLINE).unwrap_or_else(|_| {
        panic!(
            "rewind {} did not print {ready:?}; log: {}",
            args.first().unwrap_or(&""),
            log.display()
        )
    });
    (group, url, log)
}

fn start_chromedriver() -> (Group, String) {
    let port = free_port();
    let child =
        Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("cannot start chromedriver (apt-get install chromium-driver)");
    let group = Group(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < DEADLINE,
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (group, format!("http://127.0.0.1:{port}"))
}

async fn connect(driver_url: &str, profile: &std::path::Path) -> Client {
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        },
        "goog:loggingPrefs": { "browser": "ALL" }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::rustls()
        .expect("rustls client")
        .capabilities(caps)
        .connect(driver_url)
        .await
        .unwrap_or_else(|e| panic!("cannot start a Chromium session via {driver_url}: {e}"))
}

/// The demo's embedded emulator, read directly (as an SDK would: signed with the demo
/// keys) so that tests verify the clouds' state without going through the proxy.
pub struct Emulator {
    pub addr: String,
    client: reqwest::Client,
}

impl Emulator {
    /// Reads the emulator's address from the server log ("embedded emulator started").
    pub fn from_log(log: &std::path::Path) -> Emulator {
        let start = Instant::now();
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if let Some(addr) = text.lines().find_map(|l| {
                l.contains("embedded emulator started").then(|| {
                    l.split("emulator=")
                        .nth(1)
                        .and_then(|rest| rest.split_whitespace().next())
                        .map(|a| a.trim_matches('"').to_string())
                })?
            }) {
                return Emulator {
                    addr,
                    client: reqwest::Client::new(),
                };
            }
            assert!(
                start.elapsed() < DEADLINE,
                "no emulator address in {}",
                log.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Adds a fault rule (`rewind serve --demo --faults` only), e.g. the next
    /// `ApplyInstanceSnapshot` answered with the cloud's internal error.
    pub async fn inject(&self, fault: serde_json::Value) {
        let res = self
            .client
            .post(format!("http://{}/__emulator/faults", self.addr))
            .json(&fault)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status().as_u16(),
            201,
            "{}",
            res.text().await.unwrap_or_default()
        );
    }

    /// Calls `action` in `region` and returns the answer's body (the `Response` object
    /// for Tencent, the whole body otherwise).
    pub async fn call(
        &self,
        action: rewind_cloud::Action,
        region: &str,
        params: serde_json::Value,
    ) -> serde_json::Value {
        use rewind_cloud::Provider;
        use rewind_cloud::call::{self, AlibabaSignature, CallFacts};
        use rewind_cloud::sign::Credentials;
        use rewind_emulator::config::demo;
        let provider = action.provider();
        let project_id = demo::HUAWEI_PROJECTS
            .iter()
            .find(|(_, r)| *r == region)
            .map(|(p, _)| *p)
            .filter(|_| provider == Provider::Huawei);
        let credentials = match provider {
            Provider::Tencent => {
                Credentials::new(demo::TENCENT_SECRET_ID, demo::TENCENT_SECRET_KEY)
            }
            Provider::Alibaba => {
                Credentials::new(demo::ALIBABA_ACCESS_KEY_ID, demo::ALIBABA_ACCESS_KEY_SECRET)
            }
            Provider::Huawei => Credentials::new(demo::HUAWEI_AK, demo::HUAWEI_SK),
        };
        let facts = CallFacts {
            provider,
            signature: AlibabaSignature::default(),
            credentials: &credentials,
            region,
            endpoint: Some(&self.addr),
            scheme: Some("http"),
            project_id,
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let nonce = format!("e2e-{}-{now}", free_port());
        let req = call::prepare(&facts, action, &params, now, Some(&nonce))
            .expect("request builds and signs")
            .request;
        let url = req.url();
        let mut r = self
            .client
            .request(req.method.parse().unwrap(), url)
            .body(req.body.clone());
        for (k, v) in &req.headers {
            if !k.eq_ignore_ascii_case("host") {
                r = r.header(k, v);
            }
        }
        let body: serde_json::Value = r.send().await.unwrap().json().await.unwrap();
        match provider {
            Provider::Tencent => body["Response"].clone(),
            _ => body,
        }
    }
}

impl Harness {
    /// The emulator behind this harness's server: `--demo`'s embedded one, or the
    /// portal's own process.
    pub fn emulator(&self) -> Emulator {
        match &self.portal {
            Some(p) => Emulator {
                addr: p.emulator_addr.clone(),
                client: reqwest::Client::new(),
            },
            None => Emulator::from_log(&self.server_log),
        }
    }

    /// How many requests to `path` the server has logged so far (its request log).
    pub fn requests_to(&self, path: &str) -> usize {
        let text = std::fs::read_to_string(&self.server_log).unwrap_or_default();
        text.lines()
            .filter(|l| l.contains(" answered ") && l.contains(&format!("path={path}}}")))
            .count()
    }

    /// Waits until the element `css` is present and its text contains `needle`.
    pub async fn wait_css_text(&self, css: &str, needle: &str) {
        let el = self.wait_css(css).await;
        self.wait_text(&el, needle).await;
    }

    /// Clicks "Load all" on the inventory table in view and waits until every page is in
    /// ("N shown of T" with N = T) and at least `min` rows; returns N.
    pub async fn load_all_rows(&self, min: usize) -> usize {
        self.wait_css(".inventory tbody tr[data-id]").await;
        self.click("[data-testid=load-all]").await;
        let count = self.wait_css("[data-testid=count]").await;
        let start = Instant::now();
        loop {
            let text = count.text().await.unwrap_or_default();
            let numbers: Vec<usize> = text
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            if let [shown, total] = numbers[..]
                && shown == total
                && shown >= min
            {
                return shown;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "not every page loaded within 120 s: {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Navigates to a path of the console (`tencent/batch`, `alibaba/snapshots?…`).
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.url))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// Runs a script in the page and returns what it returns.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script {script:?}: {e}"))
    }

    /// The current value of the form field `css` (once it is present).
    pub async fn value(&self, css: &str) -> String {
        let el = self.wait_css(css).await;
        el.prop("value").await.unwrap().unwrap_or_default()
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) {
        self.wait_css(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Types into the field `css` (after clearing it).
    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.wait_css(css).await;
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    /// The `data-id` of the inventory row whose text contains `needle`.
    pub async fn row_id(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let rows = self
                .client
                .find_all(Locator::Css(".inventory tbody tr"))
                .await
                .unwrap_or_default();
            for row in rows {
                if row.text().await.unwrap_or_default().contains(needle) {
                    return row.attr("data-id").await.unwrap().unwrap_or_default();
                }
            }
            assert!(start.elapsed() < DEADLINE, "no row with {needle:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types `target` into the typed confirmation and presses Start once it enables.
    pub async fn confirm_and_start(&self, target: &str) {
        self.type_into("[data-testid=confirm-input]", target).await;
        let start = self.wait_css("[data-testid=start]").await;
        self.wait_until("the start button to enable", || async {
            start.attr("disabled").await.unwrap().is_none()
        })
        .await;
        start.click().await.unwrap();
    }

    /// Waits until `css` is present and its attribute `attr` equals `value`, up to `limit`.
    pub async fn wait_attr(&self, css: &str, attr: &str, value: &str, limit: Duration) {
        let start = Instant::now();
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && el.attr(attr).await.ok().flatten().as_deref() == Some(value)
            {
                return;
            }
            assert!(
                start.elapsed() < limit,
                "{css} [{attr}] did not become {value:?} within {limit:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
