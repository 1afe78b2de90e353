//! Reusable parts of the user interface.

pub mod empty_state;
pub mod flags;
pub mod forms;
pub mod layout;
pub mod markup;
pub mod questionnaire;
pub mod sparkline;
