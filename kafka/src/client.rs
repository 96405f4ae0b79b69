//! The cluster client: bootstraps from a list of addresses, learns the brokers and the controller,
//! and keeps one connection per broker. Requests go to any broker, to the controller (ZooKeeper
//! mode needs it for reassignments and elections; KRaft brokers forward them, so there any broker
//! does), or to one named broker (DescribeLogDirs, a broker's own configs).
//!
//! Manners: retriable errors (a broker gone, NOT_CONTROLLER, LEADER_NOT_AVAILABLE, timeouts,
//! throttling) are retried with backoff up to a deadline; NOT_CONTROLLER refreshes the metadata
//! first. A request that changes state (AlterPartitionReassignments) is never sent again once it
//! may have reached a broker: the caller reads the state back instead. A broker's
//! `throttle_time_ms` is waited out before the next request to it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use kafka_protocol::messages::{BrokerId, MetadataRequest, MetadataResponse};
use kafka_protocol::protocol::Request;

use crate::answer::Answer;
use crate::connection::Connection;
use crate::error::{error_name, KafkaError, Result};
use crate::properties::ClientConfig;
use crate::retry::{self, Attempts, RetryPolicy};
use crate::versions::{BrokerApis, Mode, Need};

/// How long one TCP connect may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Any live broker.
    Any,
    /// The controller in ZooKeeper mode (as Metadata names it); any broker in KRaft mode.
    Controller,
    /// One broker by id.
    Broker(i32),
}

/// Whether sending a request twice is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Reads, and writes that set the same state again (configs, preferred-leader elections).
    Safe,
    /// A state change that must not be blindly repeated: once the request may have reached a
    /// broker, a failure is [`KafkaError::Uncertain`] and the caller reads the state back.
    Never,
}

/// A client of one Kafka cluster.
#[derive(Debug)]
pub struct KafkaClient {
    config: ClientConfig,
    bootstrap: String,
    /// Broker id → "host:port", from the latest metadata.
    addresses: BTreeMap<i32, String>,
    /// Racks of the brokers in the latest metadata.
    racks: BTreeMap<i32, Option<String>>,
    /// The controller Metadata names (-1: none known).
    controller: i32,
    connections: BTreeMap<String, Connection>,
    /// The address of the connection used for cluster-wide requests.
    any: Option<String>,
    /// What the first broker reached speaks: the cluster's versions.
    apis: BrokerApis,
    /// Address → when the broker's last throttle ends.
    throttled_until: BTreeMap<String, Instant>,
    retry: RetryPolicy,
}

