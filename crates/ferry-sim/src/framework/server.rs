//! Serving a simulator on a TCP socket.
//!
//! Contract: [`SimServer::bind`] binds before anything is served, so the returned address
//! (port 0 → a free port) is usable as soon as `serve` returns. [`SimHandle::shutdown`] cancels
//! the simulator's shutdown token (cutting held requests short), stops accepting, waits for
//! in-flight requests and reports a server failure. Dropping a handle also stops the server.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::error::SimError;
use crate::framework::simulator::Simulator;

/// A bound, not yet serving, listener.
#[derive(Debug)]
pub struct SimServer {
    listener: TcpListener,
    local_addr: SocketAddr,
}

impl SimServer {
    /// Binds `addr`; use `127.0.0.1:0` in tests.
    pub async fn bind(addr: SocketAddr) -> Result<Self, SimError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        Ok(Self {
            listener,
            local_addr,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Starts serving `simulator` on a background task.
    pub fn serve(self, simulator: Simulator) -> SimHandle {
        let token = simulator.core().shutdown_token().clone();
        let router = simulator.router();
        let task = tokio::spawn(async move {
            axum::serve(self.listener, router)
                .with_graceful_shutdown(token.cancelled_owned())
                .await
        });
        tracing::info!(platform = simulator.platform(), addr = %self.local_addr, "simulator listening");
        SimHandle {
            simulator,
            local_addr: self.local_addr,
            task: Some(task),
        }
    }
}

/// A running simulator: its address, its in-process controls, and its shutdown.
#[derive(Debug)]
pub struct SimHandle {
    simulator: Simulator,
    local_addr: SocketAddr,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl SimHandle {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://<addr>`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// The served simulator (stats, faults, clock, ground truth in-process).
    pub fn simulator(&self) -> &Simulator {
        &self.simulator
    }

    /// Stops the server and waits for in-flight requests; held requests end at once.
    pub async fn shutdown(mut self) -> Result<(), SimError> {
        self.simulator.core().shutdown_token().cancel();
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        let addr = self.local_addr;
        match task.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(SimError::Serve {
                addr,
                message: error.to_string(),
            }),
            Err(error) => Err(SimError::Serve {
                addr,
                message: error.to_string(),
            }),
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.simulator.core().shutdown_token().cancel();
    }
}
