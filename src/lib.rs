//! kubectl-kruise: progressive delivery with OpenKruise Rollouts, from kubectl.
//!
//! Floors, top down (each imports only from below; see ARCHITECTURE.md): [`complete`] and
//! [`commands`] (one module per verb) → [`cluster`] (kubeconfig, the HTTP stack, requests) →
//! [`render`] (tables, live views, JSON/YAML) and [`cli`] (clap types) → [`model`] (pure
//! decoding and decisions), [`exit`] and [`output`] (where output goes).

pub mod analysis;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod complete;
pub mod exit;
pub mod model;
pub mod output;
pub mod render;
