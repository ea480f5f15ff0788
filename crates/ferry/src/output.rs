//! Writing to stdout without panicking when the reader goes away (`ferry plan | head`).

use std::io::Write;

/// Prints one line to stdout. A closed pipe ends the process quietly with success, as
/// command-line tools do; other write errors are ignored.
pub fn line(text: impl AsRef<str>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = writeln!(stdout, "{}", text.as_ref())
        && error.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}
