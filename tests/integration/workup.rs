//! A study read as a neurophysiologist reads it (issue 30): muscle by
//! muscle, the work-up in order (the resting decrement heads, the first
//! CMAP after exercise against the first at rest is the increment,
//! exhaustion is named with its time), a differential per pattern, the
//! indication's wording, a low CMAP explained, and one reference table.

use nmjscope::model::{
    Condition as Dx, DecrementGrade, LemsCriterion, PartStatus, Pattern, Protocol, Report,
};
use nmjscope::simulate::{simulate_exhaustion_series, simulate_test, Condition, SimConfig};
use nmjscope::{Analyzer, ReadOptions};

use crate::util::{nmjscope, TempDir};

fn test_csv(
    condition: Condition,
    severity: f64,
    protocol: Protocol,
    muscle: &str,
    seed: u64,
) -> String {
    let sim = simulate_test(&SimConfig {
        condition,
        severity,
        protocol,
        muscle: muscle.to_string(),
        seed,
        ..SimConfig::default()
    })
    .unwrap();
    let text = String::from_utf8(nmjscope::io::write::trace_csv(
        &sim.recording,
        Default::default(),
    ))
    .unwrap();
    // One study: the files of a work-up share its identifier.
    text.lines()
        .map(|l| {
            if l.starts_with("# study_id:") {
                "# study_id: workup".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// `csv` with the values of the columns `which` picks multiplied by
/// `factor` (time untouched).
fn scale(csv: &str, factor: f64, which: impl Fn(&str) -> bool) -> String {
    let at = csv.find("time_ms").unwrap();
    let (head, body) = csv.split_at(at);
    let mut lines = body.lines();
    let columns = lines.next().unwrap();
    let picked: Vec<bool> = columns
        .split(',')
        .enumerate()
        .map(|(i, c)| i > 0 && which(c))
        .collect();
    let rows: Vec<String> = lines
        .map(|l| {
            l.split(',')
                .zip(&picked)
                .map(|(v, &p)| {
                    if p {
                        format!("{:.5}", v.parse::<f64>().unwrap() * factor)
                    } else {
                        v.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    format!("{head}{columns}\n{}\n", rows.join("\n"))
}

fn analyze_dir(dir: &TempDir, options: &ReadOptions) -> Report {
    let study = nmjscope::read_study(dir.path(), options).unwrap();
    Analyzer::default().analyze(&study).unwrap()
}

/// ADM and trapezius myasthenic, nasalis normal, and an exercise test of ADM.
fn three_muscles() -> (TempDir, Report) {
    let dir = TempDir::new();
    dir.write(
        "1_adm_rns.csv",
        test_csv(Condition::Mg, 0.8, Protocol::Rns, "ADM", 11),
    );
    dir.write(
        "2_trap_rns.csv",
        test_csv(Condition::Mg, 0.6, Protocol::Rns, "trapezius", 12),
    );
    dir.write(
        "3_nasalis_rns.csv",
        test_csv(Condition::Normal, 0.0, Protocol::Rns, "nasalis", 13),
    );
    dir.write(
        "4_adm_exercise.csv",
        test_csv(Condition::Mg, 0.8, Protocol::Exercise, "ADM", 14),
    );
    let r = analyze_dir(&dir, &ReadOptions::default());
    (dir, r)
}

#[test]
fn a_three_muscle_study_is_read_muscle_by_muscle() {
    let (_dir, r) = three_muscles();
    let m = &r.interpretation.muscles;
    let names: Vec<&str> = m.iter().map(|m| m.muscle.as_deref().unwrap()).collect();
    assert_eq!(names, ["ADM", "trapezius", "nasalis"]);
    // Each muscle's decrement is its own train's, named.
    for (reading, file) in m
        .iter()
        .zip(["1_adm_rns.csv", "2_trap_rns.csv", "3_nasalis_rns.csv"])
    {
        let t = r.tests.iter().find(|t| t.file == file).unwrap();
        assert_eq!(reading.decrement.file.as_deref(), Some(file));
        assert_eq!(reading.decrement.value_pct, t.decrement_pct);
    }
    let adm = m[0].decrement.value_pct.unwrap();
    let trap = m[1].decrement.value_pct.unwrap();
    let nasalis = m[2].decrement.value_pct.unwrap();
    assert!(
        adm > 20.0 && trap > 15.0 && nasalis < 5.0,
        "{adm} {trap} {nasalis}"
    );
    assert_eq!(m[0].decrement.grade, Some(DecrementGrade::Abnormal));
    assert_eq!(m[2].decrement.grade, Some(DecrementGrade::Normal));
    // Nasalis is judged against its own cut-off (Abraham et al. 2017).
    assert_eq!(m[2].decrement.limit_pct, Some(8.0));
    assert_eq!(m[0].decrement.limit_pct, Some(10.0));
    // Only ADM had an increment test; its limit is the table's.
    assert_eq!(m[0].increment.file.as_deref(), Some("4_adm_exercise.csv"));
    assert_eq!(m[1].increment.status, PartStatus::NotTested);
    assert_eq!(m[0].lower_limit_mv, Some(6.0));
    assert_eq!(m[2].lower_limit_mv, Some(1.0));
    // The synthesis, with the numbers as the table prints them.
    let s = &r.interpretation.summary;
    let expected = format!(
        "Across the 3 muscles tested: an abnormal decrement in 2 of 3 muscles (ADM {:.0}%, trapezius {:.0}%), not in nasalis ({:.0}%); no increment of 60% or more in the one muscle tested: ADM (+",
        adm, trap, nasalis
    );
    assert!(s.contains(&expected), "{s}\nexpected: {expected}");
}

#[test]
fn the_per_muscle_table_comes_first_under_the_conclusion_in_every_format() {
    let (dir, _) = three_muscles();
    let out = nmjscope()
        .args(["analyze", "--format", "markdown"])
        .arg(dir.path())
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    let conclusion = md.find("## Conclusion").unwrap();
    let table = md.find("| Muscle | Nerve | Side |").unwrap();
    let pattern = md.find("**Pattern**").unwrap();
    assert!(conclusion < table && table < pattern, "{md}");
    assert!(md.contains("| nasalis |"));
    let text = nmjscope()
        .arg("analyze")
        .arg(dir.path())
        .output()
        .unwrap()
        .stdout;
    let text = String::from_utf8(text).unwrap();
    let by_muscle = text.find("By muscle:").unwrap();
    assert!(by_muscle < text.find("Pattern:").unwrap());
    assert!(text.contains("Decrement: ") && text.contains("normal (<= 8%)"));
}

/// An exhaustion series of `condition` written and read back.
fn series(condition: Condition, severity: f64, seed: u64) -> (TempDir, Report) {
    let sim = simulate_exhaustion_series(&SimConfig {
        condition,
        severity,
        seed,
        ..SimConfig::default()
    })
    .unwrap();
    let dir = TempDir::new();
    for (name, bytes) in nmjscope::io::write::study_csv(&sim.study, Default::default()) {
        dir.write(&name, bytes);
    }
    let r = analyze_dir(&dir, &ReadOptions::default());
    (dir, r)
}

#[test]
fn a_lems_series_is_read_in_order_the_first_cmap_after_exercise_against_rest() {
    let (_dir, r) = series(Condition::Lems, 0.7, 3);
    let rest = r
        .tests
        .iter()
        .find(|t| t.file.contains("rest_train1"))
        .unwrap();
    let post = r.tests.iter().find(|t| t.file.contains("post_0s")).unwrap();
    let (a_rest, a_post) = (
        rest.responses[0].amplitude_mv.unwrap(),
        post.responses[0].amplitude_mv.unwrap(),
    );
    let by_hand = (a_post - a_rest) / a_rest * 100.0;
    assert!(by_hand > 100.0, "{a_rest} -> {a_post}");
    let inc = &r.interpretation.increment;
    assert!((inc.value_pct.unwrap() - by_hand).abs() < 1e-9);
    assert_eq!(inc.file.as_deref(), Some(post.file.as_str()));
    assert!(inc.file_note.as_deref().unwrap().contains(&rest.file));
    // 60 s of exercise is outside the criteria's 5-15 s: the increment
    // stands (it is above the cut-off), with the protocol's caveat.
    assert_eq!(r.interpretation.pattern, Pattern::Presynaptic);
    assert_eq!(r.interpretation.lems_criterion, LemsCriterion::Specific);
    assert!(inc.caveat.as_deref().unwrap().contains("60 s of exercise"));
    // The headline decrement is a train at rest, never one after exercise.
    let dec = &r.interpretation.decrement;
    assert!(
        dec.file.as_deref().unwrap().contains("rest_train"),
        "{dec:?}"
    );
    assert!(!r.interpretation.summary.contains("Increment not tested"));
    let q = &r.interpretation.quantities;
    assert_eq!(q.rest_decrement_pct, dec.value_pct);
    assert_eq!(q.increment_pct, inc.value_pct);
}

#[test]
fn an_mg_series_headlines_the_resting_decrement_not_the_exhaustion() {
    let (_dir, r) = series(Condition::Mg, 0.7, 4);
    let rest_max = r
        .tests
        .iter()
        .filter(|t| t.file.contains("rest"))
        .filter_map(|t| t.decrement_pct)
        .fold(f64::MIN, f64::max);
    let dec = &r.interpretation.decrement;
    assert!(dec.file.as_deref().unwrap().contains("rest_train"));
    assert!((dec.value_pct.unwrap() - rest_max).abs() < 1e-9);
    let exhaustion = r.series.exhaustion[0].exhaustion_pct.unwrap();
    assert_eq!(
        r.interpretation.quantities.max_exhaustion_pct,
        Some(exhaustion)
    );
    assert!(r
        .interpretation
        .summary
        .contains(&format!("{:.0}%", rest_max)));
    // The post-exercise increment was looked for, and after 60 s of
    // exercise it cannot exclude LEMS.
    assert_eq!(r.interpretation.increment.status, PartStatus::Inconclusive);
    // No decrement finding names a train after exercise: the series does.
    for f in &r.interpretation.findings {
        if f.code == nmjscope::model::FindingCode::DecrementAbnormal {
            assert!(!f.text.contains("post_"), "{}", f.text);
        }
    }
}

#[test]
fn a_decrement_seen_only_in_exhaustion_still_counts_named_with_its_time() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/mg_exhaustion");
    let study = nmjscope::read_study(&path, &ReadOptions::default()).unwrap();
    let r = Analyzer::default().analyze(&study).unwrap();
    let dec = &r.interpretation.decrement;
    assert_eq!(dec.grade, Some(DecrementGrade::Abnormal));
    assert!(dec.file_note.as_deref().unwrap().contains("after exercise"));
    assert!(r.interpretation.quantities.rest_decrement_pct.unwrap() < 10.0);
    assert!(r.interpretation.summary.contains("min after exercise"));
}

#[test]
fn a_low_cmap_alone_is_explained_and_advice_given() {
    let dir = TempDir::new();
    // A normal junction with a third of its CMAP, as after axon loss: every
    // response of both tests scaled alike.
    let rns = test_csv(Condition::Normal, 0.0, Protocol::Rns, "ADM", 21);
    let ex = test_csv(Condition::Normal, 0.0, Protocol::Exercise, "ADM", 22);
    dir.write("1_rns.csv", scale(&rns, 0.35, |_| true));
    dir.write("2_exercise.csv", scale(&ex, 0.35, |_| true));
    let r = analyze_dir(&dir, &ReadOptions::default());
    let i = &r.interpretation;
    assert_eq!(i.low_cmap, Some(true), "{}", i.summary);
    assert!(matches!(i.pattern, Pattern::Normal | Pattern::Incomplete));
    assert!(
        i.summary.contains("nerve conduction study and needle EMG"),
        "{}",
        i.summary
    );
    assert!(i.recommendations.iter().any(|r| r.contains("needle EMG")));
    let dx: Vec<Dx> = i.differential.iter().map(|d| d.condition).collect();
    assert!(
        dx.contains(&Dx::AxonLoss) && dx.contains(&Dx::Technique),
        "{dx:?}"
    );
}

#[test]
fn each_pattern_has_a_cited_differential_and_the_indication_changes_words_only() {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let read = |name: &str, indication: Option<&str>| {
        let mut options = ReadOptions::default();
        options.overrides.indication = indication.map(str::to_string);
        let study = nmjscope::read_study(&samples.join(name), &options).unwrap();
        Analyzer::default().analyze(&study).unwrap()
    };
    let lems = read("lems", None);
    let first: Vec<Dx> = lems
        .interpretation
        .differential
        .iter()
        .map(|d| d.condition)
        .collect();
    assert_eq!(first[..2], [Dx::Lems, Dx::Botulism]);
    assert!(first.contains(&Dx::MagnesiumOrDrugs));
    let mg = read("mg", None);
    let mg_dx: Vec<Dx> = mg
        .interpretation
        .differential
        .iter()
        .map(|d| d.condition)
        .collect();
    assert_eq!(mg_dx[0], Dx::MyastheniaGravis);
    for c in [
        Dx::CongenitalMyasthenic,
        Dx::MotorNeuronDisease,
        Dx::NeuropathyOrMyopathy,
        Dx::Myotonia,
    ] {
        assert!(mg_dx.contains(&c), "{c:?}");
    }
    for d in lems
        .interpretation
        .differential
        .iter()
        .chain(&mg.interpretation.differential)
    {
        assert!(
            !d.source.is_empty() && !d.source.contains("nmjscope's own"),
            "{d:?}"
        );
    }
    // Suspected ALS: motor neuron disease first, a sentence on it; the
    // measurements and the grades are the same.
    let als = read("mg", Some("suspected ALS"));
    assert_eq!(
        als.interpretation.differential[0].condition,
        Dx::MotorNeuronDisease
    );
    assert!(als
        .interpretation
        .summary
        .contains("suspected motor neuron disease"));
    assert!(!mg
        .interpretation
        .summary
        .contains("suspected motor neuron disease"));
    assert_eq!(als.tests, mg.tests);
    assert_eq!(als.interpretation.pattern, mg.interpretation.pattern);
    assert_eq!(als.interpretation.decrement, mg.interpretation.decrement);
}

#[test]
fn botulism_is_named_first_for_a_modest_increment_with_a_normal_cmap() {
    let dir = TempDir::new();
    // A normal CMAP and a 20-60% rise after exercise that is not
    // pseudofacilitation: the amplitude and the area rise together.
    let csv = test_csv(Condition::Normal, 0.0, Protocol::Exercise, "ADM", 31);
    let csv = scale(&csv, 1.4, |c| c.starts_with("post"));
    dir.write("1_exercise.csv", csv);
    let r = analyze_dir(&dir, &ReadOptions::default());
    let i = &r.interpretation;
    let inc = i.increment.value_pct.unwrap();
    assert!((25.0..60.0).contains(&inc), "{inc}");
    assert_eq!(i.low_cmap, Some(false));
    assert_eq!(i.pattern, Pattern::Equivocal);
    assert_eq!(
        i.differential[0].condition,
        Dx::Botulism,
        "{:?}",
        i.differential
    );
    assert!(i.differential[0].text.contains("normal resting CMAP"));
}

#[test]
fn the_reference_table_is_the_one_the_docs_print() {
    let table = nmjscope::render::muscles::reference_values_markdown();
    crate::util::doc_table("docs/reference-values.md", "table", &table);
    // The report uses the same numbers.
    let adm = nmjscope::interpret::reference_value("abductor digiti minimi").unwrap();
    assert_eq!(adm.lower_limit_mv, Some(6.0));
}

#[test]
fn the_batch_summary_has_one_named_column_per_quantity_and_the_metadata() {
    let root = TempDir::new();
    let sim = simulate_exhaustion_series(&SimConfig {
        condition: Condition::Lems,
        severity: 0.7,
        seed: 3,
        ..SimConfig::default()
    })
    .unwrap();
    for (name, bytes) in nmjscope::io::write::study_csv(&sim.study, Default::default()) {
        root.write(&format!("lems_series/{name}"), bytes);
    }
    let out = root.path().join("out");
    let status = nmjscope()
        .args(["batch"])
        .arg(root.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let mut reader = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| {
        row.get(headers.iter().position(|h| h == name).unwrap())
            .unwrap()
            .to_string()
    };
    let report: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(out.join("studies.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let q = &report["interpretation"]["quantities"];
    let one = |v: &serde_json::Value| {
        v.as_f64()
            .map_or(String::new(), |v| format!("{}", (v * 10.0).round() / 10.0))
    };
    assert_eq!(cell("rest_decrement_pct"), one(&q["rest_decrement_pct"]));
    assert_eq!(cell("max_exhaustion_pct"), one(&q["max_exhaustion_pct"]));
    assert_eq!(cell("increment_pct"), one(&q["increment_pct"]));
    assert!(cell("increment_pct").parse::<f64>().unwrap() > 100.0);
    assert_eq!(cell("muscle"), "ADM");
    assert!(cell("first_cmap_mv").parse::<f64>().unwrap() > 0.0);
    let meta = cell("metadata");
    assert!(
        meta.contains("condition=lems") && meta.contains("severity=0.7"),
        "{meta}"
    );
    assert!(
        !meta.contains("study_id") && !meta.contains("generator"),
        "{meta}"
    );
    assert_eq!(report["study"]["metadata"]["condition"], "lems");
}

#[test]
fn a_series_without_a_train_at_rest_names_every_train_by_its_time() {
    let (dir, _) = series(Condition::Mg, 0.7, 4);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("rest") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let r = analyze_dir(&dir, &ReadOptions::default());
    let findings = &r.interpretation.findings;
    let late = findings
        .iter()
        .find(|f| f.code == nmjscope::model::FindingCode::PostExerciseExhaustion)
        .unwrap();
    assert!(
        late.text.starts_with("Decrement after exercise"),
        "{}",
        late.text
    );
    assert!(late.text.contains("cannot be judged"));
    for f in findings
        .iter()
        .filter(|f| f.code == nmjscope::model::FindingCode::DecrementAbnormal)
    {
        assert!(f.text.contains("after exercise"), "{}", f.text);
    }
    assert!(r.interpretation.decrement.file_note.is_some());
}
