//! The error half of every answer of `/api/v1/*` and of the server's own refusals on
//! `/relay`: `{"ok": false, "error": ErrorBody}`. The server writes it, the console reads
//! it (and builds the same shape for failures found in the browser).

use crate::error::CloudError;
use crate::i18n::{Lang, Text};
use crate::provider::Provider;
use crate::validate::FieldError;
use serde::{Deserialize, Serialize};

/// Why a call failed, in words a user can act on. The first eight fields are always
/// written (`null` when unknown); the others only where they apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Rewind's own code (`CloudError`, `InvalidParams`, `PolicyDenied`, …).
    #[serde(default)]
    pub code: String,
    /// The cloud's code, when the cloud answered.
    #[serde(default)]
    pub provider_code: Option<String>,
    #[serde(default)]
    pub http_status: Option<u16>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub explanation: Option<String>,
    #[serde(default)]
    pub remedy: Option<String>,
    #[serde(default)]
    pub retryable: bool,
    #[serde(default)]
    pub request_id: Option<String>,
    /// `CloudError`: the cloud that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    /// `CloudError`: ECS `Recommend` or Workspace `error_detail`; written (maybe `null`)
    /// on every cloud error, absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "present")]
    pub detail: Option<Option<String>>,
    /// Both languages of the explanation, so a language switch needs no reload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub i18n: Option<ErrorText>,
    /// `PolicyDenied`: why the policy refuses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `InvalidParams`: each field at fault.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// An explanation and remedy in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorText {
    pub explanation: Text,
    pub remedy: Text,
}

impl ErrorBody {
    /// A failure with only Rewind's code and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            code: code.into(),
            provider_code: None,
            http_status: None,
            message: message.into(),
            explanation: None,
            remedy: None,
            retryable: false,
            request_id: None,
            provider: None,
            detail: None,
            i18n: None,
            reason: None,
            fields: Vec::new(),
        }
    }

    /// A failure found in the browser, before anything was sent, explained in both
    /// languages (English in the single-language fields).
    pub fn local(code: &str, message: String, explanation: Text, remedy: Text) -> ErrorBody {
        ErrorBody {
            explanation: Some(explanation.en.clone()),
            remedy: Some(remedy.en.clone()),
            i18n: Some(ErrorText {
                explanation,
                remedy,
            }),
            ..ErrorBody::new(code, message)
        }
    }
}

impl ErrorBody {
    /// A cloud's refusal (`CloudError`), explained in `lang` and in both languages.
    pub fn from_cloud(e: &CloudError, lang: Lang) -> ErrorBody {
        let x = e.explain();
        ErrorBody {
            provider_code: Some(e.code.clone()),
            http_status: Some(e.http_status),
            explanation: Some(x.meaning.get(lang).to_string()),
            remedy: Some(x.remedy.get(lang).to_string()),
            retryable: x.retryable,
            request_id: e.request_id.clone(),
            provider: Some(e.provider),
            detail: Some(e.detail.clone()),
            i18n: Some(ErrorText {
                explanation: x.meaning,
                remedy: x.remedy,
            }),
            ..ErrorBody::new("CloudError", e.message.clone())
        }
    }
}

/// `Option<Option<T>>` as "absent / null / value".
mod present {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_fixed_fields_are_always_written_the_others_where_they_apply() {
        let e = ErrorBody::new("RateLimited", "too many requests");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"code":"RateLimited","provider_code":null,"http_status":null,"message":"too many requests","explanation":null,"remedy":null,"retryable":false,"request_id":null}"#
        );
        let cloud = ErrorBody {
            provider: Some(Provider::Alibaba),
            detail: Some(None),
            ..ErrorBody::new("CloudError", "m")
        };
        let v = serde_json::to_value(&cloud).unwrap();
        assert_eq!(v["provider"], "alibaba");
        assert_eq!(v.get("detail"), Some(&json!(null)));
        let back: ErrorBody = serde_json::from_value(v).unwrap();
        assert_eq!(back, cloud);
        // The console reads a body without the optional parts.
        let min: ErrorBody = serde_json::from_str(r#"{"code":"X","message":"m"}"#).unwrap();
        assert_eq!(min, ErrorBody::new("X", "m"));
    }
}
