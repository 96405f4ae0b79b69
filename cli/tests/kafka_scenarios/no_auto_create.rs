//! kplace's metadata requests never create topics. The test clusters run with Kafka's default
//! `auto.create.topics.enable=true`, and a control request that allows creation shows that the
//! cluster would create one: kplace's own request for a missing topic reports it and leaves the
//! cluster without it.

use std::time::Duration;

use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{MetadataRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use kplace_kafka::admin;
use kplace_kafka::client::KafkaClient;
use kplace_kafka::properties::ClientConfig;

use crate::kafka_support::Cluster;

fn topic_exists(client: &mut KafkaClient, topic: &str) -> bool {
    admin::partitions(client, None)
        .expect("metadata of every topic")
        .iter()
        .any(|p| p.topic == topic)
}

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    let mut client =
        KafkaClient::connect(&cluster.bootstrap, ClientConfig::default()).expect("connect");
    let missing = "kplace-never-created";
    let error = admin::partitions(&mut client, Some(vec![missing.to_string()]))
        .expect_err("a missing topic is an error");
    let message = error.to_string();
    assert!(
        message.contains(missing) && message.contains("does not exist"),
        "the error names the topic: {message}"
    );

    // The control: the same request allowing creation makes this cluster create the topic.
    let control = "kplace-auto-created-control";
    let request = MetadataRequest::default()
        .with_allow_auto_topic_creation(true)
        .with_topics(Some(vec![MetadataRequestTopic::default()
            .with_name(Some(TopicName(StrBytes::from_static_str(control))))]));
    client.send_any(&request).expect("control metadata request");
    cluster.wait_until(
        "the control topic to be auto-created",
        Duration::from_secs(30),
        || topic_exists(&mut client, control),
    );

    // By now the missing topic would long be there if kplace's request had asked for it.
    assert!(
        !topic_exists(&mut client, missing),
        "kplace's metadata request created {missing}"
    );
    let listed = cluster.tool(
        "TopicCommand",
        &["--bootstrap-server", &cluster.bootstrap, "--list"],
    );
    assert!(
        listed.lines().any(|l| l.trim() == control) && !listed.lines().any(|l| l.trim() == missing),
        "kafka-topics --list: {listed}"
    );
}
