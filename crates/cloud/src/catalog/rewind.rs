//! Rewind's own codes (`Rewind.*`), for answers that cannot be read; any provider can
//! produce them.

use super::{CatalogEntry, Msg, R};

pub(super) const ENTRIES: &[CatalogEntry] = &[
    // ------------------------------------------------ Rewind's own codes
    entry!(
        R,
        "Rewind.NotJson",
        0,
        false,
        "The answer was not JSON: something between Rewind and the cloud (a gateway, proxy or firewall) answered instead of the API.",
        "返回内容不是 JSON：Rewind 与云之间的网关、代理或防火墙代替 API 作了应答。",
        "Try again later if the status is 5xx; otherwise check the endpoint and any proxy in between.",
        "若状态码为 5xx，请稍后重试；否则请检查接入点及中间的代理。"
    ),
    entry!(
        R,
        "Rewind.UnexpectedBody",
        0,
        false,
        "The answer was JSON but not in the provider's format.",
        "返回的 JSON 不是该云厂商的格式。",
        "Check that the endpoint really is the provider's API; report this with the request ID.",
        "请确认接入点确为该云厂商的 API，并附请求 ID 反馈问题。"
    ),
    entry!(
        R,
        "Rewind.HttpStatus",
        0,
        false,
        "The cloud answered with an HTTP error status but no error code.",
        "云端返回了 HTTP 错误状态码，但没有错误码。",
        "Try again later if the status is 5xx or 429; otherwise check the request.",
        "若状态码为 5xx 或 429，请稍后重试；否则请检查请求。"
    ),
];
