//! The clinical rules of Tandem, as pure functions over plain data.
//!
//! Nothing in this module does I/O or depends on Leptos or sqlx, so the same code runs on the server
//! and in the browser. `shared/DOMAIN.md` is the source of truth for every rule here; each rule lives
//! in one function and has a test named after it.

pub mod instrument;

pub use instrument::{Instrument, InstrumentError, Responses, Severity};
pub mod patient;

pub use patient::{IdentityError, Mrn, PersonName};
