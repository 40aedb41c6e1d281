//! The Rewind console: a client-side Leptos app that shows instances, disks and snapshots
//! on three clouds and runs their restore operations.
//!
//! `api` is the only module that speaks HTTP; `transport` chooses once whether calls go
//! through the server's keys (portal) or are signed in this browser and relayed
//! (`relay`); operations run on the server or in this tab (`tab`), both driving the
//! cloud crate's state machines, and `ops` shows either the same way. `i18n` holds every
//! string in English and Chinese. Non-DOM logic is unit-tested natively; DOM behaviour
//! is tested in Chromium (`tests/components.rs`, `tests/e2e.rs`).

pub mod api;
pub mod app;
pub mod batch;
pub mod clock;
pub mod i18n;
pub mod inventory;
pub mod ops;
pub mod pages;
pub mod relay;
pub mod restore;
pub mod router;
pub mod session;
pub mod tab;
pub mod transport;
pub mod views;

pub use app::App;
