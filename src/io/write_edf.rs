//! The EDF writer: a test laid out as the continuous trace a machine
//! records (each sweep at its stimulus, a trigger channel beside it), in
//! plain EDF (Kemp et al., Electroenceph Clin Neurophysiol 1992;82:391),
//! for `simulate --bids` (`docs/bids.md`). The readers are held to what is
//! written here: `nmjscope bids` cuts these files back into the sweeps
//! they came from, sample for sample.
//!
//! No maintained crate writes EDF: `edf-rs` 0.2 and `edfplus` 0.1 read
//! only (`docs/formats.md`), and pyedflib is Python. The header is 256
//! bytes of fixed-width ASCII fields per signal, so it is written here.

use crate::model::{Protocol, Recording, ResponseLabel};

/// Time recorded before the first stimulus (s): a machine starts
/// recording before it stimulates.
const LEAD_S: f64 = 1.0;

/// Time recorded after the last sweep (s).
const TAIL_S: f64 = 0.5;

/// Exercise length assumed when a test does not say (s): the standard
/// brief exercise.
const DEFAULT_EXERCISE_S: f64 = 10.0;

/// From the end of exercise to the first post-exercise stimulus (s): the
/// hand is set back on the board.
const POST_GAP_S: f64 = 2.0;

/// Gap between responses that are neither a train nor an exercise test
/// (s).
const OTHER_GAP_S: f64 = 1.0;

/// Trigger pulse height (V): a TTL pulse.
const TRIGGER_V: f64 = 5.0;
/// Trigger pulse length (ms): a stimulus pulse's 0.2 ms.
pub const TRIGGER_MS: f64 = 0.2;

/// EDF's 16-bit digital range, symmetric so that 0 mV is digital 0.
const DIGITAL_MAX: i32 = 32_767;

/// Headroom over the largest value in the physical range: the range is
/// the file's own, so a value never clips.
const PHYSICAL_HEADROOM: f64 = 1.05;

/// A test as a continuous recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Sampling rate (Hz).
    pub sampling_rate_hz: f64,
    /// The recorded channel (mV), from the start of the recording.
    pub emg_mv: Vec<f64>,
    /// The trigger channel (V).
    pub trigger_v: Vec<f64>,
    /// Each stimulus: its time from the start (s, on a sample) and the
    /// response it evokes.
    pub stimuli: Vec<(f64, ResponseLabel)>,
}

impl Timeline {
    /// The recording's length (s).
    pub fn duration_s(&self) -> f64 {
        self.emg_mv.len() as f64 / self.sampling_rate_hz
    }
}

/// Where each response's stimulus falls (s from the first): a train at its
/// rate; `pre` first, `post_<N>s` N seconds after the post-exercise
/// stimulus that follows the exercise; anything else a second apart.
fn stimulus_times(r: &Recording) -> Vec<f64> {
    let exercise_s = r.exercise_s.unwrap_or(DEFAULT_EXERCISE_S);
    let rate = r.stim_rate_hz.filter(|v| *v > 0.0);
    r.labels
        .iter()
        .enumerate()
        .map(|(k, label)| match (label, r.protocol, rate) {
            (ResponseLabel::Train(_), Protocol::Rns | Protocol::Hfrns, Some(rate)) => {
                k as f64 / rate
            }
            (ResponseLabel::Pre, _, _) => 0.0,
            (ResponseLabel::Post(n), _, _) => exercise_s + POST_GAP_S + f64::from(n.unwrap_or(0)),
            _ => k as f64 * OTHER_GAP_S,
        })
        .collect()
}

/// Lays a test's sweeps out at their stimuli: each sweep's samples where
/// they were recorded (a later sweep over an earlier one where they
/// touch), zero between them, and a trigger pulse at each stimulus. Every
/// stimulus falls on a sample, so cutting at it gives the sweep back.
pub fn timeline(r: &Recording) -> Timeline {
    let fs = r.sampling_rate_hz;
    let at = |t_s: f64| (t_s * fs).round() as i64;
    let n0 = (r.t0_ms * fs / 1e3).round() as i64;
    let lead = at(LEAD_S).max(-n0);
    let starts: Vec<i64> = stimulus_times(r).iter().map(|t| lead + at(*t)).collect();
    let len = starts
        .iter()
        .map(|s| s + n0 + r.sweep_len() as i64)
        .max()
        .unwrap_or(0)
        + at(TAIL_S);
    let mut emg_mv = vec![0.0; len.max(0) as usize];
    let mut trigger_v = vec![0.0; emg_mv.len()];
    let pulse = ((TRIGGER_MS * fs / 1e3).round() as usize).max(1);
    for (row, &s) in starts.iter().enumerate() {
        let first = (s + n0) as usize;
        for (j, v) in r.samples_mv.row(row).iter().enumerate() {
            emg_mv[first + j] = *v;
        }
        for v in trigger_v.iter_mut().skip(s as usize).take(pulse) {
            *v = TRIGGER_V;
        }
    }
    Timeline {
        sampling_rate_hz: fs,
        emg_mv,
        trigger_v,
        stimuli: starts
            .iter()
            .zip(&r.labels)
            .map(|(s, l)| (*s as f64 / fs, l.clone()))
            .collect(),
    }
}

/// One EDF signal: its label, unit and samples.
struct Signal<'a> {
    label: &'a str,
    unit: &'a str,
    transducer: &'a str,
    samples: &'a [f64],
}

/// A fixed-width ASCII field, left-aligned, space-padded, cut to width.
fn field(out: &mut Vec<u8>, text: &str, width: usize) {
    let mut bytes: Vec<u8> = text
        .bytes()
        .map(|b| if (0x20..0x7f).contains(&b) { b } else { b'_' })
        .take(width)
        .collect();
    bytes.resize(width, b' ');
    out.extend(bytes);
}

