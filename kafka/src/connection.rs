//! One connection to one broker: TCP (optionally TLS), ApiVersions negotiation, SASL
//! authentication, and typed request/response exchange with the `kafka-protocol` codec.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use bytes::{Buf, BytesMut};
use kafka_protocol::messages::{
    ApiVersionsRequest, RequestHeader, ResponseHeader, SaslAuthenticateRequest,
    SaslHandshakeRequest,
};
use kafka_protocol::protocol::{
    encode_request_header_into_buffer, Decodable, HeaderVersion, Message, Request, StrBytes,
};

use crate::error::{error_name, KafkaError, Result};
use crate::properties::{ClientConfig, SaslMechanism};
use crate::scram::{ScramClient, ScramHash};
use crate::versions::BrokerApis;

/// How long one request may take before the connection is given up: longer than the longest
/// server-side timeout kplace asks for ([`SERVER_TIMEOUT_MS`]), so that the broker answers
/// "timed out" (and kplace knows the outcome) before the socket gives up on it.
const IO_TIMEOUT: Duration = Duration::from_millis(SERVER_TIMEOUT_MS as u64 + 15_000);
/// The server-side timeout kplace asks for in requests that carry one (reassignments,
/// elections, listing reassignments), in milliseconds.
pub const SERVER_TIMEOUT_MS: i32 = 30_000;
/// The largest response kplace accepts (metadata of big clusters fits easily).
const MAX_RESPONSE: usize = 256 * 1024 * 1024;

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// An open, authenticated connection to one broker.
pub struct Connection {
    stream: Box<dyn Stream>,
    address: String,
    client_id: String,
    correlation_id: i32,
    apis: BrokerApis,
    /// Whether the latest request's bytes started to go out (then a failure leaves its
    /// outcome unknown).
    went_out: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Connects to `address` ("host:port"), negotiates API versions and authenticates.
    pub fn open(address: &str, config: &ClientConfig, connect_timeout: Duration) -> Result<Self> {
        let broker_error = |reason: String| KafkaError::Broker {
            broker: address.to_string(),
            reason,
            source: None,
        };
        let io_error = |what: &str, e: std::io::Error| KafkaError::Broker {
            broker: address.to_string(),
            reason: what.to_string(),
            source: Some(e),
        };
        let socket_addresses: Vec<_> = address
            .to_socket_addrs()
            .map_err(|e| io_error("cannot resolve", e))?
            .collect();
        let mut last = None;
        let mut tcp = None;
        for socket_address in &socket_addresses {
            match TcpStream::connect_timeout(socket_address, connect_timeout) {
                Ok(stream) => {
                    tcp = Some(stream);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let tcp = tcp.ok_or_else(|| match last {
            Some(e) => io_error("cannot connect", e),
            None => broker_error("resolves to no address".to_string()),
        })?;
        tcp.set_read_timeout(Some(IO_TIMEOUT))
            .map_err(|e| io_error("socket timeout", e))?;
        tcp.set_write_timeout(Some(IO_TIMEOUT))
            .map_err(|e| io_error("socket timeout", e))?;
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn Stream> = if config.security_protocol.uses_tls() {
            let tls = crate::tls::rustls_config(config).map_err(|reason| KafkaError::Config {
                file: "command-config".to_string(),
                message: reason,
            })?;
            let host = address.rsplit_once(':').map(|(h, _)| h).unwrap_or(address);
            let host = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let name = rustls::pki_types::ServerName::try_from(host)
                .map_err(|e| broker_error(format!("bad TLS server name: {e}")))?;
            let session = rustls::ClientConnection::new(tls, name)
                .map_err(|e| broker_error(format!("TLS: {e}")))?;
            Box::new(rustls::StreamOwned::new(session, tcp))
        } else {
            Box::new(tcp)
        };
        let mut connection = Connection {
            stream,
            address: address.to_string(),
            client_id: config
                .client_id
                .clone()
                .unwrap_or_else(|| "kplace".to_string()),
            correlation_id: 0,
            apis: BrokerApis::default(),
            went_out: false,
        };
        connection.negotiate_versions()?;
        if let Some((mechanism, credentials)) = &config.sasl {
            connection.authenticate(*mechanism, &credentials.username, &credentials.password)?;
        }
        Ok(connection)
    }

    /// The address this connection talks to.
    pub fn address(&self) -> &str {
        &self.address
    }

    fn negotiate_versions(&mut self) -> Result<()> {
        let request = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("kplace"))
            .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
        let response = self.send_at_version(&request, 3)?;
        if response.error_code != 0 {
            return Err(KafkaError::Broker {
                broker: self.address.clone(),
                reason: format!("ApiVersions: {}", error_name(response.error_code)),
                source: None,
            });
        }
        self.apis = BrokerApis::from_response(&response);
        Ok(())
    }

    /// Whether the latest request started to go out to the broker: when it then failed, the
    /// broker may still have carried it out.
    pub fn request_went_out(&self) -> bool {
        self.went_out
    }

    /// What the broker speaks (its ApiVersions answer).
    pub fn apis(&self) -> &BrokerApis {
        &self.apis
    }

    fn authenticate(
        &mut self,
        mechanism: SaslMechanism,
        username: &str,
        password: &str,
    ) -> Result<()> {
        let auth_error = |address: &str, reason: String| KafkaError::Authentication {
            address: address.to_string(),
            reason,
        };
        let handshake = self.send(
            &SaslHandshakeRequest::default()
                .with_mechanism(StrBytes::from_static_str(mechanism.name())),
        )?;
        if handshake.error_code != 0 {
            let enabled: Vec<&str> = handshake.mechanisms.iter().map(|m| m.as_str()).collect();
            return Err(auth_error(
                &self.address,
                format!(
                    "mechanism {} refused ({}); the broker enables {}",
                    mechanism.name(),
                    error_name(handshake.error_code),
                    enabled.join(", ")
                ),
            ));
        }
        match mechanism {
            SaslMechanism::Plain => {
                let token = format!("\0{username}\0{password}");
                self.sasl_round(token.into_bytes())?;
            }
            SaslMechanism::ScramSha256 | SaslMechanism::ScramSha512 => {
                let hash = if mechanism == SaslMechanism::ScramSha256 {
                    ScramHash::Sha256
                } else {
                    ScramHash::Sha512
                };
                let mut scram = ScramClient::new(hash, username, password)
                    .map_err(|e| auth_error(&self.address, e))?;
                let server_first = self.sasl_round(scram.client_first().into_bytes())?;
                let server_first = String::from_utf8_lossy(&server_first).into_owned();
                let client_final = scram
                    .client_final(&server_first)
                    .map_err(|e| auth_error(&self.address, e))?;
                let server_final = self.sasl_round(client_final.into_bytes())?;
                scram
                    .verify_server_final(&String::from_utf8_lossy(&server_final))
                    .map_err(|e| auth_error(&self.address, e))?;
            }
        }
        Ok(())
    }

    fn sasl_round(&mut self, token: Vec<u8>) -> Result<Vec<u8>> {
        let response =
            self.send(&SaslAuthenticateRequest::default().with_auth_bytes(token.into()))?;
        if response.error_code != 0 {
            return Err(KafkaError::Authentication {
                address: self.address.clone(),
                reason: format!(
                    "{}{}",
                    error_name(response.error_code),
                    response
                        .error_message
                        .as_ref()
                        .map(|m| format!(": {}", m.as_str()))
                        .unwrap_or_default()
                ),
            });
        }
        Ok(response.auth_bytes.to_vec())
    }

    /// The version of `R` both sides speak (the highest common one).
    pub fn version_of<R: Request>(&self) -> Result<i16> {
        self.apis.version_of::<R>().ok_or_else(|| {
            let speaks = match self.apis.apis.get(&R::KEY) {
                Some((min, max)) => format!("v{min}..v{max}"),
                None => "none".to_string(),
            };
            KafkaError::Unsupported(format!(
                "broker {} and kplace share no version of API key {} (broker: {speaks}, kplace: {})",
                self.address,
                R::KEY,
                R::VERSIONS
            ))
        })
    }

    /// Sends one request at the highest common version and decodes its response.
    pub fn send<R: Request>(&mut self, request: &R) -> Result<R::Response> {
        let version = self.version_of::<R>()?;
        self.send_at_version(request, version)
    }

    fn send_at_version<R: Request>(&mut self, request: &R, version: i16) -> Result<R::Response> {
        let io = |address: &str, what: &str, e: String| KafkaError::Broker {
            broker: address.to_string(),
            reason: format!("{what}: {e}"),
            source: None,
        };
        let os = |address: &str, what: String, e: std::io::Error| KafkaError::Broker {
            broker: address.to_string(),
            reason: what,
            source: Some(e),
        };
        self.went_out = false;
        self.correlation_id = self.correlation_id.wrapping_add(1);
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(self.correlation_id)
            .with_client_id(Some(StrBytes::from_string(self.client_id.clone())));
        let mut body = BytesMut::new();
        encode_request_header_into_buffer(&mut body, &header)
            .and_then(|()| request.encode(&mut body, version))
            .map_err(|e| KafkaError::Broker {
                broker: self.address.clone(),
                reason: format!("cannot encode request {}: {e}", R::KEY),
                source: None,
            })?;
        let length = u32::try_from(body.len())
            .map_err(|_| io(&self.address, "send", "request too large".into()))?;
        let mut frame = Vec::with_capacity(body.len() + 4);
        frame.extend_from_slice(&length.to_be_bytes());
        frame.extend_from_slice(&body);
        self.went_out = true;
        self.stream
            .write_all(&frame)
            .and_then(|()| self.stream.flush())
            .map_err(|e| os(&self.address, describe_write_error(&e), e))?;
        let mut length = [0u8; 4];
        self.stream
            .read_exact(&mut length)
            .map_err(|e| read_error(&self.address, e))?;
        if length[0] == 0x15 && length[1] == 0x03 {
            return Err(io(
                &self.address,
                "receive",
                "the broker answered with TLS: set security.protocol=SSL or SASL_SSL".into(),
            ));
        }
        let length = u32::from_be_bytes(length) as usize;
        if length > MAX_RESPONSE {
            return Err(io(
                &self.address,
                "receive",
                format!("response of {length} bytes is too large"),
            ));
        }
        let mut buffer = vec![0u8; length];
        self.stream
            .read_exact(&mut buffer)
            .map_err(|e| read_error(&self.address, e))?;
        let mut buffer = bytes::Bytes::from(buffer);
        let header_version = R::Response::header_version(version);
        let response_header = ResponseHeader::decode(&mut buffer, header_version)
            .map_err(|e| io(&self.address, "decode header", e.to_string()))?;
        if response_header.correlation_id != self.correlation_id {
            return Err(io(
                &self.address,
                "receive",
                "correlation id mismatch".into(),
            ));
        }
        let response = R::Response::decode(&mut buffer, version).map_err(|e| {
            io(
                &self.address,
                &format!("decode response to API key {}", R::KEY),
                e.to_string(),
            )
        })?;
        let _ = buffer.remaining();
        Ok(response)
    }
}

/// What failed while sending, with a hint where the TLS error has a usual cause (the error's
/// own text is its source).
fn describe_write_error(error: &std::io::Error) -> String {
    let text = error.to_string();
    if text.contains("UnknownIssuer") {
        "send (trust the broker's CA: ssl.truststore.location with ssl.truststore.type=PEM)".into()
    } else if text.contains("NotValidForName") {
        "send (the broker's certificate does not name this address)".into()
    } else {
        "send".into()
    }
}

/// A failed read: a connection closed mid-answer is named as such (its usual causes said), any
/// other error is kept as the source.
fn read_error(address: &str, error: std::io::Error) -> KafkaError {
    let (reason, source) = if error.kind() == std::io::ErrorKind::UnexpectedEof {
        (
            "receive: connection closed by the broker (wrong security.protocol, or the broker went down?)"
                .to_string(),
            None,
        )
    } else {
        ("receive".to_string(), Some(error))
    };
    KafkaError::Broker {
        broker: address.to_string(),
        reason,
        source,
    }
}

/// The version range kplace's codec knows for a request type (for diagnostics).
pub fn known_versions<R: Message>() -> (i16, i16) {
    (R::VERSIONS.min, R::VERSIONS.max)
}
