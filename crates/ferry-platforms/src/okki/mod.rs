//! OKKI CRM 小满 (PROTOCOLS.md §2): native REST with client-credentials Bearer tokens.
//!
//! - [`OkkiOrdersSource`]: `GET /v1/invoices/order/list` (platform `okki`), paging with
//!   `start_index` from 1 and `count` up to 500, total in `data.count`;
//! - [`TokenCache`]: tokens per scope from `POST /v1/oauth2/access_token`, cached until shortly
//!   before `expires_in`, refreshed once inside a call when the API says the token is invalid
//!   (the only in-call retry; see [`source`]).
//!
//! OKKI has no request signature: the seed's route and the native route are the same API, and
//! PROTOCOLS.md §2 has no worked signature example to test.

pub(crate) mod page;
pub mod source;
pub mod token;
mod transport;

pub use source::{INVOICES_SCOPE, ORDER_LIST, OkkiOrdersSource, SHAPE, page_query};
pub use token::{DEFAULT_EXPIRES_IN, TOKEN_PATH, TokenCache, usable_for};
