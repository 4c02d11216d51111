//! Analyse: a study from dropped files, as `nmjscope analyze DIR --out`.

use std::path::PathBuf;

use nmjscope::model::{LemsCriterion, Pattern, Protocol};
use nmjscope::{render, Analyzer, ReadOptions, Settings};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The files of one study, added one at a time by the page.
#[wasm_bindgen]
pub struct StudyFiles {
    pub(crate) name: PathBuf,
    pub(crate) files: Vec<(PathBuf, Vec<u8>)>,
    skipped: Vec<String>,
}

/// One test's headline numbers, for a script that calls the module
/// without reading the report (the page shows the report itself).
#[derive(Debug, Serialize)]
struct TestRow {
    file: String,
    protocol: Protocol,
    rate_hz: Option<f64>,
    first_amplitude_mv: Option<f64>,
    decrement_pct: Option<f64>,
    increment_pct: Option<f64>,
}

/// One file of the report set; plots are SVG, so every file is text.
#[derive(Debug, Serialize)]
pub(crate) struct ReportFile {
    pub(crate) name: String,
    pub(crate) mime: &'static str,
    pub(crate) text: String,
}

/// What the page shows for an analysed study.
#[derive(Debug, Serialize)]
struct StudyView {
    id: String,
    pattern: Pattern,
    lems_criterion: LemsCriterion,
    summary: String,
    tests: Vec<TestRow>,
    /// Files that are not traces (notes, images), left out as the CLI's
    /// folder reading leaves them.
    skipped: Vec<String>,
    /// Every format of the report set (`report.html`, shown in the page,
    /// holds the plots as SVG), for download.
    files: Vec<ReportFile>,
}

