//! The published sources the rules rest on. Reports cite these strings.
//!
//! Each was checked against the publisher's or PubMed's abstract page (see
//! `docs/interpretation.md`, "Sources and what they say"); a rule that no
//! source states is marked [`TOOL_RULE`] instead of borrowing a citation.

/// AAEM literature review: decrement > 10% (1st to 4th or 5th response) at
/// 2-5 Hz is valid for MG; a LEMS increment is at least 25%, most accurate
/// above 100%; SFEMG "is more sensitive than RNS ... but may be less
/// specific" (the abstract, as docs/jitter.md quotes it).
pub const AAEM_2001: &str = "AAEM Quality Assurance Committee; Chiou-Tan FY, Tim RW, Gilchrist JM. Literature review of the usefulness of repetitive nerve stimulation and single fiber EMG in the electrodiagnostic evaluation of patients with suspected myasthenia gravis or Lambert-Eaton myasthenic syndrome. Muscle Nerve 2001;24(9):1239-1247, doi 10.1002/mus.1140";

/// Oh et al. 2005: 34 LEMS, 40 normal subjects, 538 MG tests, ADM.
pub const OH_2005: &str = "Oh SJ, Kurokawa K, Claussen GC, Ryan HF. Electrophysiological diagnostic criteria of Lambert-Eaton myasthenic syndrome. Muscle Nerve 2005;32(4):515-520, doi 10.1002/mus.20389";

/// Lipka et al. 2020: 156 consecutive patients given increment testing.
pub const LIPKA_2020: &str = "Lipka AF, Titulaer MJ, Tannemaat MR, Verschuuren JJGM. Lowering the cutoff value for increment increases the sensitivity for the diagnosis of Lambert-Eaton myasthenic syndrome. Muscle Nerve 2020, doi 10.1002/mus.26885";

/// Norwegian methods guideline, chapter on repetitive stimulation.
pub const NORWEGIAN_GUIDELINE: &str = "Norsk forening for klinisk nevrofysiologi (Norwegian Society of Clinical Neurophysiology). Retningslinjer for metoder i klinisk nevrofysiologi, electronic version, chapter Repetitiv stimulering (legeforeningen.no)";

/// Preston & Shapiro: CMAP measures and normal adult values.
pub const PRESTON_SHAPIRO: &str = "Preston DC, Shapiro BE. Electromyography and Neuromuscular Disorders: Clinical-Electrophysiologic Correlations, 3rd ed. Elsevier Saunders, 2013 (nerve conduction studies: normal adult values)";

/// McComas et al. 1994: the mechanism of pseudofacilitation; no threshold.
pub const MCCOMAS_1994: &str = "McComas AJ et al. Pseudofacilitation: a misleading term. Muscle Nerve 1994;17(6):599-607, doi 10.1002/mus.880170606 (mechanism only; it gives no area threshold)";

/// Maddison et al. 1998: increment by muscle in LEMS.
pub const MADDISON_1998: &str = "Maddison P, Newsom-Davis J, Mills KR. Distribution of electrophysiological abnormality in Lambert-Eaton myasthenic syndrome. J Neurol Neurosurg Psychiatry 1998;65(2):213";

/// Trapezius pseudo-facilitation from muscle shortening.
pub const TRAPEZIUS_PSEUDO_2013: &str = "A new maneuver for repetitive nerve stimulation testing in the trapezius muscle. Muscle Nerve 2013;47:668-672, doi 10.1002/mus.23664";

/// Decrement in amyotrophic lateral sclerosis.
pub const SHANG_2020: &str = "Shang L, Chu H, Lu Z. Can the large-scale decrement in repetitive nerve stimulation be used as an exclusion criterion for amyotrophic lateral sclerosis? Front Neurol 2020;11:101, doi 10.3389/fneur.2020.00101";

