//! kubectl-kruise: progressive delivery with OpenKruise Rollouts, from kubectl.
//!
//! Data flows one way: [`cli`] (parsed flags) → [`cluster`] (client, resolving a rollout to
//! an object and an API version) → [`model`] (pure decoding and decisions) → [`commands`]
//! (one module per verb) → [`render`] (tables, progress, JSON/YAML).

pub mod cli;
pub mod cluster;
pub mod commands;
pub mod complete;
pub mod exit;
pub mod model;
pub mod render;
