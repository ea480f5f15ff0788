//! One module per subcommand.

pub mod plan;
pub mod sim;
pub mod validate;
