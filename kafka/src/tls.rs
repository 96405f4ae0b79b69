//! TLS for broker connections (rustls, with trust and client keys from PEM).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::properties::{ClientConfig, Pem};

/// Builds the rustls client configuration for `config`; errors name the PEM source.
pub fn rustls_config(config: &ClientConfig) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    match &config.trust {
        Some(pem) => {
            for cert in certificates(pem)? {
                roots
                    .add(cert)
                    .map_err(|e| format!("{}: bad CA certificate: {e}", pem_name(pem)))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots);
    let tls = match &config.client_identity {
        Some((chain, key)) => {
            let chain = certificates(chain)?;
            let key = private_key(key)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("ssl.keystore: {e}"))?
        }
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(tls))
}

fn pem_name(pem: &Pem) -> String {
    match pem {
        Pem::File(path) => path.clone(),
        Pem::Inline(_) => "inline PEM".to_string(),
    }
}

fn pem_bytes(pem: &Pem) -> Result<Vec<u8>, String> {
    match pem {
        Pem::File(path) => std::fs::read(path).map_err(|e| format!("{path}: cannot read: {e}")),
        Pem::Inline(text) => Ok(text.as_bytes().to_vec()),
    }
}

fn certificates(pem: &Pem) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = pem_bytes(pem)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: bad PEM certificate: {e}", pem_name(pem)))?;
    if certs.is_empty() {
        return Err(format!("{}: no PEM certificate found", pem_name(pem)));
    }
    Ok(certs)
}

fn private_key(pem: &Pem) -> Result<PrivateKeyDer<'static>, String> {
    let bytes = pem_bytes(pem)?;
    PrivateKeyDer::from_pem_slice(&bytes)
        .map_err(|e| format!("{}: no usable PEM private key: {e}", pem_name(pem)))
}