/// Early versus late decrement in LEMS and MG.
pub const SANDERS_2014: &str = "Sanders DB, Cao L, Massey JM, Juel VC, Hobson-Webb L, Guptill JT. Clin Neurophysiol 2014;125(6):1274-1277, doi 10.1016/j.clinph.2013.11.007 (decremental pattern in 34 LEMS and 44 MG patients)";

/// Low-rate decrement in LEMS.
pub const SUN_LEMS: &str = "Sun Q, Jiao J, Sun S, Wang W, Peng D, Wang R. Electrophysiological and muscle pathological characteristics of Lambert-Eaton myasthenic syndrome. Chin J Contemp Neurol Neurosurg (12 patients; decrement above 15% in 8 of 10 tested)";

/// The post-exercise exhaustion protocol: 1 minute of exercise is best.
/// The abstract (PubMed 24435816): 32 MG patients, ADM, 3 Hz trains at
/// rest, immediately after and at 30 s, 1, 2, 3 and 4 min; after 1 minute
/// of exercise the decrement was larger than at rest at 2, 3 and 4 min.
pub const ONE_MINUTE_EXERCISE_2014: &str = "One-minute exercise is best for evaluation of postexercise exhaustion in myasthenia gravis. Muscle Nerve 2014;50(3):413-416, doi 10.1002/mus.24178";

/// 10 s against 30 s of exercise in LEMS. Its abstract (24 studies in 9
/// LEMS patients, ADM): increments 244% after 5 s and 243% after 10 s,
/// 84% after 30 s. The journal details were not seen on a page checked,
/// so the title alone is cited.
pub const TEN_SECOND_EXERCISE: &str = "Hatanaka Y, Oh SJ. Ten-second exercise is superior to 30-second exercise for post-exercise facilitation in diagnosing Lambert-Eaton myasthenic syndrome (abstract: 24 studies in 9 patients, ADM)";

/// Norwegian guideline, findings in MG: after 50-60 s of maximal
/// contraction the first train may show a smaller or no decrement
/// (facilitation); trains at 1, 2 and 3 min a decrement again, possibly
/// larger than at rest (exhaustion); neither is always present.
pub const NFKNF_MG_FINDINGS: &str = "Norsk forening for klinisk nevrofysiologi. Retningslinjer for metoder i klinisk nevrofysiologi, Repetitiv stimulering: Funn ved myastenia gravis (postsynaptisk affeksjon) (legeforeningen.no)";

/// Norwegian guideline, indications: acetylcholinesterase inhibitors
/// reduce the sensitivity; preferably at least 12 h without them.
pub const NFKNF_INDICATIONS: &str = "Norsk forening for klinisk nevrofysiologi. Retningslinjer for metoder i klinisk nevrofysiologi, Repetitiv stimulering: Indikasjoner og generelt om metoden (legeforeningen.no)";

/// Norwegian guideline, choice of muscles: proximal and facial muscles
/// show a decrement more often; after a negative distal muscle test
/// nasalis and proximal muscles (deltoid, biceps, upper trapezius).
pub const NFKNF_MUSCLES: &str = "Norsk forening for klinisk nevrofysiologi. Retningslinjer for metoder i klinisk nevrofysiologi, Repetitiv stimulering: Valg av muskler og nerver (legeforeningen.no)";

/// Norwegian neurology handbook: RNS sensitivity about 70% in generalised
/// and 50% in ocular MG, depending on the muscles tested.
pub const LEGEHANDBOKA_RNS: &str = "Nevrologisk legehåndbok (Norsk nevrologisk forening): Repetitiv nervestimulering (RNS) (nevrologi.legehandboka.no)";

/// Local cooling in myasthenia: from 35 to 28 C intramuscular the decrement
/// was less marked, and repetitive stimulation "may be false-negative;
/// muscle temperature must be controlled" (abstract, JAMA Neurology page).
pub const BORENSTEIN_DESMEDT_1975: &str = "Borenstein S, Desmedt JE. Local cooling in myasthenia: improvement of neuromuscular failure. Arch Neurol 1975;32(3):152-157, doi 10.1001/archneur.1975.00490450032003";

