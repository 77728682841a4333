//! Login, logout, access tokens, their revocation, and throttling of
//! failed logins.

mod login;
mod logout;
pub mod password;
pub mod revocation;
pub mod throttle;
pub mod token;

pub use login::{LoginInput, LoginOutput, login};
pub use logout::logout;
pub use revocation::authenticate;
