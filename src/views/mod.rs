//! The console's pages and components, one module per part.

pub mod audit;
pub mod batch;
pub mod cloud;
pub mod confirm;
pub mod copy;
pub mod error;
pub mod inventory;
pub mod operations;
pub mod picker;
pub mod preflight;
pub mod prose;
pub mod restore;
pub mod row_actions;
pub mod settings;
pub mod signin;
pub mod time;
