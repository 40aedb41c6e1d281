//! Checks an action's parameters before anything is sent, so a typo or a pasted
//! look-alike ID is caught in the console (as the user types) and again in the proxy.
//!
//! Parameters are "logical" JSON named as the provider names them:
//! - Lighthouse: the JSON body itself (`{"InstanceIds": [...], "Limit": 20}`).
//! - ECS: one key per RPC parameter; ID lists (`DiskIds`, …) are JSON arrays and tags
//!   are `"Tag": [{"Key","Value"}]`; [`crate::alibaba::query_pairs`] turns that into
//!   `DiskIds=["d-1"]` and `Tag.1.Key=…` on the wire. Integers are JSON integers, flags
//!   JSON booleans. `RegionId` (Describe actions only) may be left out: the request
//!   builder then fills it from the profile's region.
//! - Workspace: the query (ListDesktopSnapshot) or body (BatchRestoreDesktopSnapshot)
//!   fields, plus the path variables `project_id` (optional: the profile usually
//!   supplies it) and `job_id`.
//!
//! Strings are trimmed (reported as a warning; the trimmed value is what gets sent),
//! `null` means "not given", and a field the action does not take is an error.

use crate::action::Action;
use crate::i18n::Text;
use crate::provider::Provider;
use crate::{alibaba, huawei, tencent};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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

// ====================================================================== IDs

/// The kinds of resource ID Rewind takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IdKind {
    LhInstance,
    LhSnapshot,
    LhDisk,
    EcsInstance,
    EcsDisk,
    EcsSnapshot,
    WsSnapshot,
    WsDesktop,
    WsJob,
    WsProject,
}

#[derive(Clone, Copy)]
enum Shape {
    /// `prefix` + exactly 8 of [a-z0-9].
    Lighthouse(&'static str),
    /// `prefix` + [A-Za-z0-9]+, 30 characters in all at most.
    Ecs(&'static str),
    /// 1..=max of [A-Za-z0-9-].
    Uuid(usize),
}

const LH_BODY_LEN: usize = 8;
const ECS_MAX_LEN: usize = 30;
const LEGACY_MAX_LEN: usize = 64;

impl IdKind {
    pub const ALL: [IdKind; 10] = [
        IdKind::LhInstance,
        IdKind::LhSnapshot,
        IdKind::LhDisk,
        IdKind::EcsInstance,
        IdKind::EcsDisk,
        IdKind::EcsSnapshot,
        IdKind::WsSnapshot,
        IdKind::WsDesktop,
        IdKind::WsJob,
        IdKind::WsProject,
    ];

    pub fn provider(self) -> Provider {
        match self {
            IdKind::LhInstance | IdKind::LhSnapshot | IdKind::LhDisk => Provider::Tencent,
            IdKind::EcsInstance | IdKind::EcsDisk | IdKind::EcsSnapshot => Provider::Alibaba,
            _ => Provider::Huawei,
        }
    }

    fn shape(self) -> Shape {
        match self {
            IdKind::LhInstance => Shape::Lighthouse("lhins-"),
            IdKind::LhSnapshot => Shape::Lighthouse("lhsnap-"),
            IdKind::LhDisk => Shape::Lighthouse("lhdisk-"),
            IdKind::EcsInstance => Shape::Ecs("i-"),
            IdKind::EcsDisk => Shape::Ecs("d-"),
            IdKind::EcsSnapshot => Shape::Ecs("s-"),
            IdKind::WsSnapshot | IdKind::WsDesktop | IdKind::WsJob => Shape::Uuid(36),
            IdKind::WsProject => Shape::Uuid(64),
        }
    }

    /// The ID's prefix, where it has one (`lhsnap-`, `d-`).
    pub fn prefix(self) -> Option<&'static str> {
        match self.shape() {
            Shape::Lighthouse(p) | Shape::Ecs(p) => Some(p),
            Shape::Uuid(_) => None,
        }
    }

    /// The longest ID of this kind (in the strict shape).
    pub fn max_len(self) -> usize {
        match self.shape() {
            Shape::Lighthouse(p) => p.len() + LH_BODY_LEN,
            Shape::Ecs(_) => ECS_MAX_LEN,
            Shape::Uuid(n) => n,
        }
    }

    /// What the user calls it: ("Snapshot ID", "快照 ID").
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            IdKind::LhInstance | IdKind::EcsInstance => ("Instance ID", "实例 ID"),
            IdKind::LhSnapshot | IdKind::EcsSnapshot | IdKind::WsSnapshot => {
                ("Snapshot ID", "快照 ID")
            }
            IdKind::LhDisk | IdKind::EcsDisk => ("Disk ID", "磁盘 ID"),
            IdKind::WsDesktop => ("Desktop ID", "桌面 ID"),
            IdKind::WsJob => ("Job ID", "任务 ID"),
            IdKind::WsProject => ("Project ID", "项目 ID"),
        }
    }

    /// A valid example, for placeholders.
    pub fn example(self) -> &'static str {
        match self {
            IdKind::LhInstance => "lhins-k31c771o",
            IdKind::LhSnapshot => "lhsnap-nv6aqcv6",
            IdKind::LhDisk => "lhdisk-k31c771o",
            IdKind::EcsInstance => "i-bp67acfmxazb4ph",
            IdKind::EcsDisk => "d-bp199lyny9b3xxxx",
            IdKind::EcsSnapshot => "s-bp199lyny9b3xxxx",
            IdKind::WsSnapshot | IdKind::WsDesktop | IdKind::WsJob => {
                "1792d3eb-35c6-4e99-8381-abfc8e02126b"
            }
            IdKind::WsProject => "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        }
    }

    /// "Snapshot ID must start with lhsnap- followed by 8 lower-case letters or digits".
    pub fn expectation(self) -> Text {
        let (en, zh) = self.label();
        match self.shape() {
            Shape::Lighthouse(p) => Text::new(
                format!(
                    "{en} must start with {p} followed by {LH_BODY_LEN} lower-case letters or digits"
                ),
                format!("{zh} 必须以 {p} 开头，后接 {LH_BODY_LEN} 位小写字母或数字"),
            ),
            Shape::Ecs(p) => Text::new(
                format!(
                    "{en} must start with {p} followed by letters or digits, {ECS_MAX_LEN} characters at most in all"
                ),
                format!("{zh} 必须以 {p} 开头，后接字母或数字，总长不超过 {ECS_MAX_LEN} 个字符"),
            ),
            Shape::Uuid(n) => Text::new(
                format!(
                    "{en} must be 1 to {n} letters, digits or hyphens (like {})",
                    self.example()
                ),
                format!(
                    "{zh} 必须为 1 到 {n} 位字母、数字或连字符（如 {}）",
                    self.example()
                ),
            ),
        }
    }
}

/// Checks one ID as the user types it. Surrounding whitespace is trimmed (and reported);
/// the returned string is what should be sent. The error's `field` is the kind's label;
/// callers that know the field path use [`validate_id_at`].
pub fn validate_id(
    kind: IdKind,
    raw: &str,
    opts: &ValidateOptions,
) -> Result<(String, Vec<FieldWarning>), FieldError> {
    validate_id_at(kind, kind.label().0, raw, opts)
}