/// AAEM minimonograph on temperature: cooling improves neuromuscular
/// transmission, so that "existing defects are not detected" (abstract;
/// the author was not on the page checked, so the title is cited).
pub const AAEM_TEMPERATURE_1991: &str = "AAEM minimonograph #14: The influence of temperature in clinical neurophysiology. Muscle Nerve 1991;14(9):795-811, doi 10.1002/mus.880140902";

/// Paired stimuli at half-maximal intensity changed the second CMAP by up
/// to 17% (facilitation) or 42% (depression); no longer seen at
/// supramaximal intensity (PubMed abstract, PMID 8389002).
pub const MORITA_1993: &str = "Morita H, Shindo M, Yanagawa S, Yanagisawa N. Muscle Nerve 1993;16(6):648-654, doi 10.1002/mus.880160611 (at half-maximal intensity the second of two CMAPs changed by up to 17% and 42%; not at supramaximal intensity)";

/// Repeatability of nerve conduction measures: amplitudes varied by
/// 15.6-19.8% (coefficient of variation) between sessions 3-7 days apart,
/// 30-80% less within a session (PMC2777171 abstract; CMAP and SNAP
/// amplitudes together).
pub const KONG_2009: &str = "Kong X, Lesser EA, Gozani SN. Repeatability of nerve conduction measurements derived entirely by computer methods. Biomed Eng Online 2009;8:33 (PMC2777171)";

/// A rule of this tool, not of a publication.
pub const TOOL_RULE: &str = "nmjscope's own rule (no published threshold); set in the settings";

/// How nmjscope weighs a test that cannot be relied on in one direction:
/// the asymmetry (a normal result cannot exclude; a clearly abnormal one
/// stands, or the reverse for a submaximal stimulus) is this tool's rule.
pub const TOOL_RULE_ASYMMETRIC: &str = "how a normal and an abnormal result count here is nmjscope's own rule (docs/interpretation.md, Validity)";

/// A lower limit derived by this project from a published mean and SD.
pub const DERIVED_TRAPEZIUS: &str = "derived by nmjscope as mean - 2 SD (8.02 - 2 x 2.2 mV) from J Bodyw Mov Ther 2019;23(3):588-593, doi 10.1016/j.jbmt.2019.04.009, whose authors publish no lower limit and advise side-to-side comparison";

/// Buschbacher 1999, ulnar motor conduction to ADM (248 volunteers).
pub const BUSCHBACHER_ADM: &str = "Buschbacher RM. Ulnar nerve motor conduction to the abductor digiti minimi. Am J Phys Med Rehabil 1999;78(6 Suppl):S9-S14, doi 10.1097/00002060-199911001-00003 (248 volunteers: 11.6 +/- 2.1 mV, no effect of age)";
/// Buschbacher 1999, median motor conduction to APB (249 volunteers).
pub const BUSCHBACHER_APB: &str = "Buschbacher RM. Median nerve motor conduction to the abductor pollicis brevis. Am J Phys Med Rehabil 1999;78(6 Suppl):S1-S8, doi 10.1097/00002060-199911001-00002 (249 volunteers: 10.2 +/- 3.6 mV, amplitude falls with age)";
/// Zis 2018, axillary motor conduction to the deltoid (154 participants).
pub const ZIS_2018: &str = "Zis P, Hadjivassiliou M, Rao DG. Axillary motor nerve conduction study: description of technique and provision of normative data. J Electromyogr Kinesiol 2018 (154 participants aged 18-84: lower limit 7.6 mV in men, 6.5 mV in women; the CMAP falls with age)";
/// Johnson's Practical EMG, facial nerve to nasalis.
pub const LEW_TSAI_2007: &str = "Lew HL, Tsai SJ. Pictorial guide to nerve conduction techniques. In: Pease WS, Lew HL, Johnson EW, eds. Johnson's Practical Electromyography, 4th ed. Lippincott Williams & Wilkins, 2007, Table 9-1 (facial nerve to nasalis: amplitude >= 1 mV)";
/// Abraham 2017: facial RNS cut-offs.
pub const ABRAHAM_2017: &str = "Abraham A, Alabdali M, Alsulaiman A, Breiner A, Barnett C, Katzberg HD, Lovblom LE, Bril V. Repetitive nerve stimulation cutoff values for the diagnosis of myasthenia gravis. Muscle Nerve 2017;55(2):166-170, doi 10.1002/mus.25214 (122 MG, 182 controls: a decrement cut-off of 7% for frontalis and 8% for nasalis raised sensitivity by 6-11% at a specificity of 95-96%)";
/// A muscle listed without a limit.
pub const NO_LIMIT_FOUND: &str =
    "no published lower limit of normal found by nmjscope; set the lab's own with --limits";
