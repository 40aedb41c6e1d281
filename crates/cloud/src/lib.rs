//! Rewind's cloud core, shared by the browser console, the proxy and the emulator.
//!
//! Everything here is pure: no I/O, no clock reads, no randomness. Time and nonces are
//! passed in by the caller, so the same code runs in wasm32 and natively and is
//! testable against fixed vectors.

pub mod action;
pub mod encoding;
pub mod http;
pub mod i18n;
pub mod limits;
pub mod operation;
pub mod provider;

// Typed requests/responses, validation and the error catalog.
pub mod alibaba;
pub mod catalog;
pub mod error;
pub mod huawei;
pub mod preflight;
pub mod tencent;
pub mod validate;
pub mod wire;

// Turning an action into an HTTP request, and signing/verifying it.
pub mod build;
pub mod call;
pub mod examples;
pub mod relay;
pub mod sign;
pub mod signcli;

pub use action::{Action, ActionSpec, HttpShape};
pub use http::HttpRequest;
pub use i18n::{Lang, Text};
pub use provider::Provider;
