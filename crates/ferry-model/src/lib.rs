//! ferry's scheme and config model.
//!
//! Users write two kinds of files: `ferry.toml` ([`config`]) and one JSON file per scheme
//! ([`scheme`]), in the shape the 轻易云 / Qeasy platform uses. This crate turns their text into
//! checked, typed values, or into a list of every problem found, each at `file:line:col` with a
//! hint ([`diag`]). It does no IO beyond reading the environment for `${NAME}` references: the
//! caller reads the files.
//!
//! Secrets ([`secret::Secret`]) cannot be printed by accident; the platform catalog
//! ([`catalog`]) says which APIs and settings exist.

pub mod catalog;
pub mod config;
pub mod diag;
pub mod doc;
pub mod reader;
pub mod scheme;
pub mod secret;
pub mod units;

pub use config::{Config, Connection, load_config};
pub use diag::{Issue, Severity};
pub use doc::SourceFile;
pub use scheme::{Scheme, load_scheme};
pub use secret::Secret;
