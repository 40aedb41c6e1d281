//! The server's accept loop, used instead of `axum::serve` so that slow or idle clients
//! cannot hold connections open: a deadline for each request head, one for an idle
//! keep-alive connection, a cap on open connections, and graceful shutdown. The deadline
//! for a request body is kept where bodies are read (`api::guarded_body`, 408).
//!
//! hyper's own `header_read_timeout` is not used: its clock starts as soon as a
//! connection waits for its next request, so it would also cut idle keep-alive
//! connections at the head deadline. Here, as with Go's `ReadHeaderTimeout` and
//! `IdleTimeout`, a new connection has `header_read_timeout` to send its first head, an
//! answered one `keep_alive_idle` to start the next, and that head then has
//! `header_read_timeout` from its first byte.
//!
//! At the cap, a new connection is still accepted, and the connection that has waited
//! longest for a request (idle, or still sending its head) is closed to make room: such
//! a connection is doing nothing for anyone, so a flood of them cannot keep `/healthz`
//! or a real user out. Refusing newcomers instead would let the flood win, and only
//! stopping to accept would queue them behind it. When every connection is in the middle
//! of a request, the newcomer waits for one to finish, which the deadlines bound.

use crate::config::Limits;
use axum::Router;
use axum::extract::ConnectInfo;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// How long in-flight requests may still run after the shutdown signal: enough for an
/// upstream call at the default `upstream_timeout_secs`, well inside systemd's 90 s.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(35);

/// While the server is full and no connection could be closed, how often to look again
/// for one that has turned idle.
const RECHECK_WHEN_FULL: Duration = Duration::from_millis(100);

/// The connection limits [`serve`] enforces, from `[limits]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub header_read_timeout: Duration,
    pub keep_alive_idle: Duration,
    pub max_connections: usize,
    /// After the shutdown signal: how long in-flight requests may still take.
    pub shutdown_grace: Duration,
}

impl Settings {
    pub fn new(limits: &Limits) -> Settings {
        Settings {
            header_read_timeout: limits.header_read_timeout,
            keep_alive_idle: limits.keep_alive_idle,
            // A semaphore cannot hold more; no server has that many sockets anyway.
            max_connections: limits.max_connections.clamp(1, Semaphore::MAX_PERMITS),
            shutdown_grace: SHUTDOWN_GRACE,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting and
/// gives in-flight requests `settings.shutdown_grace` to finish. Handlers see the
/// client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: Settings,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(settings.max_connections));
    let open = Arc::new(Open::default());
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    // The deadlines are [`Watched`]'s (see the module comment).
    http.header_read_timeout(None);
    tokio::pin!(shutdown);
    let mut next_id = 0u64;
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
        };
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => match make_room(&slots, &open, shutdown.as_mut()).await {
                Some(slot) => slot,
                None => break,
            },
        };
        next_id = next_id.wrapping_add(1);
        let clock = Arc::new(Clock::new(&settings));
        let registered = open.insert(next_id, clock.clone());
        let io = TokioIo::new(Watched::new(stream, clock.clone()));
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            let busy = clock.request_started();
            req.extensions_mut().insert(ConnectInfo(peer));
            let answer = router.clone().oneshot(req);
            async move {
                let res = answer.await?;
                // The request counts as in progress until hyper has taken the whole
                // answer, which is when it drops the body and this closure with it.
                Ok::<_, Infallible>(res.map(|body| {
                    body.map_frame(move |frame| {
                        let _in_progress = &busy;
                        frame
                    })
                }))
            }
        });
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection closed");
            }
            drop((registered, slot));
        });
    }
    // Closing the socket now refuses newcomers at once instead of queueing them.
    drop(listener);
    if tokio::time::timeout(settings.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_secs = settings.shutdown_grace.as_secs(),
            "requests still running at the end of the shutdown grace period were cut off"
        );
    }
}

/// The server is full: close the connection waiting longest for a request and take its
/// slot. With every connection busy, wait for a slot, looking again now and then for a
/// connection that has turned idle. `None` when `shutdown` completes first.
async fn make_room(
    slots: &Arc<Semaphore>,
    open: &Open,
    mut shutdown: Pin<&mut impl Future<Output = ()>>,
) -> Option<OwnedSemaphorePermit> {
    loop {
        if open.close_longest_waiting() {
            tracing::debug!("connection limit reached: closed the one waiting longest");
        }
        tokio::select! {
            slot = slots.clone().acquire_owned() => return slot.ok(),
            () = shutdown.as_mut() => return None,
            () = tokio::time::sleep(RECHECK_WHEN_FULL) => {}
        }
    }
}

