//! Integration tests: one binary, one module per area.

mod accuracy;
mod batch;
mod bids;
mod cli;
mod cohorts;
mod compliance;
mod conditions;
mod formats;
mod guards;
mod hostile;
mod interpretation;
mod jitter;
mod markers;
mod plots;
mod presentation;
mod protocols;
mod reader;
mod record;
mod reports;
mod runs;
mod simulation;
mod triggered;
mod util;
mod validity;
mod workup;
mod wrong_files;
