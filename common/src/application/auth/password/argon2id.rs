//! argon2id in memory the caller provides, reading and writing the PHC
//! strings of the `argon2` crate (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`),
//! so hashes made here and by its `PasswordHasher` verify either way.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::password_hash::try_generate_salt;
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::{AppError, AppResult};

/// Memory of a new hash (the crate's defaults, m=19456 KiB): the size of each pooled buffer.
pub const HASH_BLOCKS: usize = Params::DEFAULT.block_count();

/// A PHC string with the default parameters and a fresh random salt;
/// `memory` holds at least [`HASH_BLOCKS`] blocks.
pub fn hash(password: &[u8], memory: &mut [Block]) -> AppResult<String> {
    let argon2 = Argon2::default();
    let salt = try_generate_salt().map_err(hashing_failed)?;
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2
        .hash_password_into_with_memory(password, &salt, &mut output, memory)
        .map_err(hashing_failed)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params()).map_err(hashing_failed)?,
        salt: Some(Salt::new(&salt).map_err(hashing_failed)?),
        hash: Some(Output::new(&output).map_err(hashing_failed)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`, hashed with the
/// algorithm, version and parameters that `stored` names. Its memory is
/// the front of `pooled` when that is large enough, a one-off allocation
/// otherwise. False for anything that does not parse.
pub fn verify(password: &[u8], stored: &str, pooled: &mut [Block]) -> bool {
    let Ok(phc) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
        return false;
    };
    let Some(argon2) = context(&phc) else {
        return false;
    };
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let Some(computed) = buffer.get_mut(..expected.len()) else {
        return false;
    };
    let blocks = argon2.params().block_count();
    let hashed = match pooled.get_mut(..blocks) {
        Some(memory) => argon2.hash_password_into_with_memory(password, salt, computed, memory),
        None => match one_off_memory(blocks) {
            Some(memory) => argon2.hash_password_into_with_memory(password, salt, computed, memory),
            None => return false,
        },
    };
    // `Output`'s `==` compares in constant time.
    hashed.is_ok() && Output::new(computed).is_ok_and(|computed| computed == *expected)
}

fn context(phc: &PasswordHash) -> Option<Argon2<'static>> {
    let algorithm = Algorithm::try_from(phc.algorithm.as_str()).ok()?;
    let version = match phc.version {
        Some(version) => Version::try_from(version).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(phc).ok()?;
    Some(Argon2::new(algorithm, version, params))
}

/// `None` when the allocation fails (a stored hash asking for more memory
/// than the host has), rather than aborting the process.
fn one_off_memory(blocks: usize) -> Option<Vec<Block>> {
    let mut memory = Vec::new();
    memory.try_reserve_exact(blocks).ok()?;
    memory.resize(blocks, Block::new());
    Some(memory)
}

fn hashing_failed(error: impl std::fmt::Display) -> AppError {
    AppError::internal(std::io::Error::other(format!("password hashing failed: {error}")))
}
