//! What a relayed call's outcome means to an operation: [`Sent`] folded into the
//! machine's [`Answer`]. The line that matters is between "certainly not sent" (the
//! machine may send again) and "may have been sent" (a destructive call is settled by
//! reading, never sent twice): anything the tab cannot be sure of is `Unknown`.

use crate::api::RequestError;
use crate::relay::Sent;
use rewind_cloud::operation::Answer;

/// The machine's answer for a relayed call.
pub fn answer_of(sent: Sent) -> Answer {
    match sent {
        Sent::Ok(a) => Answer::Ok {
            data: a.data,
            request_id: a.request_id,
        },
        // A passing ECS dry run arrives here as `DryRunOperation`, which the reset
        // step takes as its go-ahead.
        Sent::Cloud(e) => Answer::from_cloud_error(&e),
        Sent::Relay(e) => relay_refusal(&e),
        // Refused in the tab before anything left it (no keys, invalid parameters).
        Sent::Local(f) => refused(f.code, f.message, None, false),
        Sent::Lost(_) => Answer::Unknown,
    }
}

fn refused(code: String, message: String, request_id: Option<String>, throttled: bool) -> Answer {
    Answer::CloudError {
        code,
        message,
        request_id,
        retryable: throttled,
        throttled,
    }
}

/// The relay's own error answers (README "API": each code says whether the request
/// may have reached the cloud).
fn relay_refusal(e: &RequestError) -> Answer {
    match e {
        RequestError::Refused(f) => match f.code.as_str() {
            "RateLimited" => refused(f.code.clone(), f.message.clone(), None, true),
            // Nothing was sent upstream.
            "UpstreamUnreachable" | "RequestTimeout" => Answer::NotSent,
            // It may have reached the cloud, or an earlier attempt with the same key
            // still runs or left its outcome unknown.
            "UpstreamTimeout" | "UpstreamBroken" | "IdempotencyInProgress" => Answer::Unknown,
            _ => refused(
                f.code.clone(),
                f.message.clone(),
                f.request_id.clone(),
                false,
            ),
        },
        // Not the relay's JSON (a gateway's page, a broken body): it may have been
        // forwarded.
        RequestError::Status { .. } | RequestError::Decode(_) | RequestError::Network(_) => {
            Answer::Unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Failure;
    use crate::relay::send::read_relay_answer;
    use rewind_cloud::{Provider, Text};

    fn relay_error(code: &str, status: u16) -> Sent {
        let body = format!(r#"{{"ok":false,"error":{{"code":"{code}","message":"m"}}}}"#);
        read_relay_answer(Provider::Tencent, status, false, None, &body)
    }

    #[test]
    fn cloud_answers_keep_their_data_and_request_id() {
        let ok = read_relay_answer(
            Provider::Tencent,
            200,
            true,
            None,
            r#"{"Response":{"SnapshotId":"lhsnap-1","RequestId":"req-1"}}"#,
        );
        let Answer::Ok { data, request_id } = answer_of(ok) else {
            panic!()
        };
        assert_eq!(data["SnapshotId"], "lhsnap-1");
        assert_eq!(request_id.as_deref(), Some("req-1"));
    }

    #[test]
    fn refusals_throttling_and_dry_runs_become_cloud_errors() {
        let refused = read_relay_answer(
            Provider::Tencent,
            200,
            true,
            None,
            r#"{"Response":{"Error":{"Code":"UnauthorizedOperation","Message":"no"},"RequestId":"r-2"}}"#,
        );
        let Answer::CloudError {
            code,
            request_id,
            throttled,
            ..
        } = answer_of(refused)
        else {
            panic!()
        };
        assert_eq!(code, "UnauthorizedOperation");
        assert_eq!(request_id.as_deref(), Some("r-2"));
        assert!(!throttled);
        let throttled = read_relay_answer(
            Provider::Tencent,
            200,
            true,
            None,
            r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow"},"RequestId":"r-3"}}"#,
        );
        assert!(matches!(
            answer_of(throttled),
            Answer::CloudError {
                throttled: true,
                ..
            }
        ));
        let dry = read_relay_answer(
            Provider::Alibaba,
            400,
            true,
            None,
            r#"{"RequestId":"r-4","Code":"DryRunOperation","Message":"passed"}"#,
        );
        assert!(
            matches!(answer_of(dry), Answer::CloudError { code, .. } if code == "DryRunOperation")
        );
        // The relay's rate limit is throttling: not carried out, retried later.
        assert!(matches!(
            answer_of(relay_error("RateLimited", 429)),
            Answer::CloudError {
                throttled: true,
                ..
            }
        ));
        // A policy or host refusal is final.
        assert!(matches!(
            answer_of(relay_error("RelayHostNotAllowed", 403)),
            Answer::CloudError {
                retryable: false,
                throttled: false,
                ..
            }
        ));
    }

    #[test]
    fn only_what_certainly_was_not_sent_is_not_sent() {
        assert_eq!(
            answer_of(relay_error("UpstreamUnreachable", 502)),
            Answer::NotSent
        );
        assert_eq!(
            answer_of(relay_error("RequestTimeout", 408)),
            Answer::NotSent
        );
        for code in ["UpstreamTimeout", "UpstreamBroken", "IdempotencyInProgress"] {
            assert_eq!(answer_of(relay_error(code, 504)), Answer::Unknown, "{code}");
        }
        assert_eq!(
            answer_of(Sent::Lost("connection reset".into())),
            Answer::Unknown
        );
        // A gateway's HTML page in front of the relay: it may have been forwarded.
        let gateway = read_relay_answer(Provider::Alibaba, 502, false, None, "<html>");
        assert_eq!(answer_of(gateway), Answer::Unknown);
        let local = Failure::local(
            "NoKeys",
            String::new(),
            Text::new("a", "b"),
            Text::new("c", "d"),
        );
        assert!(matches!(
            answer_of(Sent::Local(Box::new(local))),
            Answer::CloudError { code, retryable: false, .. } if code == "NoKeys"
        ));
    }
}
