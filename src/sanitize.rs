//! Sanitizing untrusted text (pod logs, Event messages, error strings) where it enters.
//!
//! A pod's log can contain anything, including escape sequences that would move the
//! cursor, retitle the terminal or hide text, and bidi overrides that make a line read
//! differently from what it is. Everything shown on screen goes through here first.

use unicode_width::UnicodeWidthChar;

/// Appended when a line is cut because it is too wide.
pub const CUT_MARKER: char = '…';

/// Tab stops every this many columns.
const TAB_WIDTH: usize = 8;

/// True for characters that must never reach the terminal: C0/C1 controls, DEL,
/// bidirectional controls, zero-width and other invisible format characters.
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{ad}'                       // soft hyphen
        | '\u{61c}'                      // Arabic letter mark
        | '\u{180e}'                     // Mongolian vowel separator
        | '\u{200b}'..='\u{200f}'        // zero-width space/joiners, LRM, RLM
        | '\u{2028}'..='\u{202e}'        // line/paragraph separators, bidi embeddings/overrides
        | '\u{2060}'..='\u{206f}'        // word joiner, invisible operators, bidi isolates
        | '\u{feff}'                     // zero-width no-break space (BOM)
        | '\u{fff9}'..='\u{fffb}'        // interlinear annotation
        | '\u{e0000}'..='\u{e007f}') // tag characters
}

/// Display width of a character that passed [`is_forbidden`].
fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Which escape-sequence state the scanner is in.
#[derive(Clone, Copy, PartialEq)]
enum Scan {
    /// Plain text.
    Text,
    /// Just saw ESC.
    Start,
    /// ESC followed by intermediate bytes (e.g. `ESC ( B`): ends at a final byte.
    Intermediate,
    /// Control Sequence (`ESC [` or CSI): ends at a byte in 0x40..=0x7e.
    Csi,
    /// String sequence (OSC, DCS, SOS, PM, APC): ends at BEL or ST (`ESC \` or U+009C).
    Str,
    /// ESC seen inside a string sequence (maybe the start of ST).
    StringEscape,
}

/// Sanitize one line for display: escape sequences (CSI, OSC, DCS, ...) and C0/C1
/// controls removed, tabs expanded, bidi and zero-width characters stripped, and the
/// result cut to at most `max_width` display columns, ending in [`CUT_MARKER`] when cut.
pub fn sanitize_line(input: &str, max_width: usize) -> String {
    if max_width == 0 {
        return String::new();
    }
    // Fast path: plain printable ASCII that fits (the common log line).
    if input.len() <= max_width && input.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return input.to_string();
    }
    let mut out = String::with_capacity(input.len().min(max_width * 4));
    let mut width = 0usize;
    let mut state = Scan::Text;
    for c in input.chars() {
        state = match (state, c) {
            (Scan::Text, '\u{1b}') => Scan::Start,
            (Scan::Text, '\u{9b}') => Scan::Csi,
            (Scan::Text, '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}') => Scan::Str,
            (Scan::Text, _) => {
                if c == '\t' {
                    let n = TAB_WIDTH - width % TAB_WIDTH;
                    if !push_run(&mut out, &mut width, ' ', n, max_width) {
                        break;
                    }
                } else if !is_forbidden(c) && !push_run(&mut out, &mut width, c, 1, max_width) {
                    break;
                }
                Scan::Text
            }
            (Scan::Start, '[') => Scan::Csi,
            (Scan::Start, ']' | 'P' | 'X' | '^' | '_') => Scan::Str,
            (Scan::Start | Scan::Intermediate, '\u{20}'..='\u{2f}') => Scan::Intermediate,
            (Scan::Start | Scan::Intermediate, _) => Scan::Text,
            (Scan::Csi, '\u{40}'..='\u{7e}') => Scan::Text,
            (Scan::Csi, _) => Scan::Csi,
            (Scan::Str, '\u{7}' | '\u{9c}') => Scan::Text,
            (Scan::Str, '\u{1b}') => Scan::StringEscape,
            (Scan::Str, _) => Scan::Str,
            (Scan::StringEscape, '\\') => Scan::Text,
            (Scan::StringEscape, '\u{1b}') => Scan::StringEscape,
            (Scan::StringEscape, _) => Scan::Str,
        };
    }
    out
}

