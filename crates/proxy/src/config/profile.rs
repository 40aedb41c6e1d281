//! A profile's settings and its credentials, read from environment variables or a JSON
//! file next to the configuration; secrets never appear in errors or `Debug` output.

use super::file::{FileCredentials, FileProfile};
use super::settings::{AlibabaSignature, ConfigError, Endpoint, Profile, err};
use rewind_cloud::Provider;
use rewind_cloud::sign::Credentials;

pub(super) fn parse_profile(
    i: usize,
    p: FileProfile,
    base: Option<&std::path::Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Profile, ConfigError> {
    let key = |k: &str| format!("profiles[{i}].{k}");
    let name = p
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| err(key("name"), "is required"))?;
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err(err(
            key("name"),
            format!("{name:?} may only use letters, digits, '-', '_' and '.'"),
        ));
    }
    let provider_id = p
        .provider
        .ok_or_else(|| err(key("provider"), "is required"))?;
    let provider = Provider::from_id(&provider_id).ok_or_else(|| {
        err(
            key("provider"),
            format!("{provider_id:?} is not \"tencent\", \"alibaba\" or \"huawei\""),
        )
    })?;
    if p.regions.is_empty() {
        return Err(err(key("regions"), "list at least one region"));
    }
    for (j, r) in p.regions.iter().enumerate() {
        let ok = !r.is_empty()
            && r.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(err(
                format!("profiles[{i}].regions[{j}]"),
                format!("{r:?} is not a region id such as ap-guangzhou"),
            ));
        }
    }
    let signature = match (provider, p.signature.as_deref()) {
        (_, None) => AlibabaSignature::V3,
        (Provider::Alibaba, Some("v3")) => AlibabaSignature::V3,
        (Provider::Alibaba, Some("v1")) => AlibabaSignature::V1,
        (Provider::Alibaba, Some(other)) => {
            return Err(err(
                key("signature"),
                format!("{other:?} is not \"v3\" or \"v1\""),
            ));
        }
        (_, Some(_)) => {
            return Err(err(
                key("signature"),
                "only Alibaba profiles choose a signature version",
            ));
        }
    };
    let endpoint = match p.endpoint {
        None => None,
        Some(e) => {
            Some(Endpoint::parse(&e.url, e.host.as_deref()).map_err(|m| err(key("endpoint"), m))?)
        }
    };
    if provider == Provider::Huawei {
        for r in &p.regions {
            if p.project_ids.get(r).is_none_or(|id| id.trim().is_empty()) {
                return Err(err(
                    format!("profiles[{i}].project_ids.{r}"),
                    "Huawei profiles need the project id of each region",
                ));
            }
        }
    } else if !p.project_ids.is_empty() {
        return Err(err(
            key("project_ids"),
            "only Huawei profiles have project ids",
        ));
    }
    let c = p.credentials.ok_or_else(|| {
        err(
            key("credentials"),
            "is required (id_env and secret_env, or file)",
        )
    })?;
    let credentials = read_credentials(i, c, base, env)?;
    Ok(Profile {
        name,
        provider,
        regions: p.regions,
        credentials,
        signature,
        endpoint,
        project_ids: p.project_ids,
    })
}

fn read_credentials(
    i: usize,
    c: FileCredentials,
    base: Option<&std::path::Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Credentials, ConfigError> {
    let key = |k: &str| format!("profiles[{i}].credentials.{k}");
    let from_env = |k: &str, var: &str| -> Result<String, ConfigError> {
        match env(var) {
            Some(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
            Some(_) => Err(err(key(k), format!("environment variable {var} is empty"))),
            None => Err(err(
                key(k),
                format!("environment variable {var} is not set"),
            )),
        }
    };
    if let Some(path) = c.file {
        if c.id.is_some() || c.id_env.is_some() || c.secret_env.is_some() || c.token_env.is_some() {
            return Err(err(
                key("file"),
                "give either file or id/id_env/secret_env/token_env, not both",
            ));
        }
        let path = match base {
            Some(b) if path.is_relative() => b.join(path),
            _ => path,
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| err(key("file"), format!("cannot read {}: {e}", path.display())))?;
        // The serde error could quote the file's content; name only the problem.
        let creds: Credentials = serde_json::from_str(&text).map_err(|e| {
            err(
                key("file"),
                format!(
                    "{} is not {{\"id\": \"...\", \"secret\": \"...\", \"token\"?: \"...\"}} (line {}, column {})",
                    path.display(),
                    e.line(),
                    e.column()
                ),
            )
        })?;
        if creds.id.trim().is_empty() {
            return Err(err(key("file"), format!("{}: id is empty", path.display())));
        }
        if creds.secret.trim().is_empty() {
            return Err(err(
                key("file"),
                format!("{}: secret is empty", path.display()),
            ));
        }
        return Ok(creds);
    }
    let id = match (c.id, c.id_env) {
        (Some(_), Some(_)) => return Err(err(key("id"), "give id or id_env, not both")),
        (Some(id), None) if !id.trim().is_empty() => id.trim().to_string(),
        (Some(_), None) => return Err(err(key("id"), "must not be empty")),
        (None, Some(var)) => from_env("id_env", &var)?,
        (None, None) => {
            return Err(err(key("id_env"), "is required (or id, or file)"));
        }
    };
    let secret = match c.secret_env {
        Some(var) => from_env("secret_env", &var)?,
        None => {
            return Err(err(
                key("secret_env"),
                "is required (secrets are never written in the file itself; or use file)",
            ));
        }
    };
    let mut creds = Credentials::new(id, secret);
    if let Some(var) = c.token_env {
        creds.token = Some(from_env("token_env", &var)?);
    }
    Ok(creds)
}
