//! Connection settings in Kafka's own client-properties style, as Kafka's tools take them with
//! `--command-config`: `security.protocol`, `sasl.mechanism`, `sasl.jaas.config` (or
//! `sasl.username` / `sasl.password`), and PEM trust and key material (`ssl.truststore.location`
//! with `ssl.truststore.type=PEM`, `ssl.truststore.certificates`, `ssl.keystore.location` with
//! `ssl.keystore.type=PEM`, `ssl.keystore.certificate.chain` + `ssl.keystore.key`).
//!
//! Secrets never reach a log: [`Credentials`]' `Debug` prints the user name only.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{KafkaError, Result};

/// How the client talks to the brokers, from `security.protocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecurityProtocol {
    /// No TLS, no authentication.
    #[default]
    Plaintext,
    /// TLS, no SASL.
    Ssl,
    /// SASL over plain TCP.
    SaslPlaintext,
    /// SASL over TLS.
    SaslSsl,
}

impl SecurityProtocol {
    /// Whether the connection uses TLS.
    pub fn uses_tls(self) -> bool {
        matches!(self, SecurityProtocol::Ssl | SecurityProtocol::SaslSsl)
    }

    /// Whether the connection authenticates with SASL.
    pub fn uses_sasl(self) -> bool {
        matches!(
            self,
            SecurityProtocol::SaslPlaintext | SecurityProtocol::SaslSsl
        )
    }
}

/// A SASL mechanism kplace can speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaslMechanism {
    /// RFC 4616 PLAIN.
    Plain,
    /// RFC 7677 SCRAM-SHA-256.
    ScramSha256,
    /// SCRAM-SHA-512.
    ScramSha512,
}

impl SaslMechanism {
    /// The mechanism's name as Kafka spells it.
    pub fn name(self) -> &'static str {
        match self {
            SaslMechanism::Plain => "PLAIN",
            SaslMechanism::ScramSha256 => "SCRAM-SHA-256",
            SaslMechanism::ScramSha512 => "SCRAM-SHA-512",
        }
    }
}

/// A user name and password. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The SASL user name.
    pub username: String,
    /// The password (secret).
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// PEM text or a PEM file for trust or client-key material. `Debug` never shows key text.
#[derive(Clone, PartialEq, Eq)]
pub enum Pem {
    /// A PEM file on disk.
    File(String),
    /// PEM text given inline in the properties.
    Inline(String),
}

impl fmt::Debug for Pem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pem::File(path) => write!(f, "Pem::File({path:?})"),
            Pem::Inline(_) => write!(f, "Pem::Inline(<redacted>)"),
        }
    }
}

/// Everything needed to open a connection to the cluster.
#[derive(Debug, Clone, Default)]
pub struct ClientConfig {
    /// Transport and authentication.
    pub security_protocol: SecurityProtocol,
    /// SASL mechanism and credentials, when `security_protocol` uses SASL.
    pub sasl: Option<(SaslMechanism, Credentials)>,
    /// CA certificates to trust; `None` uses the system's roots.
    pub trust: Option<Pem>,
    /// Client certificate chain and private key for mutual TLS.
    pub client_identity: Option<(Pem, Pem)>,
    /// Client id sent with every request.
    pub client_id: Option<String>,
}

/// Parses Java properties text (`key=value`, `key: value`, `#`/`!` comments, `\` line
/// continuations and escapes) into key/value pairs.
pub fn parse_properties(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut logical = String::new();
    for raw in text.lines() {
        let line = raw.trim_start();
        if logical.is_empty() && (line.is_empty() || line.starts_with('#') || line.starts_with('!'))
        {
            continue;
        }
        let trailing_backslashes = line.chars().rev().take_while(|c| *c == '\\').count();
        if trailing_backslashes % 2 == 1 {
            logical.push_str(&line[..line.len() - 1]);
            continue;
        }
        logical.push_str(line);
        let (key, value) = split_key_value(&logical);
        out.insert(unescape(key), unescape(value));
        logical.clear();
    }
    if !logical.is_empty() {
        let (key, value) = split_key_value(&logical);
        out.insert(unescape(key), unescape(value));
    }
    out
}

fn split_key_value(line: &str) -> (&str, &str) {
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '=' | ':' => return (line[..i].trim_end(), line[i + 1..].trim_start()),
            c if c.is_whitespace() => {
                let rest = line[i..].trim_start();
                let rest = rest
                    .strip_prefix('=')
                    .or_else(|| rest.strip_prefix(':'))
                    .unwrap_or(rest);
                return (&line[..i], rest.trim_start());
            }
            _ => {}
        }
    }
    (line, "")
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Reads a `--command-config` file into a [`ClientConfig`]; errors name the file and property.
pub fn read_client_config(path: &std::path::Path) -> Result<ClientConfig> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| KafkaError::Config {
        file: file.clone(),
        message: format!("cannot read: {e}"),
    })?;
    client_config_from_properties(&parse_properties(&text), &file)
}

