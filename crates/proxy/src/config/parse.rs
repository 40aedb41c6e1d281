//! Reading the configuration: TOML text and environment overrides in, resolved
//! [`ServeConfig`] out, with every problem reported as a [`ConfigError`] naming its key.
//! Profiles and their credentials are resolved in `profile`.

use super::auth::{parse_auth, parse_sessions};
use super::file::{FileConfig, FileRelay, FileRule};
use super::profile::parse_profile;
use super::settings::{Auth, ConfigError, Limits, Profile, Relay, ServeConfig, err, origins};
use crate::Mode;
use crate::policy::{ActionPattern, Rule};
use rewind_cloud::Provider;
use rewind_cloud::action::Action;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// Environment variables that override the file (handy in containers).
pub const ENV_OVERRIDES: &[(&str, &str)] = &[
    ("REWIND_LISTEN", "listen"),
    ("REWIND_MODE", "mode"),
    ("REWIND_DIST", "dist"),
    ("REWIND_AUDIT_PATH", "audit.path"),
    ("REWIND_CORS_ORIGINS", "cors.origins"),
    ("REWIND_PUBLIC_ORIGINS", "public_origins"),
];

/// Reads and validates a configuration file, with overrides and secrets from the process
/// environment.
pub fn load_file(path: &std::path::Path) -> Result<ServeConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| err(path.display().to_string(), format!("cannot read: {e}")))?;
    let base = path.parent().map(|p| p.to_path_buf());
    parse(&text, base.as_deref(), &|name| std::env::var(name).ok())
}

/// Parses and validates configuration text. `env` looks up environment variables;
/// relative file paths are taken from `base` (the config file's folder).
pub fn parse(
    text: &str,
    base: Option<&std::path::Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ServeConfig, ConfigError> {
    let file: FileConfig = toml::from_str(text).map_err(|e| {
        // toml's message carries the line and the offending key; keep it on one line.
        // A few syntax errors (a lone carriage return) come with an empty message.
        let msg = match e.message().trim() {
            "" => "is not valid TOML".to_string(),
            m => m.to_string(),
        };
        let key = e
            .span()
            .map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}")
            })
            .unwrap_or_else(|| "config".into());
        err(key, msg)
    })?;
    let resolve_path = |p: PathBuf| match base {
        Some(b) if p.is_relative() => b.join(p),
        _ => p,
    };

    let listen_text = env("REWIND_LISTEN")
        .or(file.listen)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let listen: SocketAddr = listen_text.parse().map_err(|_| {
        err(
            "listen",
            format!("{listen_text:?} is not an address such as 127.0.0.1:8080"),
        )
    })?;

    let mode = match env("REWIND_MODE").or(file.mode).as_deref() {
        None | Some("portal") => Mode::Portal,
        Some("relay") => Mode::Relay,
        Some(other) => {
            return Err(err(
                "mode",
                format!("{other:?} is not \"portal\" or \"relay\""),
            ));
        }
    };
    let dist = env("REWIND_DIST")
        .map(PathBuf::from)
        .or(file.dist.map(resolve_path));

    let sessions = parse_sessions(&file.auth.session)?;
    let auth = parse_auth(file.auth, listen, env)?;

    let mut profiles: Vec<Profile> = Vec::new();
    for (i, p) in file.profiles.into_iter().enumerate() {
        let profile = parse_profile(i, p, base, env)?;
        if profiles.iter().any(|q| q.name == profile.name) {
            return Err(err(
                format!("profiles[{i}].name"),
                format!("{:?} is used by another profile", profile.name),
            ));
        }
        profiles.push(profile);
    }

    let mut policy = Vec::new();
    for (i, r) in file.policy.into_iter().enumerate() {
        policy.push(parse_rule(i, r, &profiles)?);
    }

    let audit_path = env("REWIND_AUDIT_PATH")
        .map(PathBuf::from)
        .or(file.audit.path)
        .map(resolve_path);

    let cors_origins = origins(
        "cors.origins",
        env("REWIND_CORS_ORIGINS"),
        file.cors.origins,
    )?;
    let mut public_origins = origins(
        "public_origins",
        env("REWIND_PUBLIC_ORIGINS"),
        file.public_origins,
    )?;
    // Users come back from the provider to the public URL: it is one of the server's own
    // origins (its Host answered for, its Origin accepted on the console's requests).
    if let Auth::Oidc { oidc, .. } = &auth
        && !public_origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(&oidc.public_url))
    {
        public_origins.push(oidc.public_url.clone());
    }

    let defaults = Limits::default();
    let limits = Limits {
        body_bytes: file.limits.body_bytes.unwrap_or(defaults.body_bytes),
        upstream_response_bytes: file
            .limits
            .upstream_response_bytes
            .unwrap_or(defaults.upstream_response_bytes),
        upstream_timeout: file
            .limits
            .upstream_timeout_secs
            .map(Duration::from_secs)
            .unwrap_or(defaults.upstream_timeout),
        requests_per_minute: file
            .limits
            .requests_per_minute
            .unwrap_or(defaults.requests_per_minute),
        header_read_timeout: file
            .limits
            .header_read_timeout_secs
            .map(Duration::from_secs)
            .unwrap_or(defaults.header_read_timeout),
        body_read_timeout: file
            .limits
            .body_read_timeout_secs
            .map(Duration::from_secs)
            .unwrap_or(defaults.body_read_timeout),
        keep_alive_idle: file
            .limits
            .keep_alive_idle_secs
            .map(Duration::from_secs)
            .unwrap_or(defaults.keep_alive_idle),
        max_connections: file
            .limits
            .max_connections
            .unwrap_or(defaults.max_connections),
    };
    for (key, zero) in [
        ("limits.body_bytes", limits.body_bytes == 0),
        (
            "limits.upstream_response_bytes",
            limits.upstream_response_bytes == 0,
        ),
        (
            "limits.upstream_timeout_secs",
            limits.upstream_timeout.is_zero(),
        ),
        (
            "limits.requests_per_minute",
            limits.requests_per_minute == 0,
        ),
        (
            "limits.header_read_timeout_secs",
            limits.header_read_timeout.is_zero(),
        ),
        (
            "limits.body_read_timeout_secs",
            limits.body_read_timeout.is_zero(),
        ),
        (
            "limits.keep_alive_idle_secs",
            limits.keep_alive_idle.is_zero(),
        ),
        ("limits.max_connections", limits.max_connections == 0),
    ] {
        if zero {
            return Err(err(key, "must be greater than 0"));
        }
    }

    let relay = parse_relay(file.relay)?;

    Ok(ServeConfig {
        listen,
        mode,
        dist,
        auth,
        profiles,
        policy,
        audit_path,
        cors_origins,
        limits,
        relay,
        public_origins,
        sessions,
    })
}

