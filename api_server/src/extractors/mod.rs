//! What handlers take as arguments: the current user, a JSON body with
//! field-path errors, `If-Match`, the query string, and the handlers of
//! actix's own extractor failures (all 422 with a field path).

mod current_user;
mod error_handlers;
mod fields;
mod if_match;
mod json_body;
mod query;

pub use current_user::{CurrentUser, bearer_token};
pub use error_handlers::{json_config, path_config, query_config};
pub use fields::Fields;
pub use if_match::IfMatch;
pub use json_body::JsonBody;
pub use query::QueryParams;
