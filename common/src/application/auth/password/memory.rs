//! argon2 working memory, allocated once per permit and reused by every hash.
//! A fresh ~19 MiB block array per hash has to be faulted in each time, and
//! the allocator keeps freed ones in the per-thread arenas of the blocking
//! pool's threads, so resident memory grew with every thread that hashed.

use std::sync::{Arc, Mutex, PoisonError};

use argon2::Block;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{AppError, AppResult};

pub struct MemoryPool {
    permits: Arc<Semaphore>,
    free: Mutex<Vec<Box<[Block]>>>,
}

/// One buffer, held with its permit; both go back to the pool on drop.
pub struct Lease {
    pool: Arc<MemoryPool>,
    buffer: Box<[Block]>,
    _permit: OwnedSemaphorePermit,
}

impl MemoryPool {
    /// `size` buffers of `blocks` blocks each. Their pages are faulted in
    /// once, by their first hash at the latest, and then stay.
    pub fn new(size: usize, blocks: usize) -> Arc<Self> {
        let free = (0..size)
            .map(|_| vec![Block::new(); blocks].into_boxed_slice())
            .collect();
        Arc::new(Self {
            permits: Arc::new(Semaphore::new(size)),
            free: Mutex::new(free),
        })
    }

    /// Waits for a free buffer.
    pub async fn lease(self: &Arc<Self>) -> AppResult<Lease> {
        let permit = self.permits.clone().acquire_owned().await.map_err(AppError::internal)?;
        self.take(permit)
    }

    /// A free buffer now, or `None` when every one is leased.
    pub fn try_lease(self: &Arc<Self>) -> Option<AppResult<Lease>> {
        let permit = self.permits.clone().try_acquire_owned().ok()?;
        Some(self.take(permit))
    }

    /// Buffers not leased at the moment.
    #[cfg(test)]
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    fn take(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> AppResult<Lease> {
        let buffer = self
            .free_buffers()
            .pop()
            .ok_or_else(|| AppError::internal(std::io::Error::other("a hash permit without a free memory buffer")))?;
        Ok(Lease {
            pool: self.clone(),
            buffer,
            _permit: permit,
        })
    }

    fn free_buffers(&self) -> std::sync::MutexGuard<'_, Vec<Box<[Block]>>> {
        // Nothing panics while the lock is held; a poisoned list is still whole.
        self.free.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Lease {
    pub fn blocks(&mut self) -> &mut [Block] {
        &mut self.buffer
    }
}

impl Drop for Lease {
    // Runs before the permit field is dropped: the buffer is back in the
    // list before another task can be granted the permit.
    fn drop(&mut self) {
        let buffer = std::mem::take(&mut self.buffer);
        self.pool.free_buffers().push(buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_returned_buffer_is_the_one_the_next_lease_gets() {
        let pool = MemoryPool::new(1, 8);
        let mut first = pool.lease().await.unwrap();
        let address = first.blocks().as_ptr();
        assert_eq!(first.blocks().len(), 8);
        drop(first);
        let mut second = pool.lease().await.unwrap();
        assert_eq!(second.blocks().as_ptr(), address);
    }

    #[tokio::test]
    async fn no_more_leases_than_buffers_until_one_is_returned() {
        let pool = MemoryPool::new(2, 8);
        let first = pool.lease().await.unwrap();
        let _second = pool.lease().await.unwrap();
        assert!(pool.try_lease().is_none());
        assert_eq!(pool.available(), 0);
        drop(first);
        assert!(pool.try_lease().is_some_and(|lease| lease.is_ok()));
        assert_eq!(pool.available(), 1);
    }
}