/// Concentric-needle jitter limits (abstract, read): "Outlier limits for
/// mean consecutive difference and individual jitter data for voluntary
/// activation were: OO, 31 and 45 μs; FR, 28 and 38 μs; ED, 30 and 43 μs;
/// and for electrical stimulation they were: OO, 27 and 36 μs; FR, 21 and
/// 28 μs; ED, 24 and 35 μs."
pub const STALBERG_2016_CNE: &str = "Stålberg E, Sanders DB, Ali S, et al. Reference values for jitter recorded by concentric needle electrodes in healthy controls: a multicenter study. Muscle Nerve 2016;53(3):351-362, doi 10.1002/mus.24750 (59-92 healthy subjects per muscle and activation)";
/// Single-fibre electrode limits by age (voluntary), as the Norwegian
/// guideline's Tabell 5 and Bromberg's 1994 table give the AAEM
/// committee's values; the committee's abstract gives no numbers.
pub const GILCHRIST_1992_SFEMG: &str = "Ad Hoc Committee of the AAEM Special Interest Group on SFEMG (Gilchrist JM, coordinator). Single fiber EMG reference values: a collaborative effort. Muscle Nerve 1992;15(2):151-161, doi 10.1002/mus.880150205; values as tabulated by Bromberg MB et al., Muscle Nerve 1994;17:820-821, and the Norwegian guideline (Normalverdier for singel fiber EMG, Tabell 5)";
/// The MCD and the number of discharges: "the method of choice seems to be
/// Mean Consecutive Difference (MCD) ... n the number of discharges,
/// preferably 50 or, if the jitter is not changing, 200".
pub const EKSTEDT_1974: &str = "Ekstedt J, Nilsson G, Stålberg E. Calculation of the electromyographic jitter. J Neurol Neurosurg Psychiatry 1974;37(5):526-539, doi 10.1136/jnnp.37.5.526";
/// The study rule: "Jitter betraktes som unormal dersom: 1) mean-MCD for
/// 20 fiberpar er høyere enn øvre 95 %-grense; eller 2) jitterverdier i
/// mer enn 10 % av fiberpar er høyere enn øvre 95 %-grense for
/// individuelle fiberpar."
pub const NFKNF_SFEMG_NORMALS: &str = "Norsk forening for klinisk nevrofysiologi. Retningslinjer for metoder i klinisk nevrofysiologi, Repetitiv stimulering: Normalverdier for singel fiber EMG (legeforeningen.no)";
/// "A study is abnormal if the mean (or median) jitter exceeds the upper
/// limit for the muscle, or if more than 10% of pairs or endplates have
/// increased jitter or blocking"; and an MCD under 5 µs (split fibres,
/// direct muscle stimulation) "should not be included".
pub const BOLLU_2019: &str = "Bollu PC. What are jitter values in single fiber electromyography (SFEMG)? Medscape, updated 13 Mar 2019 (medscape.com/answers/1832855-180201)";
/// "Abnormal jitter is also seen in diseases of nerve and muscle ... If
/// neuronal or myopathic disease is present, increased jitter does not
/// indicate that MG is also present. However, if jitter is normal in a
/// muscle with definite weakness, the weakness is not due to MG."
pub const AAEE_1986_SFEMG: &str = "AAEE Minimonograph #25: Single-fiber electromyography in myasthenia gravis. Muscle Nerve 1986;9(9):809-819, doi 10.1002/mus.880090904";
/// "jitter is also seen in ongoing reinnervation and some myopathic
/// conditions ... Jitter is abnormal after injections of botulinum toxin".
pub const AANEM_MM74: &str = "AANEM monograph: Single fiber electromyography and measuring jitter with concentric needle electrodes (education.aanem.org, MM74)";
/// Voluntary jitter includes "interdischarge interval-dependent jitter",
/// which axonal stimulation avoids.
pub const TRONTELJ_1992: &str = "Jitter measurement by axonal micro-stimulation. Guidelines and technical notes. Electroencephalogr Clin Neurophysiol 1992;85(1):30-37, PMID 1371741";
/// "SFEMG is the most sensitive clinical test for neuromuscular junction
/// disease and is often abnormal in clinically unaffected muscles in
/// patients with myasthenia gravis (MG) and Lambert–Eaton myasthenia
/// (LEM). Normal jitter findings in a clinically weak muscle exclude
/// neuromuscular junction disease as a cause for weakness in that muscle."
pub const JUEL_2019: &str = "Juel VC. Single fiber electromyography. Handb Clin Neurol 2019;160 (chapter 19), doi 10.1016/B978-0-444-64032-1.00019-9";
/// A muscle's decrement cut-off set in the settings.
pub const SETTINGS_MUSCLE_DECREMENT: &str =
    "the lab's own cut-off for this muscle (settings: interpret.muscle_decrement_abnormal_pct)";

