//! `--pdf`: the HTML report printed to `report.pdf` by a local Chromium
//! (headless, no network service). The PDF joins the report set before the
//! set is written, so it goes only where the set's own guard lets it (a
//! folder this tool wrote), listed in the set's manifest like every file.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// The browsers tried, in this order, on `PATH`.
const BROWSERS: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

/// A page that has not printed in this long is taken to have hung.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The first Chromium on `PATH`, or the usage error (exit 2) that refuses
/// `--pdf`, checked before the study is analysed so nothing is wasted.
pub fn find_browser() -> anyhow::Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in BROWSERS {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(crate::Exit::new(
        2,
        format!(
            "--pdf needs Chromium on PATH ({}); none was found",
            BROWSERS.join(", ")
        ),
    )
    .into())
}

/// `html` printed to PDF by `browser`, in a private temporary folder (the
/// page, the PDF and the browser's profile), which is removed after.
pub fn print(browser: &Path, html: &[u8]) -> anyhow::Result<Vec<u8>> {
    let dir = tempfile::tempdir().context("making a temporary folder for --pdf")?;
    let page = dir.path().join("report.html");
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&page, html).with_context(|| format!("writing {}", page.display()))?;
    let mut child = Command::new(browser)
        .arg("--headless")
        .arg("--no-sandbox")
        .arg("--disable-gpu")
        // Nothing fetched: the page is self-contained, and the browser's
        // own updates, sync and first-run calls are turned off.
        .args([
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
        ])
        // The footer would carry the temporary file's path and the date.
        .arg("--no-pdf-header-footer")
        // A profile of its own: the user's browser and its lock untouched.
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(&page))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", browser.display()))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            anyhow::bail!(
                "{} did not print the report within {} s",
                browser.display(),
                TIMEOUT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    if !status.success() || !bytes.starts_with(b"%PDF") {
        anyhow::bail!(
            "{} did not print the report to PDF ({status})",
            browser.display()
        );
    }
    Ok(bytes)
}

/// A `file://` URL of an absolute path, every byte outside the unreserved
/// set and `/` percent-encoded (a temporary folder may hold a space).
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_urls_are_encoded() {
        assert_eq!(
            super::file_url(std::path::Path::new("/tmp/a b/r%.html")),
            "file:///tmp/a%20b/r%25.html"
        );
    }
}
