//! The key that encrypts cloud credentials stored in the database.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{ConfigError, Env, error};
use crate::application::credentials::CredentialCipher;

/// `CLOUD_CREDENTIAL_KEY` (32 bytes, base64) and its id; `None` when unset.
pub fn credential_cipher_from_env(env: &Env) -> Result<Option<CredentialCipher>, ConfigError> {
    let Some(raw) = env.optional_string("CLOUD_CREDENTIAL_KEY") else {
        return Ok(None);
    };
    let key: [u8; 32] = STANDARD
        .decode(raw.as_bytes())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            error(
                "CLOUD_CREDENTIAL_KEY",
                "must be 32 bytes in base64, e.g. `openssl rand -base64 32`",
            )
        })?;
    Ok(Some(CredentialCipher::new(
        &key,
        env.string("CLOUD_CREDENTIAL_KEY_ID", "k1"),
    )))
}
