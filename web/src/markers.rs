//! The marker editor's side of the module: the markers a person set in the
//! page, written in the sidecar format by the library
//! ([`nmjscope::io::markers_toml`]) and kept beside the study's files as
//! `<test>.markers.toml`, so the page, a download and `nmjscope analyze`
//! read the same file the same way; and the reading the editor redraws
//! from as a mark moves (the report and the display traces, without
//! rendering the report set).

use nmjscope::model::{MarkEntry, Report, ResponseLabel, ResponseRef, TestDisplay};
use nmjscope::{io, Analyzer, ReadOptions, Settings};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::analyse::StudyFiles;

/// One response's marks as the page sends and receives them (the
/// sidecar's keys; `response` is the 1-based number, or a label).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntryView {
    response: ResponseKey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    onset_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    negative_peak_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    baseline_ms: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    excluded: Option<String>,
    by: String,
    at: String,
}

/// A response by number or by label, as in the sidecar.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum ResponseKey {
    Number(usize),
    Label(String),
}

impl From<&MarkEntry> for EntryView {
    fn from(e: &MarkEntry) -> EntryView {
        EntryView {
            response: match &e.response {
                ResponseRef::Number(n) => ResponseKey::Number(*n),
                ResponseRef::Label(l) => ResponseKey::Label(l.to_string()),
            },
            onset_ms: e.onset_ms,
            negative_peak_ms: e.negative_peak_ms,
            end_ms: e.end_ms,
            baseline_ms: e.baseline_ms,
            excluded: e.excluded.clone(),
            by: e.by.clone(),
            at: e.at.clone(),
        }
    }
}

impl EntryView {
    fn entry(self) -> MarkEntry {
        MarkEntry {
            response: match self.response {
                ResponseKey::Number(n) => ResponseRef::Number(n),
                ResponseKey::Label(l) => ResponseRef::Label(ResponseLabel::parse(&l)),
            },
            line: 0,
            onset_ms: self.onset_ms,
            negative_peak_ms: self.negative_peak_ms,
            end_ms: self.end_ms,
            baseline_ms: self.baseline_ms,
            excluded: self.excluded,
            by: self.by,
            at: self.at,
        }
    }
}

/// The sidecar the page wrote for a test (empty text: none).
#[derive(Debug, Serialize)]
struct SidecarView {
    file: String,
    text: String,
}

/// What the editor redraws from: the report as `report.json` holds it,
/// each test's display traces, and each test's markers as read.
#[derive(Debug, Serialize)]
struct ReadingView {
    report: Report,
    displays: Vec<TestDisplay>,
    markers: Vec<TestMarkers>,
}

/// The markers read for one test (from a dropped sidecar or the editor).
#[derive(Debug, Serialize)]
struct TestMarkers {
    test: String,
    file: Option<String>,
    entries: Vec<EntryView>,
}

#[wasm_bindgen]
impl StudyFiles {
    /// Sets the markers of the test named `test` (its file name) from a
    /// JSON list of entries (the sidecar's keys), replacing its sidecar; an
    /// empty list removes it. Replies with the sidecar's file name and
    /// text (for download). The marks are checked when the study is next
    /// read ([`StudyFiles::reading`], [`StudyFiles::analyze`]), with the
    /// file and line a CLI would name.
    pub fn set_markers(&mut self, test: String, entries_json: String) -> String {
        crate::reply(self.put_markers(&test, &entries_json))
    }

    /// The study read and analysed without rendering the report set: the
    /// report, the display traces and the markers read, for an editor that
    /// redraws as a mark moves.
    pub fn reading(&mut self) -> String {
        crate::reply(self.read_markers_view())
    }
}

