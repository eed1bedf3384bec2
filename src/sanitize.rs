//! Sanitizing untrusted text (pod logs, Event messages, error strings) where it enters.
//!
//! A pod's log can contain anything, including escape sequences that would move the
//! cursor, retitle the terminal or hide text, and bidi overrides that make a line read
//! differently from what it is. Everything shown on screen goes through here first.
//!
//! Width is the other hazard: the layout (ratatui, grapheme by grapheme) and the terminal
//! (often character by character) must agree on how many columns a text takes, or a row
//! that is off by one column leaves stale glyphs behind. Text leaves here only in graphemes
//! both count alike: variation selectors and emoji skin-tone modifiers are dropped (the base
//! character keeps its own width), a flag (a pair of regional indicators) becomes one
//! [`PLACEHOLDER`], and so does any other grapheme whose widths disagree.

use ratatui::buffer::CellWidth;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthChar;

/// Appended when a line is cut because it is too wide.
pub const CUT_MARKER: char = '…';

/// Stands in for a grapheme whose width the terminal and the layout could disagree on
/// (a flag, for instance): one column, the conventional "cannot show this" character.
pub const PLACEHOLDER: char = '\u{fffd}';

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
        | '\u{e0000}'..='\u{e007f}'      // tag characters
        // Width traps: a variation selector turns a 1-column character into a 2-column emoji
        // for some terminals and not others; so does a skin-tone modifier after an emoji.
        | '\u{fe00}'..='\u{fe0f}'        // variation selectors
        | '\u{e0100}'..='\u{e01ef}'      // variation selectors supplement
        | '\u{1f3fb}'..='\u{1f3ff}') // emoji modifiers (skin tones)
}

/// A regional indicator: two of them make a flag, drawn 1, 2 or 4 columns wide depending
/// on the terminal.
fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1f1e6}'..='\u{1f1ff}')
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
    // The first regional indicator of a pair was replaced; its partner adds nothing.
    let mut half_flag = false;
    for c in input.chars() {
        state = match (state, c) {
            (Scan::Text, '\u{1b}') => Scan::Start,
            (Scan::Text, '\u{9b}') => Scan::Csi,
            (Scan::Text, '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}') => Scan::Str,
            (Scan::Text, _) if is_regional_indicator(c) => {
                half_flag = !half_flag;
                if half_flag && !push_run(&mut out, &mut width, PLACEHOLDER, 1, max_width) {
                    break;
                }
                Scan::Text
            }
            (Scan::Text, _) => {
                half_flag = false;
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
    if out.is_ascii() {
        return out;
    }
    let mut agreed = agree_on_width(&out);
    // A placeholder is one column, so this only happens for exotic graphemes: cut again.
    let mut width = display_width(&agreed);
    if width > max_width {
        while width + 1 > max_width {
            match agreed.pop() {
                Some(last) => width -= char_width(last),
                None => break,
            }
        }
        agreed.push(CUT_MARKER);
    }
    agreed
}

/// `text` with every grapheme whose width the layout (ratatui, per grapheme) and a
/// terminal (per character) would count differently replaced by [`PLACEHOLDER`].
fn agree_on_width(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for g in text.graphemes(true) {
        if usize::from(g.cell_width()) == display_width(g) {
            out.push_str(g);
        } else {
            out.push(PLACEHOLDER);
        }
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

    /// Every kind of grapheme whose width terminals and layouts were seen to disagree on.
    const WIDTH_TRAPS: &[&str] = &[
        "🇺🇸🇺🇸🇺🇸",                   // flags: regional-indicator pairs
        "🇺",                        // a lone regional indicator
        "👨\u{200d}👩\u{200d}👧",   // emoji ZWJ sequence
        "❤\u{fe0f}",                // emoji presentation (variation selector 16)
        "☺\u{fe0e}",                // text presentation (variation selector 15)
        "1\u{fe0f}\u{20e3}",        // keycap
        "👍\u{1f3fd}",              // skin-tone modifier
        "日本語のテキスト",         // wide CJK
        "\u{1100}\u{1161}\u{11a8}", // Hangul conjoining jamo
        "e\u{301}\u{301}",          // stacked combining marks
        "ｶ\u{ff9e}",                // halfwidth katakana + voiced mark
        "\u{2d4f}\u{2d7f}\u{2d3e}", // Tifinagh ligature
        "ل\u{627}",                 // Arabic lam-alef
    ];

    /// Widths as the layout counts them (per grapheme) and as a terminal does (per char).
    fn layout_and_terminal_widths(s: &str) -> (usize, usize) {
        let layout = s.graphemes(true).map(|g| usize::from(g.cell_width())).sum();
        (layout, display_width(s))
    }

    #[test]
    fn every_width_trap_comes_out_with_agreeing_widths() {
        for trap in WIDTH_TRAPS {
            let (layout, terminal) = layout_and_terminal_widths(trap);
            let out = sanitize_line(&format!("a{trap}b"), 100);
            for g in out.graphemes(true) {
                assert_eq!(
                    usize::from(g.cell_width()),
                    display_width(g),
                    "{trap:?} → {out:?}: grapheme {g:?}"
                );
            }
            assert!(
                out.starts_with('a') && out.ends_with('b'),
                "{trap:?} → {out:?}"
            );
            if layout != terminal {
                assert_ne!(out, format!("a{trap}b"), "{trap:?} passed unchanged");
            }
        }
        // A flag is one placeholder; text around it is kept.
        assert_eq!(
            sanitize_line("US 🇺🇸🇺🇸 ok", 100),
            format!("US {PLACEHOLDER}{PLACEHOLDER} ok")
        );
        assert_eq!(sanitize_line("❤\u{fe0f} 👍\u{1f3fd}", 100), "❤ 👍");
        assert_eq!(
            sanitize_line("日本語", 100),
            "日本語",
            "plain wide text stays"
        );
    }

    proptest! {
        #[test]
        fn width_traps_anywhere_agree_and_fit(
            parts in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(WIDTH_TRAPS).prop_map(str::to_string),
                    "[a-z ]{0,3}",
                    any::<char>().prop_map(String::from),
                ], 0..12),
            max in 1usize..40,
        ) {
            let out = sanitize_line(&parts.concat(), max);
            let (layout, terminal) = layout_and_terminal_widths(&out);
            prop_assert_eq!(layout, terminal, "{:?}", out);
            prop_assert!(terminal <= max);
        }

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
