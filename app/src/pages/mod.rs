//! Screens, one module each.

pub mod not_found;
pub mod patients;
