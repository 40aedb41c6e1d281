//! What each provider error code means and what to do about it, in English and Chinese.
//!
//! Sources: the seed documents and `reference/*.md` (Lighthouse ApplyInstanceSnapshot,
//! ECS ResetDisk, Workspace BatchRestoreDesktopSnapshot), the Lighthouse SDK's per-action
//! error lists (CreateInstanceSnapshot), Alibaba's CreateSnapshot error table, Tencent's
//! common error codes and Huawei's API Gateway (APIGW) codes. Codes Rewind itself
//! produces when a response cannot be read start with `Rewind.`.

use crate::i18n::Text;
use crate::provider::Provider;
use serde::Serialize;

/// A message in both languages, stored statically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Msg {
    pub fn text(&self) -> Text {
        Text::new(self.en, self.zh)
    }
}

/// One known error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CatalogEntry {
    /// `None` for Rewind's own codes (`Rewind.NotJson`, …), which any provider can produce.
    pub provider: Option<Provider>,
    pub code: &'static str,
    /// The status the provider typically answers with (Tencent answers every error with 200).
    pub http_status: u16,
    pub meaning: Msg,
    pub remedy: Msg,
    /// True when sending the same request again later can succeed without any change
    /// (throttling, internal errors, a busy system). State and validation errors are false.
    pub retryable: bool,
}

/// What an error means, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub meaning: Text,
    pub remedy: Text,
    pub retryable: bool,
    /// The catalog code this came from: the code itself, a parent family
    /// (`ResourceNotFound` for `ResourceNotFound.Foo`), or `None` when only the HTTP
    /// status could be used.
    pub matched: Option<&'static str>,
}

impl CatalogEntry {
    pub fn explain(&self) -> Explanation {
        Explanation {
            meaning: self.meaning.text(),
            remedy: self.remedy.text(),
            retryable: self.retryable,
            matched: Some(self.code),
        }
    }
}

/// Synthetic code: the body was not JSON (an HTML error page from a gateway, say).
pub const NOT_JSON: &str = "Rewind.NotJson";
/// Synthetic code: JSON, but not the provider's success or error shape.
pub const UNEXPECTED_BODY: &str = "Rewind.UnexpectedBody";
/// Synthetic code: an HTTP error status without an error code in the body.
pub const HTTP_STATUS: &str = "Rewind.HttpStatus";

macro_rules! entry {
    ($p:expr, $code:literal, $status:literal, $retry:literal,
     $men:literal, $mzh:literal, $ren:literal, $rzh:literal) => {
        CatalogEntry {
            provider: $p,
            code: $code,
            http_status: $status,
            meaning: Msg { en: $men, zh: $mzh },
            remedy: Msg { en: $ren, zh: $rzh },
            retryable: $retry,
        }
    };
}

const T: Option<Provider> = Some(Provider::Tencent);
const A: Option<Provider> = Some(Provider::Alibaba);
const H: Option<Provider> = Some(Provider::Huawei);
const R: Option<Provider> = None;

mod alibaba;
mod huawei;
mod rewind;
mod tencent;

/// Every known code: Lighthouse and Tencent Cloud's common codes, ECS and Alibaba
/// Cloud's, Workspace and Huawei's API Gateway's, then Rewind's own.
pub static CATALOG: &[CatalogEntry] = &ALL;

static ALL: [CatalogEntry; ALL_LEN] = concat([
    tencent::ENTRIES,
    alibaba::ENTRIES,
    huawei::ENTRIES,
    rewind::ENTRIES,
]);

const ALL_LEN: usize =
    tencent::ENTRIES.len() + alibaba::ENTRIES.len() + huawei::ENTRIES.len() + rewind::ENTRIES.len();

/// The provider tables one after the other, at compile time.
const fn concat<const N: usize>(parts: [&[CatalogEntry]; 4]) -> [CatalogEntry; N] {
    let mut out = [rewind::ENTRIES[0]; N];
    let (mut part, mut at) = (0, 0);
    while part < parts.len() {
        let mut i = 0;
        while i < parts[part].len() {
            out[at] = parts[part][i];
            at += 1;
            i += 1;
        }
        part += 1;
    }
    out
}

/// The catalog entry for a provider's code (exact, case-sensitive). Rewind's own
/// `Rewind.*` codes are found for every provider.
pub fn lookup(provider: Provider, code: &str) -> Option<&'static CatalogEntry> {
    CATALOG
        .iter()
        .find(|e| e.code == code && (e.provider == Some(provider) || e.provider.is_none()))
}

/// Every entry of one provider.
pub fn entries(provider: Provider) -> impl Iterator<Item = &'static CatalogEntry> {
    CATALOG.iter().filter(move |e| e.provider == Some(provider))
}

