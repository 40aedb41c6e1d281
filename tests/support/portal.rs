//! The self-service portal as a team runs it: `rewind emulator` on its own port standing
//! in for Tencent Cloud, and `rewind serve --config` with a generated configuration:
//! sign-in by OpenID Connect (the test provider from npm, `oidc-provider`) or by token,
//! reads for everyone, everything on the Lighthouse profile for the `ops` group, and
//! the audit log in a real SQLite file.

#[path = "../../crates/proxy/tests/oidc/provider.rs"]
mod provider;

use super::{Group, free_port, spawn_logged};
use std::path::{Path, PathBuf};

/// A token for `olivia` (group `ops`) in token mode; obviously not a real one.
pub const OPS_TOKEN: &str = "e2e-token-olivia-not-real";
/// `printf %s "$OPS_TOKEN" | sha256sum`, as the configuration stores it.
const OPS_TOKEN_SHA256: &str = "18b4686e60b48670ccad707c6a78f9a9ed7f7feed7f91b137a6e7d222f635323";

/// How people sign in to the portal under test.
#[derive(Clone, Copy, Debug)]
pub enum SignIn {
    /// Single sign-on with the test provider (users `olivia` in `ops`, `victor` in
    /// `viewers`), browser sessions living `lifetime_secs` (idle and absolute).
    Oidc { lifetime_secs: u64 },
    /// [`OPS_TOKEN`] for `olivia` (`ops`).
    Token,
}

/// What the portal runs besides the server; stopped when dropped.
pub struct Parts {
    pub emulator_addr: String,
    _emulator: Group,
    _provider: Option<provider::Node>,
    dir: PathBuf,
}

impl Drop for Parts {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts the emulator, the provider (for OIDC) and the server; returns the server's
/// process, its URL and log, and the rest.
pub fn start(sign_in: SignIn) -> (Group, String, PathBuf, Parts) {
    let (emulator, line, _) = spawn_logged(
        &["emulator", "--listen", "127.0.0.1:0", "--op-ms", "400"],
        &[],
        "rewind emulator listening on ",
    );
    let emulator_addr = line
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let port = free_port();
    let public_url = format!("http://127.0.0.1:{port}");
    let dir = std::env::temp_dir().join(format!("rewind-portal-{}-{port}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (provider, auth) = match sign_in {
        SignIn::Oidc { lifetime_secs } => {
            let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            let (node, issuer) = provider::start_provider(&repo, &public_url);
            let auth = format!(
                r#"
[auth]
mode = "oidc"
[auth.oidc]
issuer = "{issuer}"
client_id = "rewind"
client_secret_env = "REWIND_E2E_OIDC_SECRET"
public_url = "{public_url}"
groups_scope = "groups"
[auth.session]
idle_secs = {lifetime_secs}
absolute_secs = {lifetime_secs}
"#
            );
            (Some(node), auth)
        }
        SignIn::Token => (
            None,
            format!(
                r#"
[auth]
mode = "token"
[[auth.tokens]]
user = "olivia"
sha256 = "{OPS_TOKEN_SHA256}"
groups = ["ops"]
"#
            ),
        ),
    };
    let config = dir.join("rewind.toml");
    std::fs::write(&config, config_text(port, &emulator_addr, &dir, &auth)).unwrap();
    use rewind_emulator::config::demo;
    let config_arg = config.display().to_string();
    let (server, url, log) = spawn_logged(
        &["serve", "--config", config_arg.as_str()],
        &[
            ("REWIND_E2E_OIDC_SECRET", provider::SECRET),
            ("REWIND_E2E_TENCENT_ID", demo::TENCENT_SECRET_ID),
            ("REWIND_E2E_TENCENT_KEY", demo::TENCENT_SECRET_KEY),
        ],
        "rewind listening on ",
    );
    assert_eq!(url, format!("{public_url}/"), "the port the provider knows");
    (
        server,
        url,
        log,
        Parts {
            emulator_addr,
            _emulator: emulator,
            _provider: provider,
            dir,
        },
    )
}

fn config_text(port: u16, emulator: &str, dir: &Path, auth: &str) -> String {
    let dist = super::env_path("REWIND_DIST");
    let regions: Vec<String> = rewind_emulator::seed::names::LH_REGIONS
        .iter()
        .map(|r| format!("{r:?}"))
        .collect();
    format!(
        r#"
listen = "127.0.0.1:{port}"
mode = "portal"
dist = "{dist}"
{auth}

[[profiles]]
name = "demo-lighthouse"
provider = "tencent"
regions = [{regions}]
credentials = {{ id_env = "REWIND_E2E_TENCENT_ID", secret_env = "REWIND_E2E_TENCENT_KEY" }}
endpoint = {{ url = "http://{emulator}" }}

[[policy]]
users = ["*"]
profiles = ["*"]
actions = ["read"]

[[policy]]
groups = ["ops"]
profiles = ["demo-lighthouse"]
actions = ["*"]

[audit]
path = "{audit}"
"#,
        dist = dist.display(),
        regions = regions.join(", "),
        audit = dir.join("audit.sqlite").display(),
    )
}
