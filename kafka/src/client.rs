//! The cluster client: bootstraps from a list of addresses, learns the brokers, and keeps one
//! connection per broker. Requests go to any broker (KRaft brokers forward controller requests)
//! or to one named broker (DescribeLogDirs, a broker's own configs).

use std::collections::BTreeMap;
use std::time::Duration;

use kafka_protocol::messages::{BrokerId, MetadataRequest, MetadataResponse};
use kafka_protocol::protocol::Request;

use crate::connection::Connection;
use crate::error::{KafkaError, Result};
use crate::properties::ClientConfig;

/// How long one TCP connect may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client of one Kafka cluster.
#[derive(Debug)]
pub struct KafkaClient {
    config: ClientConfig,
    bootstrap: String,
    /// Broker id → "host:port", from the latest metadata.
    addresses: BTreeMap<i32, String>,
    connections: BTreeMap<String, Connection>,
    /// The address of the connection used for cluster-wide requests.
    any: Option<String>,
}

impl KafkaClient {
    /// Connects to the first reachable of `bootstrap` ("host:port,host:port") and learns the
    /// brokers. A bad address, wrong credentials or a wrong protocol fail here, before anything
    /// is sent that changes the cluster.
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
            connections: BTreeMap::new(),
            any: None,
        };
        let mut last = None;
        for address in &addresses {
            match Connection::open(address, &client.config, CONNECT_TIMEOUT) {
                Ok(connection) => {
                    client.connections.insert(address.to_string(), connection);
                    client.any = Some(address.to_string());
                    break;
                }
                Err(e @ KafkaError::Authentication { .. }) | Err(e @ KafkaError::Config { .. }) => {
                    return Err(e)
                }
                Err(e) => last = Some(e),
            }
        }
        if client.any.is_none() {
            return Err(KafkaError::Bootstrap {
                bootstrap: bootstrap.to_string(),
                reason: last.map(|e| e.to_string()).unwrap_or_default(),
            });
        }
        // A listener of the wrong protocol often answers ApiVersions but closes on the next
        // request: the first metadata request is still part of bootstrapping.
        client.metadata(Some(Vec::new())).map_err(|e| match e {
            KafkaError::Broker { reason, .. } => KafkaError::Bootstrap {
                bootstrap: bootstrap.to_string(),
                reason,
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

    /// Fetches metadata: `None` for every topic, `Some(names)` for those (empty: brokers only).
    pub fn metadata(&mut self, topics: Option<Vec<String>>) -> Result<MetadataResponse> {
        let request = MetadataRequest::default().with_topics(topics.map(|names| {
            names
                .into_iter()
                .map(|name| {
                    kafka_protocol::messages::metadata_request::MetadataRequestTopic::default()
                        .with_name(Some(crate::names::topic_name(&name)))
                })
                .collect()
        }));
        let response = self.send_any(&request)?;
        self.addresses = response
            .brokers
            .iter()
            .map(|b| (b.node_id.0, format!("{}:{}", b.host.as_str(), b.port)))
            .collect();
        Ok(response)
    }

    /// Sends a cluster-wide request to any live broker, reconnecting to another one if the
    /// current broker went away.
    pub fn send_any<R: Request>(&mut self, request: &R) -> Result<R::Response> {
        let mut candidates: Vec<String> = self.any.iter().cloned().collect();
        candidates.extend(self.addresses.values().cloned());
        candidates.extend(self.bootstrap.split(',').map(|a| a.trim().to_string()));
        candidates.dedup();
        let mut last = None;
        for address in candidates {
            match self.send_to_address(&address, request) {
                Ok(response) => {
                    self.any = Some(address);
                    return Ok(response);
                }
                Err(e @ KafkaError::Authentication { .. }) => return Err(e),
                Err(e) => {
                    tracing::debug!(broker = %address, error = %e, "broker unavailable; trying another");
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| KafkaError::Bootstrap {
            bootstrap: self.bootstrap.clone(),
            reason: "no broker known".into(),
        }))
    }

    /// Sends a request to one broker by id.
    pub fn send_to_broker<R: Request>(&mut self, broker: i32, request: &R) -> Result<R::Response> {
        let address = self
            .addresses
            .get(&broker)
            .cloned()
            .ok_or_else(|| KafkaError::Broker {
                broker: broker.to_string(),
                reason: "not in the cluster's metadata (down?)".into(),
            })?;
        self.send_to_address(&address, request)
            .map_err(|e| match e {
                KafkaError::Broker { reason, .. } => KafkaError::Broker {
                    broker: format!("{broker} ({address})"),
                    reason,
                },
                other => other,
            })
    }

    fn send_to_address<R: Request>(&mut self, address: &str, request: &R) -> Result<R::Response> {
        if !self.connections.contains_key(address) {
            let connection = Connection::open(address, &self.config, CONNECT_TIMEOUT)?;
            self.connections.insert(address.to_string(), connection);
        }
        let Some(connection) = self.connections.get_mut(address) else {
            return Err(KafkaError::Broker {
                broker: address.to_string(),
                reason: "connection vanished".into(),
            });
        };
        let result = connection.send(request);
        if result.is_err() {
            // A failed exchange leaves the stream in an unknown state: drop it.
            self.connections.remove(address);
        }
        result
    }
}

/// Converts a protocol broker id to kplace's.
pub fn broker_id(id: BrokerId) -> i32 {
    id.0
}
