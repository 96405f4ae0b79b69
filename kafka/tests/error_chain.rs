//! A broker that cannot be reached is reported with the operating system's error as the cause:
//! `source()` is the `io::Error` (a controller can match its kind), and `full_message` prints
//! the chain as the CLI does, so the text is not lost from the message either.

use std::error::Error;
use std::net::TcpListener;

use kplace_kafka::{ClientConfig, KafkaClient, KafkaError};

#[test]
fn a_refused_connection_keeps_the_os_error_as_its_source() {
    // A port that was free a moment ago and has no listener now: connecting is refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let bootstrap = format!("127.0.0.1:{port}");
    let Err(error) = KafkaClient::connect(&bootstrap, ClientConfig::default()) else {
        panic!("connected to {bootstrap}, where nothing listens");
    };
    assert!(
        matches!(error, KafkaError::Bootstrap { .. }),
        "a bootstrap failure: {error:?}"
    );
    assert!(error.is_bad_input(), "an unreachable address is bad input");
    let io = error
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .unwrap_or_else(|| panic!("the io::Error is the source: {error:?}"));
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
    let top = error.to_string();
    assert!(
        top.contains(&bootstrap) && top.contains("cannot connect"),
        "{top}"
    );
    assert!(
        !top.contains(&io.to_string()),
        "the cause is not repeated: {top}"
    );
    assert_eq!(error.full_message(), format!("{top}: {io}"));
}
