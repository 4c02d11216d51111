//! Simulated cohorts beside published ones (`docs/simulation.md`,
//! "Cohorts"): each figure of a fixed-seed cohort inside the interval of
//! the publication it is set against. The table in the docs is this
//! test's output (`NMJSCOPE_UPDATE_DOCS=1 cargo test cohorts` rewrites it).

use nmjscope::model::ExercisePhase;
use nmjscope::model::{Protocol, TestMeasures};
use nmjscope::simulate::cohort::{cohort, CohortSpec};
use nmjscope::simulate::{simulate_exhaustion_series, simulate_study, Condition};
use nmjscope::Settings;

/// Patients per cohort: enough that a figure's own sampling error (about
/// 7 points at 50%) is below the published intervals' half-widths.
const N: usize = 48;
const SEED: u64 = 2026;

/// Each patient's tests, analysed with the default settings.
fn analysed(condition: Condition, muscle: &str) -> Vec<Vec<TestMeasures>> {
    let spec = CohortSpec {
        condition,
        n: N,
        muscle: muscle.into(),
        seed: SEED,
    };
    cohort(&spec)
        .iter()
        .map(|c| {
            let sim = simulate_study(c).expect("simulate");
            nmjscope::pipeline::analyze_study(&sim.study, &Settings::default())
                .expect("analyze")
                .tests
        })
        .collect()
}

fn of(tests: &[TestMeasures], p: Protocol) -> &TestMeasures {
    tests
        .iter()
        .find(|t| t.protocol == p)
        .expect("a test of the protocol")
}

