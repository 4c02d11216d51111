//! Plots draw what the analysis measured, found by label, with the
//! thresholds of the settings: regression tests for plots that once
//! recomputed their own baseline, matched results by column position, and
//! hard-coded the criteria.

use nmjscope::model::{ResponseLabel, TestDisplay};
use nmjscope::pipeline::{Analysis, Analyzer};
use nmjscope::render::{plots, Plot};
use nmjscope::{ReadOptions, Settings, Study};

fn sample(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

/// The LEMS exercise test with its columns in another order:
/// `post_0s, post_30s, post_60s, pre`.
fn exercise_with_pre_last() -> Study {
    let opts = ReadOptions::default();
    let mut rec = nmjscope::read_trace_file(&sample("lems/2_exercise_10s.csv"), &opts).unwrap();
    let order = [1, 2, 3, 0];
    rec.labels = order.iter().map(|&i| rec.labels[i].clone()).collect();
    rec.samples_mv = rec.samples_mv.select(ndarray::Axis(0), &order);
    let bytes = nmjscope::io::write::trace_csv(&rec, Default::default());
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains("time_ms,post_0s,post_30s,post_60s,pre"),
        "{text:.400}"
    );
    let rec = nmjscope::io::parse_trace("ex.csv".as_ref(), &bytes, &opts).unwrap();
    Study {
        id: "reordered".into(),
        path: "reordered".into(),
        tests: vec![rec],
        jitter: None,
    }
}

fn analysed(study: &Study, settings: Settings) -> (Analysis, Vec<Vec<Plot>>) {
    let analysis = Analyzer::new(settings)
        .unwrap()
        .analyze_with_display(study)
        .unwrap();
    let drawn = plots(&analysis.report, &analysis.displays).unwrap();
    (analysis, drawn)
}

fn svg<'a>(drawn: &'a [Vec<Plot>], suffix: &str) -> &'a str {
    &drawn
        .iter()
        .flatten()
        .find(|p| p.name.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix} plot"))
        .svg
}

/// Every display trace's marks sit on the trace: the onset on it, the
/// negative peak within the parabola fit's reach of its lowest sample.
fn marks_sit_on_their_traces(display: &TestDisplay) {
    let dt = display.times_ms[1] - display.times_ms[0];
    for trace in &display.traces {
        let at = |t: f64| {
            let i = ((t - display.times_ms[0]) / dt).round() as usize;
            trace.values_mv[i.min(trace.values_mv.len() - 1)]
        };
        let (t, v) = trace.negative_peak.unwrap();
        let lowest = trace
            .values_mv
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        // Tolerance: the parabola averages noise (10 uV here) over 0.4 ms.
        assert!(
            (v - lowest).abs() < 0.03 * v.abs() + 0.03,
            "{}: peak {v} vs lowest {lowest}",
            trace.label
        );
        assert!(
            (at(t) - v).abs() < 0.03 * v.abs() + 0.03,
            "{}: peak off its trace",
            trace.label
        );
        let (t, v) = trace.onset.unwrap();
        assert!(
            (at(t) - v).abs() < 0.05,
            "{}: onset off its trace",
            trace.label
        );
    }
}

#[test]
fn an_exercise_file_with_pre_last_is_drawn_by_label() {
    let study = exercise_with_pre_last();
    let (a, drawn) = analysed(&study, Settings::default());
    let test = &a.report.tests[0];
    // The train stage puts pre first; the display keeps each label's own
    // samples whatever the column order.
    assert_eq!(test.responses[0].label, ResponseLabel::Pre);
    let display = &a.displays[0];
    marks_sit_on_their_traces(display);
    let pre = display.trace(&ResponseLabel::Pre).unwrap();
    let post = display.trace(&ResponseLabel::Post(Some(0))).unwrap();
    let depth = |t: &nmjscope::model::DisplayTrace| -t.negative_peak.unwrap().1;
    assert!(
        depth(post) > 2.0 * depth(pre),
        "LEMS: post-exercise is the large one"
    );
    // The overlay's legend names each trace with its own amplitude.
    let overlay = svg(&drawn, "_overlay");
    let amp = |label: &ResponseLabel| {
        test.responses
            .iter()
            .find(|r| &r.label == label)
            .unwrap()
            .amplitude_mv
            .unwrap()
    };
    let pre_text = format!("before exercise {:.2} mV", amp(&ResponseLabel::Pre));
    let post_text = format!(
        "immediately after {:.2} mV",
        amp(&ResponseLabel::Post(Some(0)))
    );
    assert!(overlay.contains(&pre_text), "missing {pre_text}");
    assert!(overlay.contains(&post_text), "missing {post_text}");
    assert!(amp(&ResponseLabel::Post(Some(0))) > 2.0 * amp(&ResponseLabel::Pre));
}

#[test]
fn same_study_in_file_order_gives_the_same_display() {
    let opts = ReadOptions::default();
    let rec = nmjscope::read_trace_file(&sample("lems/2_exercise_10s.csv"), &opts).unwrap();
    let plain = Study {
        id: "plain".into(),
        path: "plain".into(),
        tests: vec![rec],
        jitter: None,
    };
    let (a, _) = analysed(&plain, Settings::default());
    let (b, _) = analysed(&exercise_with_pre_last(), Settings::default());
    for label in [ResponseLabel::Pre, ResponseLabel::Post(Some(0))] {
        let x = a.displays[0].trace(&label).unwrap();
        let y = b.displays[0].trace(&label).unwrap();
        // The reordered file went through the writer (4 decimals).
        let worst = x
            .values_mv
            .iter()
            .zip(&y.values_mv)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-3, "{label}: {worst}");
    }
}

#[test]
fn thresholds_in_plots_come_from_the_settings() {
    let study = nmjscope::read_study(&sample("lems"), &ReadOptions::default()).unwrap();
    let (_, drawn) = analysed(&study, Settings::default());
    assert!(svg(&drawn, "rns_3hz_trend").contains("10% decrement"));
    let mut s = Settings::default();
    s.interpret.decrement_abnormal_pct = 20.0;
    s.interpret.increment_suggestive_pct = 50.0;
    s.interpret.increment_specific_pct = 90.0;
    s.train.decrement_response = 5;
    let (a, drawn) = analysed(&study, s);
    let trend = svg(&drawn, "rns_3hz_trend");
    assert!(
        trend.contains("20% decrement"),
        "the line follows the setting"
    );
    assert!(trend.contains("response 5"));
    assert!(!trend.contains("10% decrement"));
    let chart = svg(&drawn, "exercise_10s_increment");
    assert!(chart.contains("50% (suggestive"));
    assert!(chart.contains("90% (specific"));
    assert!(!chart.contains("60% (suggestive"));
    // And the prose names the response the decrement was measured at.
    let i = &a.report.interpretation;
    let text = i
        .findings
        .iter()
        .map(|f| f.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("1st to the 5th response"), "{text}");
    assert!(!text.contains("4th response"), "{text}");
}
