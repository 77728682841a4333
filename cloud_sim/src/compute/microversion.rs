//! Nova microversion negotiation (`OpenStack-API-Version: compute 2.N` wins over the legacy header).
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::Req;

pub const MAX_MINOR: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Microversion {
    pub minor: u32,
}

impl Microversion {
    /// NHN's `/v2/{tenant}` pipeline ignores version headers and behaves as the base version.
    pub fn legacy() -> Self {
        Microversion { minor: 1 }
    }

    pub fn at_least(self, minor: u32) -> bool {
        self.minor >= minor
    }
}

pub fn parse(req: &Req) -> ApiResult<Microversion> {
    let value = req
        .header("openstack-api-version")
        .and_then(|v| {
            v.split(',')
                .map(str::trim)
                .find_map(|part| part.strip_prefix("compute ").map(str::trim))
        })
        .or_else(|| req.header("x-openstack-nova-api-version").map(str::trim));
    let Some(value) = value else {
        return Ok(Microversion { minor: 1 });
    };
    if value.eq_ignore_ascii_case("latest") {
        return Ok(Microversion { minor: MAX_MINOR });
    }
    let (major, minor) = value
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
        .ok_or_else(|| {
            ApiError::bad_request(&format!(
                "API Version String {value} is of invalid format. Must be of format MajorNum.MinorNum."
            ))
        })?;
    if major != 2 || !(1..=MAX_MINOR).contains(&minor) {
        return Err(ApiError::new(
            406,
            "NotAcceptable",
            &format!("Version {value} is not supported by the API. Minimum is 2.1 and maximum is 2.{MAX_MINOR}."),
        ));
    }
    Ok(Microversion { minor })
}
