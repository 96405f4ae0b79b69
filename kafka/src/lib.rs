//! kplace edge to a running Kafka cluster (filled by the Kafka edge issue).
