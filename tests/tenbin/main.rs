//! The `tenbin` command's integration tests, built as one test binary: the command line
//! (`cli`) and the real site checked in a browser (`site_browser`). Helpers used by both are in
//! `common`.

mod common;

mod cli;
mod site_browser;