/// A physical limit that fits EDF's 8-character field.
fn limit_text(v: f64) -> String {
    for decimals in (0..=4).rev() {
        let s = format!("{v:.decimals$}");
        if s.len() <= 8 {
            return s;
        }
    }
    format!("{}", v.round() as i64)
}

/// The file's physical maximum for `samples`: the largest magnitude with
/// headroom, as written (so the reader scales by the same number).
fn physical_max(samples: &[f64]) -> f64 {
    let peak = samples.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let text = limit_text((peak * PHYSICAL_HEADROOM).max(1e-3));
    text.parse().unwrap_or(1.0)
}

/// The timeline as a plain EDF file: the recorded channel (`label`, mV)
/// and `Trigger` (V), in one-second data records (the last padded with
/// zeros). The patient and recording fields hold `X` (EDF's "unknown"),
/// and the start date is EDF's 01.01.85: nothing identifies anyone.
/// `None` when the sampling rate is not a whole number of hertz (a
/// one-second record then holds no whole number of samples).
pub fn edf_bytes(t: &Timeline, label: &str) -> Option<Vec<u8>> {
    let fs = t.sampling_rate_hz;
    if !(fs >= 1.0 && fs.fract() == 0.0) {
        return None;
    }
    let per_record = fs as usize;
    let records = t.emg_mv.len().div_ceil(per_record).max(1);
    let signals = [
        Signal {
            label,
            unit: "mV",
            transducer: "surface electrodes",
            samples: &t.emg_mv,
        },
        Signal {
            label: "Trigger",
            unit: "V",
            transducer: "stimulator trigger",
            samples: &t.trigger_v,
        },
    ];
    let maxima: Vec<f64> = signals.iter().map(|s| physical_max(s.samples)).collect();
    let mut out = Vec::with_capacity(256 * 3 + records * per_record * 4);
    field(&mut out, "0", 8);
    field(&mut out, "X", 80);
    field(&mut out, "X", 80);
    field(&mut out, "01.01.85", 8);
    field(&mut out, "00.00.00", 8);
    field(&mut out, &(256 * (signals.len() + 1)).to_string(), 8);
    field(&mut out, "", 44);
    field(&mut out, &records.to_string(), 8);
    field(&mut out, "1", 8);
    field(&mut out, &signals.len().to_string(), 4);
    let each = |out: &mut Vec<u8>, text: &dyn Fn(usize) -> String, width: usize| {
        for i in 0..signals.len() {
            field(out, &text(i), width);
        }
    };
    each(&mut out, &|i| signals[i].label.to_string(), 16);
    each(&mut out, &|i| signals[i].transducer.to_string(), 80);
    each(&mut out, &|i| signals[i].unit.to_string(), 8);
    each(&mut out, &|i| limit_text(-maxima[i]), 8);
    each(&mut out, &|i| limit_text(maxima[i]), 8);
    each(&mut out, &|_| (-DIGITAL_MAX).to_string(), 8);
    each(&mut out, &|_| DIGITAL_MAX.to_string(), 8);
    each(&mut out, &|_| String::new(), 80);
    each(&mut out, &|_| per_record.to_string(), 8);
    each(&mut out, &|_| String::new(), 32);
    for r in 0..records {
        for (s, max) in signals.iter().zip(&maxima) {
            for j in r * per_record..(r + 1) * per_record {
                let v = s.samples.get(j).copied().unwrap_or(0.0);
                let d = (v / max * f64::from(DIGITAL_MAX)).round() as i32;
                let d = d.clamp(-DIGITAL_MAX, DIGITAL_MAX) as i16;
                out.extend(d.to_le_bytes());
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::{simulate_test, SimConfig};

    #[test]
    fn a_written_file_reads_back_to_its_sweeps_within_one_step() {
        let sim = simulate_test(&SimConfig::default()).unwrap();
        let r = &sim.recording;
        let t = timeline(r);
        assert_eq!(t.stimuli.len(), r.n_responses());
        let bytes = edf_bytes(&t, "ADM").unwrap();
        let file = crate::io::read::edf::parse(
            std::path::Path::new("x.edf"),
            &bytes,
            crate::model::InputFormat::Edf,
        )
        .unwrap()
        .0;
        assert_eq!(file.channels.len(), 2);
        let (fs, segments) = file.channels[0].waveform().unwrap();
        assert_eq!(fs, r.sampling_rate_hz);
        let samples = &segments[0].samples;
        // One digital step of the file's range.
        let step = physical_max(&t.emg_mv) / f64::from(DIGITAL_MAX);
        let n0 = (-r.t0_ms * fs / 1e3).round() as usize;
        let first = (t.stimuli[0].0 * fs).round() as usize - n0;
        for (j, v) in r.samples_mv.row(0).iter().enumerate() {
            assert!((samples[first + j] - v).abs() <= step, "{j}");
        }
    }

    #[test]
    fn a_fractional_rate_is_refused() {
        let t = Timeline {
            sampling_rate_hz: 9765.625,
            emg_mv: vec![0.0; 10],
            trigger_v: vec![0.0; 10],
            stimuli: Vec::new(),
        };
        assert!(edf_bytes(&t, "ADM").is_none());
    }

    #[test]
    fn limits_fit_eight_characters() {
        assert_eq!(limit_text(12.3456789), "12.3457");
        assert_eq!(limit_text(-12.3456789), "-12.3457");
        assert!(limit_text(-123456.7).len() <= 8);
    }
}