/// Append `n` copies of `c` unless that would pass `max`; on overflow append the cut
/// marker (replacing characters as needed to stay within `max`) and return false.
fn push_run(out: &mut String, width: &mut usize, c: char, n: usize, max: usize) -> bool {
    let w = char_width(c) * n;
    if *width + w <= max {
        (0..n).for_each(|_| out.push(c));
        *width += w;
        return true;
    }
    // Fill what fits before the one-column marker, or make room for it.
    let cw = char_width(c);
    for _ in 0..n {
        if *width + cw + 1 > max {
            break;
        }
        out.push(c);
        *width += cw;
    }
    while *width + 1 > max {
        match out.pop() {
            Some(last) => *width -= char_width(last),
            None => break,
        }
    }
    out.push(CUT_MARKER);
    false
}

/// Sanitize text that may span lines (e.g. an Event message): each line is sanitized
/// and the lines are joined with " ⏎ " so the result stays on one screen line.
pub fn sanitize_oneline(input: &str, max_width: usize) -> String {
    let joined = input
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ⏎ ");
    sanitize_line(&joined, max_width)
}

/// Display width of already-sanitized text.
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strips_csi_osc_and_controls() {
        let s = "\u{1b}[31mred\u{1b}[0m \u{1b}]0;title\u{7}ok \u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\\r\n";
        assert_eq!(sanitize_line(s, 100), "red ok link");
    }

    #[test]
    fn strips_c1_and_charset_sequences() {
        assert_eq!(
            sanitize_line("a\u{9b}2Jb\u{1b}(Bc\u{9d}x\u{9c}d", 100),
            "abcd"
        );
    }

    #[test]
    fn strips_bidi_and_zero_width() {
        assert_eq!(
            sanitize_line("ad\u{202e}nim\u{202c}\u{200b}x\u{2066}y\u{feff}", 100),
            "adnimxy"
        );
    }

    #[test]
    fn expands_tabs_to_stops() {
        assert_eq!(sanitize_line("ab\tc", 100), "ab      c");
        assert_eq!(sanitize_line("\tx", 100), "        x");
    }

    #[test]
    fn cuts_with_marker() {
        assert_eq!(sanitize_line("abcdefghij", 5), "abcd…");
        assert_eq!(sanitize_line("abcde", 5), "abcde");
        // Wide characters: each takes two columns.
        let cut = sanitize_line("日本語テキスト", 5);
        assert_eq!(cut, "日本…");
        assert!(display_width(&cut) <= 5);
        assert_eq!(sanitize_line("a\tb", 4), "a  …");
    }

    #[test]
    fn unterminated_sequences_swallow_rest_only() {
        assert_eq!(sanitize_line("ok\u{1b}]never ends", 100), "ok");
        assert_eq!(sanitize_line("ok\u{1b}", 100), "ok");
    }

    #[test]
    fn oneline_joins_lines() {
        assert_eq!(sanitize_oneline("a\nb\r\n\nc", 100), "a ⏎ b ⏎ c");
    }

    proptest! {
        #[test]
        fn output_is_clean_and_fits(s in any::<String>(), max in 0usize..120) {
            let out = sanitize_line(&s, max);
            prop_assert!(display_width(&out) <= max);
            prop_assert!(!out.chars().any(is_forbidden), "forbidden char in {:?}", out);
            prop_assert!(!out.contains(char::from(0x1b)));
        }

        #[test]
        fn escape_heavy_input_is_clean(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("\u{1b}[".to_string()), Just("\u{1b}]".to_string()),
                    Just("\u{7}".to_string()), Just("\u{9b}".to_string()),
                    Just("\t".to_string()), Just("\u{202e}".to_string()),
                    "[a-z0-9;]{0,4}",
                ], 0..30),
            max in 1usize..60,
        ) {
            let out = sanitize_line(&parts.concat(), max);
            prop_assert!(display_width(&out) <= max);
            prop_assert!(!out.chars().any(is_forbidden));
        }
    }
}