/// Norwegian guideline, presynaptic disorders: in botulism the CMAP may be
/// normal, and the increment after 10 s of contraction or at high rate is
/// most often smaller (20-60%) than in LEMS; in severe botulism it may be
/// absent; several muscles over several days are advised.
pub const NFKNF_BOTULISM: &str = "Norsk forening for klinisk nevrofysiologi. Retningslinjer for metoder i klinisk nevrofysiologi, Repetitiv stimulering: Myastent syndrom og botulisme (presynaptisk affeksjon) (legeforeningen.no)";
/// LEMS: the resting CMAP below the lower limit of normal in 48 of 50
/// patients (as the project's criteria reference gives it).
pub const ONEILL_1988: &str = "O'Neill JH, Murray NM, Newsom-Davis J. The Lambert-Eaton myasthenic syndrome: a review of 50 cases. Brain 1988;111(Pt 3):577-596";
/// Botulism: post-tetanic facilitation like LEMS's but less, exhaustion
/// not prominent, no notable low-rate decrement.
pub const CHERINGTON_1982: &str =
    "Cherington M. Muscle Nerve 1982;5(9S):S28-S29, PMID 6763148 (electrodiagnosis of botulism)";
/// MGFA drug reference: magnesium blocks calcium entry at the nerve
/// terminal and resembles LEMS; drugs act pre- or postsynaptically.
pub const MGFA_DRUGS: &str = "Pascuzzi RM (revised by Mehrizi M, Fontem RF, Gearhart TR, Pascuzzi RM). Medications and Myasthenia Gravis: a reference for health care professionals. Myasthenia Gravis Foundation of America, 2012";
/// Aminoglycosides inhibit the prejunctional release of acetylcholine.
pub const MILLER_ANTIBIOTICS: &str = "Miller's Anesthesia, 6th ed. Elsevier, 2005, chapter on neuromuscular blocking drugs, Antibiotics (aminoglycosides primarily inhibit the prejunctional release of acetylcholine and also depress postjunctional sensitivity)";
/// Presynaptic congenital myasthenic syndromes: most show a low-rate
/// decrement; facilitation only with VAMP1, UNC13A, SYT2, AGRN, LAMA5.
pub const NICOLAU_MILONE_2019: &str = "Nicolau S, Milone M. The electrophysiology of presynaptic congenital myasthenic syndromes with and without facilitation: from electrodiagnostic findings to molecular mechanisms. Front Neurol 2019;10:257";
/// Congenital myasthenic syndromes: low- or high-rate RNS may show an
/// abnormal increment or decrement.
pub const FINSTERER_2019: &str = "Finsterer J. Congenital myasthenic syndromes. Orphanet J Rare Dis 2019;14:57, doi 10.1186/s13023-019-1025-5";
/// Axon loss lowers the CMAP; demyelination only with conduction block or
/// dispersion; nerve conduction studies go with needle EMG.
pub const MALLIK_WEIR_2005: &str = "Mallik A, Weir AI. Nerve conduction studies: essentials and pitfalls in practice. J Neurol Neurosurg Psychiatry 2005;76(Suppl II):ii23-ii31, doi 10.1136/jnnp.2005.069138";
/// Technical causes of a wrong response: submaximal stimulation,
/// misplaced recording electrodes, stimulus artifact.
pub const CARESS_2007: &str = "Caress JB. Technical, physiological and anatomic considerations in nerve conduction studies. In: The Clinical Neurophysiology Primer. Humana Press, 2007:217-227, doi 10.1007/978-1-59745-271-7_13";
/// Myotonia: a CMAP decrement after brief exercise (short exercise test).
pub const TAN_2011: &str = "Tan SV, Matthews E, Barber M, et al. Refined exercise testing can aid DNA-based diagnosis in muscle channelopathies. Ann Neurol 2011;69(2):328-340, doi 10.1002/ana.22238";

