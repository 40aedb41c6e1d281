//! Operations run in this tab (relay mode, where only the browser holds the keys): the
//! same [`Task`](rewind_cloud::operation::Task) the server runs in portal mode, driven
//! by a small async loop per operation. Each call goes out through the relay transport
//! with the machine's idempotency key; its outcome is folded into the machine's answer
//! ([`answer`]); the whole state is written to `sessionStorage` before each call and
//! after each answer ([`saved`]), so a reload resumes it: `recover` first, so a call
//! that may have reached the cloud is settled by reading, never sent again.

pub mod answer;
pub mod saved;

use crate::clock::{now_ms, sleep_ms};
use crate::transport::Transport;
use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::future::{Either, select};
use leptos::task::spawn_local;
use rewind_cloud::Text;
use rewind_cloud::operation::{Answer, TaskNext};
use rewind_cloud::wire::operations::OperationView;
use saved::{STORAGE_PREFIX, TabTask, to_forget};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// What the runner tells the page.
pub enum Update {
    /// An operation's state changed.
    View(Box<OperationView>),
    /// It waits for this cloud's keys (a reload forgot them) before its next call.
    WaitingForKeys { id: String, waiting: bool },
}

enum Event {
    Answer {
        item: usize,
        answer: Answer,
    },
    /// Poll again now (a cancel, new keys).
    Wake,
}

struct Driven {
    state: RefCell<TabTask>,
    events: UnboundedSender<Event>,
}

/// Every operation of this tab, and their drivers.
pub struct Runner {
    transport: Transport,
    publish: Box<dyn Fn(Update)>,
    driven: RefCell<BTreeMap<String, Rc<Driven>>>,
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

impl Runner {
    pub fn new(transport: Transport, publish: impl Fn(Update) + 'static) -> Rc<Runner> {
        Rc::new(Runner {
            transport,
            publish: Box::new(publish),
            driven: RefCell::new(BTreeMap::new()),
        })
    }

    /// Starts a new operation.
    pub fn start(self: &Rc<Self>, task: TabTask) {
        self.register(task, true);
    }

    /// Resumes the unfinished operations saved in this tab (after a reload) and lists
    /// the finished ones; forgets the oldest finished and anything unreadable.
    pub fn resume(self: &Rc<Self>) {
        let Some(storage) = session_storage() else {
            return;
        };
        let keys: Vec<String> = (0..storage.length().unwrap_or(0))
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|k| k.starts_with(STORAGE_PREFIX))
            .collect();
        let mut saved = Vec::new();
        for k in keys {
            match storage
                .get_item(&k)
                .ok()
                .flatten()
                .and_then(|json| TabTask::from_storage(&json))
            {
                Some(t) if t.storage_key() == k => saved.push(t),
                _ => {
                    let _ = storage.remove_item(&k);
                }
            }
        }
        let forget = to_forget(&saved);
        for k in &forget {
            let _ = storage.remove_item(k);
        }
        saved.retain(|t| !forget.contains(&t.storage_key()));
        saved.sort_by_key(|t| t.created_ms);
        let now = now_ms();
        for mut t in saved {
            if self.driven.borrow().contains_key(&t.id) {
                continue;
            }
            let unfinished = !t.is_finished();
            if unfinished {
                // The calls in flight when the tab went away lost their answers.
                t.task.recover(now);
                t.touch(now);
            }
            self.register(t, unfinished);
        }
    }

    fn register(self: &Rc<Self>, task: TabTask, drive: bool) {
        let (tx, rx) = unbounded();
        let id = task.id.clone();
        let d = Rc::new(Driven {
            state: RefCell::new(task),
            events: tx,
        });
        self.driven.borrow_mut().insert(id, d.clone());
        self.save(&d);
        if drive {
            spawn_local(drive_task(self.clone(), d, rx));
        }
    }

