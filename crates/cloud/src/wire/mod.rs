//! The JSON both ends of `/api/v1` and `/relay` share: the server writes these types
//! and the console reads them (and the other way round), so the two cannot drift apart.

pub mod audit;
pub mod call;
pub mod error;
pub mod operations;
pub mod relay;
pub mod session;

pub use audit::{AuditEntry, AuditPage};
pub use call::{CallAnswer, CallRequest};
pub use error::{ErrorBody, ErrorText};
pub use relay::RelayRequest;
pub use session::{Mode, Profile, Session, safe_return};