fn share(xs: &[bool]) -> f64 {
    100.0 * xs.iter().filter(|x| **x).count() as f64 / xs.len() as f64
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// One row of the table: the figure, the simulated value, the published
/// one with its interval, and the source.
struct Row {
    figure: &'static str,
    simulated: f64,
    published: &'static str,
    band: (f64, f64),
    source: &'static str,
}

fn mg_rows(rows: &mut Vec<Row>) {
    let adm_cohort = analysed(Condition::Mg, "ADM");
    let rns = |p: &Vec<TestMeasures>| of(p, Protocol::Rns).decrement_pct.unwrap_or(0.0);
    let decrements = |m: &str| -> Vec<f64> { analysed(Condition::Mg, m).iter().map(rns).collect() };
    let adm: Vec<f64> = adm_cohort.iter().map(rns).collect();
    let apb = decrements("APB");
    let abnormal = |d: &[f64]| share(&d.iter().map(|v| *v > 10.0).collect::<Vec<_>>());
    rows.push(Row {
        figure: "generalised MG: ADM decrement abnormal (%)",
        simulated: abnormal(&adm),
        published: "35.7 (10 of 28; Wilson 95% CI 20.7-54.2)",
        band: (20.7, 54.2),
        source: "Muscle Nerve 2021;64:490-493, PMID 34196418",
    });
    rows.push(Row {
        figure: "generalised MG: APB decrement abnormal (%)",
        simulated: abnormal(&apb),
        published: "60.7 (17 of 28; 42.4-76.4)",
        band: (42.4, 76.4),
        source: "Muscle Nerve 2021;64:490-493, PMID 34196418",
    });
    rows.push(Row {
        figure: "generalised MG: mean ADM decrement (%)",
        simulated: mean(&adm),
        published: "9.6 (no SD given; band: half to twice)",
        band: (4.8, 19.2),
        source: "Muscle Nerve 2021;64:490-493, PMID 34196418",
    });
    rows.push(Row {
        figure: "generalised MG: mean APB decrement (%)",
        simulated: mean(&apb),
        published: "17.3 (no SD given; band: half to twice)",
        band: (8.65, 34.6),
        source: "Muscle Nerve 2021;64:490-493, PMID 34196418",
    });
    let nasalis = decrements("nasalis");
    let trapezius = decrements("trapezius");
    rows.push(Row {
        figure: "generalised MG: nasalis decrement abnormal (%)",
        simulated: abnormal(&nasalis),
        published: "85 (156 generalised MG; per-muscle n not given; band +/- 20)",
        band: (65.0, 100.0),
        source: "Witoonpanich R, Barakul S, Dejthevaporn C. J Med Assoc Thai",
    });
    rows.push(Row {
        figure: "generalised MG: trapezius decrement abnormal (%)",
        simulated: abnormal(&trapezius),
        published: "79 (as above; band +/- 20)",
        band: (59.0, 99.0),
        source: "Witoonpanich R, Barakul S, Dejthevaporn C. J Med Assoc Thai",
    });
    let post = adm_cohort
        .iter()
        .map(|p| of(p, Protocol::Exercise).increment_pct.unwrap_or(0.0) >= 60.0)
        .collect::<Vec<_>>();
    rows.push(Row {
        figure: "MG: increment of 60% or more after exercise (%)",
        simulated: share(&post),
        published: "0 (0 of 538 tests; upper 95% bound 0.7)",
        band: (0.0, 0.7),
        source: "Oh SJ et al. Muscle Nerve 2005;32:515-520, PMID 16003742",
    });
}

/// The MG cohort's exhaustion series (rest, a minute of exercise, trains
/// at 0-4 min): the decrement at rest, at 2 min and the largest after.
fn mg_series() -> Vec<(f64, f64, f64)> {
    let spec = CohortSpec {
        condition: Condition::Mg,
        n: N,
        muscle: "ADM".into(),
        seed: SEED,
    };
    cohort(&spec)
        .iter()
        .map(|c| {
            let sim = simulate_exhaustion_series(c).expect("simulate");
            let r = nmjscope::pipeline::analyze_study(&sim.study, &Settings::default())
                .expect("analyze");
            let s = &r.series.exhaustion[0];
            let at_2_min = s
                .points
                .iter()
                .find(|p| p.phase == ExercisePhase::Post { seconds: 120 })
                .and_then(|p| p.decrement_pct);
            let rest = s.points[0].decrement_pct.expect("a resting decrement");
            (
                rest,
                at_2_min.expect("a train at 2 min"),
                s.exhaustion_pct.expect("after"),
            )
        })
        .collect()
}

fn exhaustion_rows(rows: &mut Vec<Row>) {
    let series = mg_series();
    let worsening: Vec<f64> = series.iter().map(|(rest, two, _)| two - rest).collect();
    rows.push(Row {
        figure: "MG: mean worsening of the ADM decrement 2 min after a minute of exercise (points)",
        simulated: mean(&worsening),
        published:
            "1.9 (ulnar, 179 MG; timing not in the abstract; no SD given; band: half to twice)",
        band: (0.95, 3.8),
        source: "PMID 17024676 (retrospective, 179 MG; ulnar, accessory, facial)",
    });
    let only_after: Vec<bool> = series
        .iter()
        .map(|(rest, _, after)| *rest <= 10.0 && *after > 10.0)
        .collect();
    rows.push(Row {
        figure: "MG: ADM decrement abnormal only after exercise (%)",
        simulated: share(&only_after),
        published:
            "7 (ulnar, 179 MG; Wilson 4.1-11.7 on 7%); 34 (11 of 32; 20.4-51.7): band across both",
        band: (4.1, 51.7),
        source: "PMID 17024676; Muscle Nerve 2014;50:413-416, PMID 24435816",
    });
}

fn lems_rows(rows: &mut Vec<Row>) {
    let lems = analysed(Condition::Lems, "ADM");
    let low = lems
        .iter()
        .map(|p| {
            of(p, Protocol::Rns)
                .first_amplitude_mv()
                .is_some_and(|a| a < 6.0)
        })
        .collect::<Vec<_>>();
    rows.push(Row {
        figure: "LEMS: resting ADM CMAP below its limit (%)",
        simulated: share(&low),
        published: "96 (48 of 50; 86.5-98.9)",
        band: (86.5, 100.0),
        source: "O'Neill JH, Murray NM, Newsom-Davis J. Brain 1988;111:577-596",
    });
    let best: Vec<f64> = lems
        .iter()
        .map(|p| {
            let e = of(p, Protocol::Exercise).increment_pct.unwrap_or(0.0);
            let h = of(p, Protocol::Hfrns).increment_pct.unwrap_or(0.0);
            e.max(h)
        })
        .collect();
    let at = |cut: f64| share(&best.iter().map(|v| *v >= cut).collect::<Vec<_>>());
    rows.push(Row { figure: "LEMS: increment of 60% or more, after exercise or at 50 Hz (%)", simulated: at(60.0), published: "97 (Oh 2005); 77.8 (65.5-87.3, Lipka 2020): band across both", band: (65.5, 100.0), source: "Oh SJ et al. Muscle Nerve 2005;32:515-520; Lipka AF et al. Muscle Nerve 2020, doi 10.1002/mus.26885" });
    rows.push(Row { figure: "LEMS: increment of 100% or more (%)", simulated: at(100.0), published: "85 (29 of 34, Oh 2005); 58.7 (45.6-71.0, Lipka 2020): band across both", band: (45.6, 95.0), source: "Oh SJ et al. Muscle Nerve 2005;32:515-520; Lipka AF et al. Muscle Nerve 2020, doi 10.1002/mus.26885" });
}

fn normal_rows(rows: &mut Vec<Row>) {
    let normal = analysed(Condition::Normal, "ADM");
    let post: Vec<f64> = normal
        .iter()
        .map(|p| of(p, Protocol::Exercise).increment_pct.unwrap_or(0.0))
        .collect();
    let under = share(&post.iter().map(|v| *v < 40.0).collect::<Vec<_>>());
    rows.push(Row {
        figure: "normal: CMAP after 10 s of exercise less than 40% larger (%)",
        simulated: under,
        published: "below 40% in health",
        band: (100.0, 100.0),
        source: "Norsk forening for klinisk nevrofysiologi, Retningslinjer, Repetitiv stimulering",
    });
}

fn table(rows: &[Row]) -> String {
    let mut s = format!("| figure | simulated (n = {N}, seed {SEED}) | published | band held | source |\n|---|---|---|---|---|\n");
    for r in rows {
        s.push_str(&format!(
            "| {} | {:.1} | {} | {}-{} | {} |\n",
            r.figure, r.simulated, r.published, r.band.0, r.band.1, r.source
        ));
    }
    s
}

#[test]
fn simulated_cohorts_stand_inside_the_published_intervals() {
    let mut rows = Vec::new();
    mg_rows(&mut rows);
    exhaustion_rows(&mut rows);
    lems_rows(&mut rows);
    normal_rows(&mut rows);
    let text = table(&rows);
    println!("{text}");
    let outside: Vec<&Row> = rows
        .iter()
        .filter(|r| r.simulated < r.band.0 - 1e-9 || r.simulated > r.band.1 + 1e-9)
        .collect();
    let names: Vec<String> = outside
        .iter()
        .map(|r| format!("{} = {:.1}", r.figure, r.simulated))
        .collect();
    assert!(
        outside.is_empty(),
        "outside the published interval: {names:?}\n{text}"
    );
    crate::util::doc_table("docs/simulation.md", "cohorts", &text);
}

#[test]
fn simulate_cohort_writes_a_study_per_patient_with_their_truth() {
    let dir = crate::util::TempDir::new();
    let out = dir.path().join("cohort");
    crate::util::nmjscope()
        .args([
            "simulate", "--cohort", "mg", "--n", "3", "--muscle", "nasalis", "--seed", "9", "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let truth = std::fs::read_to_string(out.join("cohort.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = truth
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 3);
    let range = nmjscope::simulate::cohort::MG_SEVERITY;
    for row in &rows {
        let severity: f64 = row[2].parse().unwrap();
        assert!(severity >= range.0 && severity < range.1, "{row:?}");
        assert_eq!((row[1], row[3]), ("mg", "nasalis"));
        // The muscle changes the physiology, not only the label: the
        // facial nerve, and the muscle's own CMAP size.
        let train = std::fs::read_to_string(out.join(row[0]).join("1_rns_3hz.csv")).unwrap();
        assert!(train.contains("# nerve: facial"), "{}", &train[..300]);
    }
    let json = crate::util::analyze_json(&out.join(rows[0][0]), &[]);
    let a1 = json["tests"][0]["responses"][0]["amplitude_mv"]
        .as_f64()
        .unwrap();
    assert!(a1 < 4.0, "a nasalis CMAP of {a1} mV");
    // The cohort's folder is a set: rewritten by the command, and a folder
    // it did not write is refused.
    crate::util::nmjscope()
        .args(["simulate", "--cohort", "mg", "--n", "2", "--out"])
        .arg(&out)
        .assert()
        .success();
    dir.write("mine/notes.txt", "mine");
    let refused = crate::util::nmjscope()
        .args(["simulate", "--cohort", "lems", "--n", "2", "--out"])
        .arg(dir.path().join("mine"))
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(4));
}