impl StudyFiles {
    fn put_markers(&mut self, test: &str, entries_json: &str) -> nmjscope::Result<SidecarView> {
        let entries: Vec<EntryView> =
            serde_json::from_str(entries_json).map_err(|e| nmjscope::Error::MarkersFile {
                at: nmjscope::Location::file(std::path::Path::new(test)),
                detail: format!("the page sent marks that are not entries: {e}"),
            })?;
        let path = self
            .files
            .iter()
            .map(|(p, _)| p)
            .find(|p| p.file_name().is_some_and(|n| n == test) && !io::is_markers_file(p))
            .map(|p| io::markers_path(p))
            .ok_or_else(|| nmjscope::Error::MarkersFile {
                at: nmjscope::Location::file(std::path::Path::new(test)),
                detail: "no test of that name was dropped".into(),
            })?;
        let entries: Vec<MarkEntry> = entries.into_iter().map(EntryView::entry).collect();
        self.files.retain(|(p, _)| *p != path);
        let text = if entries.is_empty() {
            String::new()
        } else {
            io::markers_toml(test, &entries)
        };
        if !text.is_empty() {
            self.files.push((path.clone(), text.clone().into_bytes()));
        }
        Ok(SidecarView {
            file: name_of(&path),
            text,
        })
    }

    fn read_markers_view(&mut self) -> nmjscope::Result<ReadingView> {
        self.files.sort_by(|a, b| a.0.cmp(&b.0));
        let study = nmjscope::parse_study(&self.name, &self.files, &ReadOptions::default())?;
        let analysis = Analyzer::new(Settings::default())?.analyze_with_display(&study)?;
        let markers = study
            .tests
            .iter()
            .map(|t| TestMarkers {
                test: t.source.file_name.clone(),
                file: t.markers.as_ref().map(|m| m.file.clone()),
                entries: t
                    .markers
                    .as_ref()
                    .map(|m| m.entries.iter().map(EntryView::from).collect())
                    .unwrap_or_default(),
            })
            .collect();
        Ok(ReadingView {
            report: analysis.report,
            displays: analysis.displays,
            markers,
        })
    }
}

fn name_of(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mg() -> StudyFiles {
        crate::analyse::tests::sample("mg")
    }

    fn reading(files: &mut StudyFiles) -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_str(&files.reading()).unwrap();
        assert_eq!(v["ok"], true, "{v}");
        v
    }

    #[test]
    fn an_exclusion_set_in_the_page_reads_the_decrement_to_the_fifth_and_writes_the_sidecar() {
        let mut files = mg();
        let before = reading(&mut files);
        let test = before["report"]["tests"][0]["file"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(before["report"]["tests"][0]["decrement_read_to"].is_null());
        let reply: serde_json::Value = serde_json::from_str(&files.set_markers(
            test.clone(),
            r#"[{"response": 4, "excluded": "movement", "by": "KH", "at": "2026-12-07T10:00"}]"#
                .into(),
        ))
        .unwrap();
        assert_eq!(reply["ok"], true, "{reply}");
        assert_eq!(reply["file"], format!("{test}.markers.toml"));
        let text = reply["text"].as_str().unwrap();
        assert!(text.contains("excluded = \"movement\""), "{text}");
        let after = reading(&mut files);
        let t = &after["report"]["tests"][0];
        assert_eq!(t["decrement_read_to"], 5, "{}", t["decrement_read_to"]);
        assert_eq!(after["markers"][0]["entries"][0]["response"], 4);
        // The sidecar read back as a dropped file gives the same reading.
        let mut again = mg();
        again.add(format!("{test}.markers.toml"), text.as_bytes().to_vec());
        let dropped = reading(&mut again);
        assert_eq!(dropped["report"]["tests"], after["report"]["tests"]);
        // An empty list removes it.
        let _ = files.set_markers(test, "[]".into());
        assert!(reading(&mut files)["report"]["tests"][0]["decrement_read_to"].is_null());
    }

    #[test]
    fn a_mark_outside_the_sweep_is_refused_with_the_sidecars_line() {
        let mut files = mg();
        let test = reading(&mut files)["report"]["tests"][0]["file"]
            .as_str()
            .unwrap()
            .to_string();
        let _ = files.set_markers(
            test.clone(),
            r#"[{"response": 1, "onset_ms": 2.0, "by": "KH", "at": "x"},
                {"response": 2, "onset_ms": 900.0, "by": "KH", "at": "x"}]"#
                .into(),
        );
        let v: serde_json::Value = serde_json::from_str(&files.reading()).unwrap();
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"]["file"], format!("{test}.markers.toml"));
        assert_eq!(v["error"]["line"], 9, "{v}");
        let bad = files.set_markers("nope.csv".into(), "[]".into());
        assert!(bad.contains("no test of that name"), "{bad}");
    }
}