/// A list of browser origins (`scheme://host[:port]`, no path): the environment's
/// comma-separated value when set, else the file's.
fn parse_rule(i: usize, r: FileRule, profiles: &[Profile]) -> Result<Rule, ConfigError> {
    let key = |k: &str| format!("policy[{i}].{k}");
    if r.users.is_empty() && r.groups.is_empty() {
        return Err(err(
            key("users"),
            "a rule grants to users or groups (\"*\" for everyone)",
        ));
    }
    if r.profiles.is_empty() {
        return Err(err(key("profiles"), "list profile names, or \"*\""));
    }
    for (j, name) in r.profiles.iter().enumerate() {
        let relay = name
            .strip_prefix("relay:")
            .is_some_and(|p| Provider::from_id(p).is_some());
        if name != "*" && !relay && !profiles.iter().any(|p| &p.name == name) {
            return Err(err(
                format!("policy[{i}].profiles[{j}]"),
                format!("no profile is named {name:?}"),
            ));
        }
    }
    if r.actions.is_empty() {
        return Err(err(
            key("actions"),
            "list action names (ApplyInstanceSnapshot, Describe*, \"read\", \"*\")",
        ));
    }
    let mut actions = Vec::new();
    for (j, a) in r.actions.iter().enumerate() {
        let pattern = ActionPattern::parse(a);
        if !Action::ALL.iter().any(|x| pattern.matches(*x)) {
            return Err(err(
                format!("policy[{i}].actions[{j}]"),
                format!("{a:?} matches no action Rewind can call"),
            ));
        }
        actions.push(pattern);
    }
    for (j, res) in r.resources.iter().enumerate() {
        if res.is_empty() || res.matches('*').count() > 1 && !res.ends_with('*') {
            return Err(err(
                format!("policy[{i}].resources[{j}]"),
                "use an exact ID or a prefix ending in * (lhins-web*)",
            ));
        }
    }
    Ok(Rule {
        users: r.users,
        groups: r.groups,
        profiles: r.profiles,
        actions,
        resources: r.resources,
    })
}

