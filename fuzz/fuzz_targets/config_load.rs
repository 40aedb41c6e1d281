//! `rewind_proxy::config::parse`: arbitrary TOML text with a fixed fake environment.
//!
//! Every environment variable `NAME` reads as `fuzz-env-NAME` except the `REWIND_*`
//! overrides (unset, so the file decides) and names containing `UNSET` (unset) or
//! `EMPTY` (blank). Relative paths resolve under a folder that does not exist.
//!
//! Inputs that could name `credentials.file` (the text `file` outside `profiles`, or a
//! TOML `\u` escape that could spell it) are skipped: that key reads a file, and a fuzzer must not open
//! `/dev/zero` or a FIFO.
//!
//! Invariants: nothing panics; an error names a key and says something; an accepted
//! configuration has unique, non-empty profile names with regions, positive limits, and
//! auth `none` only on loopback; neither the error nor the configuration's `Debug` text
//! contains a secret.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rewind_proxy::config::{Auth, parse};
use std::path::Path;

fn env(name: &str) -> Option<String> {
    if name.starts_with("REWIND_") || name.contains("UNSET") {
        None
    } else if name.contains("EMPTY") {
        Some("  ".into())
    } else {
        Some(format!("fuzz-env-{name}"))
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.replace("profiles", "").contains("file") || text.contains("\\u") || text.contains("\\U")
    {
        return;
    }
    match parse(text, Some(Path::new("/nonexistent/rewind-fuzz")), &env) {
        Ok(cfg) => {
            let mut names: Vec<&str> = cfg.profiles.iter().map(|p| p.name.as_str()).collect();
            for p in &cfg.profiles {
                assert!(!p.name.trim().is_empty());
                assert!(!p.regions.is_empty());
            }
            names.sort();
            names.dedup();
            assert_eq!(names.len(), cfg.profiles.len(), "profile names are unique");
            if matches!(cfg.auth, Auth::None { .. }) {
                assert!(cfg.listen.ip().is_loopback());
            }
            assert!(cfg.limits.body_bytes > 0 && cfg.limits.requests_per_minute > 0);
            assert!(!cfg.limits.upstream_timeout.is_zero());
            if !text.contains("fuzz-env") {
                let shown = format!("{cfg:?}");
                for p in &cfg.profiles {
                    let c = &p.credentials;
                    if c.secret != c.id {
                        assert!(!shown.contains(&c.secret), "Debug shows a secret");
                    }
                    if let Some(t) = &c.token
                        && *t != c.id
                        && *t != c.secret
                    {
                        assert!(!shown.contains(t.as_str()), "Debug shows a token");
                    }
                }
            }
        }
        Err(e) => {
            assert!(!e.key.is_empty() && !e.message.is_empty(), "{e:?}");
            let shown = e.to_string();
            if !text.contains("fuzz-env") {
                assert!(
                    !shown.contains("fuzz-env-"),
                    "an error shows a secret: {shown}"
                );
            }
        }
    }
});