/// [`validate_id`] reporting against a given field path (`SnapshotIds[2]`).
pub fn validate_id_at(
    kind: IdKind,
    field: &str,
    raw: &str,
    opts: &ValidateOptions,
) -> Result<(String, Vec<FieldWarning>), FieldError> {
    let mut warnings = Vec::new();
    let id = raw.trim();
    if id.len() != raw.len() {
        warnings.push(trimmed_warning(field, id));
    }
    let fail = |code: &'static str, detail: Option<Text>| FieldError {
        field: field.to_string(),
        code,
        message: id_message(kind, raw, detail),
    };
    if id.is_empty() {
        return Err(fail(codes::BLANK, Some(Text::new("it is empty", "值为空"))));
    }
    if let Some((pos, c)) = id.chars().enumerate().find(|(_, c)| c.is_whitespace()) {
        return Err(fail(
            codes::ID_WHITESPACE,
            Some(whitespace_detail(pos + 1, c)),
        ));
    }
    if let Some((pos, c)) = id
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii() || c.is_ascii_control())
    {
        return Err(fail(codes::ID_UNICODE, Some(non_ascii_detail(pos + 1, c))));
    }
    match kind.shape() {
        Shape::Lighthouse(prefix) => {
            let Some(body) = id.strip_prefix(prefix) else {
                return Err(fail(codes::ID_PREFIX, Some(prefix_detail(kind, id))));
            };
            if let Some(c) = body
                .chars()
                .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
            {
                return Err(fail(codes::ID_CHARSET, Some(charset_detail(c))));
            }
            if body.len() != LH_BODY_LEN {
                return Err(fail(
                    codes::ID_LENGTH,
                    Some(Text::new(
                        format!("it has {} characters after {prefix}", body.len()),
                        format!("{prefix} 之后有 {} 个字符", body.len()),
                    )),
                ));
            }
        }
        Shape::Ecs(prefix) => {
            let strict = strict_ecs(prefix, id);
            if strict.is_err() && opts.allow_legacy_ids && legacy_ecs_ok(kind, id) {
                let (en, zh) = kind.label();
                warnings.push(FieldWarning {
                    field: field.to_string(),
                    code: codes::ID_LEGACY,
                    message: Text::new(
                        format!(
                            "{id:?} is not the current {en} shape ({prefix}…); it is sent as is because legacy IDs are allowed. Check that it is right."
                        ),
                        format!("{id:?} 不是当前的{zh} 格式（{prefix}…）；因已允许旧格式 ID，将按原样发送，请确认无误。"),
                    ),
                });
            } else if let Err((code, detail)) = strict {
                let mut detail = detail.unwrap_or_else(|| prefix_detail(kind, id));
                if !opts.allow_legacy_ids && legacy_ecs_ok(kind, id) {
                    detail.en.push_str(
                        "; if this is an older Alibaba ID, allow legacy IDs to send it anyway",
                    );
                    detail
                        .zh
                        .push_str("；如果这是阿里云的旧格式 ID，可开启“允许旧格式 ID”后发送");
                }
                return Err(fail(code, Some(detail)));
            }
        }
        Shape::Uuid(max) => {
            if let Some(c) = id
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
            {
                return Err(fail(codes::ID_CHARSET, Some(charset_detail(c))));
            }
            if id.len() > max {
                return Err(fail(
                    codes::ID_LENGTH,
                    Some(Text::new(
                        format!("it has {} characters", id.len()),
                        format!("共有 {} 个字符", id.len()),
                    )),
                ));
            }
        }
    }
    Ok((id.to_string(), warnings))
}

type IdFailure = (&'static str, Option<Text>);

fn strict_ecs(prefix: &str, id: &str) -> Result<(), IdFailure> {
    let Some(body) = id.strip_prefix(prefix) else {
        return Err((codes::ID_PREFIX, None));
    };
    if let Some(c) = body.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err((codes::ID_CHARSET, Some(charset_detail(c))));
    }
    if body.is_empty() || id.len() > ECS_MAX_LEN {
        return Err((
            codes::ID_LENGTH,
            Some(Text::new(
                format!("it has {} characters", id.len()),
                format!("共有 {} 个字符", id.len()),
            )),
        ));
    }
    Ok(())
}

/// Older Alibaba shapes: ASCII letters, digits and hyphens, up to 64, not starting with
/// a hyphen, and not another ECS kind's prefix (an instance ID in a disk field is a
/// mix-up, not a legacy ID).
fn legacy_ecs_ok(kind: IdKind, id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    let other_prefix = [IdKind::EcsInstance, IdKind::EcsDisk, IdKind::EcsSnapshot]
        .into_iter()
        .filter(|k| *k != kind)
        .filter_map(IdKind::prefix)
        .any(|p| lower.starts_with(p));
    !other_prefix
        && id.len() <= LEGACY_MAX_LEN
        && !id.starts_with('-')
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn id_message(kind: IdKind, raw: &str, detail: Option<Text>) -> Text {
    let exp = kind.expectation();
    let shown = shown(raw);
    match detail {
        Some(d) => Text::new(
            format!("{} (got {shown}): {}", exp.en, d.en),
            format!("{}（收到 {shown}）：{}", exp.zh, d.zh),
        ),
        None => Text::new(
            format!("{} (got {shown})", exp.en),
            format!("{}（收到 {shown}）", exp.zh),
        ),
    }
}

/// A user value quoted for a message, escaped and shortened.
fn shown(raw: &str) -> String {
    const MAX: usize = 80;
    if raw.chars().count() > MAX {
        let cut: String = raw.chars().take(MAX).collect();
        format!("{cut:?}…")
    } else {
        format!("{raw:?}")
    }
}

fn prefix_detail(kind: IdKind, id: &str) -> Text {
    let prefix = kind.prefix().unwrap_or("");
    let lower = id.to_ascii_lowercase();
    if lower.starts_with(prefix) {
        return Text::new(
            format!("the prefix must be lower-case {prefix}"),
            format!("前缀必须是小写的 {prefix}"),
        );
    }
    let same_provider = IdKind::ALL
        .into_iter()
        .filter(|k| *k != kind && k.provider() == kind.provider());
    for other in same_provider {
        if let Some(p) = other.prefix()
            && lower.starts_with(p)
        {
            let (en, zh) = other.label();
            return Text::new(
                format!("{p} is the prefix of a {en}, not of a {}", kind.label().0),
                format!("{p} 是{zh} 的前缀，不是{} 的前缀", kind.label().1),
            );
        }
    }
    Text::new(
        format!("it does not start with {prefix}"),
        format!("未以 {prefix} 开头"),
    )
}

fn charset_detail(c: char) -> Text {
    if c.is_ascii_uppercase() {
        Text::new(
            format!("upper-case letters such as {c:?} are not allowed"),
            format!("不允许大写字母（如 {c:?}）"),
        )
    } else {
        Text::new(
            format!("the character {c:?} is not allowed"),
            format!("不允许字符 {c:?}"),
        )
    }
}

fn whitespace_detail(pos: usize, c: char) -> Text {
    Text::new(
        format!(
            "it contains whitespace (U+{:04X}) at position {pos}",
            c as u32
        ),
        format!("第 {pos} 个字符是空白字符（U+{:04X}）", c as u32),
    )
}

fn non_ascii_detail(pos: usize, c: char) -> Text {
    let code = c as u32;
    match lookalike(c) {
        Some(ascii) => Text::new(
            format!(
                "the character {c:?} (U+{code:04X}) at position {pos} is not ASCII; it looks like {ascii:?} but is a different character, so retype it"
            ),
            format!(
                "第 {pos} 个字符 {c:?}（U+{code:04X}）不是 ASCII 字符；它看起来像 {ascii:?}，但并不是同一个字符，请重新输入"
            ),
        ),
        None if is_invisible(c) => Text::new(
            format!("it contains an invisible character (U+{code:04X}) at position {pos}"),
            format!("第 {pos} 个字符是不可见字符（U+{code:04X}）"),
        ),
        None => Text::new(
            format!("the character {c:?} (U+{code:04X}) at position {pos} is not ASCII"),
            format!("第 {pos} 个字符 {c:?}（U+{code:04X}）不是 ASCII 字符"),
        ),
    }
}

fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x00AD | 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF) || c.is_control()
}

