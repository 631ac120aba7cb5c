//! The only code that knows aws-sdk and tokio: STS validation, temporary credentials, error
//! diagnosis.

pub mod base;
pub mod diagnose;
pub mod http;
pub mod issue;
pub mod s3;
pub mod validator;

pub use validator::{StsOptions, StsValidator, session_name};

/// The version of the AWS SDK's STS client connsql is built with.
pub fn sdk_version() -> &'static str {
    aws_sdk_sts::meta::PKG_VERSION
}
