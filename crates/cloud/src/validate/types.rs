//! What a check takes and reports: the options, the per-field errors and warnings with
//! their stable codes, and the normalized result. A leaf: nothing else in `validate`.

use crate::i18n::Text;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Machine-readable reasons, stable for the console and tests.
pub mod codes {
    pub const REQUIRED: &str = "required";
    pub const BLANK: &str = "blank";
    pub const TYPE: &str = "type";
    pub const UNKNOWN: &str = "unknown";
    pub const LENGTH: &str = "length";
    pub const RANGE: &str = "range";
    pub const COUNT: &str = "count";
    pub const DUPLICATE: &str = "duplicate";
    pub const ENUM: &str = "enum";
    pub const FORMAT: &str = "format";
    pub const CONFLICT: &str = "conflict";
    pub const ID_PREFIX: &str = "id.prefix";
    pub const ID_LENGTH: &str = "id.length";
    pub const ID_CHARSET: &str = "id.charset";
    pub const ID_UNICODE: &str = "id.unicode";
    pub const ID_WHITESPACE: &str = "id.whitespace";
    // Warnings.
    pub const TRIMMED: &str = "trimmed";
    pub const ID_LEGACY: &str = "id.legacy";
    pub const NORMALIZED: &str = "normalized";

    /// Every code, so a code read back from JSON maps to its constant.
    pub const ALL: &[&str] = &[
        REQUIRED,
        BLANK,
        TYPE,
        UNKNOWN,
        LENGTH,
        RANGE,
        COUNT,
        DUPLICATE,
        ENUM,
        FORMAT,
        CONFLICT,
        ID_PREFIX,
        ID_LENGTH,
        ID_CHARSET,
        ID_UNICODE,
        ID_WHITESPACE,
        TRIMMED,
        ID_LEGACY,
        NORMALIZED,
    ];

    /// The constant for a code read back (from the proxy's JSON answer, say); `None` for
    /// a code this version does not know.
    pub fn intern(code: &str) -> Option<&'static str> {
        ALL.iter().copied().find(|c| *c == code)
    }
}

/// A field that cannot be sent as it is.
///
/// Deserializing (the console reading the proxy's answer) maps the code back to its
/// constant; a code this version does not know reads as `format`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's path: `SnapshotId`, `snapshot_ids[3]`, `Filters[0].Values[1]`.
    pub field: String,
    /// One of [`codes`].
    pub code: &'static str,
    pub message: Text,
}

/// Something the user should see although the request can go ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldWarning {
    pub field: String,
    /// One of [`codes`] (`trimmed`, `id.legacy`, `normalized`).
    pub code: &'static str,
    pub message: Text,
}

/// The JSON form of an error or warning, with an owned code.
#[derive(Deserialize)]
struct WireIssue {
    field: String,
    code: String,
    message: Text,
}

impl From<WireIssue> for FieldError {
    fn from(w: WireIssue) -> FieldError {
        FieldError {
            field: w.field,
            code: codes::intern(&w.code).unwrap_or(codes::FORMAT),
            message: w.message,
        }
    }
}

impl<'de> Deserialize<'de> for FieldError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FieldError, D::Error> {
        WireIssue::deserialize(d).map(FieldError::from)
    }
}

impl<'de> Deserialize<'de> for FieldWarning {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FieldWarning, D::Error> {
        WireIssue::deserialize(d).map(FieldWarning::from)
    }
}

impl From<WireIssue> for FieldWarning {
    fn from(w: WireIssue) -> FieldWarning {
        FieldWarning {
            field: w.field,
            code: codes::intern(&w.code).unwrap_or(codes::NORMALIZED),
            message: w.message,
        }
    }
}

/// Overrides the user can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ValidateOptions {
    /// Accept older Alibaba ID shapes (e.g. `1033-60053321`) with a visible warning
    /// instead of rejecting them.
    #[serde(default)]
    pub allow_legacy_ids: bool,
}

/// Parameters that passed: normalized (trimmed, canonical spellings) and ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    pub params: Value,
    pub warnings: Vec<FieldWarning>,
}
