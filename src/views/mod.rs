//! Pages and their components, one file each.

pub mod cloud;
pub mod inventory;
