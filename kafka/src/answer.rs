//! What every response kplace reads says beyond its payload: how long the broker asks the client
//! to hold back (`throttle_time_ms`, KIP-219) and the request-wide error code, if the response has
//! one. The client uses both for every request: it waits out a throttle before the next request
//! to that broker, and retries request-wide retriable errors (see [`retry`](crate::retry)).

use kafka_protocol::messages::{
    AlterConfigsResponse, AlterPartitionReassignmentsResponse, CreatePartitionsResponse,
    CreateTopicsResponse, DeleteTopicsResponse, DescribeClusterResponse, DescribeConfigsResponse,
    DescribeLogDirsResponse, DescribeTopicPartitionsResponse, DescribeUserScramCredentialsResponse,
    ElectLeadersResponse, IncrementalAlterConfigsResponse, ListGroupsResponse, ListOffsetsResponse,
    ListPartitionReassignmentsResponse, MetadataResponse, OffsetFetchResponse,
};

/// The parts of a response the client itself acts on.
pub trait Answer {
    /// Milliseconds the broker asks the client to wait before its next request to it.
    fn throttle_time_ms(&self) -> i32;
    /// The request-wide error code (0: none, or the response has no such field).
    fn request_error(&self) -> i16 {
        0
    }
}

macro_rules! answer {
    ($($response:ty),* $(,)?) => {
        $(impl Answer for $response {
            fn throttle_time_ms(&self) -> i32 {
                self.throttle_time_ms
            }
        })*
    };
}

macro_rules! answer_with_error {
    ($($response:ty),* $(,)?) => {
        $(impl Answer for $response {
            fn throttle_time_ms(&self) -> i32 {
                self.throttle_time_ms
            }
            fn request_error(&self) -> i16 {
                self.error_code
            }
        })*
    };
}

answer!(
    MetadataResponse,
    DescribeConfigsResponse,
    IncrementalAlterConfigsResponse,
    AlterConfigsResponse,
    CreatePartitionsResponse,
    CreateTopicsResponse,
    DeleteTopicsResponse,
    DescribeTopicPartitionsResponse,
    ListOffsetsResponse,
);

answer_with_error!(
    DescribeClusterResponse,
    DescribeLogDirsResponse,
    ListPartitionReassignmentsResponse,
    AlterPartitionReassignmentsResponse,
    ElectLeadersResponse,
    DescribeUserScramCredentialsResponse,
    ListGroupsResponse,
    OffsetFetchResponse,
);
