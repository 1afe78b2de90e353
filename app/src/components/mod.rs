//! Reusable parts of the user interface.

pub mod empty_state;
pub mod layout;