/// The ASCII character a pasted non-ASCII character is commonly mistaken for.
pub fn lookalike(c: char) -> Option<char> {
    let code = c as u32;
    // Fullwidth forms of ASCII ('１', 'ａ', '－').
    if (0xFF01..=0xFF5E).contains(&code) {
        return char::from_u32(code - 0xFEE0);
    }
    Some(match c {
        'а' | 'α' => 'a',
        'А' | 'Α' => 'A',
        'в' | 'В' | 'Β' => 'B',
        'с' | 'ϲ' => 'c',
        'С' | 'Ϲ' => 'C',
        'ԁ' => 'd',
        'е' | 'ε' => 'e',
        'Е' | 'Ε' => 'E',
        'һ' => 'h',
        'Н' | 'Η' => 'H',
        'і' | 'ι' | 'ı' => 'i',
        'І' | 'Ι' => 'I',
        'ј' => 'j',
        'К' | 'Κ' => 'K',
        'к' | 'κ' => 'k',
        'ӏ' => 'l',
        'М' | 'Μ' => 'M',
        'ո' => 'n',
        'Ν' => 'N',
        'о' | 'ο' | 'σ' => 'o',
        'О' | 'Ο' => 'O',
        'р' | 'ρ' => 'p',
        'Р' | 'Ρ' => 'P',
        'ѕ' => 's',
        'Ѕ' => 'S',
        'Т' | 'Τ' => 'T',
        'υ' => 'u',
        'ν' => 'v',
        'ѡ' | 'ω' => 'w',
        'х' | 'χ' => 'x',
        'Х' | 'Χ' => 'X',
        'у' | 'γ' => 'y',
        'У' | 'Υ' => 'Y',
        'Ζ' => 'Z',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}'
        | '\u{FE63}' => '-',
        '\u{3007}' => '0',
        _ => return None,
    })
}

fn trimmed_warning(field: &str, sent: &str) -> FieldWarning {
    FieldWarning {
        field: field.to_string(),
        code: codes::TRIMMED,
        message: Text::new(
            format!(
                "{field}: surrounding whitespace was removed; {} will be sent",
                shown(sent)
            ),
            format!("{field}：已去除首尾空白，将发送 {}", shown(sent)),
        ),
    }
}

// ====================================================================== ID lists

/// One entry of a pasted ID list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdLine {
    /// 1-based line number in the pasted text.
    pub line: usize,
    /// The entry as pasted.
    pub raw: String,
    /// The ID to send, or why it cannot be sent.
    pub result: Result<String, FieldError>,
    pub warnings: Vec<FieldWarning>,
}

/// Splits a pasted list (one ID per line; commas and semicolons also separate) and
/// checks each entry. Blank lines are skipped; a repeated ID is reported on its
/// second and later lines. Field paths read `line 3`.
pub fn parse_id_list(kind: IdKind, text: &str, opts: &ValidateOptions) -> Vec<IdLine> {
    let mut out: Vec<IdLine> = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line_no = i + 1;
        for item in line.split([',', ';']) {
            if item.trim().is_empty() {
                continue;
            }
            let field = format!("line {line_no}");
            let (result, warnings) = match validate_id_at(kind, &field, item, opts) {
                Ok((id, w)) => {
                    let first = out
                        .iter()
                        .find(|l| matches!(&l.result, Ok(prev) if *prev == id))
                        .map(|l| l.line);
                    match first {
                        Some(first) => (
                            Err(duplicate_error(&field, &id, &format!("line {first}"))),
                            w,
                        ),
                        None => (Ok(id), w),
                    }
                }
                Err(e) => (Err(e), Vec::new()),
            };
            out.push(IdLine {
                line: line_no,
                raw: item.to_string(),
                result,
                warnings,
            });
        }
    }
    out
}

/// The IDs of a parsed list that can be sent, in order.
pub fn valid_ids(lines: &[IdLine]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| l.result.as_ref().ok().cloned())
        .collect()
}

fn duplicate_error(field: &str, value: &str, first: &str) -> FieldError {
    FieldError {
        field: field.to_string(),
        code: codes::DUPLICATE,
        message: Text::new(
            format!("{field} repeats {}, already given at {first}", shown(value)),
            format!("{field} 重复了 {}（已在 {first} 给出）", shown(value)),
        ),
    }
}

// ====================================================================== schema

#[derive(Clone, Copy)]
enum TextCheck {
    Plain,
    RegionId,
    ClientToken,
    ResourceGroupId,
    EcsSnapshotName,
    EcsDescription,
}

#[derive(Clone, Copy)]
enum Rule {
    Id(IdKind),
    Ids {
        kind: IdKind,
        min: usize,
        max: usize,
    },
    /// A list of IDs, also accepted as one comma-separated string (normalized to a list).
    IdsOrCsv {
        kind: IdKind,
        max: usize,
    },
    /// A list of 1..=max non-blank strings of at most 255 characters.
    Names {
        max: usize,
    },
    Text {
        min: usize,
        max: usize,
        check: TextCheck,
    },
    Enum(&'static [&'static str]),
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// Lighthouse `Filters`; the names allowed, plus `tag:<key>`.
    Filters(&'static FilterRules),
    LhTags,
    EcsTags,
}

struct Field {
    name: &'static str,
    required: bool,
    rule: Rule,
}

const fn req(name: &'static str, rule: Rule) -> Field {
    Field {
        name,
        required: true,
        rule,
    }
}

const fn opt(name: &'static str, rule: Rule) -> Field {
    Field {
        name,
        required: false,
        rule,
    }
}

const fn text(min: usize, max: usize) -> Rule {
    Rule::Text {
        min,
        max,
        check: TextCheck::Plain,
    }
}

const OFFSET: Rule = Rule::Int {
    min: 0,
    max: i64::MAX,
};
const LH_LIMIT: Rule = Rule::Int { min: 1, max: 100 };
const LH_MAX_FILTERS: usize = 10;
const LH_MAX_TAGS: usize = 10;
const ECS_MAX_TAGS: usize = 20;
/// The most IDs one list parameter (and one Workspace batch) takes.
pub const LIST_MAX: usize = 100;
const REGION: Rule = Rule::Text {
    min: 1,
    max: 64,
    check: TextCheck::RegionId,
};
const WS_PROJECT: Field = opt("project_id", Rule::Id(IdKind::WsProject));

