//! Reports a neurophysiologist would sign and a command line that behaves
//! like the tools people know (issue 14): words for people, the clinical
//! header, identifying fields only when asked, plots checked in their SVG.

use std::path::{Path, PathBuf};

use crate::util::{nmjscope, TempDir};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

/// A text element of an SVG: position and content.
struct SvgText {
    y: f64,
    text: String,
}

fn attr(tag: &str, name: &str) -> Option<f64> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    tag[start..end].parse().ok()
}

fn texts(svg: &str) -> Vec<SvgText> {
    svg.split("<text")
        .skip(1)
        .filter_map(|chunk| {
            let open = chunk.find('>')?;
            let close = chunk.find("</text>")?;
            Some(SvgText {
                y: attr(&chunk[..open], "y")?,
                text: chunk[open + 1..close].trim().to_string(),
            })
        })
        .collect()
}

fn circles_cy(svg: &str) -> Vec<f64> {
    svg.split("<circle")
        .skip(1)
        .filter_map(|c| attr(c, "cy"))
        .collect()
}

fn report_set(study: &Path, flags: &[&str]) -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    let out = dir.path().join("out");
    nmjscope()
        .arg("analyze")
        .arg(study)
        .args(flags)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    (dir, out)
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn readers_get_words_not_codes() {
    let codes = [
        "u_shaped",
        "nmj_unspecified",
        "not_tested",
        "post_0s",
        "-0.0%",
        "post_30s",
    ];
    for study in ["normal", "mg", "lems"] {
        let (_dir, out) = report_set(&sample(study), &[]);
        for file in ["report.txt", "report.md", "report.html"] {
            let text = read(out.join(file));
            for code in codes {
                assert!(!text.contains(code), "{study}/{file} shows {code}");
            }
        }
    }
    // A study without an increment test says "not tested" in words.
    let (_dir, out) = report_set(&sample("mg/1_rns_3hz.csv"), &[]);
    let text = read(out.join("report.txt"));
    assert!(text.contains("LEMS criterion: not tested"), "{text:.600}");
}

#[test]
fn the_tables_labs_expect() {
    let (_dir, out) = report_set(&sample("mg"), &[]);
    let text = read(out.join("report.txt"));
    for expected in [
        "Decrement to the 4th response (used for the conclusion): 30.0%",
        "Decrement to the 5th response: 32.7%",
        "Area decrement to the 4th response: 30.3%",
        "Shape of the train: U-shaped",
        "immediately after",
        "area chg",
    ] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
    let (_dir, out) = report_set(&sample("mg"), &["--decrement-response", "5"]);
    let text = read(out.join("report.txt"));
    assert!(text.contains("Decrement to the 5th response (used for the conclusion): 32.7%"));
    let md = read(out.join("report.md"));
    assert!(
        md.contains("![") && md.contains("](plots/1_rns_3hz_stack.svg)"),
        "plots linked"
    );
    let html = read(out.join("report.html"));
    // A plain table, not a <details>: print cannot open a closed one.
    let settings = html
        .find("<h2 id=\"settings\">")
        .expect("settings in the appendix");
    assert!(!html.contains("<details"), "nothing hidden from print");
    assert!(
        settings > html.find("id=\"tests\"").unwrap(),
        "settings at the end"
    );
    assert!(!html.contains("<pre>"), "no raw JSON");
    assert!(
        !html.contains("<figcaption>"),
        "captions do not repeat the plot titles"
    );
}

fn identified_study(dir: &TempDir) -> PathBuf {
    let text = std::fs::read_to_string(sample("lems/1_rns_3hz.csv")).unwrap();
    let meta = "# patient_name: Jane Roe\n# mrn: MRN-98765\n# dob: 1950-01-01\n# date: 2026-03-04\n# examiner: Dr A. Nerve\n# side: left\n# temperature_c: 33\n";
    let path = dir.path().join("study");
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("1_rns_3hz.csv"), format!("{meta}{text}")).unwrap();
    path
}

