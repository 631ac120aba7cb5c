//! The only code that knows aws-sdk and tokio: STS validation, error diagnosis, policy JSON.

pub mod base;
pub mod diagnose;
pub mod policy;
pub mod validator;

pub use validator::{StsOptions, StsValidator, session_name};
