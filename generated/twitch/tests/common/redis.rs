//! A real `redis-server` for the Redis limiter's tests: started on 127.0.0.1 and a free port,
//! killed when dropped. Without the binary the tests are skipped, except under CI (where
//! `.ci/run` installs it), where that is a failure.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct RedisServer {
    child: Child,
    pub port: u16,
}

impl RedisServer {
    /// Starts one, or returns `None` (test skipped) when `redis-server` is not installed.
    pub fn start() -> Option<RedisServer> {
        if Command::new("redis-server").arg("--version").stdout(Stdio::null()).status().is_err() {
            assert!(std::env::var_os("CI").is_none(), "redis-server is required under CI (.ci/run installs it)");
            eprintln!("skipped: redis-server is not installed (apt-get install redis-server)");
            return None;
        }
        // A free port: bind, read, release (the server binds it right after).
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server starts");
            let mut server = RedisServer { child, port };
            // Ready when it accepts connections (bounded: 400 tries, 10 ms apart).
            for _ in 0..400 {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(server);
                }
                if server.child.try_wait().ok().flatten().is_some() {
                    break; // exited: the port was taken in between; try another
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = server.child.kill();
        }
        panic!("redis-server did not start");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops the server now (for outage tests).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
