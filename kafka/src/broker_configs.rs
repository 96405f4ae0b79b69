//! A broker's dynamic configs, or the cluster-wide broker default's, read and changed through
//! the broker itself (Kafka answers DescribeConfigs for a broker only on that broker).

use std::collections::BTreeMap;

use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::incremental_alter_configs_request::AlterConfigsResource;
use kafka_protocol::messages::{DescribeConfigsRequest, IncrementalAlterConfigsRequest};

use crate::admin::{response_error, ConfigChange, RESOURCE_BROKER};
use crate::client::KafkaClient;
use crate::error::Result;
use crate::names::str_bytes;

/// DescribeConfigs' source of a broker's own dynamic value (`kafka-configs --entity-name ID`).
pub const SOURCE_DYNAMIC_BROKER: i8 = 2;
/// DescribeConfigs' source of a value that is Kafka's built-in default: not set by anyone.
pub const SOURCE_DEFAULT: i8 = 5;

/// Which broker config: one broker's, or the cluster-wide default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BrokerScope {
    /// The default for every broker (`--entity-default`).
    Default,
    /// One broker.
    Broker(i32),
}

impl BrokerScope {
    fn resource_name(self) -> String {
        match self {
            BrokerScope::Default => String::new(),
            BrokerScope::Broker(id) => id.to_string(),
        }
    }

    fn subject(self) -> String {
        match self {
            BrokerScope::Default => "broker default config".into(),
            BrokerScope::Broker(id) => format!("broker {id}"),
        }
    }
}

/// A config value and where it comes from (DescribeConfigs' config source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedValue {
    /// The value.
    pub value: String,
    /// Kafka's config source code (2 a broker's dynamic config, 3 the dynamic default, 4
    /// static, 5 Kafka's default).
    pub source: i8,
}

/// Reads `keys` (empty: every entry) of a broker config; sensitive values read as empty. `None` when the broker is not known
/// to the client (down): its configs cannot be read now.
pub fn describe(
    client: &mut KafkaClient,
    scope: BrokerScope,
    keys: &[&str],
) -> Result<Option<BTreeMap<String, SourcedValue>>> {
    let keys = (!keys.is_empty()).then(|| keys.iter().map(|k| str_bytes(k)).collect());
    let request =
        DescribeConfigsRequest::default().with_resources(vec![DescribeConfigsResource::default()
            .with_resource_type(RESOURCE_BROKER)
            .with_resource_name(str_bytes(&scope.resource_name()))
            .with_configuration_keys(keys)]);
    let response = match scope {
        BrokerScope::Default => client.send_any(&request)?,
        BrokerScope::Broker(id) => {
            if !client.broker_addresses().contains_key(&id) {
                return Ok(None);
            }
            client.send_to_broker(id, &request)?
        }
    };
    let mut out = BTreeMap::new();
    for result in &response.results {
        if result.error_code != 0 {
            return Err(response_error(
                "DescribeConfigs",
                &scope.subject(),
                result.error_code,
                result.error_message.as_ref().map(|m| m.to_string()),
            ));
        }
        for c in &result.configs {
            // A sensitive value (a password, or any custom entry) is reported as null: listed
            // with an empty value, since its name alone says something.
            out.insert(
                c.name.to_string(),
                SourcedValue {
                    value: c.value.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                    source: c.config_source,
                },
            );
        }
    }
    Ok(Some(out))
}

/// Changes a broker config incrementally. Returns false (and changes nothing) when the broker
/// is not known to the client (down).
pub fn alter(
    client: &mut KafkaClient,
    scope: BrokerScope,
    changes: &[ConfigChange],
) -> Result<bool> {
    if changes.is_empty() {
        return Ok(true);
    }
    let request = IncrementalAlterConfigsRequest::default().with_resources(vec![
        AlterConfigsResource::default()
            .with_resource_type(RESOURCE_BROKER)
            .with_resource_name(str_bytes(&scope.resource_name()))
            .with_configs(changes.iter().map(ConfigChange::alterable).collect()),
    ]);
    let response = match scope {
        BrokerScope::Default => client.send_any(&request)?,
        BrokerScope::Broker(id) => {
            if !client.broker_addresses().contains_key(&id) {
                return Ok(false);
            }
            client.send_to_broker(id, &request)?
        }
    };
    for result in &response.responses {
        if result.error_code != 0 {
            return Err(response_error(
                "IncrementalAlterConfigs",
                &scope.subject(),
                result.error_code,
                result.error_message.as_ref().map(|m| m.to_string()),
            ));
        }
    }
    Ok(true)
}
