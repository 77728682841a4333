pub mod auth;
pub mod dispatch;
pub mod error;
pub mod paging;
pub mod request;
pub mod response;
pub mod route;
