//! The keys of relay mode: one cloud's access key as the user typed it, and every
//! cloud's keys in this tab. They live in one signal created once by `App`, written to
//! `sessionStorage` (`rewind.keys`) only while "Remember for this tab" is ticked and
//! removed from it as soon as it is not. Nothing here touches `localStorage` or logs a
//! key: `Debug` redacts secrets and tokens.

use leptos::prelude::*;
use rewind_cloud::Provider;
use rewind_cloud::sign::Credentials;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The sessionStorage key of remembered keys (never a localStorage key).
pub const STORAGE_KEY: &str = "rewind.keys";

/// Alibaba's two signing schemes (the call pipeline's type; `v3`/`v1` in storage).
pub use rewind_cloud::call::AlibabaSignature;

/// One cloud's keys as the user typed them.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderKeys {
    pub id: String,
    pub secret: String,
    /// The session token of temporary (STS) credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Alibaba only.
    #[serde(default)]
    pub signature: AlibabaSignature,
    /// Huawei only: the project id of each region.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub project_ids: BTreeMap<String, String>,
}

/// Never prints the secret or the token.
impl std::fmt::Debug for ProviderKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderKeys")
            .field("id", &self.id_hint())
            .field(
                "secret",
                &(!self.secret.is_empty()).then_some("** redacted **"),
            )
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .field("signature", &self.signature)
            .field("project_ids", &self.project_ids)
            .finish()
    }
}

impl ProviderKeys {
    /// Both the id and the secret are there.
    pub fn is_set(&self) -> bool {
        !self.id.is_empty() && !self.secret.is_empty()
    }

    /// The last four characters of the access key id, the only part shown once saved.
    pub fn id_hint(&self) -> String {
        let chars: Vec<char> = self.id.chars().collect();
        let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
        format!("…{tail}")
    }

    pub fn credentials(&self) -> Credentials {
        let c = Credentials::new(self.id.clone(), self.secret.clone());
        match &self.token {
            Some(t) if !t.is_empty() => c.with_token(t.clone()),
            _ => c,
        }
    }
}

/// Every cloud's keys in this tab, and whether to remember them for the tab.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keys {
    #[serde(default)]
    pub remember: bool,
    #[serde(default)]
    pub clouds: BTreeMap<Provider, ProviderKeys>,
}

impl Keys {
    /// The keys of `provider`, when both id and secret are set.
    pub fn of(&self, provider: Provider) -> Option<&ProviderKeys> {
        self.clouds.get(&provider).filter(|k| k.is_set())
    }

    /// What sessionStorage should hold: the keys while "remember" is ticked, else nothing
    /// (`None` means remove the item).
    pub fn to_storage(&self) -> Option<String> {
        if self.remember {
            serde_json::to_string(self).ok()
        } else {
            None
        }
    }

    /// Keys read back from sessionStorage; anything unreadable is forgotten.
    pub fn from_storage(stored: Option<&str>) -> Keys {
        stored
            .and_then(|s| serde_json::from_str::<Keys>(s).ok())
            .filter(|k| k.remember)
            .unwrap_or_default()
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// Creates the keys signal (restored from sessionStorage when remembered) and keeps
/// sessionStorage in step with it in one `Effect`. Called once, by the transport.
pub fn keys_signal() -> RwSignal<Keys> {
    let stored = session_storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    let keys = RwSignal::new(Keys::from_storage(stored.as_deref()));
    Effect::new(move |_| {
        let wanted = keys.with(Keys::to_storage);
        if let Some(storage) = session_storage() {
            let _ = match wanted {
                Some(json) => storage.set_item(STORAGE_KEY, &json),
                None => storage.remove_item(STORAGE_KEY),
            };
        }
    });
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::testkit::*;
    use serde_json::Value;

    #[test]
    fn keys_are_stored_only_when_remembered_and_restore_from_session_storage() {
        let mut k = Keys::default();
        k.clouds
            .insert(Provider::Tencent, keys(AlibabaSignature::V3));
        // Not remembered: the item is removed.
        assert_eq!(k.to_storage(), None);
        k.remember = true;
        let json = k.to_storage().unwrap();
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["remember"], true);
        assert_eq!(v["clouds"]["tencent"]["id"], ID);
        assert_eq!(v["clouds"]["tencent"]["signature"], "v3");
        assert!(v["clouds"]["tencent"].get("token").is_none());
        assert_eq!(Keys::from_storage(Some(&json)), k);
        // Garbage and un-remembered entries are forgotten.
        assert_eq!(Keys::from_storage(Some("{not json")), Keys::default());
        assert_eq!(
            Keys::from_storage(Some(r#"{"remember":false,"clouds":{}}"#)),
            Keys::default()
        );
        assert_eq!(Keys::from_storage(None), Keys::default());
        // Debug never prints the secret or the token.
        let mut pk = keys(AlibabaSignature::V1);
        pk.token = Some(TOKEN.into());
        k.clouds.insert(Provider::Alibaba, pk.clone());
        let dbg = format!("{k:?}");
        assert!(!dbg.contains(SECRET) && !dbg.contains(TOKEN), "{dbg}");
        assert!(dbg.contains("…WXYZ"), "{dbg}");
        assert_eq!(pk.id_hint(), "…WXYZ");
        // Half-entered keys are not keys.
        let half = ProviderKeys {
            id: ID.into(),
            ..Default::default()
        };
        k.clouds.insert(Provider::Huawei, half);
        assert!(k.of(Provider::Huawei).is_none());
    }
}
