//! Token management (filled in below).
