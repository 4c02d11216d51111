//! A jitter study from its files: each an interval list or one pair's
//! sweeps, every pair claimed once, the files checked to be one
//! subject's.

use std::path::Path;

use super::sweeps::read_sweeps;
use super::{is_ipi_list, parse_ipi_list, parse_method, IpiList, JitterInput};
use crate::error::{Error, Location, Result};
use crate::model::{Electrode, JitterMethod, JitterPair};

/// Reads a jitter study: a file, or every trace file of a folder (each an
/// interval list or one pair's sweeps).
///
/// # Errors
///
/// The readers' errors, each naming its file; [`Error::EmptyStudy`] for a
/// folder without a file to read; [`Error::BadMetadata`] when two files
/// give different ages.
pub fn read_jitter(path: &Path, options: &crate::io::ReadOptions) -> Result<JitterInput> {
    let files = if path.is_dir() {
        let folder = crate::io::folder::list_study(path, options.follow_links)?;
        if folder.files.is_empty() {
            return Err(Error::EmptyStudy {
                path: path.to_path_buf(),
            });
        }
        folder.files
    } else {
        vec![path.to_path_buf()]
    };
    let read = files
        .into_iter()
        .map(|f| Ok((crate::io::read::text::read_bounded(&f)?, f)))
        .collect::<Result<Vec<_>>>()?;
    let read: Vec<(std::path::PathBuf, Vec<u8>)> = read.into_iter().map(|(b, f)| (f, b)).collect();
    if !path.is_dir() {
        return parse_jitter(&read, options);
    }
    // A study folder holds CMAP tests too: they are left out, and said.
    let (jitter, others): (Vec<_>, Vec<_>) = read.into_iter().partition(|(_, b)| is_jitter_file(b));
    let name = |(f, _): &(std::path::PathBuf, Vec<u8>)| {
        f.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    if jitter.is_empty() {
        return Err(Error::BadHeader {
            at: Location::file(path),
            detail: "no jitter file here: an interval list starts with `# nmjscope: jitter` (or has an `ipi_us` column), and a pair's sweeps declare `# method:` and `# electrode:` (docs/jitter.md)".into(),
        });
    }
    let mut input = parse_jitter(&jitter, options)?;
    if !others.is_empty() {
        let names: Vec<String> = others.iter().map(name).collect();
        input.warnings.push(format!(
            "not jitter files, left out: {} (`nmjscope analyze` reads a study's CMAP tests with its jitter)",
            names.join(", ")
        ));
    }
    Ok(input)
}

/// Whether a file's bytes are a jitter file: an interval list, or a trace
/// file whose metadata names a jitter `method` (one pair's sweeps).
pub fn is_jitter_file(bytes: &[u8]) -> bool {
    if is_ipi_list(bytes) {
        return true;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    head.lines()
        .take_while(|l| l.trim_start().starts_with('#') || l.trim().is_empty())
        .filter_map(|l| l.trim_start_matches(['#', ' ']).split_once(':'))
        .any(|(k, v)| k.trim().eq_ignore_ascii_case("method") && parse_method(v).is_some())
}

/// [`read_jitter`] of files already in memory (a browser's dropped files),
/// in the order given.
///
/// # Errors
///
/// As [`read_jitter`].
pub fn parse_jitter(
    files: &[(std::path::PathBuf, Vec<u8>)],
    options: &crate::io::ReadOptions,
) -> Result<JitterInput> {
    let input = parse_jitter_files(files, options)?;
    check_identities(&input, &[])?;
    Ok(input)
}

/// [`parse_jitter`] without the check that the files are one subject's:
/// a study checks them against its CMAP tests ([`check_identities`]).
pub(crate) fn parse_jitter_files(
    files: &[(std::path::PathBuf, Vec<u8>)],
    options: &crate::io::ReadOptions,
) -> Result<JitterInput> {
    let mut input = JitterInput {
        files: Vec::new(),
        pairs: Vec::new(),
        sweeps: Vec::new(),
        age_years: None,
        identities: Vec::new(),
        warnings: Vec::new(),
    };
    let mut seen = Claims::default();
    for (file, bytes) in files {
        let (age, mut own) = if is_ipi_list(bytes) {
            let list = read_list(file, bytes, options, &mut seen)?;
            input
                .warnings
                .extend(list.pairs.iter().filter_map(|p| isi_note(file, p)));
            input.pairs.extend(list.pairs);
            (list.age_years, crate::io::identity_of(&list.metadata))
        } else {
            let (sweeps, age, identity) = read_sweeps(file, bytes, options)?;
            seen.claim(
                file,
                &sweeps.id,
                &sweeps.muscle,
                sweeps.side.as_deref(),
                (sweeps.method, sweeps.electrode),
            )?;
            input.sweeps.push(sweeps);
            (age, identity)
        };
        // --date is every file's date.
        if let Some(d) = &options.overrides.date {
            own.resize(crate::io::IDENTITY_KEYS.len(), None);
            own[2] = Some(d.clone());
        }
        input.identities.push(own);
        if let (Some(a), Some(b)) = (input.age_years, age) {
            if (a - b).abs() > 0.5 {
                return Err(Error::BadMetadata {
                    at: Location::file(file),
                    key: "age".into(),
                    detail: format!("{b} here, {a} in an earlier file: one study is one subject"),
                });
            }
        }
        input.age_years = input.age_years.or(age);
        input.files.push(file.display().to_string());
    }
    Ok(input)
}

/// An interval list, with `--muscle` and `--side` replacing the file's
/// values (as they do for a sweeps file, read through the trace reader)
/// and each pair claimed once.
fn read_list(
    file: &Path,
    bytes: &[u8],
    options: &crate::io::ReadOptions,
    seen: &mut Claims,
) -> Result<IpiList> {
    let mut list = parse_ipi_list(file, bytes)?;
    for p in &mut list.pairs {
        if let Some(m) = &options.overrides.muscle {
            p.muscle.clone_from(m);
        }
        if let Some(s) = &options.overrides.side {
            p.side = crate::model::canonical_side(s).or_else(|| Some(s.trim().to_lowercase()));
        }
        seen.claim(
            file,
            &p.id,
            &p.muscle,
            p.side.as_deref(),
            (p.method, p.electrode),
        )?;
    }
    Ok(list)
}

/// Checks that a jitter study's files are one subject's: each file's
/// `study_id`, `patient_id` and `date` against `reference` (its study's
/// CMAP tests), or, for a key the reference does not give, against the
/// value most of the files give (the first file's on a tie). The first
/// file that differs is named, with the key, never the value.
///
/// # Errors
///
/// [`Error::BadMetadata`] naming the file and the key.
pub(crate) fn check_identities(input: &JitterInput, reference: &[Option<String>]) -> Result<()> {
    let keys = crate::io::IDENTITY_KEYS.len();
    let expected: Vec<Option<String>> = (0..keys)
        .map(|k| {
            reference.get(k).cloned().flatten().or_else(|| {
                let values: Vec<&String> = input
                    .identities
                    .iter()
                    .filter_map(|id| id.get(k).and_then(Option::as_ref))
                    .collect();
                values
                    .iter()
                    .max_by_key(|v| {
                        let n = values.iter().filter(|w| w == v).count();
                        // The first value wins a tie: count, then earliness.
                        (n, std::cmp::Reverse(values.iter().position(|w| w == *v)))
                    })
                    .map(|v| (*v).clone())
            })
        })
        .collect();
    let against = if reference.iter().any(Option::is_some) {
        "the CMAP tests' of its study"
    } else {
        "most of the jitter files'"
    };
    for (file, id) in input.files.iter().zip(&input.identities) {
        if let Some(key) = crate::io::disagreeing_keys(&expected, id).first() {
            return Err(Error::BadMetadata {
                at: Location::file(Path::new(file)),
                key: (*key).to_string(),
                detail: format!("differs from {against}: one study is one subject, and jitter files join the study they name, or the one study of their folder"),
            });
        }
    }
    Ok(())
}

/// The pairs read so far, by muscle, side, method, electrode and name: one
/// pair given twice (a file copied, a list beside the same pairs' sweeps)
/// would count twice and could turn a study too small to judge into a
/// normal one.
/// A pair's identity: muscle, side, method, electrode and name.
type PairKey = (String, String, JitterMethod, Electrode, String);

#[derive(Default)]
struct Claims(Vec<(PairKey, std::path::PathBuf)>);

impl Claims {
    fn claim(
        &mut self,
        file: &Path,
        id: &str,
        muscle: &str,
        side: Option<&str>,
        (method, electrode): (JitterMethod, Electrode),
    ) -> Result<()> {
        let (m, sd) = crate::model::muscle_side_key(Some(muscle), side);
        let key = (m, sd, method, electrode, id.to_string());
        if let Some((_, first)) = self.0.iter().find(|(k, _)| *k == key) {
            return Err(Error::BadHeader {
                at: Location::file(file),
                detail: format!(
                    "pair {id:?} of {muscle} ({method}, {electrode}) is also in {}: one pair is read once (a copied file, or a list beside the same pairs' sweeps?)",
                    first.display()
                ),
            });
        }
        self.0.push((key, file.to_path_buf()));
        Ok(())
    }
}

/// A note when some of a pair's discharges give their firing interval
/// and others do not: the pair then has no MSD, and no trend rule.
fn isi_note(file: &Path, p: &JitterPair) -> Option<String> {
    let conducted = p.discharges.iter().filter(|d| d.ipi_us.is_some());
    let missing = conducted.clone().filter(|d| d.isi_ms.is_none()).count();
    (missing > 0 && missing < conducted.count()).then(|| {
        format!(
            "{}: pair {}: isi_ms is missing in {missing} of its conducted discharges, so it has no MSD and no firing-rate trend check",
            file.display(),
            p.id
        )
    })
}
