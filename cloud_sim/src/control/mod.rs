//! The test control surface (`/_sim/...`): faults, transitions, counters, clock, tenants, out-of-band changes.
mod counters;
mod fleet;
mod out_of_band;

pub use counters::Counters;
pub use fleet::{FleetServer, SeededServer};
pub use out_of_band::{OutOfBand, ResourceKind};

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::faults::FaultRule;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, str_field};
use crate::http::response::Resp;
use crate::http::route::nhn_cloud_key;
use crate::nhn::store::NhnTenantSpec;
use crate::server::{Shared, lock};
use crate::state::State;

fn resolve_cloud(st: &State, name: &str) -> Option<String> {
    if st.clouds.contains_key(name) {
        return Some(name.to_string());
    }
    let key = nhn_cloud_key(name.trim_start_matches("nhn-"));
    st.clouds.contains_key(&key).then_some(key)
}

fn bad(msg: &str) -> ApiError {
    ApiError::bad_request(msg)
}

pub fn handle(shared: &Arc<Shared>, req: &Req) -> ApiResult<Resp> {
    let segs: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    let body = || -> ApiResult<Value> { if req.body.is_empty() { Ok(json!({})) } else { req.json() } };
    match (req.method.as_str(), segs.as_slice()) {
        ("GET", ["health"]) => Ok(Resp::ok(json!({"status": "ok"}))),
        ("GET", ["info"]) => {
            let st = lock(&shared.state);
            let base = &st.base_url;
            Ok(Resp::ok(json!({
                "base_url": base,
                "keystone_url": format!("{base}/identity/v3"),
                "nhn_identity_url": format!("{base}/nhn/identity"),
                "region": st.config.region,
                "nhn_regions": st.config.nhn_regions,
                "service_credentials": {
                    "username": st.config.service_user, "password": st.config.service_password,
                    "user_domain": "Default", "project": st.config.service_project, "project_domain": "Default",
                    "user_id": st.keystone.service_user_id, "project_id": st.keystone.service_project_id
                },
                "clouds": st.clouds.keys().collect::<Vec<_>>(),
                "seed": st.config.seed,
                "transition_delay_ms": st.config.transition_delay.as_millis() as u64
            })))
        }
        ("GET", ["faults"]) => Ok(Resp::ok(
            json!({"faults": lock(&shared.faults).rules(), "transitions": transitions_view(&lock(&shared.state))}),
        )),
        ("POST", ["faults"]) => {
            let rule: FaultRule =
                serde_json::from_value(body()?).map_err(|e| bad(&format!("invalid fault rule: {e}")))?;
            let id = lock(&shared.faults).add(rule);
            Ok(Resp::json(201, json!({"id": id})))
        }
        ("DELETE", ["faults"]) => {
            lock(&shared.faults).clear();
            lock(&shared.state).transition_faults = Default::default();
            Ok(Resp::empty(204))
        }
        ("DELETE", ["faults", id]) => {
            let id: u64 = id.parse().map_err(|_| bad("fault id must be a number"))?;
            if lock(&shared.faults).remove(id) {
                Ok(Resp::empty(204))
            } else {
                Err(ApiError::not_found("NotFound", "no such fault"))
            }
        }
        ("GET", ["transitions"]) => Ok(Resp::ok(transitions_view(&lock(&shared.state)))),
        ("POST", ["transitions"]) => {
            let b = body()?;
            let mut st = lock(&shared.state);
            if let Some(list) = b.get("stuck").and_then(Value::as_array) {
                for k in list.iter().filter_map(Value::as_str) {
                    st.transition_faults.stuck.insert(k.to_string());
                }
            }
            if let Some(list) = b.get("unstuck").and_then(Value::as_array) {
                for k in list.iter().filter_map(Value::as_str) {
                    st.transition_faults.stuck.remove(k);
                }
            }
            if let Some(map) = b.get("fail").and_then(Value::as_object) {
                for (k, v) in map {
                    st.transition_faults
                        .fail
                        .insert(k.clone(), v.as_u64().unwrap_or(1) as u32);
                }
            }
            Ok(Resp::ok(transitions_view(&st)))
        }
        ("DELETE", ["transitions"]) => {
            lock(&shared.state).transition_faults = Default::default();
            Ok(Resp::empty(204))
        }
        ("GET", ["counters"]) => {
            let c = Counters::snapshot(&lock(&shared.state));
            let mut totals: BTreeMap<String, u64> = BTreeMap::new();
            for m in c.by_cloud.values() {
                for (k, v) in m {
                    *totals.entry(k.clone()).or_insert(0) += v;
                }
            }
            Ok(Resp::ok(json!({"totals": totals, "by_cloud": c.by_cloud})))
        }
        ("DELETE", ["counters"]) => {
            Counters::reset(&mut lock(&shared.state));
            Ok(Resp::empty(204))
        }
        ("GET", ["clock"]) => {
            let st = lock(&shared.state);
            Ok(Resp::ok(
                json!({"now": crate::time_fmt::micros_z(&st.now()), "offset_seconds": st.clock_offset.num_seconds()}),
            ))
        }
        ("POST", ["clock", "advance"]) => {
            let b = body()?;
            let secs = b
                .get("seconds")
                .and_then(Value::as_f64)
                .ok_or_else(|| bad("'seconds' is required"))?;
            let mut st = lock(&shared.state);
            let secs = if secs.is_finite() {
                secs.clamp(0.0, MAX_CLOCK_STEP_SECS)
            } else {
                0.0
            };
            st.clock_offset += chrono::Duration::milliseconds((secs * 1000.0) as i64);
            st.advance_all();
            Ok(Resp::ok(json!({"now": crate::time_fmt::micros_z(&st.now())})))
        }
        ("GET", ["nhn", "tenants"]) => {
            let st = lock(&shared.state);
            let tenants: Vec<_> = st.nhn.tenants.values().cloned().collect();
            Ok(Resp::ok(json!({"tenants": tenants})))
        }
        ("POST", ["nhn", "tenants"]) => {
            let spec: NhnTenantSpec =
                serde_json::from_value(body()?).map_err(|e| bad(&format!("invalid tenant: {e}")))?;
            let tenant = lock(&shared.state).register_nhn_tenant(spec);
            Ok(Resp::json(201, json!({"tenant": tenant})))
        }
        ("POST", ["nhn", "tenants", id, "revoke-tokens"]) => {
            lock(&shared.state).nhn.revoke_tenant(id);
            Ok(Resp::empty(204))
        }
        ("POST", ["identity", "users", id, "revoke-tokens"]) => {
            lock(&shared.state).keystone.revoke_user(id);
            Ok(Resp::empty(204))
        }
        ("GET", ["global-request-ids"]) => {
            let st = lock(&shared.state);
            Ok(Resp::ok(json!({"global_request_ids": st.global_request_ids})))
        }
        ("GET", ["quotas"]) => Ok(Resp::ok(json!({"quotas": lock(&shared.state).config.quotas}))),
        ("POST", ["quotas"]) => {
            let mut st = lock(&shared.state);
            let mut merged = serde_json::to_value(&st.config.quotas).map_err(|e| bad(&e.to_string()))?;
            if let (Value::Object(m), Value::Object(changes)) = (&mut merged, body()?) {
                m.extend(changes);
            }
            let quotas: crate::config::Quotas =
                serde_json::from_value(merged).map_err(|e| bad(&format!("invalid quotas: {e}")))?;
            st.config.quotas = quotas.clone();
            for c in st.clouds.values_mut() {
                c.quotas = quotas.clone();
            }
            Ok(Resp::ok(json!({"quotas": quotas})))
        }
        ("POST", ["paging"]) => {
            let b = body()?;
            let mut st = lock(&shared.state);
            if let Some(n) = b.get("max_limit").and_then(Value::as_u64) {
                st.config.max_limit = n.max(1) as usize;
            }
            if b.get("neutron_max_limit").is_some() {
                st.config.neutron_max_limit = b
                    .get("neutron_max_limit")
                    .and_then(Value::as_u64)
                    .map(|n| n.max(1) as usize);
            }
            let (max, neutron) = (st.config.max_limit, st.config.neutron_max_limit);
            for c in st.clouds.values_mut() {
                c.max_limit = max;
                c.neutron_max_limit = neutron;
            }
            Ok(Resp::ok(json!({"max_limit": max, "neutron_max_limit": neutron})))
        }
        ("GET", ["clouds"]) => Ok(Resp::ok(
            json!({"clouds": lock(&shared.state).clouds.keys().collect::<Vec<_>>()}),
        )),
        (m, ["clouds", cloud, kind, rest @ ..]) => {
            let kind = ResourceKind::from_path(kind).ok_or_else(|| bad("unknown resource kind"))?;
            let key = resolve_cloud(&lock(&shared.state), cloud)
                .ok_or_else(|| ApiError::not_found("NotFound", "unknown cloud"))?;
            let oob = OutOfBand::new(shared.clone(), &key);
            match (m, rest) {
                ("GET", []) => Ok(Resp::ok(json!({"ids": oob.ids(kind)}))),
                ("POST", []) => {
                    let b = body()?;
                    let project = str_field(&b, "project_id").ok_or_else(|| bad("'project_id' is required"))?;
                    let id = oob.create(kind, project, &b).map_err(|e| bad(&e))?;
                    Ok(Resp::json(201, json!({"id": id})))
                }
                ("PATCH", [id]) => {
                    oob.modify(kind, id, &body()?)
                        .map_err(|e| ApiError::not_found("NotFound", &e))?;
                    Ok(Resp::empty(204))
                }
                ("DELETE", [id]) => {
                    if oob.delete(kind, id) {
                        Ok(Resp::empty(204))
                    } else {
                        Err(ApiError::not_found("NotFound", "no such resource"))
                    }
                }
                _ => Err(ApiError::route_not_found()),
            }
        }
        _ => Err(ApiError::route_not_found()),
    }
}

/// Ten years: far enough for any expiry, near enough that timestamps stay representable.
pub const MAX_CLOCK_STEP_SECS: f64 = 315_360_000.0;

fn transitions_view(st: &State) -> Value {
    json!({"stuck": st.transition_faults.stuck, "fail": st.transition_faults.fail})
}