/// Every source above, for the writers that number references
/// (`render::references`): a citation joins several with "; ", but a
/// source's own text holds "; " too, so it is split by finding these.
pub const ALL: [&str; 50] = [
    AAEM_2001,
    ONEILL_1988,
    OH_2005,
    LIPKA_2020,
    NORWEGIAN_GUIDELINE,
    PRESTON_SHAPIRO,
    MCCOMAS_1994,
    MADDISON_1998,
    TRAPEZIUS_PSEUDO_2013,
    SHANG_2020,
    SANDERS_2014,
    SUN_LEMS,
    ONE_MINUTE_EXERCISE_2014,
    TEN_SECOND_EXERCISE,
    NFKNF_MG_FINDINGS,
    NFKNF_INDICATIONS,
    NFKNF_MUSCLES,
    LEGEHANDBOKA_RNS,
    BORENSTEIN_DESMEDT_1975,
    AAEM_TEMPERATURE_1991,
    MORITA_1993,
    KONG_2009,
    TOOL_RULE,
    TOOL_RULE_ASYMMETRIC,
    DERIVED_TRAPEZIUS,
    BUSCHBACHER_ADM,
    BUSCHBACHER_APB,
    ZIS_2018,
    LEW_TSAI_2007,
    ABRAHAM_2017,
    NO_LIMIT_FOUND,
    SETTINGS_MUSCLE_DECREMENT,
    NFKNF_BOTULISM,
    CHERINGTON_1982,
    MGFA_DRUGS,
    MILLER_ANTIBIOTICS,
    NICOLAU_MILONE_2019,
    FINSTERER_2019,
    MALLIK_WEIR_2005,
    CARESS_2007,
    TAN_2011,
    STALBERG_2016_CNE,
    GILCHRIST_1992_SFEMG,
    EKSTEDT_1974,
    NFKNF_SFEMG_NORMALS,
    BOLLU_2019,
    AAEE_1986_SFEMG,
    AANEM_MM74,
    TRONTELJ_1992,
    JUEL_2019,
];

#[cfg(test)]
mod tests {
    #[test]
    fn all_lists_every_source() {
        // A source added above but not to `ALL` would be split into pieces
        // at its own "; " in the reports' reference lists.
        let declared = include_str!("sources.rs")
            .lines()
            .filter(|l| l.starts_with("pub const ") && l.contains(": &str ="))
            .count();
        assert_eq!(declared, super::ALL.len());
    }
}
