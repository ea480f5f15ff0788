//! ferry's run engine.
//!
//! A run turns a scheme's checkpoint into windows ([`windows`]), renders each window's source
//! request ([`request`]), pages through the source, keeps every record in the ledger, writes
//! them to the target in batches, and moves the checkpoint only when a window's records are
//! durable. See DESIGN.md "How a run works".

pub mod request;
pub mod windows;
