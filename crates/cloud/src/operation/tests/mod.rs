//! Readable examples of each operation's happy path and of a lost answer, against
//! hand-written answers in the providers' shapes. The adversarial cases are the property
//! tests in `crates/cloud/tests/operation_props.rs`.

use crate::operation::{Call, Machine, Next};

/// The call the machine asks for now (a test failure when it asks for none).
fn send(m: &mut Machine, now: u64) -> Call {
    match m.poll(now) {
        Next::Send(c) => c,
        other => panic!("expected a call, got {other:?}"),
    }
}

/// Answers every call with `answer` until the machine finishes; returns the calls made.
fn drive(m: &mut Machine, answer: impl Fn(&Call) -> crate::operation::Answer) -> (Vec<Call>, Next) {
    let (mut now, mut calls) = (0, Vec::new());
    loop {
        match m.poll(now) {
            Next::Send(c) => {
                m.on_answer(answer(&c), now);
                calls.push(c);
            }
            Next::Wait { until_ms } => now = until_ms,
            done => return (calls, done),
        }
    }
}

/// Like [`drive`], but the clock starts at `start_ms` and moves on a second after every
/// answer, so each call is answered at a time of its own; returns each call with the
/// time it was answered.
fn drive_timed(
    m: &mut Machine,
    start_ms: u64,
    mut answer: impl FnMut(&Call) -> crate::operation::Answer,
) -> (Vec<(u64, Call)>, Next) {
    let (mut now, mut calls) = (start_ms, Vec::new());
    loop {
        match m.poll(now) {
            Next::Send(c) => {
                m.on_answer(answer(&c), now);
                calls.push((now, c));
                now += 1000;
            }
            Next::Wait { until_ms } => now = now.max(until_ms),
            done => return (calls, done),
        }
    }
}

/// The time `action` was last answered in a [`drive_timed`] run.
fn answered_at(calls: &[(u64, Call)], action: crate::action::Action) -> u64 {
    calls
        .iter()
        .rev()
        .find(|(_, c)| c.action == action)
        .map(|(t, _)| *t)
        .unwrap_or_else(|| panic!("{action:?} was not called"))
}

/// `value` without any field called `key`, at any depth: a state as an older version
/// saved it, before that field existed.
fn without(mut value: serde_json::Value, key: &str) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value, key: &str) {
        match v {
            serde_json::Value::Object(o) => {
                o.remove(key);
                o.values_mut().for_each(|v| strip(v, key));
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|v| strip(v, key)),
            _ => {}
        }
    }
    strip(&mut value, key);
    value
}

mod ecs;
mod lighthouse;
mod naming;
mod workspace;
