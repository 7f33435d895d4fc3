//! # tenbin-site
//!
//! The static-site generator behind Tenbin's public site (issue 4, in progress). So far it has
//! the chart layer: [`chart`] draws every chart as an accessible SVG by itself (no chart library
//! in the browser) and gives the same numbers as a table and as CSV, so that each figure on the
//! site can be read without seeing it and downloaded with the data behind it.

pub mod chart;
