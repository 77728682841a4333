//! Operation counters per cloud, so tests can prove "no duplicate creates".
use std::collections::BTreeMap;

use crate::state::State;

/// Operation counters, per cloud (`identity`, `nhn-identity`, `openstack`, `nhn-kr1`, ...).
/// Names: `server.create`, `volume.create`, `port.create`, `floatingip.create`, `token.create`, ...
/// (applied operations). Under `http`: every request received, as `compute POST /servers`,
/// `network DELETE /ports/{id}`, ... whether it succeeded, failed or was faulted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counters {
    pub by_cloud: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Counters {
    pub(crate) fn snapshot(st: &State) -> Self {
        let mut by_cloud = BTreeMap::new();
        by_cloud.insert("identity".to_string(), st.keystone.counters.clone());
        by_cloud.insert("nhn-identity".to_string(), st.nhn.counters.clone());
        by_cloud.insert("http".to_string(), st.requests.clone());
        for (k, c) in &st.clouds {
            by_cloud.insert(k.clone(), c.counters.clone());
        }
        Counters { by_cloud }
    }

    pub(crate) fn reset(st: &mut State) {
        st.keystone.counters.clear();
        st.nhn.counters.clear();
        st.requests.clear();
        for c in st.clouds.values_mut() {
            c.counters.clear();
        }
    }

    /// Sum over every cloud.
    pub fn get(&self, name: &str) -> u64 {
        self.by_cloud.values().filter_map(|m| m.get(name)).sum()
    }

    /// Requests received for `service METHOD /path` (ids as `{id}`), e.g. `"compute POST /servers"`.
    pub fn requests(&self, key: &str) -> u64 {
        self.get_in("http", key)
    }

    pub fn get_in(&self, cloud: &str, name: &str) -> u64 {
        self.by_cloud.get(cloud).and_then(|m| m.get(name)).copied().unwrap_or(0)
    }
}
