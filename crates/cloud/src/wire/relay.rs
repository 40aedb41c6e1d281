//! `POST /relay` (relay mode): the request the browser signed, field for field, for the
//! server to check and forward unchanged.

use crate::http::HttpRequest;
use crate::provider::Provider;
use serde::{Deserialize, Serialize};

/// The body of `POST /relay`: `path` not percent-encoded, `query` decoded pairs in the
/// signed order, `body` the JSON text the builders write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayRequest {
    pub provider: Provider,
    pub method: String,
    pub host: String,
    #[serde(default = "root")]
    pub path: String,
    #[serde(default)]
    pub query: Vec<(String, String)>,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
}

fn root() -> String {
    "/".into()
}

impl RelayRequest {
    /// The signed request, as the console posts it.
    pub fn from_signed(provider: Provider, req: &HttpRequest) -> RelayRequest {
        RelayRequest {
            provider,
            method: req.method.clone(),
            host: req.host.clone(),
            path: if req.path.is_empty() {
                root()
            } else {
                req.path.clone()
            },
            query: req.query.clone(),
            headers: req.headers.clone(),
            // The builders write JSON text, so the body is UTF-8.
            body: String::from_utf8_lossy(&req.body).into_owned(),
        }
    }

    /// The request to read and forward: sent over HTTPS to `host` unless the server
    /// connects elsewhere (an endpoint override).
    pub fn to_request(&self) -> HttpRequest {
        HttpRequest {
            method: self.method.clone(),
            scheme: "https".into(),
            host: self.host.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: self.body.clone().into_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_the_signed_request() {
        let req = HttpRequest {
            method: "POST".into(),
            scheme: "https".into(),
            host: "ecs.cn-beijing.aliyuncs.com".into(),
            path: String::new(),
            query: vec![("DiskId".into(), "d-1".into())],
            headers: vec![("x-acs-action".into(), "ResetDisk".into())],
            body: Vec::new(),
        };
        let r = RelayRequest::from_signed(Provider::Alibaba, &req);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            json!({"provider": "alibaba", "method": "POST", "host": "ecs.cn-beijing.aliyuncs.com",
                   "path": "/", "query": [["DiskId", "d-1"]],
                   "headers": [["x-acs-action", "ResetDisk"]], "body": ""})
        );
        let back = r.to_request();
        assert_eq!(back.path, "/");
        assert_eq!((back.query, back.headers), (req.query, req.headers));
        // The server fills what the console may leave out, and refuses anything else.
        let min: RelayRequest =
            serde_json::from_value(json!({"provider": "tencent", "method": "POST", "host": "h"}))
                .unwrap();
        assert_eq!(min.path, "/");
        assert!(
            serde_json::from_value::<RelayRequest>(
                json!({"provider": "tencent", "method": "POST", "host": "h", "scheme": "http"})
            )
            .is_err()
        );
    }
}