/// What a Lighthouse `Filters` list accepts.
struct FilterRules {
    names: &'static [&'static str],
    /// Whether `tag:<key>` names are accepted.
    tag_pairs: bool,
    /// The most `Values` one filter takes.
    max_values: usize,
}

/// DescribeInstances filters, per the Lighthouse SDK (tencentcloud-sdk 2020-03-24 models).
const LH_INSTANCE_FILTERS: FilterRules = FilterRules {
    names: &[
        "instance-name",
        "private-ip-address",
        "public-ip-address",
        "zone",
        "instance-state",
        "tag-key",
        "tag-value",
    ],
    tag_pairs: true,
    max_values: 100,
};

/// DescribeSnapshots filters, per the Lighthouse SDK: no tag filters, 5 values each.
const LH_SNAPSHOT_FILTERS: FilterRules = FilterRules {
    names: &["snapshot-id", "disk-id", "snapshot-name", "instance-id"],
    tag_pairs: false,
    max_values: 5,
};

/// The fields an action takes, as the provider names them.
fn schema(action: Action) -> &'static [Field] {
    use IdKind::*;
    match action {
        Action::LhDescribeInstances => {
            const {
                &[
                    opt(
                        "InstanceIds",
                        Rule::Ids {
                            kind: LhInstance,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("Filters", Rule::Filters(&LH_INSTANCE_FILTERS)),
                    opt("Offset", OFFSET),
                    opt("Limit", LH_LIMIT),
                    opt("OrderField", Rule::Enum(&["EXPIRED_TIME"])),
                    opt("Order", Rule::Enum(&["ASC", "DESC"])),
                ]
            }
        }
        Action::LhDescribeSnapshots => {
            const {
                &[
                    opt(
                        "SnapshotIds",
                        Rule::Ids {
                            kind: LhSnapshot,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("Filters", Rule::Filters(&LH_SNAPSHOT_FILTERS)),
                    opt("Offset", OFFSET),
                    opt("Limit", LH_LIMIT),
                ]
            }
        }
        Action::LhApplyInstanceSnapshot => {
            const {
                &[
                    req("InstanceId", Rule::Id(LhInstance)),
                    req("SnapshotId", Rule::Id(LhSnapshot)),
                ]
            }
        }
        Action::LhCreateInstanceSnapshot => {
            const {
                &[
                    req("InstanceId", Rule::Id(LhInstance)),
                    opt("SnapshotName", text(1, 60)),
                    opt("Tags", Rule::LhTags),
                ]
            }
        }
        Action::LhStopInstances => {
            const {
                &[
                    req(
                        "InstanceIds",
                        Rule::Ids {
                            kind: LhInstance,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("StopType", Rule::Enum(tencent::StopType::KNOWN)),
                ]
            }
        }
        Action::LhStartInstances => {
            const {
                &[req(
                    "InstanceIds",
                    Rule::Ids {
                        kind: LhInstance,
                        min: 1,
                        max: LIST_MAX,
                    },
                )]
            }
        }
        Action::EcsDescribeInstances => {
            const {
                &[
                    opt("RegionId", REGION),
                    opt(
                        "InstanceIds",
                        Rule::Ids {
                            kind: EcsInstance,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("Status", Rule::Enum(alibaba::InstanceStatus::KNOWN)),
                    opt(
                        "ZoneId",
                        Rule::Text {
                            min: 1,
                            max: 64,
                            check: TextCheck::RegionId,
                        },
                    ),
                    opt("Tag", Rule::EcsTags),
                    opt("MaxResults", Rule::Int { min: 1, max: 100 }),
                    opt("NextToken", text(1, 1024)),
                ]
            }
        }
        Action::EcsDescribeDisks => {
            const {
                &[
                    opt("RegionId", REGION),
                    opt(
                        "DiskIds",
                        Rule::Ids {
                            kind: EcsDisk,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("InstanceId", Rule::Id(EcsInstance)),
                    opt("DiskType", Rule::Enum(&["all", "system", "data"])),
                    opt("Status", Rule::Enum(ECS_DISK_STATUS_FILTER)),
                    opt("SnapshotId", Rule::Id(EcsSnapshot)),
                    opt("Tag", Rule::EcsTags),
                    opt("MaxResults", Rule::Int { min: 10, max: 500 }),
                    opt("NextToken", text(1, 1024)),
                ]
            }
        }
        Action::EcsDescribeSnapshots => {
            const {
                &[
                    opt("RegionId", REGION),
                    opt("InstanceId", Rule::Id(EcsInstance)),
                    opt("DiskId", Rule::Id(EcsDisk)),
                    opt(
                        "SnapshotIds",
                        Rule::Ids {
                            kind: EcsSnapshot,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("SnapshotType", Rule::Enum(&["auto", "user", "all"])),
                    opt("SourceDiskType", Rule::Enum(&["system", "data"])),
                    opt(
                        "Status",
                        Rule::Enum(&["progressing", "accomplished", "failed", "all"]),
                    ),
                    opt("Tag", Rule::EcsTags),
                    opt("MaxResults", Rule::Int { min: 1, max: 100 }),
                    opt("NextToken", text(1, 1024)),
                ]
            }
        }
        Action::EcsResetDisk => {
            const {
                &[
                    req("DiskId", Rule::Id(EcsDisk)),
                    req("SnapshotId", Rule::Id(EcsSnapshot)),
                    opt("DryRun", Rule::Bool),
                ]
            }
        }
        Action::EcsCreateSnapshot => {
            const {
                &[
                    req("DiskId", Rule::Id(EcsDisk)),
                    opt(
                        "SnapshotName",
                        Rule::Text {
                            min: 2,
                            max: 128,
                            check: TextCheck::EcsSnapshotName,
                        },
                    ),
                    opt(
                        "Description",
                        Rule::Text {
                            min: 2,
                            max: 256,
                            check: TextCheck::EcsDescription,
                        },
                    ),
                    opt("RetentionDays", Rule::Int { min: 1, max: 65536 }),
                    opt(
                        "ClientToken",
                        Rule::Text {
                            min: 1,
                            max: 64,
                            check: TextCheck::ClientToken,
                        },
                    ),
                    opt(
                        "ResourceGroupId",
                        Rule::Text {
                            min: 1,
                            max: 64,
                            check: TextCheck::ResourceGroupId,
                        },
                    ),
                    opt("Tag", Rule::EcsTags),
                ]
            }
        }
        Action::EcsStopInstance => {
            const {
                &[
                    req("InstanceId", Rule::Id(EcsInstance)),
                    opt("ForceStop", Rule::Bool),
                    opt("StoppedMode", Rule::Enum(&["StopCharging", "KeepCharging"])),
                    opt("DryRun", Rule::Bool),
                ]
            }
        }
        Action::EcsStartInstance => {
            const {
                &[
                    req("InstanceId", Rule::Id(EcsInstance)),
                    opt("DryRun", Rule::Bool),
                ]
            }
        }
        Action::WsListDesktopSnapshot => {
            const {
                &[
                    WS_PROJECT,
                    opt("desktop_id", Rule::Id(WsDesktop)),
                    opt(
                        "desktop_ids",
                        Rule::IdsOrCsv {
                            kind: WsDesktop,
                            max: LIST_MAX,
                        },
                    ),
                    opt("desktop_name", text(1, 255)),
                    opt("desktop_names", Rule::Names { max: LIST_MAX }),
                    opt("snapshot_name", text(1, 255)),
                    opt("snapshot_names", Rule::Names { max: LIST_MAX }),
                    opt(
                        "disk_type",
                        Rule::Enum(&["SYSTEM_DISK", "DATA_DISKS", "ALL"]),
                    ),
                    opt("create_type", Rule::Enum(&["AUTO", "MANUALLY"])),
                    opt("status", Rule::Enum(huawei::SnapshotStatus::KNOWN)),
                    opt("sort_field", Rule::Enum(&["create_time", "snapshot_name"])),
                    opt("sort_type", Rule::Enum(&["ASC", "DESC"])),
                    opt("offset", OFFSET),
                    opt("limit", Rule::Int { min: 1, max: 1000 }),
                ]
            }
        }
        Action::WsBatchRestoreDesktopSnapshot => {
            const {
                &[
                    WS_PROJECT,
                    req(
                        "snapshot_ids",
                        Rule::Ids {
                            kind: WsSnapshot,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                ]
            }
        }
        Action::WsShowJob => const { &[WS_PROJECT, req("job_id", Rule::Id(WsJob))] },
    }
}

const ECS_DISK_STATUS_FILTER: &[&str] = &[
    "In_use",
    "Available",
    "Attaching",
    "Detaching",
    "Creating",
    "ReIniting",
    "All",
];

/// The parameters an action takes: (name as the provider spells it, required).
pub fn fields(action: Action) -> impl Iterator<Item = (&'static str, bool)> {
    schema(action).iter().map(|f| (f.name, f.required))
}

/// What a field's value is once read back off a flat wire form (a query string), where
/// every value arrives as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireType {
    Text,
    Int,
    Bool,
    /// A list of scalars.
    List,
    /// A list of objects (`Filters`, `Tags`, `Tag`).
    Objects,
}

/// The wire type of one of `action`'s fields; `None` for a field it does not take.
pub fn wire_type(action: Action, field: &str) -> Option<WireType> {
    let f = schema(action).iter().find(|f| f.name == field)?;
    Some(match f.rule {
        Rule::Id(_) | Rule::Text { .. } | Rule::Enum(_) => WireType::Text,
        Rule::Int { .. } => WireType::Int,
        Rule::Bool => WireType::Bool,
        Rule::Ids { .. } | Rule::IdsOrCsv { .. } | Rule::Names { .. } => WireType::List,
        Rule::Filters(_) | Rule::LhTags | Rule::EcsTags => WireType::Objects,
    })
}

/// True for a region ID as the providers spell them (`cn-hangzhou`, `ap-guangzhou`):
/// 1 to 64 lower-case letters, digits and hyphens. The same rule as `RegionId`.
pub fn is_region_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

// ====================================================================== checking

/// Checks and normalizes the parameters of one call. Every problem is reported, not
/// just the first.
pub fn validate_params(
    action: Action,
    params: &Value,
    opts: &ValidateOptions,
) -> Result<Validated, Vec<FieldError>> {
    let mut cx = Cx {
        opts,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let empty = Map::new();
    let obj = match params {
        Value::Object(m) => m,
        Value::Null => &empty,
        other => {
            cx.type_error("params", "an object", other);
            return Err(cx.errors);
        }
    };
    let schema = schema(action);
    // The caller's key order is kept (Tencent's GET form signs parameters in order).
    let mut out = Map::new();
    for (key, v) in obj {
        match schema.iter().find(|f| f.name == key) {
            None => cx.unknown(action, key, schema.iter().map(|f| f.name)),
            // Not given: null, or an empty list for an optional field (left out).
            Some(f) if !given(v) && (v.is_null() || !f.required) => {}
            Some(f) => {
                if let Some(nv) = cx.check(f.name, f.rule, v) {
                    out.insert(f.name.to_string(), nv);
                }
            }
        }
    }
    for f in schema.iter().filter(|f| f.required) {
        if obj.get(f.name).is_none_or(Value::is_null) {
            cx.required(f.name);
        }
    }
    // Lighthouse: IDs and Filters cannot be combined.
    for ids in ["InstanceIds", "SnapshotIds"] {
        if action.provider() == Provider::Tencent
            && obj.get(ids).is_some_and(given)
            && obj.get("Filters").is_some_and(given)
        {
            cx.err(
                "Filters",
                codes::CONFLICT,
                Text::new(
                    format!("{ids} and Filters cannot be used together; use one or the other"),
                    format!("{ids} 和 Filters 不能同时使用，请二选一"),
                ),
            );
        }
    }
    // Workspace ListDesktopSnapshot: sort_type needs sort_field (sort_field alone is
    // fine: sort_type defaults to ascending).
    if action == Action::WsListDesktopSnapshot {
        for (have, missing) in [("sort_type", "sort_field")] {
            if obj.get(have).is_some_and(|v| !v.is_null())
                && obj.get(missing).is_none_or(Value::is_null)
            {
                cx.err(
                    missing,
                    codes::REQUIRED,
                    Text::new(
                        format!("{missing} is required when {have} is given"),
                        format!("指定 {have} 时必须同时指定 {missing}"),
                    ),
                );
            }
        }
    }
    // Lighthouse DescribeInstances: Order only goes with OrderField.
    if obj.get("Order").is_some_and(|v| !v.is_null())
        && obj.get("OrderField").is_none_or(Value::is_null)
        && action == Action::LhDescribeInstances
    {
        cx.err(
            "OrderField",
            codes::REQUIRED,
            Text::new(
                "OrderField is required when Order is given",
                "指定 Order 时必须同时指定 OrderField",
            ),
        );
    }
    if cx.errors.is_empty() {
        Ok(Validated {
            params: Value::Object(out),
            warnings: cx.warnings,
        })
    } else {
        Err(cx.errors)
    }
}

/// False for `null` and for an empty list: both mean "not given".
fn given(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Array(items) => !items.is_empty(),
        _ => true,
    }
}

/// Checks one field of an action as the user types it, with the same rules as
/// [`validate_params`]. `null` counts as not given.
pub fn validate_field(
    action: Action,
    field: &str,
    value: &Value,
    opts: &ValidateOptions,
) -> Result<(Option<Value>, Vec<FieldWarning>), Vec<FieldError>> {
    let mut cx = Cx {
        opts,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let schema = schema(action);
    let Some(f) = schema.iter().find(|f| f.name == field) else {
        cx.unknown(action, field, schema.iter().map(|f| f.name));
        return Err(cx.errors);
    };
    let out = if value.is_null() {
        if f.required {
            cx.required(f.name);
        }
        None
    } else {
        cx.check(f.name, f.rule, value)
    };
    if cx.errors.is_empty() {
        Ok((out, cx.warnings))
    } else {
        Err(cx.errors)
    }
}

struct Cx<'a> {
    opts: &'a ValidateOptions,
    errors: Vec<FieldError>,
    warnings: Vec<FieldWarning>,
}

fn type_name(v: &Value) -> (&'static str, &'static str) {
    match v {
        Value::Null => ("null", "null"),
        Value::Bool(_) => ("true/false", "布尔值"),
        Value::Number(n) if n.is_f64() => ("a decimal number", "小数"),
        Value::Number(_) => ("a number", "数字"),
        Value::String(_) => ("a string", "字符串"),
        Value::Array(_) => ("a list", "列表"),
        Value::Object(_) => ("an object", "对象"),
    }
}

fn zh_expected(en: &str) -> &'static str {
    match en {
        "a string" => "字符串",
        "an integer" => "整数",
        "true or false" => "布尔值 true 或 false",
        "a list" => "列表（JSON 数组）",
        "an object" => "对象",
        _ => "列表（JSON 数组）",
    }
}

impl Cx<'_> {
    fn err(&mut self, field: &str, code: &'static str, message: Text) {
        self.errors.push(FieldError {
            field: field.to_string(),
            code,
            message,
        });
    }

    fn warn(&mut self, field: &str, code: &'static str, message: Text) {
        self.warnings.push(FieldWarning {
            field: field.to_string(),
            code,
            message,
        });
    }

    fn required(&mut self, field: &str) {
        self.err(
            field,
            codes::REQUIRED,
            Text::new(format!("{field} is required"), format!("{field} 为必填项")),
        );
    }

    fn blank(&mut self, field: &str) {
        self.err(
            field,
            codes::BLANK,
            Text::new(
                format!("{field} must not be blank"),
                format!("{field} 不能为空"),
            ),
        );
    }

    fn type_error(&mut self, field: &str, expected: &'static str, got: &Value) {
        let (got_en, got_zh) = type_name(got);
        let hint = if expected == "a list" && got.is_string() {
            " (give a JSON array; Rewind encodes it for the provider)"
        } else {
            ""
        };
        self.err(
            field,
            codes::TYPE,
            Text::new(
                format!("{field} must be {expected}, not {got_en}{hint}"),
                format!("{field} 必须是{}，而不是{got_zh}", zh_expected(expected)),
            ),
        );
    }

    fn unknown<'s>(
        &mut self,
        action: Action,
        key: &str,
        known: impl Iterator<Item = &'s str> + Clone,
    ) {
        let suggestion = suggest(key, known.clone());
        let (en_hint, zh_hint) = match suggestion {
            Some(s) => (
                format!("; did you mean {s}?"),
                format!("；是否想输入 {s}？"),
            ),
            None => {
                let list: Vec<&str> = known.collect();
                (
                    format!("; it takes {}", list.join(", ")),
                    format!("；可用参数：{}", list.join("、")),
                )
            }
        };
        let name = action.name();
        self.err(
            key,
            codes::UNKNOWN,
            Text::new(
                format!("{key:?} is not a parameter of {name}{en_hint}"),
                format!("{key:?} 不是 {name} 的参数{zh_hint}"),
            ),
        );
    }

    /// Checks one value; `None` when it failed (the error is recorded).
    fn check(&mut self, field: &str, rule: Rule, v: &Value) -> Option<Value> {
        match rule {
            Rule::Id(kind) => {
                let Value::String(s) = v else {
                    self.type_error(field, "a string", v);
                    return None;
                };
                self.id(kind, field, s).map(Value::String)
            }
            Rule::Ids { kind, min, max } => self.ids(field, kind, min, max, v),
            Rule::IdsOrCsv { kind, max } => self.ids_or_csv(field, kind, max, v),
            Rule::Names { max } => self.plain_list(field, max, v),
            Rule::Text { min, max, check } => {
                self.text(field, min, max, check, v).map(Value::String)
            }
            Rule::Enum(allowed) => self.enumeration(field, allowed, v).map(Value::String),
            Rule::Int { min, max } => self.int(field, min, max, v),
            Rule::Bool => {
                if v.is_boolean() {
                    Some(v.clone())
                } else {
                    self.type_error(field, "true or false", v);
                    None
                }
            }
            Rule::Filters(rules) => self.filters(field, rules, v),
            Rule::LhTags => self.tags(field, v, TagRules::LIGHTHOUSE),
            Rule::EcsTags => self.tags(field, v, TagRules::ECS),
        }
    }

    fn id(&mut self, kind: IdKind, field: &str, raw: &str) -> Option<String> {
        match validate_id_at(kind, field, raw, self.opts) {
            Ok((id, w)) => {
                self.warnings.extend(w);
                Some(id)
            }
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    fn count(&mut self, field: &str, n: usize, min: usize, max: usize) -> bool {
        if n < min {
            self.err(
                field,
                codes::COUNT,
                Text::new(
                    format!("{field} needs at least {min} item(s) (got {n})"),
                    format!("{field} 至少需要 {min} 项（收到 {n} 项）"),
                ),
            );
            false
        } else if n > max {
            self.err(
                field,
                codes::COUNT,
                Text::new(
                    format!("{field} takes at most {max} items (got {n})"),
                    format!("{field} 最多 {max} 项（收到 {n} 项）"),
                ),
            );
            false
        } else {
            true
        }
    }

    fn ids(
        &mut self,
        field: &str,
        kind: IdKind,
        min: usize,
        max: usize,
        v: &Value,
    ) -> Option<Value> {
        let Value::Array(items) = v else {
            self.type_error(field, "a list", v);
            return None;
        };
        let mut ok = self.count(field, items.len(), min, max);
        let mut out: Vec<String> = Vec::with_capacity(items.len());
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{field}[{i}]");
            let Value::String(s) = item else {
                self.type_error(&path, "a string", item);
                ok = false;
                continue;
            };
            if s.trim().is_empty() {
                self.blank(&path);
                ok = false;
                continue;
            }
            let Some(id) = self.id(kind, &path, s) else {
                ok = false;
                continue;
            };
            if let Some((_, first)) = seen.iter().find(|(prev, _)| *prev == id) {
                let first = format!("{field}[{first}]");
                self.errors.push(duplicate_error(&path, &id, &first));
                ok = false;
                continue;
            }
            seen.push((id.clone(), i));
            out.push(id);
        }
        ok.then(|| Value::Array(out.into_iter().map(Value::String).collect()))
    }

    fn ids_or_csv(&mut self, field: &str, kind: IdKind, max: usize, v: &Value) -> Option<Value> {
        match v {
            Value::String(s) => {
                let items: Vec<Value> =
                    s.split(',').map(|p| Value::String(p.to_string())).collect();
                self.ids(field, kind, 1, max, &Value::Array(items))
            }
            other => self.ids(field, kind, 1, max, other),
        }
    }

    fn text(
        &mut self,
        field: &str,
        min: usize,
        max: usize,
        check: TextCheck,
        v: &Value,
    ) -> Option<String> {
        let Value::String(raw) = v else {
            self.type_error(field, "a string", v);
            return None;
        };
        let s = raw.trim();
        if s.is_empty() {
            self.blank(field);
            return None;
        }
        if s.len() != raw.len() {
            self.warnings.push(trimmed_warning(field, s));
        }
        let n = s.chars().count();
        if n < min || n > max {
            let (en, zh) = if min <= 1 {
                (
                    format!("{field} must be at most {max} characters long (got {n})"),
                    format!("{field} 长度不能超过 {max} 个字符（当前 {n} 个）"),
                )
            } else {
                (
                    format!("{field} must be {min} to {max} characters long (got {n})"),
                    format!("{field} 长度必须为 {min} 到 {max} 个字符（当前 {n} 个）"),
                )
            };
            self.err(field, codes::LENGTH, Text::new(en, zh));
            return None;
        }
        if let Some(c) = s.chars().find(|c| c.is_control()) {
            self.format(
                field,
                format!(
                    "{field} must not contain control characters (found U+{:04X})",
                    c as u32
                ),
                format!("{field} 不能包含控制字符（发现 U+{:04X}）", c as u32),
            );
            return None;
        }
        let ok = match check {
            TextCheck::Plain => true,
            TextCheck::RegionId => self.require(
                field,
                s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "must be a region or zone ID such as cn-hangzhou (lower-case letters, digits, hyphens)",
                "必须是地域或可用区 ID，如 cn-hangzhou（小写字母、数字、连字符）",
            ),
            TextCheck::ClientToken => self.require(
                field,
                s.chars().all(|c| c.is_ascii_graphic()),
                "may contain only visible ASCII characters",
                "只能包含可见的 ASCII 字符",
            ),
            TextCheck::ResourceGroupId => self.require(
                field,
                s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "must be a resource group ID such as rg-bp67acfmxazb4ph (letters, digits, hyphens)",
                "必须是资源组 ID，如 rg-bp67acfmxazb4ph（字母、数字、连字符）",
            ),
            TextCheck::EcsDescription => self.no_url_prefix(field, s),
            TextCheck::EcsSnapshotName => {
                self.no_url_prefix(field, s)
                    && self.require(
                        field,
                        !s.starts_with("auto"),
                        "must not start with \"auto\" (ECS reserves it for automatic snapshots)",
                        "不能以 \"auto\" 开头（ECS 将其保留给自动快照）",
                    )
                    && self.require(
                        field,
                        s.chars().next().is_some_and(char::is_alphabetic),
                        "must start with a letter",
                        "必须以字母开头",
                    )
                    && self.require(
                        field,
                        s.chars().all(|c| c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | '.')),
                        "may contain only letters, digits, colons (:), underscores (_), hyphens (-) and periods (.)",
                        "只能包含字母、数字、冒号（:）、下划线（_）、连字符（-）和英文句点（.）",
                    )
            }
        };
        ok.then(|| s.to_string())
    }

    fn format(&mut self, field: &str, en: String, zh: String) {
        self.err(field, codes::FORMAT, Text::new(en, zh));
    }

    /// Records a format error unless `ok`; returns `ok`.
    fn require(&mut self, field: &str, ok: bool, en: &str, zh: &str) -> bool {
        if !ok {
            self.format(field, format!("{field} {en}"), format!("{field} {zh}"));
        }
        ok
    }

    fn no_url_prefix(&mut self, field: &str, s: &str) -> bool {
        let lower = s.to_ascii_lowercase();
        self.require(
            field,
            !(lower.starts_with("http://") || lower.starts_with("https://")),
            "must not start with http:// or https://",
            "不能以 http:// 或 https:// 开头",
        )
    }

    fn enumeration(&mut self, field: &str, allowed: &[&str], v: &Value) -> Option<String> {
        let Value::String(raw) = v else {
            self.type_error(field, "a string", v);
            return None;
        };
        let s = raw.trim();
        if let Some(exact) = allowed.iter().find(|a| **a == s) {
            if s.len() != raw.len() {
                self.warnings.push(trimmed_warning(field, s));
            }
            return Some(exact.to_string());
        }
        if let Some(canon) = allowed.iter().find(|a| a.eq_ignore_ascii_case(s)) {
            self.warn(
                field,
                codes::NORMALIZED,
                Text::new(
                    format!("{field}: {} will be sent as {canon:?}", shown(raw)),
                    format!("{field}：{} 将以 {canon:?} 发送", shown(raw)),
                ),
            );
            return Some(canon.to_string());
        }
        self.err(
            field,
            codes::ENUM,
            Text::new(
                format!(
                    "{field} must be one of {} (got {})",
                    allowed.join(", "),
                    shown(raw)
                ),
                format!(
                    "{field} 必须是以下之一：{}（收到 {}）",
                    allowed.join("、"),
                    shown(raw)
                ),
            ),
        );
        None
    }

    fn int(&mut self, field: &str, min: i64, max: i64, v: &Value) -> Option<Value> {
        let Some(n) = v.as_i64().or_else(|| v.as_u64().map(|_| i64::MAX)) else {
            self.type_error(field, "an integer", v);
            return None;
        };
        if v.as_i64().is_none() || n < min || n > max {
            let shown_n = v.to_string();
            let (en, zh) = if max == i64::MAX {
                (format!("at least {min}"), format!("不小于 {min}"))
            } else {
                (
                    format!("between {min} and {max}"),
                    format!("在 {min} 到 {max} 之间"),
                )
            };
            self.err(
                field,
                codes::RANGE,
                Text::new(
                    format!("{field} must be {en} (got {shown_n})"),
                    format!("{field} 必须{zh}（收到 {shown_n}）"),
                ),
            );
            return None;
        }
        Some(Value::from(n))
    }

    /// Checks an object has only `allowed` keys; records errors for the others.
    fn only_keys(&mut self, path: &str, obj: &Map<String, Value>, allowed: &[&str]) -> bool {
        let mut ok = true;
        for k in obj.keys() {
            if !allowed.contains(&k.as_str()) {
                let hint = suggest(k, allowed.iter().copied());
                let (en, zh) = match hint {
                    Some(s) => (
                        format!("; did you mean {s}?"),
                        format!("；是否想输入 {s}？"),
                    ),
                    None => (
                        format!("; it takes {}", allowed.join(", ")),
                        format!("；可用字段：{}", allowed.join("、")),
                    ),
                };
                self.err(
                    &format!("{path}.{k}"),
                    codes::UNKNOWN,
                    Text::new(
                        format!("{k:?} is not a field of {path}{en}"),
                        format!("{k:?} 不是 {path} 的字段{zh}"),
                    ),
                );
                ok = false;
            }
        }
        ok
    }

    fn filters(&mut self, field: &str, rules: &FilterRules, v: &Value) -> Option<Value> {
        let names = rules.names;
        let Value::Array(items) = v else {
            self.type_error(field, "a list", v);
            return None;
        };
        let mut ok = self.count(field, items.len(), 0, LH_MAX_FILTERS);
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{field}[{i}]");
            let Value::Object(obj) = item else {
                self.type_error(&path, "an object", item);
                ok = false;
                continue;
            };
            ok &= self.only_keys(&path, obj, &["Name", "Values"]);
            let name_path = format!("{path}.Name");
            let name = match obj.get("Name") {
                None | Some(Value::Null) => {
                    self.required(&name_path);
                    None
                }
                Some(n) => {
                    let name = self.text(&name_path, 1, 128, TextCheck::Plain, n);
                    match name {
                        Some(n) if names.contains(&n.as_str()) => Some(n),
                        Some(n)
                            if rules.tag_pairs
                                && n.strip_prefix("tag:").is_some_and(|k| !k.trim().is_empty()) =>
                        {
                            Some(n)
                        }
                        Some(n) => {
                            let (tag_en, tag_zh) = if rules.tag_pairs {
                                (" or tag:<key>", " 或 tag:<键>")
                            } else {
                                ("", "")
                            };
                            self.err(
                                &name_path,
                                codes::ENUM,
                                Text::new(
                                    format!(
                                        "{name_path} must be one of {}{tag_en} (got {})",
                                        names.join(", "),
                                        shown(&n)
                                    ),
                                    format!(
                                        "{name_path} 必须是以下之一：{}{tag_zh}（收到 {}）",
                                        names.join("、"),
                                        shown(&n)
                                    ),
                                ),
                            );
                            None
                        }
                        None => None,
                    }
                }
            };
            let values_path = format!("{path}.Values");
            let values = match obj.get("Values") {
                None | Some(Value::Null) => {
                    self.required(&values_path);
                    None
                }
                Some(vals) => match name.as_deref().and_then(filter_id_kind) {
                    Some(kind) => self.ids(&values_path, kind, 1, rules.max_values, vals),
                    None => self.plain_list(&values_path, rules.max_values, vals),
                },
            };
            match (name, values) {
                (Some(n), Some(vals)) => {
                    let mut m = Map::new();
                    m.insert("Name".into(), Value::String(n));
                    m.insert("Values".into(), vals);
                    out.push(Value::Object(m));
                }
                _ => ok = false,
            }
        }
        ok.then_some(Value::Array(out))
    }

    /// A list of 1..=max non-blank strings.
    fn plain_list(&mut self, field: &str, max: usize, v: &Value) -> Option<Value> {
        let Value::Array(items) = v else {
            self.type_error(field, "a list", v);
            return None;
        };
        let mut ok = self.count(field, items.len(), 1, max);
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match self.text(&format!("{field}[{i}]"), 1, 255, TextCheck::Plain, item) {
                Some(s) => out.push(Value::String(s)),
                None => ok = false,
            }
        }
        ok.then_some(Value::Array(out))
    }

    fn tags(&mut self, field: &str, v: &Value, rules: TagRules) -> Option<Value> {
        let Value::Array(items) = v else {
            self.type_error(field, "a list", v);
            return None;
        };
        let mut ok = self.count(field, items.len(), 0, rules.max_tags);
        let mut out = Vec::new();
        let mut keys: Vec<(String, usize)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{field}[{i}]");
            let Value::Object(obj) = item else {
                self.type_error(&path, "an object", item);
                ok = false;
                continue;
            };
            ok &= self.only_keys(&path, obj, &["Key", "Value"]);
            let key_path = format!("{path}.Key");
            let key = match obj.get("Key") {
                None | Some(Value::Null) => {
                    self.required(&key_path);
                    None
                }
                Some(k) => self
                    .text(&key_path, 1, rules.max_key, TextCheck::Plain, k)
                    .filter(|k| self.tag_text_ok(&key_path, k, rules.ecs, true)),
            };
            let value_path = format!("{path}.Value");
            let value = match obj.get("Value") {
                None | Some(Value::Null) if rules.value_required => {
                    self.required(&value_path);
                    None
                }
                None | Some(Value::Null) => Some(None),
                // Tag values may be empty.
                Some(Value::String(s)) if s.trim().is_empty() => Some(Some(String::new())),
                Some(val) => self
                    .text(&value_path, 1, rules.max_value, TextCheck::Plain, val)
                    .filter(|s| self.tag_text_ok(&value_path, s, rules.ecs, false))
                    .map(Some),
            };
            if let Some(key) = &key {
                if let Some((_, first)) = keys.iter().find(|(k, _)| k == key) {
                    let first = format!("{field}[{first}].Key");
                    self.errors.push(duplicate_error(&key_path, key, &first));
                    ok = false;
                    continue;
                }
                keys.push((key.clone(), i));
            }
            let (Some(key), Some(value)) = (key, value) else {
                ok = false;
                continue;
            };
            let mut m = Map::new();
            m.insert("Key".into(), Value::String(key));
            if let Some(value) = value {
                m.insert("Value".into(), Value::String(value));
            }
            out.push(Value::Object(m));
        }
        ok.then_some(Value::Array(out))
    }

    /// ECS tag rules: keys cannot start with `aliyun` or `acs:`, values not with `acs:`,
    /// and neither may contain `http://` or `https://`.
    fn tag_text_ok(&mut self, field: &str, s: &str, ecs: bool, is_key: bool) -> bool {
        if !ecs {
            return true;
        }
        let lower = s.to_ascii_lowercase();
        let reserved = lower.starts_with("acs:") || (is_key && lower.starts_with("aliyun"));
        let url = lower.contains("http://") || lower.contains("https://");
        let (en, zh) = if is_key {
            (
                "must not start with aliyun or acs:",
                "不能以 aliyun 或 acs: 开头",
            )
        } else {
            ("must not start with acs:", "不能以 acs: 开头")
        };
        self.require(field, !reserved, en, zh)
            && self.require(
                field,
                !url,
                "must not contain http:// or https://",
                "不能包含 http:// 或 https://",
            )
    }
}

#[derive(Clone, Copy)]
struct TagRules {
    max_tags: usize,
    max_key: usize,
    max_value: usize,
    value_required: bool,
    ecs: bool,
}

impl TagRules {
    /// Tencent tags: key up to 127 characters, value up to 255, both given.
    const LIGHTHOUSE: TagRules = TagRules {
        max_tags: LH_MAX_TAGS,
        max_key: 127,
        max_value: 255,
        value_required: true,
        ecs: false,
    };
    /// ECS `Tag.N`: N from 1 to 20, key and value up to 128 characters, value optional.
    const ECS: TagRules = TagRules {
        max_tags: ECS_MAX_TAGS,
        max_key: 128,
        max_value: 128,
        value_required: false,
        ecs: true,
    };
}

fn filter_id_kind(name: &str) -> Option<IdKind> {
    match name {
        "instance-id" => Some(IdKind::LhInstance),
        "snapshot-id" => Some(IdKind::LhSnapshot),
        "disk-id" => Some(IdKind::LhDisk),
        _ => None,
    }
}

/// The known name closest to a typo: same letters in another case, or at most two edits.
fn suggest<'s>(key: &str, known: impl Iterator<Item = &'s str>) -> Option<&'s str> {
    let lower = key.to_ascii_lowercase();
    let mut best: Option<(usize, &'s str)> = None;
    for k in known {
        let d = if k.eq_ignore_ascii_case(key) {
            0
        } else {
            edit_distance(&lower, &k.to_ascii_lowercase())
        };
        if d <= 2 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_and_suggestions() {
        assert_eq!(edit_distance("snapshotid", "snapshotid"), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let known = ["InstanceId", "SnapshotId"];
        assert_eq!(
            suggest("SnapshotID", known.iter().copied()),
            Some("SnapshotId")
        );
        assert_eq!(
            suggest("SnapshotIdd", known.iter().copied()),
            Some("SnapshotId")
        );
        assert_eq!(suggest("Zone", known.iter().copied()), None);
    }

    #[test]
    fn every_action_has_a_schema_and_id_kinds_cover_all_providers() {
        for &a in Action::ALL {
            assert!(fields(a).count() > 0, "{a}");
        }
        for p in Provider::ALL {
            assert!(IdKind::ALL.iter().any(|k| k.provider() == p));
        }
        for k in IdKind::ALL {
            assert!(
                validate_id(k, k.example(), &ValidateOptions::default()).is_ok(),
                "{k:?}"
            );
        }
    }
}