    /// Cancels what has not passed its point of no return; `Err` says why not (all or
    /// part of it carries on).
    pub fn cancel(&self, id: &str) -> Result<(), Text> {
        let Some(d) = self.driven.borrow().get(id).cloned() else {
            return Err(Text::new(
                "This operation is not running in this tab",
                "此操作不在本标签页中运行",
            ));
        };
        let result = {
            let mut s = d.state.borrow_mut();
            let r = s.task.cancel();
            if !s.task.is_finished() || r.is_ok() {
                s.cancel_requested = true;
            }
            r
        };
        self.save(&d);
        let _ = d.events.unbounded_send(Event::Wake);
        result
    }

    /// Polls every driver again (the keys changed).
    pub fn wake_all(&self) {
        for d in self.driven.borrow().values() {
            let _ = d.events.unbounded_send(Event::Wake);
        }
    }

    /// True while an operation of this tab is unfinished.
    pub fn any_running(&self) -> bool {
        self.driven
            .borrow()
            .values()
            .any(|d| !d.state.borrow().is_finished())
    }

    /// Writes the operation to sessionStorage and shows it.
    fn save(&self, d: &Driven) {
        let (key, json, view) = {
            let mut s = d.state.borrow_mut();
            s.touch(now_ms());
            (s.storage_key(), s.to_storage(), s.view())
        };
        if let Some(storage) = session_storage() {
            let _ = storage.set_item(&key, &json);
        }
        (self.publish)(Update::View(Box::new(view)));
    }

    fn apply(&self, d: &Driven, event: Event) {
        if let Event::Answer { item, answer } = event {
            d.state.borrow_mut().task.on_answer(item, answer, now_ms());
            self.save(d);
        }
    }
}

/// One operation's loop: poll the machine, send what it asks (each answer comes back as
/// an event), sleep until it wants to be polled again or an answer or a cancel arrives.
async fn drive_task(runner: Rc<Runner>, d: Rc<Driven>, mut events: UnboundedReceiver<Event>) {
    let (id, provider, region) = {
        let s = d.state.borrow();
        (s.id.clone(), s.provider, s.region.clone())
    };
    let mut waiting_for_keys = false;
    loop {
        let finished = d.state.borrow().is_finished();
        let can_sign = runner.transport.can_sign(provider, &region);
        if waiting_for_keys == can_sign && !finished {
            waiting_for_keys = !can_sign;
            (runner.publish)(Update::WaitingForKeys {
                id: id.clone(),
                waiting: waiting_for_keys,
            });
        }
        if waiting_for_keys {
            // Nothing can be signed without the keys: wait for them (or a cancel).
            match events.next().await {
                Some(ev) => runner.apply(&d, ev),
                None => return,
            }
            continue;
        }
        let now = now_ms();
        let next = d.state.borrow_mut().task.poll(now);
        match next {
            TaskNext::Send { item, call } => {
                // Saved with the call in flight before it leaves: after a reload, its
                // outcome is settled by reading.
                runner.save(&d);
                let (runner, region, tx) = (runner.clone(), region.clone(), d.events.clone());
                spawn_local(async move {
                    let sent = runner.transport.send_call(provider, &region, &call).await;
                    let answer = answer::answer_of(sent);
                    let _ = tx.unbounded_send(Event::Answer { item, answer });
                });
            }
            TaskNext::Wait { until_ms } => {
                let sleep = Box::pin(sleep_ms(until_ms.saturating_sub(now).max(1)));
                match select(events.next(), sleep).await {
                    Either::Left((Some(ev), _)) => runner.apply(&d, ev),
                    Either::Left((None, _)) => return,
                    Either::Right(_) => {}
                }
            }
            TaskNext::AwaitAnswers => match events.next().await {
                Some(ev) => runner.apply(&d, ev),
                None => return,
            },
            TaskNext::Done(_) | TaskNext::Failed(_) => {
                runner.save(&d);
                return;
            }
        }
    }
}