fn parse_relay(r: FileRelay) -> Result<Relay, ConfigError> {
    let mut hosts = BTreeMap::new();
    for (provider_id, list) in r.hosts {
        let Some(provider) = Provider::from_id(&provider_id) else {
            return Err(err(
                format!("relay.hosts.{provider_id}"),
                "is not \"tencent\", \"alibaba\" or \"huawei\"",
            ));
        };
        for (j, h) in list.iter().enumerate() {
            let name = h.rsplit_once(':').map_or(h.as_str(), |(n, port)| {
                if port.chars().all(|c| c.is_ascii_digit()) {
                    n
                } else {
                    h.as_str()
                }
            });
            let ok = !name.is_empty()
                && name.parse::<IpAddr>().is_err()
                && !name.starts_with('[')
                && !name.contains('*')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if !ok {
                return Err(err(
                    format!("relay.hosts.{provider_id}[{j}]"),
                    format!("{h:?} must be an exact DNS name (no IP literal, no wildcard)"),
                ));
            }
        }
        hosts.insert(
            provider,
            list.into_iter().map(|h| h.to_ascii_lowercase()).collect(),
        );
    }
    Ok(Relay {
        enabled: r.enabled,
        hosts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::env_with;
    use crate::config::settings::AlibabaSignature;

    const FULL: &str = include_str!("../../../../rewind.example.toml");

    fn example_env() -> impl Fn(&str) -> Option<String> {
        env_with(&[
            ("TENCENT_SECRET_ID", "AKIDFAKEFAKEFAKEFAKE"),
            ("TENCENT_SECRET_KEY", "fake-tencent-secret"),
            ("ALIBABA_ACCESS_KEY_ID", "LTAIFAKEFAKE"),
            ("ALIBABA_ACCESS_KEY_SECRET", "fake-alibaba-secret"),
            ("HUAWEI_AK", "FAKEAK"),
            ("HUAWEI_SK", "fake-huawei-sk"),
        ])
    }

    #[test]
    fn the_example_file_loads() {
        let c = parse(FULL, None, &example_env()).unwrap();
        assert_eq!(c.profiles.len(), 4);
        assert!(matches!(c.auth, Auth::Token { .. }));
        let ali = c
            .profiles
            .iter()
            .find(|p| p.provider == Provider::Alibaba)
            .unwrap();
        assert_eq!(ali.credentials.secret, "fake-alibaba-secret");
        assert!(!c.policy.is_empty());
        assert!(!c.relay.enabled);
    }

    #[test]
    fn a_missing_secret_variable_names_the_key_and_the_variable() {
        let env = env_with(&[
            ("TENCENT_SECRET_ID", "AKIDFAKE"),
            ("TENCENT_SECRET_KEY", "fake"),
            ("ALIBABA_ACCESS_KEY_ID", "LTAIFAKE"),
        ]);
        let e = parse(FULL, None, &env).unwrap_err();
        assert_eq!(e.key, "profiles[2].credentials.secret_env", "{e}");
        assert_eq!(
            e.to_string(),
            "profiles[2].credentials.secret_env: environment variable ALIBABA_ACCESS_KEY_SECRET is not set"
        );
    }

    #[test]
    fn env_overrides_win_over_the_file() {
        let mut vars = vec![("REWIND_LISTEN", "127.0.0.1:9999")];
        vars.push((
            "REWIND_CORS_ORIGINS",
            "https://a.example, https://b.example",
        ));
        let base = example_env();
        let over = env_with(&vars);
        let env = move |k: &str| over(k).or_else(|| base(k));
        let c = parse(FULL, None, &env).unwrap();
        assert_eq!(c.listen.port(), 9999);
        assert_eq!(c.cors_origins, ["https://a.example", "https://b.example"]);
        let env = env_with(&[("REWIND_LISTEN", "not an address")]);
        assert_eq!(parse("", None, &env).unwrap_err().key, "listen");
    }

    #[test]
    fn invalid_values_name_their_key() {
        let env = env_with(&[("S", "x"), ("I", "y")]);
        let cases: &[(&str, &str)] = &[
            ("mode = \"both\"\n[auth]\nmode = \"none\"", "mode"),
            (
                "listen = \"0.0.0.0:8080\"\n[auth]\nmode = \"none\"",
                "auth.mode",
            ),
            ("[auth]\nmode = \"token\"", "auth.tokens"),
            (
                "[auth]\nmode = \"token\"\n[[auth.tokens]]\nuser = \"a\"\nsha256 = \"secret\"",
                "auth.tokens[0].sha256",
            ),
            (
                "[auth]\nmode = \"header\"\n[auth.header]\ntrusted_sources = [\"proxy\"]",
                "auth.header.trusted_sources[0]",
            ),
            (
                "[auth]\nmode = \"none\"\n[[profiles]]\nname = \"a\"\nprovider = \"aws\"\nregions = [\"x\"]",
                "profiles[0].provider",
            ),
            (
                "[auth]\nmode = \"none\"\n[[profiles]]\nname = \"a\"\nprovider = \"huawei\"\nregions = [\"cn-north-4\"]\ncredentials = { id_env = \"I\", secret_env = \"S\" }",
                "profiles[0].project_ids.cn-north-4",
            ),
            (
                "[auth]\nmode = \"none\"\n[[profiles]]\nname = \"a\"\nprovider = \"tencent\"\nregions = [\"ap-guangzhou\"]\nsignature = \"v1\"\ncredentials = { id_env = \"I\", secret_env = \"S\" }",
                "profiles[0].signature",
            ),
            (
                "[auth]\nmode = \"none\"\n[[profiles]]\nname = \"a\"\nprovider = \"tencent\"\nregions = [\"ap-guangzhou\"]\ncredentials = { id_env = \"I\", secret_env = \"S\" }\nendpoint = { url = \"ftp://x\" }",
                "profiles[0].endpoint",
            ),
            (
                "[auth]\nmode = \"none\"\n[[profiles]]\nname = \"a\"\nprovider = \"tencent\"\nregions = [\"ap-guangzhou\"]\ncredentials = { id = \"AKID\" }",
                "profiles[0].credentials.secret_env",
            ),
            (
                "[auth]\nmode = \"none\"\n[[policy]]\nusers = [\"*\"]\nprofiles = [\"nope\"]\nactions = [\"*\"]",
                "policy[0].profiles[0]",
            ),
            (
                "[auth]\nmode = \"none\"\n[[policy]]\nusers = [\"*\"]\nprofiles = [\"*\"]\nactions = [\"TerminateInstances\"]",
                "policy[0].actions[0]",
            ),
            (
                "[auth]\nmode = \"none\"\n[relay.hosts]\ntencent = [\"*.tencentcloudapi.com\"]",
                "relay.hosts.tencent[0]",
            ),
            (
                "[auth]\nmode = \"none\"\n[relay.hosts]\nalibaba = [\"10.0.0.1\"]",
                "relay.hosts.alibaba[0]",
            ),
            (
                "[auth]\nmode = \"none\"\n[cors]\norigins = [\"https://x.example/\"]",
                "cors.origins[0]",
            ),
            (
                "[auth]\nmode = \"none\"\n[limits]\nbody_bytes = 0",
                "limits.body_bytes",
            ),
        ];
        for (text, key) in cases {
            let e = parse(text, None, &env).unwrap_err();
            assert_eq!(&e.key, key, "{text}\n=> {e}");
        }
    }

    #[test]
    fn public_origins_come_from_the_file_or_the_environment_and_are_checked() {
        let text = "public_origins = [\"https://rewind.example.com\"]\n[auth]\nmode = \"none\"";
        let c = parse(text, None, &|_| None).unwrap();
        assert_eq!(c.public_origins, ["https://rewind.example.com"]);
        let env = env_with(&[(
            "REWIND_PUBLIC_ORIGINS",
            "https://a.example, http://rewind.internal:8080",
        )]);
        let c = parse(text, None, &env).unwrap();
        assert_eq!(
            c.public_origins,
            ["https://a.example", "http://rewind.internal:8080"]
        );
        for bad in [
            "rewind.example.com",
            "https://x.example/app",
            "https://",
            "https://u@x.example",
        ] {
            let text = format!("public_origins = [{bad:?}]\n[auth]\nmode = \"none\"");
            let e = parse(&text, None, &|_| None).unwrap_err();
            assert_eq!(e.key, "public_origins[0]", "{bad}: {e}");
        }
    }

    #[test]
    fn slow_client_limits_have_defaults_and_refuse_zero() {
        let none = "[auth]\nmode = \"none\"\n[limits]\n";
        let c = parse(none, None, &|_| None).unwrap();
        assert_eq!(c.limits.header_read_timeout, Duration::from_secs(10));
        assert_eq!(c.limits.body_read_timeout, Duration::from_secs(30));
        assert_eq!(c.limits.keep_alive_idle, Duration::from_secs(60));
        assert_eq!(c.limits.max_connections, 512);
        let set = format!(
            "{none}header_read_timeout_secs = 2\nbody_read_timeout_secs = 3\nkeep_alive_idle_secs = 4\nmax_connections = 5"
        );
        let c = parse(&set, None, &|_| None).unwrap();
        assert_eq!(c.limits.header_read_timeout, Duration::from_secs(2));
        assert_eq!(c.limits.body_read_timeout, Duration::from_secs(3));
        assert_eq!(c.limits.keep_alive_idle, Duration::from_secs(4));
        assert_eq!(c.limits.max_connections, 5);
        for key in [
            "header_read_timeout_secs",
            "body_read_timeout_secs",
            "keep_alive_idle_secs",
            "max_connections",
        ] {
            let e = parse(&format!("{none}{key} = 0"), None, &|_| None).unwrap_err();
            assert_eq!(e.key, format!("limits.{key}"), "{e}");
            assert_eq!(e.message, "must be greater than 0");
        }
    }

    /// Found by the `config_load` fuzz target: toml reads a lone carriage return as an
    /// error with an empty message, which printed `line 1: ` and nothing else.
    #[test]
    fn syntax_errors_without_a_message_still_explain() {
        let e = parse("\r", None, &|_| None).unwrap_err();
        assert_eq!(e.key, "line 1", "{e}");
        assert_eq!(e.message, "is not valid TOML");
    }

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let e = parse("[auth]\nmode = \"none\"\nsecret = \"x\"", None, &|_| None).unwrap_err();
        assert_eq!(e.key, "line 3", "{e}");
        assert!(e.message.contains("secret"), "{e}");
    }

    #[test]
    fn credentials_from_a_file_and_never_in_debug_output() {
        let dir = std::env::temp_dir().join(format!("rewind-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("ali.json"),
            r#"{"id": "LTAIFAKEFILE", "secret": "fake-secret-from-file"}"#,
        )
        .unwrap();
        let text = "[auth]\nmode = \"none\"\n[[profiles]]\nname = \"a\"\nprovider = \"alibaba\"\nregions = [\"cn-hangzhou\"]\nsignature = \"v1\"\ncredentials = { file = \"ali.json\" }\nendpoint = { url = \"https://ecs-vpc.{region}.aliyuncs.com\" }";
        let c = parse(text, Some(&dir), &|_| None).unwrap();
        let p = &c.profiles[0];
        assert_eq!(p.credentials.id, "LTAIFAKEFILE");
        assert_eq!(p.signature, AlibabaSignature::V1);
        assert_eq!(
            p.endpoint.as_ref().unwrap().for_region("cn-hangzhou").host,
            "ecs-vpc.cn-hangzhou.aliyuncs.com"
        );
        assert!(!format!("{c:?}").contains("fake-secret-from-file"));
        std::fs::write(
            dir.join("ali.json"),
            "{\"id\": \"x\", \"secret\": \"fake-sec",
        )
        .unwrap();
        let e = parse(text, Some(&dir), &|_| None).unwrap_err();
        assert_eq!(e.key, "profiles[0].credentials.file");
        assert!(!e.to_string().contains("fake-sec"), "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
