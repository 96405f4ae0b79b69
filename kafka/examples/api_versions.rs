//! Records one broker's ApiVersions answer as JSON (the fixtures under `kafka/tests/api_versions/`
//! were recorded with it): `cargo run -p kplace-kafka --example api_versions -- HOST:PORT`.

use std::time::Duration;

use kplace_kafka::connection::Connection;
use kplace_kafka::properties::ClientConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = std::env::args()
        .nth(1)
        .ok_or("usage: api_versions HOST:PORT")?;
    let connection = Connection::open(&address, &ClientConfig::default(), Duration::from_secs(10))?;
    println!("{}", serde_json::to_string_pretty(connection.apis())?);
    Ok(())
}
