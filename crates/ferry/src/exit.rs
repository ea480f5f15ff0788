//! How a command ends when it does not succeed: bad input (exit 2) or a failure (exit 1).

/// A command's failure, deciding the exit code.
#[derive(Debug)]
pub enum Exit {
    /// The user's input is wrong (exit 2); the message says what and where, and may be empty
    /// when the problems were already printed.
    BadInput(String),
    /// Something failed while running (exit 1).
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for Exit {
    fn from(error: anyhow::Error) -> Self {
        Exit::Failed(error)
    }
}

/// A command's result.
pub type CommandResult = Result<(), Exit>;
