//! A cloud's own words, as sent: Tencent and others quote names in backticks
//! (``The snapshot `lhsnap-…` is busy.``). Quoted parts are shown as code, not as raw
//! Markdown; nothing else of Markdown is read, and the text is never parsed as HTML.

use leptos::prelude::*;

/// The text cut into plain and quoted runs: `(quoted, run)`. An unmatched backtick is
/// kept as it is.
pub fn code_spans(text: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        if open > 0 {
            out.push((false, &rest[..open]));
        }
        let quoted = &rest[open + 1..open + 1 + len];
        if !quoted.is_empty() {
            out.push((true, quoted));
        }
        rest = &rest[open + 2 + len..];
    }
    if !rest.is_empty() {
        out.push((false, rest));
    }
    out
}

/// A message with its backticked names as `<code>`.
#[component]
pub fn Prose(#[prop(into)] text: Signal<String>) -> impl IntoView {
    move || {
        text.with(|t| {
            code_spans(t)
                .into_iter()
                .map(|(quoted, run)| {
                    let run = run.to_string();
                    if quoted {
                        view! { <code>{run}</code> }.into_any()
                    } else {
                        run.into_any()
                    }
                })
                .collect_view()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::code_spans;

    #[test]
    fn backticked_names_become_code_and_the_rest_stays_text() {
        assert_eq!(
            code_spans("The snapshot `lhsnap-1` is busy."),
            vec![
                (false, "The snapshot "),
                (true, "lhsnap-1"),
                (false, " is busy.")
            ]
        );
        assert_eq!(
            code_spans("`a` and `b`"),
            vec![(true, "a"), (false, " and "), (true, "b")]
        );
        // Nothing quoted, an unmatched backtick, an empty pair: the text as sent.
        assert_eq!(code_spans("plain"), vec![(false, "plain")]);
        assert_eq!(code_spans("it`s"), vec![(false, "it`s")]);
        assert_eq!(code_spans("x `` y"), vec![(false, "x "), (false, " y")]);
        assert_eq!(code_spans(""), Vec::<(bool, &str)>::new());
        // Text on either side of a multi-byte quote is cut on character boundaries.
        assert_eq!(
            code_spans("快照 `lhsnap-1` 忙"),
            vec![(false, "快照 "), (true, "lhsnap-1"), (false, " 忙")]
        );
    }
}
