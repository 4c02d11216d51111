//! Integration tests: one binary, one module per area.

mod accuracy;
mod batch;
mod cli;
mod interpretation;
mod reader;
mod reports;
mod simulation;
mod util;
