//! Rounds on the caller's schedule, with the dead-broker state kept in the caller's store.

use std::convert::Infallible;
use std::time::SystemTime;

use kplace_optimizer::heal::guards::DeadSince;

use super::cluster::HealCluster;
use super::error::HealError;
use super::round::{HealRound, RoundReport};
use crate::apply::ApplyEvent;

/// Where the time each down broker was first seen down lives between rounds (and processes):
/// a file on a volume for a CronJob (`kplace heal --state-file`), a ConfigMap or a custom
/// resource's status for an operator, memory for a loop that never restarts.
pub trait StateStore {
    /// Why loading or saving failed.
    type Error;
    /// The state the first round starts from (called once, by [`Healer::new`]).
    fn load(&mut self) -> Result<DeadSince, Self::Error>;
    /// Keeps `state`; called after every round, whatever its outcome.
    fn save(&mut self, state: &DeadSince) -> Result<(), Self::Error>;
}

/// A store that keeps nothing beyond the [`Healer`]'s own memory: for a process that runs every
/// round itself (a restart starts every grace period afresh).
#[derive(Debug, Clone, Copy, Default)]
pub struct InMemory;

impl StateStore for InMemory {
    type Error = Infallible;

    fn load(&mut self) -> Result<DeadSince, Infallible> {
        Ok(DeadSince::default())
    }

    fn save(&mut self, _state: &DeadSince) -> Result<(), Infallible> {
        Ok(())
    }
}

/// Drives [`HealRound`]s: the caller decides when a round runs and on which connection; the
/// healer carries the dead-broker state from round to round and saves it after each.
///
/// ```no_run
/// use std::time::{Duration, SystemTime};
/// use kplace_kafka::client::KafkaClient;
/// use kplace_kafka::{HealRound, Healer, InMemory};
/// use kplace_kafka::properties::ClientConfig;
///
/// let policy = kplace_placement::parse::parse_policy("rules: []\n", "policy")?;
/// let mut healer = Healer::new(HealRound::new(policy), InMemory).unwrap_or_else(|e| match e {});
/// for _ in 0..12 {
///     let mut client = KafkaClient::connect("127.0.0.1:9092", ClientConfig::default())?;
///     let saved = healer.round(&mut client, SystemTime::now(), &mut |_| {});
///     match saved.unwrap_or_else(|e| match e {}) {
///         Ok(report) => println!("{} ({} moves)", report.status.name(), report.moves.len()),
///         Err(error) => eprintln!("round failed: {error}"),
///     }
///     std::thread::sleep(Duration::from_secs(300));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Healer<S: StateStore> {
    round: HealRound,
    store: S,
    state: DeadSince,
}

impl<S: StateStore> Healer<S> {
    /// A healer running `round`, starting from the state `store` loads.
    pub fn new(round: HealRound, mut store: S) -> Result<Self, S::Error> {
        let state = store.load()?;
        Ok(Healer {
            round,
            store,
            state,
        })
    }

    /// How rounds heal.
    pub fn settings(&self) -> &HealRound {
        &self.round
    }

    /// How rounds heal, to change between rounds (a re-read capacity file, a new policy).
    pub fn settings_mut(&mut self) -> &mut HealRound {
        &mut self.round
    }

    /// The store the state is saved to.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Since when each down broker has been seen down.
    pub fn state(&self) -> &DeadSince {
        &self.state
    }

    /// Runs one round ([`HealRound::run`]) at `now`, then saves the state whatever the round's
    /// outcome. The outer error is the store's (the state could not be kept); the inner result
    /// is the round's.
    pub fn round<C: HealCluster>(
        &mut self,
        cluster: &mut C,
        now: SystemTime,
        on_event: &mut dyn FnMut(&ApplyEvent),
    ) -> Result<Result<RoundReport, HealError>, S::Error> {
        let outcome = self.round.run(cluster, &mut self.state, now, on_event);
        self.save()?;
        Ok(outcome)
    }

    /// Saves the state as it is (for a round that could not even connect).
    pub fn save(&mut self) -> Result<(), S::Error> {
        self.store.save(&self.state)
    }
}
