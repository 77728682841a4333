//! Encryption of cloud tenant secrets at rest (AES-256-GCM, key from the
//! environment, a fresh 96-bit nonce per secret).

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};

use crate::error::{AppError, AppResult};

pub struct EncryptedSecret {
    pub ciphertext: Vec<u8>,
    pub nonce: Vec<u8>,
    pub key_id: String,
}

#[derive(Clone)]
pub struct CredentialCipher {
    cipher: Aes256Gcm,
    key_id: String,
}

impl std::fmt::Debug for CredentialCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialCipher")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl CredentialCipher {
    pub fn new(key: &[u8; 32], key_id: impl Into<String>) -> Self {
        Self {
            cipher: Aes256Gcm::new(&Key::<Aes256Gcm>::from(*key)),
            key_id: key_id.into(),
        }
    }

    pub fn encrypt(&self, plaintext: &str) -> AppResult<EncryptedSecret> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .map_err(|_| AppError::internal(std::io::Error::other("credential encryption failed")))?;
        Ok(EncryptedSecret {
            ciphertext,
            nonce: nonce.to_vec(),
            key_id: self.key_id.clone(),
        })
    }

    pub fn decrypt(&self, secret: &EncryptedSecret) -> AppResult<String> {
        let nonce: [u8; 12] = match secret.nonce.as_slice().try_into() {
            Ok(n) if secret.key_id == self.key_id => n,
            _ => {
                return Err(AppError::internal(std::io::Error::other(
                    "credential was encrypted with another key",
                )));
            }
        };
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), secret.ciphertext.as_ref())
            .map_err(|_| AppError::internal(std::io::Error::other("credential decryption failed")))?;
        String::from_utf8(plain).map_err(AppError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_round_trips_and_is_not_stored_in_clear() {
        let cipher = CredentialCipher::new(&[7u8; 32], "k1");
        let sealed = cipher.encrypt("tenant-password").unwrap();
        assert!(!sealed.ciphertext.windows(6).any(|w| w == b"tenant"));
        assert_eq!(cipher.decrypt(&sealed).unwrap(), "tenant-password");
    }

    #[test]
    fn another_key_cannot_open_it() {
        let sealed = CredentialCipher::new(&[7u8; 32], "k1").encrypt("x").unwrap();
        assert!(CredentialCipher::new(&[8u8; 32], "k1").decrypt(&sealed).is_err());
    }
}