#[wasm_bindgen]
impl StudyFiles {
    /// An empty study named `name` (the dropped folder's name, or
    /// `study`): its default id, and the folder its errors name.
    #[wasm_bindgen(constructor)]
    pub fn new(name: String) -> StudyFiles {
        StudyFiles {
            name: PathBuf::from(if name.is_empty() {
                "study".into()
            } else {
                name
            }),
            files: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Adds a file; a markers sidecar (`<test>.markers.toml`) is kept
    /// for its test, and files that are not traces
    /// ([`nmjscope::io::is_trace_content`]) are skipped and listed in the
    /// reply.
    pub fn add(&mut self, name: String, bytes: Vec<u8>) {
        let path = PathBuf::from(&name);
        if nmjscope::io::is_markers_file(&path) || nmjscope::io::is_trace_content(&path, &bytes) {
            self.files.push((path, bytes));
        } else {
            self.skipped.push(name);
        }
    }

    /// Reads and analyses the study with the default settings, as
    /// `nmjscope analyze` does, and renders its report set. JSON: see the
    /// crate docs.
    pub fn analyze(&mut self) -> String {
        self.files.sort_by(|a, b| a.0.cmp(&b.0));
        if crate::jitter::is_jitter_study(&self.files) {
            let name = self.name.display().to_string();
            return crate::reply(crate::jitter::study_view(&name, &self.files, &self.skipped));
        }
        crate::reply(self.study_view())
    }
}

impl StudyFiles {
    fn study_view(&self) -> nmjscope::Result<StudyView> {
        let study = nmjscope::parse_study(&self.name, &self.files, &ReadOptions::default())?;
        let analysis = Analyzer::new(Settings::default())?.analyze_with_display(&study)?;
        let plots = render::plots(&analysis.report, &analysis.displays)?;
        let report = &analysis.report;
        // Each format once; the plots are inside report.html (as SVG), so
        // they are not sent again as files.
        let files = render::Format::ALL
            .into_iter()
            .map(|format| {
                let bytes = render::serialize(format, report, &plots)?;
                Ok(ReportFile {
                    name: format.file_name().to_string(),
                    mime: mime_of(format),
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                })
            })
            .collect::<nmjscope::Result<Vec<_>>>()?;
        Ok(StudyView {
            id: report.study.id.clone(),
            pattern: report.interpretation.pattern,
            lems_criterion: report.interpretation.lems_criterion,
            summary: report.interpretation.summary.clone(),
            tests: report
                .tests
                .iter()
                .map(|t| TestRow {
                    file: t.file.clone(),
                    protocol: t.protocol,
                    rate_hz: t.stim_rate_hz,
                    first_amplitude_mv: t.first_amplitude_mv(),
                    decrement_pct: t.decrement_pct,
                    increment_pct: t.increment_pct,
                })
                .collect(),
            skipped: self.skipped.clone(),
            files,
        })
    }
}

fn mime_of(format: render::Format) -> &'static str {
    match format {
        render::Format::Html => "text/html",
        render::Format::Json => "application/json",
        render::Format::Csv => "text/csv",
        render::Format::Markdown => "text/markdown",
        _ => "text/plain",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::Path;

    /// A sample study (`samples/<dir>`) added file by file, as the page
    /// adds dropped files.
    pub(crate) fn sample(dir: &str) -> StudyFiles {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../samples")
            .join(dir);
        let mut files = StudyFiles::new(dir.to_string());
        let mut names: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for p in names {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            files.add(name, std::fs::read(&p).unwrap());
        }
        files
    }

    #[test]
    fn a_sample_study_gives_the_cli_pattern_and_a_report_set() {
        let reply: serde_json::Value = serde_json::from_str(&sample("lems").analyze()).unwrap();
        assert_eq!(reply["ok"], true);
        assert_eq!(reply["pattern"], "presynaptic");
        // The files name their study; the folder name is only the fallback.
        assert_eq!(reply["id"], "sim-lems-303");
        let names: Vec<&str> = reply["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"report.json") && names.contains(&"measurements.csv"));
        let html = &reply["files"][0];
        assert_eq!(html["name"], "report.html");
        assert!(html["text"].as_str().unwrap().contains("<svg"));
    }

    /// The lems sample with identifying metadata lines put first.
    fn identified(patient: &[(&str, &str)], files: &mut StudyFiles, prefix: &str) {
        for f in sample("lems").files {
            let mut text: String = patient
                .iter()
                .map(|(k, v)| format!("# {k}: {v}\n"))
                .collect();
            let body = String::from_utf8(f.1).unwrap();
            // The sample's own study_id would tell two patients apart.
            for line in body.lines().filter(|l| !l.starts_with("# study_id")) {
                text.push_str(line);
                text.push('\n');
            }
            let name = f.0.file_name().unwrap().to_string_lossy();
            files.add(format!("{prefix}{name}"), text.into_bytes());
        }
    }

    #[test]
    fn no_download_and_no_message_holds_an_identifier() {
        let ann = [
            ("patient_id", "PX-93817"),
            ("Patient Surname", "Zebedee"),
            ("D.O.B.", "1961-04-02"),
        ];
        let bo = [
            ("patient_id", "QY-22001"),
            ("Patient Surname", "Quixley"),
            ("D.O.B.", "1948-12-30"),
        ];
        // One patient: every download of the report set.
        let mut one = StudyFiles::new("clinic".into());
        identified(&ann, &mut one, "");
        let reply = one.analyze();
        assert!(reply.contains("\"ok\":true"), "{}", &reply[..200]);
        // Two patients dropped at once: refused, naming them by position.
        let mut two = StudyFiles::new("clinic".into());
        identified(&ann, &mut two, "a_");
        identified(&bo, &mut two, "b_");
        let refusal = two.analyze();
        assert!(refusal.contains("clinic / patient 2"), "{refusal}");
        for text in [&reply, &refusal] {
            for (_, value) in ann.iter().chain(&bo) {
                assert!(!text.contains(value), "{value}");
            }
        }
    }

    #[test]
    fn a_bad_file_gives_the_library_message_file_and_line() {
        let mut files = StudyFiles::new("bad".into());
        files.add("bad.csv".into(), b"time_ms,R1\n0,1\nx,2\n".to_vec());
        files.add("notes.txt".into(), b"patient was cold".to_vec());
        let reply: serde_json::Value = serde_json::from_str(&files.analyze()).unwrap();
        assert_eq!(reply["ok"], false);
        assert_eq!(reply["error"]["file"], "bad.csv");
        assert_eq!(reply["error"]["line"], 3);
        assert!(reply["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("bad.csv, line 3, column 1:"));
    }
}
