//! Operations the server runs (portal mode): a rollback, a reset, a snapshot, a
//! Workspace restore or a batch, driven by the cloud crate's state machines
//! ([`rewind_cloud::operation::Task`]) in a background task per operation, saved to
//! the database before every call and after every answer, and picked up again when the
//! server starts after a crash. Clients watch them by polling or Server-Sent Events.
//!
//! - [`store`]: the two tables (operations, their calls).
//! - [`drive`]: the loop that runs one operation.
//! - [`http`]: the `/api/v1/operations` endpoints.

mod drive;
pub mod http;
pub mod store;

use crate::AppState;
use crate::policy::Identity;
use rewind_cloud::Provider;
use rewind_cloud::i18n::Text;
use rewind_cloud::operation::{RunOptions, Task};
use rewind_cloud::wire::operations::{CallRecord, OpState, OperationView};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::{Store, StoreError};
use tokio::sync::{Notify, broadcast, mpsc, oneshot, watch};

/// One operation with who started it and where.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub user: String,
    pub groups: Vec<String>,
    pub profile: String,
    pub region: String,
    pub provider: Provider,
    pub kind: String,
    pub target: String,
    pub state: OpState,
    pub cancel_requested: bool,
    pub created_ms: u64,
    pub updated_ms: u64,
    pub finished_ms: Option<u64>,
    pub task: Task,
}

impl Record {
    pub fn identity(&self) -> Identity {
        Identity {
            user: self.user.clone(),
            groups: self.groups.clone(),
        }
    }

    pub fn view(&self, calls: Vec<CallRecord>) -> OperationView {
        OperationView {
            id: self.id.clone(),
            user: self.user.clone(),
            profile: self.profile.clone(),
            region: self.region.clone(),
            provider: self.provider,
            kind: self.kind.clone(),
            target: self.target.clone(),
            state: self.state,
            cancel_requested: self.cancel_requested,
            cancellable: self.state == OpState::Running && self.task.cancellable(),
            created_ms: self.created_ms,
            updated_ms: self.updated_ms,
            finished_ms: self.finished_ms,
            task: self.task.clone(),
            calls,
        }
    }
}

/// A message to a running operation's driver.
enum Command {
    Cancel(oneshot::Sender<Result<(), Text>>),
}

/// The driver of an operation, as the executor reaches it.
struct Live {
    commands: mpsc::Sender<Command>,
}

/// Runs operations; one per server.
pub struct Executor {
    pub store: Store,
    /// Every saved change, for the Server-Sent Events streams.
    events: broadcast::Sender<Arc<OperationView>>,
    live: Mutex<HashMap<String, Live>>,
    /// True once shutdown began: drivers start no new calls.
    stopping: watch::Sender<bool>,
    /// Signalled whenever a driver ends (shutdown waits on it).
    ended: Notify,
    pub options: RunOptions,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("running", &self.running())
            .finish()
    }
}

/// Unix milliseconds now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A new operation id: `op` + the time in hex + random hex, so ids sort by creation
/// (list paging uses them) and stay short enough to name snapshots after.
pub fn new_id() -> String {
    let random = uuid::Uuid::new_v4().as_u128() as u32;
    format!("op{:011x}{random:08x}", now_ms())
}

impl Executor {
    pub fn new(store: Store, options: RunOptions) -> Executor {
        Executor {
            store,
            events: broadcast::channel(1024).0,
            live: Mutex::new(HashMap::new()),
            stopping: watch::channel(false).0,
            ended: Notify::new(),
            options,
        }
    }

    /// Operations being driven by this process now.
    pub fn running(&self) -> usize {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<OperationView>> {
        self.events.subscribe()
    }

    fn publish(&self, r: &Record) {
        // No subscribers is fine: nobody is watching.
        let _ = self.events.send(Arc::new(r.view(Vec::new())));
    }

    fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Stores a new operation and starts driving it.
    pub async fn start(state: &Arc<AppState>, record: Record) -> Result<OperationView, StoreError> {
        let exec = &state.executor;
        let store = exec.store.clone();
        let r = record.clone();
        tokio::task::spawn_blocking(move || store.insert(&r))
            .await
            .map_err(|e| StoreError::from_join(&e))??;
        let view = record.view(Vec::new());
        exec.publish(&record);
        Executor::spawn(state, record, 0);
        Ok(view)
    }

    /// Picks up every unfinished operation (at start, after a crash or a restart).
    pub async fn resume_all(state: &Arc<AppState>) -> Result<usize, StoreError> {
        let store = state.executor.store.clone();
        let records = tokio::task::spawn_blocking(move || {
            let records = store.unfinished()?;
            let mut out = Vec::new();
            for r in records {
                let seq = store.last_seq(&r.id)?;
                out.push((r, seq));
            }
            Ok::<_, StoreError>(out)
        })
        .await
        .map_err(|e| StoreError::from_join(&e))??;
        let n = records.len();
        for (mut r, seq) in records {
            // Calls in flight when the process stopped lost their answers: the machine
            // settles a destructive one by its reconcile read, never by sending it again.
            r.task.recover(now_ms());
            tracing::info!(operation = %r.id, kind = %r.kind, "resuming an operation");
            Executor::spawn(state, r, seq);
        }
        Ok(n)
    }

    fn spawn(state: &Arc<AppState>, record: Record, last_seq: u32) {
        let (tx, rx) = mpsc::channel(8);
        state
            .executor
            .live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(record.id.clone(), Live { commands: tx });
        let state = state.clone();
        tokio::spawn(async move {
            let id = record.id.clone();
            drive::run(&state, record, last_seq, rx).await;
            let exec = &state.executor;
            exec.live
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&id);
            exec.ended.notify_waiters();
        });
    }

    /// Asks a running operation to cancel: its answer, or `Err(())` when it is not
    /// being driven by this process.
    pub async fn cancel(&self, id: &str) -> Result<Result<(), Text>, ()> {
        let tx = {
            let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
            match live.get(id) {
                Some(l) => l.commands.clone(),
                None => return Err(()),
            }
        };
        let (reply, answer) = oneshot::channel();
        if tx.send(Command::Cancel(reply)).await.is_err() {
            return Err(());
        }
        answer.await.map_err(|_| ())
    }

    /// No new calls from now on (the event streams end too); see [`shutdown`](Self::shutdown).
    pub fn begin_shutdown(&self) {
        self.stopping.send_replace(true);
    }

    /// Graceful shutdown: no new calls are started, the answers of calls in flight are
    /// awaited (up to `grace`) and every state is saved; unfinished operations resume at
    /// the next start.
    pub async fn shutdown(&self, grace: Duration) {
        self.begin_shutdown();
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let ended = self.ended.notified();
            if self.running() == 0 {
                return;
            }
            if tokio::time::timeout_at(deadline, ended).await.is_err() {
                tracing::warn!(
                    running = self.running(),
                    "shutdown: operations still waiting for answers; they resume at the next start"
                );
                return;
            }
        }
    }
}

impl StoreError {
    fn from_join(e: &tokio::task::JoinError) -> StoreError {
        StoreError::msg(format!("database task failed: {e}"))
    }
}