#[test]
fn identifying_fields_only_with_identified() {
    let dir = TempDir::new();
    let study = identified_study(&dir);
    let secrets = ["Jane Roe", "MRN-98765", "1950-01-01"];
    let (_d, out) = report_set(&study, &[]);
    for file in [
        "report.txt",
        "report.md",
        "report.html",
        "report.json",
        "measurements.csv",
    ] {
        let text = read(out.join(file));
        for s in secrets {
            assert!(!text.contains(s), "{file} shows {s}");
        }
    }
    let text = read(out.join("report.txt"));
    for header in [
        "Date:             2026-03-04",
        "Examiner:         Dr A. Nerve",
        "Side:             left",
        "Limb temperature: 33.0 °C",
    ] {
        assert!(text.contains(header), "missing {header:?} in {text:.500}");
    }
    let inspect = nmjscope().arg("inspect").arg(&study).output().unwrap();
    let shown = String::from_utf8_lossy(&inspect.stdout);
    assert!(
        !shown.contains("Jane Roe") && shown.contains("withheld"),
        "{shown}"
    );
    let (_d, out) = report_set(&study, &["--identified"]);
    for file in ["report.txt", "report.html", "report.json"] {
        assert!(read(out.join(file)).contains("Jane Roe"), "{file}");
    }
    // batch never shows them.
    let batch_out = dir.path().join("batch");
    nmjscope()
        .args(["batch", "-q"])
        .arg(dir.path())
        .arg("--out")
        .arg(&batch_out)
        .assert()
        .success();
    for entry in walk(&batch_out) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(!text.contains("Jane Roe"), "{}", entry.display());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_batch_summary_agrees_with_the_report() {
    let dir = TempDir::new();
    let root = dir.path().join("in");
    std::fs::create_dir_all(root.join("mg")).unwrap();
    for f in std::fs::read_dir(sample("mg")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, root.join("mg").join(f.file_name().unwrap())).unwrap();
    }
    let out = dir.path().join("out");
    nmjscope()
        .args(["batch", "-q"])
        .arg(&root)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let summary = read(out.join("summary.csv"));
    let mut rdr = csv::Reader::from_reader(summary.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let row = rdr.records().next().unwrap().unwrap();
    let get = |name: &str| {
        row.get(headers.iter().position(|h| h == name).unwrap())
            .unwrap()
            .to_string()
    };
    let (_d, rep) = report_set(&sample("mg"), &[]);
    let text = read(rep.join("report.txt"));
    assert!(
        text.contains(&format!("Decrement {}%", get("decrement_pct"))),
        "{}",
        get("decrement_pct")
    );
    // The MG sample's rise is pseudofacilitation: not counted as an
    // increment, and given a column of its own.
    assert_eq!(get("increment_pct"), "");
    assert!(
        text.contains(&format!(
            "Amplitude increment +{}%",
            get("pseudofacilitation_pct")
        )),
        "{}",
        get("pseudofacilitation_pct")
    );
}

#[test]
fn plots_keep_labels_points_and_bars_apart() {
    let (_dir, out) = report_set(&sample("lems"), &["--increment-suggestive-pct", "50"]);
    let svg = |name: &str| read(out.join("plots").join(format!("{name}.svg")));
    // Response numbers are integers.
    let trend = svg("1_rns_3hz_trend");
    let labels: Vec<String> = texts(&trend).into_iter().map(|t| t.text).collect();
    assert!(
        labels.iter().any(|t| t == "4") && !labels.iter().any(|t| t == "4.0"),
        "{labels:?}"
    );
    // No point under the legend: every point lies below the legend's last row.
    for name in ["1_rns_3hz_trend", "3_hfrns_50hz_trend"] {
        let s = svg(name);
        let t = texts(&s);
        let legend_bottom = t
            .iter()
            .filter(|t| {
                t.text.contains("decrement (") || t.text.contains("increment (") || t.text == "area"
            })
            .map(|t| t.y)
            .fold(0.0, f64::max);
        let highest_point = circles_cy(&s).into_iter().fold(f64::MAX, f64::min);
        assert!(
            highest_point > legend_bottom + 8.0,
            "{name}: point at {highest_point}, legend to {legend_bottom}"
        );
    }
    // The 50 Hz trend draws the LEMS lines from the settings.
    let hf = svg("3_hfrns_50hz_trend");
    assert!(
        hf.contains("50% increment (suggestive of LEMS)")
            && hf.contains("100% increment (specific for LEMS)")
    );
    // The scale bar sits under the lowest trace, never on it.
    for name in [
        "1_rns_3hz_stack",
        "2_exercise_10s_stack",
        "3_hfrns_50hz_stack",
    ] {
        let t = texts(&svg(name));
        let bar = t
            .iter()
            .find(|t| t.text.contains(" mV / "))
            .expect("scale bar")
            .y;
        let lowest_label = t
            .iter()
            .filter(|t| t.text.ends_with(" mV") && !t.text.contains(" / "))
            .map(|t| t.y)
            .fold(0.0, f64::max);
        assert!(
            bar > lowest_label + 20.0,
            "{name}: bar at {bar}, lowest trace label at {lowest_label}"
        );
    }
    // A long train says that only every k-th response is drawn.
    assert!(svg("3_hfrns_50hz_stack").contains("every 5th response of 50 shown"));
    // Exercise plots name time points in words.
    assert!(svg("2_exercise_10s_increment").contains("immediately after"));
    // The same order for every test: stack, overlay, criterion chart.
    let md = read(out.join("report.md"));
    let order: Vec<&str> = md
        .lines()
        .filter_map(|l| l.split("](plots/").nth(1))
        .map(|l| l.trim_end_matches(".svg)"))
        .collect();
    assert_eq!(
        order,
        [
            "1_rns_3hz_stack",
            "1_rns_3hz_superimposed",
            "1_rns_3hz_trend",
            "2_exercise_10s_stack",
            "2_exercise_10s_overlay",
            "2_exercise_10s_increment",
            "3_hfrns_50hz_stack",
            "3_hfrns_50hz_superimposed",
            "3_hfrns_50hz_trend",
        ]
    );
}

#[test]
fn the_command_line_behaves_like_the_tools_people_know() {
    nmjscope()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicates::str::starts_with("nmjscope "));
    for shell in ["bash", "zsh", "fish"] {
        nmjscope()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicates::str::contains("analyze"));
    }
    let file = sample("mg/1_rns_3hz.csv");
    nmjscope()
        .args(["analyze", "-", "--format", "JSON"])
        .write_stdin(std::fs::read(&file).unwrap())
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "\"schema\": \"nmjscope.report/3\"",
        ));
    nmjscope()
        .arg("inspect")
        .arg(&file)
        .args(["--format", "markdown"])
        .assert()
        .code(2);
    // demo says where its files are before anything else.
    let dir = TempDir::new();
    let out = nmjscope()
        .arg("demo")
        .arg("-o")
        .arg(dir.path().join("d"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.lines().next().unwrap_or("").contains("report.html"),
        "{stderr}"
    );
    // A folder of studies points to batch.
    let out = nmjscope().arg("analyze").arg(sample("")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nmjscope batch"), "{stderr}");
}

#[test]
fn spreadsheet_exports_are_read_or_explained() {
    let dir = TempDir::new();
    let text =
        std::fs::read_to_string(sample("variants/mg_rns_semicolon_decimal_comma.csv")).unwrap();
    let excel = format!("sep=;\n{}", text.replace('\n', ";\n"));
    let path = dir.write("excel.csv", excel);
    nmjscope().arg("inspect").arg(&path).assert().success();
    let mut latin1 = std::fs::read(sample("mg/1_rns_3hz.csv")).unwrap();
    let header = latin1.windows(7).position(|w| w == b"time_ms").unwrap();
    latin1.splice(header..header, b"# operator: \xB5 \n".iter().copied());
    let path = dir.write("latin1.csv", latin1);
    nmjscope()
        .arg("inspect")
        .arg(&path)
        .assert()
        .code(3)
        .stderr(predicates::str::contains("CSV UTF-8"));
}

#[test]
fn the_readme_thresholds_example_is_valid() {
    let readme = include_str!("../../README.md");
    let start = readme.find("```toml\n").expect("a TOML example") + 8;
    let end = readme[start..].find("```").unwrap() + start;
    let dir = TempDir::new();
    let path = dir.write("thresholds.toml", &readme[start..end]);
    let s = nmjscope::Settings::from_file(&path).unwrap();
    assert_eq!(s.train.decrement_response, 5);
    assert_eq!(s.interpret.decrement_abnormal_pct, 8.0);
}
