//! The Mixer chat servers and Constellation, driven over the wire by a raw tokio-tungstenite
//! client: the REST route hands out the endpoints and authkeys, the sockets answer as the
//! reference's sections B and C document, REST writes cause live events, and the test hooks
//! drop, close, corrupt and emit. No sleeps: every wait is for a frame, with a generous
//! timeout only as a hang guard.

mod chat;
mod constellation;
mod support;