/// Builds a [`ClientConfig`] from parsed properties; `file` names their source in errors.
pub fn client_config_from_properties(
    props: &BTreeMap<String, String>,
    file: &str,
) -> Result<ClientConfig> {
    let err = |message: String| KafkaError::Config {
        file: file.to_string(),
        message,
    };
    let security_protocol = match props.get("security.protocol").map(|s| s.to_ascii_uppercase()) {
        None => SecurityProtocol::Plaintext,
        Some(p) if p == "PLAINTEXT" => SecurityProtocol::Plaintext,
        Some(p) if p == "SSL" => SecurityProtocol::Ssl,
        Some(p) if p == "SASL_PLAINTEXT" => SecurityProtocol::SaslPlaintext,
        Some(p) if p == "SASL_SSL" => SecurityProtocol::SaslSsl,
        Some(p) => {
            return Err(err(format!(
                "security.protocol: unknown value {p:?} (expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)"
            )))
        }
    };
    let sasl = if security_protocol.uses_sasl() {
        let mechanism = match props.get("sasl.mechanism").map(|s| s.to_ascii_uppercase()) {
            Some(m) if m == "PLAIN" => SaslMechanism::Plain,
            Some(m) if m == "SCRAM-SHA-256" => SaslMechanism::ScramSha256,
            Some(m) if m == "SCRAM-SHA-512" => SaslMechanism::ScramSha512,
            None => return Err(err("sasl.mechanism: required with a SASL security.protocol (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)".into())),
            Some(m) => return Err(err(format!("sasl.mechanism: {m:?} is not supported (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)"))),
        };
        Some((mechanism, credentials(props).map_err(err)?))
    } else {
        None
    };
    let trust = match props.get("ssl.truststore.certificates") {
        Some(text) => Some(Pem::Inline(text.clone())),
        None => pem_file(props, "ssl.truststore").map_err(err)?,
    };
    let client_identity = match (
        props.get("ssl.keystore.certificate.chain"),
        props.get("ssl.keystore.key"),
    ) {
        (Some(chain), Some(key)) => Some((Pem::Inline(chain.clone()), Pem::Inline(key.clone()))),
        (Some(_), None) | (None, Some(_)) => {
            return Err(err(
                "ssl.keystore.certificate.chain and ssl.keystore.key must be given together".into(),
            ))
        }
        (None, None) => pem_file(props, "ssl.keystore")
            .map_err(err)?
            .map(|pem| (pem.clone(), pem)),
    };
    if props.contains_key("ssl.key.password") && client_identity.is_some() {
        return Err(err("ssl.key.password: encrypted private keys are not supported; give an unencrypted PEM key".into()));
    }
    Ok(ClientConfig {
        security_protocol,
        sasl,
        trust,
        client_identity,
        client_id: props.get("client.id").cloned(),
    })
}

fn pem_file(props: &BTreeMap<String, String>, prefix: &str) -> Result<Option<Pem>, String> {
    let Some(location) = props.get(&format!("{prefix}.location")) else {
        return Ok(None);
    };
    let kind = props
        .get(&format!("{prefix}.type"))
        .map(|t| t.to_ascii_uppercase())
        .unwrap_or_else(|| "JKS".to_string());
    if kind != "PEM" {
        return Err(format!(
            "{prefix}.type: {kind} stores are not supported; convert {location} to PEM and set {prefix}.type=PEM"
        ));
    }
    Ok(Some(Pem::File(location.clone())))
}

fn credentials(props: &BTreeMap<String, String>) -> Result<Credentials, String> {
    if let Some(jaas) = props.get("sasl.jaas.config") {
        let options = parse_jaas_options(jaas);
        let username = options.get("username").cloned();
        let password = options.get("password").cloned();
        return match (username, password) {
            (Some(username), Some(password)) => Ok(Credentials { username, password }),
            _ => {
                Err("sasl.jaas.config: needs username=\"...\" and password=\"...\" options".into())
            }
        };
    }
    match (props.get("sasl.username"), props.get("sasl.password")) {
        (Some(username), Some(password)) => Ok(Credentials {
            username: username.clone(),
            password: password.clone(),
        }),
        _ => Err("SASL needs sasl.jaas.config, or sasl.username and sasl.password".into()),
    }
}

/// Extracts `key="value"` options from a JAAS line such as
/// `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`.
pub fn parse_jaas_options(jaas: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = jaas;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq]
            .split_whitespace()
            .last()
            .unwrap_or("")
            .to_string();
        let after = rest[eq + 1..].trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut end = quoted.len();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            value.push(next);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after
                .find(|c: char| c.is_whitespace() || c == ';')
                .unwrap_or(after.len());
            (after[..end].to_string(), &after[end..])
        };
        if !key.is_empty() {
            out.insert(key, value);
        }
        rest = remaining;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_java_properties() {
        let props = parse_properties(
            "# comment\nsecurity.protocol = SASL_SSL\nsasl.mechanism:SCRAM-SHA-512\n\
             sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n   username=\"alice\" password=\"s3=cr;et\";\n",
        );
        assert_eq!(props["security.protocol"], "SASL_SSL");
        assert_eq!(props["sasl.mechanism"], "SCRAM-SHA-512");
        let config = client_config_from_properties(&props, "c.properties").unwrap();
        let (mechanism, credentials) = config.sasl.unwrap();
        assert_eq!(mechanism, SaslMechanism::ScramSha512);
        assert_eq!(credentials.username, "alice");
        assert_eq!(credentials.password, "s3=cr;et");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let props = parse_properties(
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.username=bob\nsasl.password=hunter2\n",
        );
        let config = client_config_from_properties(&props, "c").unwrap();
        let shown = format!("{config:?}");
        assert!(shown.contains("bob"));
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn errors_name_the_file_and_property() {
        let props = parse_properties("security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI\n");
        let error = client_config_from_properties(&props, "admin.properties").unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with("admin.properties: sasl.mechanism"),
            "{text}"
        );
        let props = parse_properties("security.protocol=SSL\nssl.truststore.location=/x.jks\n");
        let text = client_config_from_properties(&props, "a")
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("ssl.truststore.type") && text.contains("PEM"),
            "{text}"
        );
    }

    #[test]
    fn plaintext_is_the_default() {
        let config = client_config_from_properties(&BTreeMap::new(), "x").unwrap();
        assert_eq!(config.security_protocol, SecurityProtocol::Plaintext);
        assert!(config.sasl.is_none());
    }
}