impl KafkaClient {
    /// Connects to the first reachable of `bootstrap` ("host:port,host:port"), checks that its
    /// Kafka is in the supported range, and learns the brokers. A bad address, wrong
    /// credentials, a wrong protocol or an unsupported Kafka fail here, before anything is sent
    /// that changes the cluster.
    pub fn connect(bootstrap: &str, config: ClientConfig) -> Result<Self> {
        let addresses: Vec<&str> = bootstrap
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .collect();
        if addresses.is_empty() {
            return Err(KafkaError::Input(
                "--bootstrap-server: empty address list".into(),
            ));
        }
        for address in &addresses {
            if address
                .rsplit_once(':')
                .and_then(|(_, p)| p.parse::<u16>().ok())
                .is_none()
            {
                return Err(KafkaError::Input(format!(
                    "--bootstrap-server: {address:?} is not HOST:PORT"
                )));
            }
        }
        let mut client = KafkaClient {
            config,
            bootstrap: bootstrap.to_string(),
            addresses: BTreeMap::new(),
            racks: BTreeMap::new(),
            controller: -1,
            connections: BTreeMap::new(),
            any: None,
            apis: BrokerApis::default(),
            throttled_until: BTreeMap::new(),
            retry: RetryPolicy::default(),
        };
        let mut last = None;
        for address in &addresses {
            match Connection::open(address, &client.config, CONNECT_TIMEOUT) {
                Ok(connection) => {
                    connection.apis().check_supported(address)?;
                    client.apis = connection.apis().clone();
                    client.connections.insert(address.to_string(), connection);
                    client.any = Some(address.to_string());
                    break;
                }
                Err(
                    e @ (KafkaError::Authentication { .. }
                    | KafkaError::Config { .. }
                    | KafkaError::Unsupported(_)),
                ) => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        if client.any.is_none() {
            return Err(match last {
                Some(KafkaError::Broker {
                    broker,
                    reason,
                    source,
                }) => KafkaError::Bootstrap {
                    bootstrap: bootstrap.to_string(),
                    reason: format!("broker {broker}: {reason}"),
                    source,
                },
                other => KafkaError::Bootstrap {
                    bootstrap: bootstrap.to_string(),
                    reason: other.map(|e| e.to_string()).unwrap_or_default(),
                    source: None,
                },
            });
        }
        // A listener of the wrong protocol often answers ApiVersions but closes on the next
        // request: the first metadata request is still part of bootstrapping, tried once.
        let policy = client.retry;
        client.retry = RetryPolicy {
            deadline: Duration::ZERO,
            ..policy
        };
        let first = client.metadata(Some(Vec::new()));
        client.retry = policy;
        first.map_err(|e| match e {
            KafkaError::Broker { reason, source, .. } => KafkaError::Bootstrap {
                bootstrap: bootstrap.to_string(),
                reason,
                source,
            },
            other => other,
        })?;
        Ok(client)
    }

    /// The bootstrap list this client was made with.
    pub fn bootstrap(&self) -> &str {
        &self.bootstrap
    }

    /// Broker id → address, from the latest metadata.
    pub fn broker_addresses(&self) -> &BTreeMap<i32, String> {
        &self.addresses
    }

    /// Broker id → `broker.rack`, from the latest metadata.
    pub fn broker_racks(&self) -> &BTreeMap<i32, Option<String>> {
        &self.racks
    }

    /// What the cluster speaks (the ApiVersions answer of the first broker reached).
    pub fn apis(&self) -> &BrokerApis {
        &self.apis
    }

    /// The cluster's metadata mode.
    pub fn mode(&self) -> Mode {
        self.apis.mode()
    }

    /// The version at which `R` is sent to this cluster, if both sides speak one.
    #[doc(hidden)]
    pub fn version_of<R: Request>(&self) -> Option<i16> {
        self.apis.version_of::<R>()
    }

    /// Whether the cluster speaks `need` at its minimum version or newer.
    pub fn supports(&self, need: Need) -> bool {
        self.apis.has(need, crate::versions::ours(need.key))
    }

    /// Refuses `operation` (one of [`versions::operations`](crate::versions::operations)) when
    /// the cluster is too old for it, naming the API and version needed. Call it before
    /// anything is submitted.
    pub fn require(&self, operation: (&str, &[Need])) -> Result<()> {
        let broker = self.any.clone().unwrap_or_else(|| self.bootstrap.clone());
        self.apis.require(operation, &broker, crate::versions::ours)
    }

    /// Replaces the retry policy (deadline and backoff) for later requests.
    pub fn set_retry_policy(&mut self, policy: RetryPolicy) {
        self.retry = policy;
    }

    /// Fetches metadata: `None` for every topic, `Some(names)` for those (empty: brokers only).
    /// Never asks Kafka to create a topic (`allow_auto_topic_creation = false`, as Kafka's own
    /// AdminClient sends): a missing topic is UNKNOWN_TOPIC_OR_PARTITION, not a new topic.
    #[doc(hidden)]
    pub fn metadata(&mut self, topics: Option<Vec<String>>) -> Result<MetadataResponse> {
        let request = MetadataRequest::default()
            .with_allow_auto_topic_creation(false)
            .with_topics(topics.map(|names| {
                names
                    .into_iter()
                    .map(|name| {
                        kafka_protocol::messages::metadata_request::MetadataRequestTopic::default()
                            .with_name(Some(crate::names::topic_name(&name)))
                    })
                    .collect()
            }));
        let response = self.send(Route::Any, Resend::Safe, &request)?;
        self.learn(&response);
        Ok(response)
    }

    fn learn(&mut self, response: &MetadataResponse) {
        self.addresses = response
            .brokers
            .iter()
            .map(|b| (b.node_id.0, format!("{}:{}", b.host.as_str(), b.port)))
            .collect();
        self.racks = response
            .brokers
            .iter()
            .map(|b| (b.node_id.0, b.rack.as_ref().map(|r| r.to_string())))
            .collect();
        self.controller = response.controller_id.0;
    }

    /// Sends a cluster-wide request to any live broker, failing over to another one if the
    /// current broker went away, with retries.
    #[doc(hidden)]
    pub fn send_any<R: Request>(&mut self, request: &R) -> Result<R::Response>
    where
        R::Response: Answer,
    {
        self.send(Route::Any, Resend::Safe, request)
    }

    /// Sends a request to one broker by id, with retries of retriable errors (a broker that
    /// cannot be reached fails at once: it is down).
    #[doc(hidden)]
    pub fn send_to_broker<R: Request>(&mut self, broker: i32, request: &R) -> Result<R::Response>
    where
        R::Response: Answer,
    {
        self.send(Route::Broker(broker), Resend::Safe, request)
    }

    /// Sends `request` along `route`, retrying retriable failures with backoff up to the
    /// deadline of the retry policy. A response is returned as it came (its errors, other than
    /// request-wide retriable ones, are the caller's to read).
    #[doc(hidden)]
    pub fn send<R: Request>(
        &mut self,
        route: Route,
        resend: Resend,
        request: &R,
    ) -> Result<R::Response>
    where
        R::Response: Answer,
    {
        let mut attempts = Attempts::new(self.retry);
        loop {
            let (address, result) = self.attempt(route, resend, request);
            let retry_reason = match result {
                Ok(response) => {
                    let code = response.request_error();
                    let retriable = retry::is_retriable(code)
                        // A timed-out state change may have happened: the caller reads it back.
                        && !(resend == Resend::Never && code == retry::REQUEST_TIMED_OUT);
                    if !retriable {
                        return Ok(response);
                    }
                    if code == retry::NOT_CONTROLLER {
                        self.controller = -1;
                    }
                    Err(format!("{} from {address}", error_name(code)))
                }
                Err(e) => {
                    let fatal = matches!(
                        e,
                        KafkaError::Authentication { .. }
                            | KafkaError::Config { .. }
                            | KafkaError::Unsupported(_)
                            | KafkaError::Uncertain(_)
                    );
                    // A named broker that cannot be reached is down: report it now.
                    if fatal || matches!(route, Route::Broker(_)) {
                        return Err(e);
                    }
                    if route == Route::Controller {
                        self.controller = -1;
                    }
                    Ok(e)
                }
            };
            let last_error = match retry_reason {
                Ok(error) => error,
                Err(reason) => KafkaError::Broker {
                    broker: address.clone(),
                    reason: format!("request {} kept failing: {reason}", R::KEY),
                    source: None,
                },
            };
            match attempts.next_backoff() {
                Some(wait) => {
                    tracing::debug!(api_key = R::KEY, broker = %address, error = %last_error, ?wait, "retrying");
                    std::thread::sleep(wait);
                    if route == Route::Controller && self.controller < 0 {
                        // Learn the new controller (and live brokers) before the next attempt.
                        let _ = self.metadata(Some(Vec::new()));
                    }
                }
                None => return Err(last_error),
            }
        }
    }

    /// One attempt along `route`: the address tried and what came back. For `Route::Any`, every
    /// known broker is tried in turn before the attempt counts as failed.
    fn attempt<R: Request>(
        &mut self,
        route: Route,
        resend: Resend,
        request: &R,
    ) -> (String, Result<R::Response>)
    where
        R::Response: Answer,
    {
        let route = match (route, self.mode()) {
            (Route::Controller, Mode::Kraft) => Route::Any,
            (Route::Controller, Mode::ZooKeeper) if self.controller >= 0 => {
                Route::Broker(self.controller)
            }
            (Route::Controller, Mode::ZooKeeper) => Route::Any,
            (other, _) => other,
        };
        match route {
            Route::Broker(broker) => {
                let Some(address) = self.addresses.get(&broker).cloned() else {
                    return (
                        broker.to_string(),
                        Err(KafkaError::Broker {
                            broker: broker.to_string(),
                            reason: "not in the cluster's metadata (down?)".into(),
                            source: None,
                        }),
                    );
                };
                let result = self
                    .send_to_address(&address, resend, request)
                    .map_err(|e| match e {
                        KafkaError::Broker { reason, source, .. } => KafkaError::Broker {
                            broker: format!("{broker} ({address})"),
                            reason,
                            source,
                        },
                        other => other,
                    });
                (address, result)
            }
            Route::Any | Route::Controller => {
                let mut candidates: Vec<String> = self.any.iter().cloned().collect();
                candidates.extend(self.addresses.values().cloned());
                candidates.extend(self.bootstrap.split(',').map(|a| a.trim().to_string()));
                let mut seen = std::collections::BTreeSet::new();
                candidates.retain(|a| seen.insert(a.clone()));
                let mut last = None;
                for address in candidates {
                    match self.send_to_address(&address, resend, request) {
                        Ok(response) => {
                            self.any = Some(address.clone());
                            return (address, Ok(response));
                        }
                        Err(
                            e @ (KafkaError::Authentication { .. }
                            | KafkaError::Uncertain(_)
                            | KafkaError::Unsupported(_)),
                        ) => return (address, Err(e)),
                        Err(e) => {
                            tracing::debug!(broker = %address, error = %e, "broker unavailable; trying another");
                            last = Some((address, e));
                        }
                    }
                }
                match last {
                    Some((address, e)) => (address, Err(e)),
                    None => (
                        self.bootstrap.clone(),
                        Err(KafkaError::Bootstrap {
                            bootstrap: self.bootstrap.clone(),
                            reason: "no broker known".into(),
                            source: None,
                        }),
                    ),
                }
            }
        }
    }

    fn send_to_address<R: Request>(
        &mut self,
        address: &str,
        resend: Resend,
        request: &R,
    ) -> Result<R::Response>
    where
        R::Response: Answer,
    {
        if let Some(until) = self.throttled_until.get(address) {
            let now = Instant::now();
            if *until > now {
                tracing::debug!(broker = %address, wait = ?(*until - now), "broker throttles kplace; waiting");
                std::thread::sleep(*until - now);
            }
        }
        if !self.connections.contains_key(address) {
            let connection = Connection::open(address, &self.config, CONNECT_TIMEOUT)?;
            self.connections.insert(address.to_string(), connection);
        }
        let Some(connection) = self.connections.get_mut(address) else {
            return Err(KafkaError::Broker {
                broker: address.to_string(),
                reason: "connection vanished".into(),
                source: None,
            });
        };
        let result = connection.send(request);
        let went_out = connection.request_went_out();
        match result {
            Ok(response) => {
                let throttle = response.throttle_time_ms();
                if throttle > 0 {
                    self.throttled_until.insert(
                        address.to_string(),
                        Instant::now() + Duration::from_millis(throttle as u64),
                    );
                }
                Ok(response)
            }
            Err(e) => {
                // A failed exchange leaves the stream in an unknown state: drop it.
                self.connections.remove(address);
                if resend == Resend::Never && went_out {
                    Err(KafkaError::Uncertain(format!(
                        "request {} to broker {address} may have been carried out: {e}",
                        R::KEY
                    )))
                } else {
                    Err(e)
                }
            }
        }
    }
}

/// Converts a protocol broker id to kplace's.
pub fn broker_id(id: BrokerId) -> i32 {
    id.0
}
