//! One module per subcommand.

pub mod demo;
pub mod init;
pub mod plan;
pub mod run;
pub mod serve;
pub mod sim;
pub mod status;
pub mod validate;
