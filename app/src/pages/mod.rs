//! Screens, one module each.

pub mod admin;
pub mod login;
pub mod not_found;
pub mod patients;
