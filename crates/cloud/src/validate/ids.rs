//! The resource ID grammar: which shape each kind of ID takes, the checks a typed or
//! pasted ID goes through (with messages that name the look-alike or stray character),
//! and pasted ID lists.

use super::types::{FieldError, FieldWarning, ValidateOptions, codes};
use crate::i18n::Text;
use crate::provider::Provider;
use serde::{Deserialize, Serialize};

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
            // Each provider's own word: Lighthouse 云硬盘, ECS 云盘.
            IdKind::LhDisk => ("Disk ID", "云硬盘 ID"),
            IdKind::EcsDisk => ("Disk ID", "云盘 ID"),
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
pub(super) fn shown(raw: &str) -> String {
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

pub(super) fn trimmed_warning(field: &str, sent: &str) -> FieldWarning {
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

pub(super) fn duplicate_error(field: &str, value: &str, first: &str) -> FieldError {
    FieldError {
        field: field.to_string(),
        code: codes::DUPLICATE,
        message: Text::new(
            format!("{field} repeats {}, already given at {first}", shown(value)),
            format!("{field} 重复了 {}（已在 {first} 给出）", shown(value)),
        ),
    }
}
