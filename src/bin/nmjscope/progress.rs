//! The one progress bar.

use std::io::IsTerminal;

/// A bar on standard error, hidden when quiet or not a terminal.
pub fn bar(len: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} studies, {elapsed} (eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}
