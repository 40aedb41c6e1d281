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

mod ecs;
mod lighthouse;
mod naming;
mod workspace;
