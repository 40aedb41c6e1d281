//! The Rewind console: a client-side Leptos app that shows instances, disks and snapshots
//! on three clouds and drives their restore operations through the `rewind` server.
//!
//! Only `api` speaks HTTP; views ask it for typed data. `i18n` holds every string in
//! English and Chinese. Non-DOM logic is unit-tested natively; DOM behaviour is tested in
//! Chromium (`tests/components.rs`, `tests/e2e.rs`).

pub mod api;
pub mod app;
pub mod batch;
pub mod byok;
pub mod i18n;
pub mod inventory;
pub mod ops;
pub mod restore;
pub mod router;
pub mod views;

pub use app::App;
