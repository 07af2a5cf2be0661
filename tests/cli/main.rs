//! Integration tests: the real `kubectl-kruise` binary against the fake API server on
//! loopback. One test binary with a module per area keeps linking cheap.

mod access;
mod analysis;
mod approve;
mod bulk;
mod clusters;
mod contract;
mod dashboard;
mod faults;
mod field;
mod flags;
mod fleet;
mod gate;
mod generated;
mod harness;
mod hints;
mod kubectl;
mod kubevela;
mod least_privilege;
mod list;
mod matrix;
mod pause;
mod race;
mod sandbox;
mod secrets;
mod status;
mod terminal;
mod undo;
mod workloads;