/// Explains any code: the exact entry; else the nearest parent family
/// (`ResourceNotFound.Foo` → `ResourceNotFound`); for Workspace the HTTP status entry;
/// else a generic explanation from the HTTP status.
pub fn explain(provider: Provider, code: &str, http_status: u16) -> Explanation {
    if let Some(e) = lookup(provider, code) {
        let mut x = e.explain();
        if e.provider.is_none() {
            // Rewind's own codes: only the status says whether to retry.
            x.retryable = status_retryable(http_status);
        }
        return x;
    }
    let mut family = code;
    while let Some((parent, _)) = family.rsplit_once('.') {
        family = parent;
        if let Some(e) = lookup(provider, family) {
            return e.explain();
        }
    }
    if provider == Provider::Huawei {
        let key = format!("http.{http_status}");
        if let Some(e) = lookup(provider, &key) {
            return e.explain();
        }
    }
    fallback(provider, code, http_status)
}

/// The explanation for a code nothing in the catalog matches.
pub fn fallback(provider: Provider, code: &str, http_status: u16) -> Explanation {
    let product = provider.product();
    let retryable = status_retryable(http_status);
    let (meaning, remedy) = if http_status == 429 {
        (
            Text::new(
                format!("{product} is throttling requests (error {code})."),
                format!("{product} 正在限流（错误码 {code}）。"),
            ),
            Text::new("Wait a moment and try again.", "请稍候重试。"),
        )
    } else if http_status >= 500 {
        (
            Text::new(
                format!("{product} reported a server-side error ({code}, HTTP {http_status})."),
                format!("{product} 报告了服务端错误（{code}，HTTP {http_status}）。"),
            ),
            Text::new(
                "Try again later; if it persists, contact the provider's support with the request ID.",
                "请稍后重试；如持续出现，请附请求 ID 联系云厂商客服。",
            ),
        )
    } else if http_status == 401 || http_status == 403 {
        (
            Text::new(
                format!("{product} refused the credentials or their permissions ({code})."),
                format!("{product} 拒绝了凭证或其权限（{code}）。"),
            ),
            Text::new(
                "Check the keys in the profile and the permissions granted to them.",
                "请检查配置中的密钥及其被授予的权限。",
            ),
        )
    } else {
        (
            Text::new(
                format!("{product} returned error {code}, which Rewind does not know yet."),
                format!("{product} 返回了 Rewind 尚未收录的错误码 {code}。"),
            ),
            Text::new(
                "Read the provider's message; search the code in the provider's error center.",
                "请阅读云厂商返回的错误信息，并在其错误中心查询该错误码。",
            ),
        )
    };
    Explanation {
        meaning,
        remedy,
        retryable,
        matched: None,
    }
}

/// Whether an HTTP status alone suggests a retry can succeed.
pub fn status_retryable(http_status: u16) -> bool {
    matches!(http_status, 429 | 500 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_per_provider() {
        for (i, a) in CATALOG.iter().enumerate() {
            for b in &CATALOG[i + 1..] {
                assert!(
                    !(a.provider == b.provider && a.code == b.code),
                    "duplicate {:?} {}",
                    a.provider,
                    a.code
                );
            }
        }
    }

    #[test]
    fn families_and_statuses_fall_back() {
        let x = explain(Provider::Tencent, "ResourceNotFound.SomethingNew", 200);
        assert_eq!(x.matched, Some("ResourceNotFound"));
        let x = explain(Provider::Alibaba, "Throttling.Something", 400);
        assert_eq!(x.matched, Some("Throttling"));
        assert!(x.retryable);
        let x = explain(Provider::Huawei, "WKS.9999", 409);
        assert_eq!(x.matched, Some("http.409"));
        let x = explain(Provider::Huawei, "WKS.9999", 503);
        assert_eq!(x.matched, None);
        assert!(x.retryable);
        let x = explain(Provider::Alibaba, "Brand.New", 400);
        assert_eq!(x.matched, None);
        assert!(!x.retryable);
        assert!(x.meaning.en.contains("Brand.New") && x.meaning.zh.contains("Brand.New"));
    }

    #[test]
    fn rewind_codes_take_retryability_from_the_status() {
        assert!(explain(Provider::Tencent, NOT_JSON, 502).retryable);
        assert!(!explain(Provider::Tencent, NOT_JSON, 404).retryable);
        assert!(lookup(Provider::Huawei, HTTP_STATUS).is_some());
        assert!(lookup(Provider::Alibaba, UNEXPECTED_BODY).is_some());
    }

    #[test]
    fn chinese_texts_read_as_the_providers_consoles_do() {
        // Each provider's word for its disks (Lighthouse 云硬盘, ECS 云盘), never the
        // generic 磁盘; full-width punctuation after Chinese text.
        for e in CATALOG {
            for zh in [e.meaning.zh, e.remedy.zh] {
                assert!(!zh.contains("磁盘"), "{}: {zh}", e.code);
                for ascii in [", ", ": ", "; "] {
                    let bad = zh.match_indices(ascii).any(|(at, _)| {
                        zh[..at]
                            .chars()
                            .last()
                            .is_some_and(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                    });
                    assert!(!bad, "{}: ASCII {ascii:?} after Chinese in {zh}", e.code);
                }
            }
        }
    }
}
