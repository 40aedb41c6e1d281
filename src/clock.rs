//! Time for the drivers: the wall clock in milliseconds, a sleep that does not block the
//! page, and "1 min 05 s".

/// Milliseconds since the epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// Sleeps without blocking the page (a `setTimeout` promise).
pub async fn sleep_ms(ms: u64) {
    let ms = ms.min(i32::MAX as u64) as i32;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// "1 min 05 s" / "42 s".
pub fn elapsed(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 60 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_reads_well() {
        assert_eq!(elapsed(42_300), "42 s");
        assert_eq!(elapsed(65_000), "1 min 05 s");
    }
}
