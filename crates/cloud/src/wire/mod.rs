//! The JSON both ends of `/api/v1` share: the server writes these types and the
//! console reads them (and the other way round), so the two cannot drift apart.

pub mod operations;
