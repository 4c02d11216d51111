//! The published sources the rules rest on. Reports cite these strings.

/// AAEM literature review: decrement > 10% at 2-5 Hz is abnormal.
pub const AAEM_2001: &str = "AAEM Quality Assurance Committee, literature review of repetitive nerve stimulation in myasthenia gravis and Lambert-Eaton myasthenic syndrome, Muscle Nerve 2001;24:1239";
/// Oh et al. 2005: increment cut-offs in LEMS, MG and normal subjects.
pub const OH_2005: &str =
    "Oh SJ, Kurokawa K, Claussen GC, Ryan HF. Muscle Nerve 2005;32:515 (electrodiagnostic criteria of LEMS)";
/// Lipka et al. 2020: sensitivity and specificity of the 60% and 100% cut-offs.
pub const LIPKA_2020: &str =
    "Lipka AF, Titulaer MJ, Tannemaat MR, Verschuuren JJGM et al. Muscle Nerve 2020, doi:10.1002/mus.26885";
/// Hatanaka & Oh 2008: 10 s of exercise is the preferred duration.
pub const HATANAKA_OH_2008: &str =
    "Hatanaka Y, Oh SJ 2008 (increment after 5, 10 and 30 s of exercise; 10 s preferred)";
/// Norwegian methods guideline: protocol, U shape, healthy increment < 40%.
pub const NORWEGIAN_GUIDELINE: &str =
    "Norwegian Society of Clinical Neurophysiology, methods guideline for repetitive nerve stimulation";
/// Preston & Shapiro: CMAP measures and normal lower limits.
pub const PRESTON_SHAPIRO: &str =
    "Preston DC, Shapiro BE. Electromyography and Neuromuscular Disorders (nerve conduction studies, normal values)";
/// McComas et al. 1994: pseudofacilitation at high rates.
pub const MCCOMAS_1994: &str = "McComas AJ et al. Muscle Nerve 1994;17:599 (pseudofacilitation)";
/// Tim & Sanders 1994: exercise versus 20 Hz; one muscle can miss LEMS.
pub const TIM_SANDERS_1994: &str = "Tim RW, Sanders DB. Muscle Nerve 1994;17:995";
/// Maddison et al. 1998: increment by muscle in LEMS.
pub const MADDISON_1998: &str = "Maddison P et al. J Neurol Neurosurg Psychiatry 1998;65:213";
/// Upper trapezius CMAP amplitude in healthy adults.
pub const TRAPEZIUS_2019: &str =
    "J Bodyw Mov Ther 2019 (upper trapezius CMAP 8.02 +/- 2.2 mV; lower limit taken as mean - 2 SD)";
/// Trapezius pseudo-facilitation from muscle shortening.
pub const TRAPEZIUS_PSEUDO_2013: &str = "Muscle Nerve 2013;47:668 (trapezius pseudo-facilitation)";
