//! placeholder module filled below