async fn accept_failed(e: io::Error) {
    // A client that gave up before it was accepted: nothing to do.
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    // Most likely out of file descriptors: wait for some to close rather than spin.
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded data stays consistent even if a holder panicked: every update is one step.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `now + d`, or far away for a deadline too long to represent.
fn deadline_after(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

/// The open connections, so that a full server can find one to close.
#[derive(Default)]
struct Open {
    connections: Mutex<HashMap<u64, Arc<Clock>>>,
}

impl Open {
    fn insert(self: &Arc<Self>, id: u64, clock: Arc<Clock>) -> Registered {
        lock(&self.connections).insert(id, clock);
        Registered {
            open: self.clone(),
            id,
        }
    }

    /// Closes the connection waiting longest for a request, if any is waiting.
    fn close_longest_waiting(&self) -> bool {
        let connections = lock(&self.connections);
        let longest = connections
            .values()
            .filter_map(|c| c.waiting_since().map(|since| (since, c)))
            .min_by_key(|(since, _)| *since);
        longest.is_some_and(|(since, clock)| clock.close_if_waiting_since(since))
    }
}

/// Removes its connection from [`Open`] when the connection ends.
struct Registered {
    open: Arc<Open>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock(&self.open.connections).remove(&self.id);
    }
}

/// What one connection is waiting for and until when; shared by its socket ([`Watched`])
/// and its requests.
struct Clock {
    header_read_timeout: Duration,
    keep_alive_idle: Duration,
    state: Mutex<ClockState>,
}

struct ClockState {
    /// Requests received and not yet fully answered.
    busy: usize,
    /// While no request is in progress: the wait for the next one.
    wait: Option<Wait>,
    /// Closed to make room for a new connection.
    closed: bool,
    /// The connection's task, to wake when it is closed or its deadline changes.
    waker: Option<Waker>,
}

#[derive(Debug, Clone, Copy)]
struct Wait {
    since: Instant,
    until: Instant,
    /// Bytes of the next request head have arrived (always true for a new connection,
    /// whose first head has `header_read_timeout` from the start).
    head_started: bool,
}

impl Clock {
    fn new(settings: &Settings) -> Clock {
        Clock {
            header_read_timeout: settings.header_read_timeout,
            keep_alive_idle: settings.keep_alive_idle,
            state: Mutex::new(ClockState {
                busy: 0,
                wait: Some(Wait {
                    since: Instant::now(),
                    until: deadline_after(settings.header_read_timeout),
                    head_started: true,
                }),
                closed: false,
                waker: None,
            }),
        }
    }

    /// The first byte of a request after an idle wait starts the head deadline.
    fn bytes_arrived(&self) {
        let mut s = lock(&self.state);
        if let Some(wait) = &mut s.wait
            && !wait.head_started
        {
            wait.head_started = true;
            wait.until = deadline_after(self.header_read_timeout);
        }
    }

    /// A whole request head arrived: no deadline of this clock runs until it is answered.
    fn request_started(self: &Arc<Self>) -> InProgress {
        let mut s = lock(&self.state);
        s.busy += 1;
        s.wait = None;
        InProgress(self.clone())
    }

    /// When the connection started waiting for a request, if it is waiting.
    fn waiting_since(&self) -> Option<Instant> {
        let s = lock(&self.state);
        s.wait.filter(|_| !s.closed).map(|w| w.since)
    }

    /// Closes the connection unless a request began since it was chosen: that one is no
    /// longer doing nothing.
    fn close_if_waiting_since(&self, since: Instant) -> bool {
        let mut s = lock(&self.state);
        if s.wait.map(|w| w.since) != Some(since) {
            return false;
        }
        s.closed = true;
        if let Some(waker) = s.waker.take() {
            waker.wake();
        }
        true
    }
}

/// A request being handled or answered; when the last one is done, the connection
/// starts its keep-alive wait.
struct InProgress(Arc<Clock>);

impl Drop for InProgress {
    fn drop(&mut self) {
        let mut s = lock(&self.0.state);
        s.busy = s.busy.saturating_sub(1);
        if s.busy == 0 {
            s.wait = Some(Wait {
                since: Instant::now(),
                until: deadline_after(self.0.keep_alive_idle),
                head_started: false,
            });
            // So the socket arms the new deadline even if hyper was already waiting on it.
            if let Some(waker) = s.waker.take() {
                waker.wake();
            }
        }
    }
}

/// The client's socket, failing reads and writes once its connection has waited past
/// its deadline or was closed to make room; hyper then drops the connection.
struct Watched {
    io: TcpStream,
    clock: Arc<Clock>,
    timer: Pin<Box<Sleep>>,
}

impl Watched {
    fn new(io: TcpStream, clock: Arc<Clock>) -> Watched {
        let first = lock(&clock.state)
            .wait
            .map_or_else(Instant::now, |w| w.until);
        Watched {
            io,
            clock,
            timer: Box::pin(tokio::time::sleep_until(first)),
        }
    }

    /// Called when the socket would block: ready with the error to fail with once the
    /// connection may wait no longer.
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let mut s = lock(&self.clock.state);
        if s.closed {
            return Poll::Ready(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "closed to make room for a new connection",
            ));
        }
        if !s.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            s.waker = Some(cx.waker().clone());
        }
        let Some(wait) = s.wait else {
            // A request is in progress: the body deadline and the handler bound it.
            return Poll::Pending;
        };
        if self.timer.deadline() != wait.until {
            self.timer.as_mut().reset(wait.until);
        }
        if self.timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        let reason = if wait.head_started {
            "the request head did not arrive in time"
        } else {
            "idle keep-alive connection"
        };
        Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, reason))
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Pending => this.poll_expired(cx).map(Err),
            Poll::Ready(Ok(())) if buf.filled().len() > before => {
                this.clock.bytes_arrived();
                Poll::Ready(Ok(()))
            }
            done => done,
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_write(cx, buf) {
            Poll::Pending => this.poll_expired(cx).map(Err),
            done => done,
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_write_vectored(cx, bufs) {
            Poll::Pending => this.poll_expired(cx).map(Err),
            done => done,
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_flush(cx) {
            Poll::Pending => this.poll_expired(cx).map(Err),
            done => done,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
