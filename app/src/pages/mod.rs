//! Screens, one module each.

pub mod admin;
pub mod caseload;
pub mod chart;
pub mod enroll;
pub mod import;
pub mod login;
pub mod measure;
pub mod meeting;
pub mod not_found;
pub mod patients;
pub mod reports;
pub mod review;
pub mod self_report;
pub mod summary;
pub mod tasks;
