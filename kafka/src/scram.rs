//! The client side of SCRAM (RFC 5802) with SHA-256 and SHA-512, as Kafka's SCRAM-SHA-256/512
//! SASL mechanisms use it. Checked against the RFC 7677 test vector.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::digest::core_api::BlockSizeUser;
use hmac::digest::Digest;
use hmac::{Mac, SimpleHmac};

/// Which hash the exchange uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScramHash {
    /// SCRAM-SHA-256.
    Sha256,
    /// SCRAM-SHA-512.
    Sha512,
}

/// One client's SCRAM exchange, from the first message to checking the server's signature.
pub struct ScramClient {
    hash: ScramHash,
    username: String,
    password: String,
    client_nonce: String,
    client_first_bare: String,
    server_signature: Option<Vec<u8>>,
}

impl std::fmt::Debug for ScramClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramClient")
            .field("hash", &self.hash)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl ScramClient {
    /// Starts an exchange with a fresh random nonce.
    pub fn new(hash: ScramHash, username: &str, password: &str) -> Result<Self, String> {
        let mut raw = [0u8; 24];
        getrandom::fill(&mut raw).map_err(|e| format!("no randomness for the SCRAM nonce: {e}"))?;
        Ok(Self::with_nonce(
            hash,
            username,
            password,
            &STANDARD.encode(raw),
        ))
    }

    /// Starts an exchange with a given nonce (tests use the RFC's).
    pub fn with_nonce(hash: ScramHash, username: &str, password: &str, nonce: &str) -> Self {
        let name = username.replace('=', "=3D").replace(',', "=2C");
        ScramClient {
            hash,
            username: username.to_string(),
            password: password.to_string(),
            client_nonce: nonce.to_string(),
            client_first_bare: format!("n={name},r={nonce}"),
            server_signature: None,
        }
    }

    /// The client-first message.
    pub fn client_first(&self) -> String {
        format!("n,,{}", self.client_first_bare)
    }

    /// Answers the server-first message with the client-final message (carrying the proof).
    pub fn client_final(&mut self, server_first: &str) -> Result<String, String> {
        let mut nonce = None;
        let mut salt = None;
        let mut iterations = None;
        for attribute in server_first.split(',') {
            if let Some(v) = attribute.strip_prefix("r=") {
                nonce = Some(v);
            } else if let Some(v) = attribute.strip_prefix("s=") {
                salt = Some(
                    STANDARD
                        .decode(v)
                        .map_err(|e| format!("bad SCRAM salt: {e}"))?,
                );
            } else if let Some(v) = attribute.strip_prefix("i=") {
                iterations = Some(
                    v.parse::<u32>()
                        .map_err(|e| format!("bad SCRAM iteration count: {e}"))?,
                );
            } else if let Some(v) = attribute.strip_prefix("e=") {
                return Err(format!("server refused: {v}"));
            }
        }
        let (Some(nonce), Some(salt), Some(iterations)) = (nonce, salt, iterations) else {
            return Err(format!("malformed server-first message {server_first:?}"));
        };
        if !nonce.starts_with(&self.client_nonce) {
            return Err("server nonce does not extend the client nonce".into());
        }
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{server_first},{without_proof}", self.client_first_bare);
        let (proof, server_signature) = match self.hash {
            ScramHash::Sha256 => {
                proofs::<sha2::Sha256>(&self.password, &salt, iterations, &auth_message)
            }
            ScramHash::Sha512 => {
                proofs::<sha2::Sha512>(&self.password, &salt, iterations, &auth_message)
            }
        };
        self.server_signature = Some(server_signature);
        Ok(format!("{without_proof},p={}", STANDARD.encode(proof)))
    }

    /// Checks the server-final message: the server proved it knows the password.
    pub fn verify_server_final(&self, server_final: &str) -> Result<(), String> {
        if let Some(error) = server_final.strip_prefix("e=") {
            return Err(format!("server refused: {error}"));
        }
        let signature = server_final
            .strip_prefix("v=")
            .ok_or_else(|| format!("malformed server-final message {server_final:?}"))?;
        let signature = STANDARD
            .decode(signature)
            .map_err(|e| format!("bad server signature: {e}"))?;
        match &self.server_signature {
            Some(expected) if *expected == signature => Ok(()),
            _ => Err("the server's SCRAM signature is wrong".into()),
        }
    }
}

fn hmac<D: Digest + BlockSizeUser + Clone>(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac =
        <SimpleHmac<D> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn proofs<D: Digest + BlockSizeUser + Clone + Sync>(
    password: &str,
    salt: &[u8],
    iterations: u32,
    auth_message: &str,
) -> (Vec<u8>, Vec<u8>) {
    let mut salted = vec![0u8; <D as Digest>::output_size()];
    pbkdf2::pbkdf2::<SimpleHmac<D>>(password.as_bytes(), salt, iterations, &mut salted)
        .expect("HMAC takes keys of any length");
    let client_key = hmac::<D>(&salted, b"Client Key");
    let stored_key = D::digest(&client_key).to_vec();
    let client_signature = hmac::<D>(&stored_key, auth_message.as_bytes());
    let proof = client_key
        .iter()
        .zip(&client_signature)
        .map(|(a, b)| a ^ b)
        .collect();
    let server_key = hmac::<D>(&salted, b"Server Key");
    (proof, hmac::<D>(&server_key, auth_message.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677, section 3.
    #[test]
    fn rfc7677_sha256_vector() {
        let mut client =
            ScramClient::with_nonce(ScramHash::Sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        assert_eq!(client.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let final_message = client
            .client_final("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
            .unwrap();
        assert_eq!(
            final_message,
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        client
            .verify_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .unwrap();
        assert!(client
            .verify_server_final("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .is_err());
    }

    #[test]
    fn rejects_a_nonce_the_client_did_not_start() {
        let mut client = ScramClient::with_nonce(ScramHash::Sha512, "u", "p", "abc");
        assert!(client.client_final("r=xyz,s=AAAA,i=4096").is_err());
    }
}
