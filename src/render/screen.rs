//! Redrawing a block of lines in place on a terminal, rewriting only the lines that changed.
//! (Written here: indicatif redraws every line of a multi-line message on each change, which
//! flickers on a large fleet; this only moves the cursor past unchanged lines.)

/// The escape sequence that turns the `old` block on screen into `new`. The cursor is
/// expected just below the old block, and is left just below the new one.
pub fn redraw(old: &[String], new: &[String]) -> String {
    let mut out = String::new();
    if !old.is_empty() {
        // Back to the first line of the block.
        out.push_str(&format!("\x1b[{}A", old.len()));
    }
    for (i, line) in new.iter().enumerate() {
        if old.get(i) == Some(line) {
            out.push_str("\x1b[1B");
        } else {
            out.push_str("\r\x1b[2K");
            out.push_str(line);
            out.push('\n');
        }
    }
    if old.len() > new.len() {
        let extra = old.len() - new.len();
        for _ in 0..extra {
            out.push_str("\r\x1b[2K\n");
        }
        out.push_str(&format!("\x1b[{extra}A"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_changed_lines_are_written() {
        let first = redraw(&[], &lines(&["a", "b"]));
        assert_eq!(first, "\r\x1b[2Ka\n\r\x1b[2Kb\n");
        let next = redraw(&lines(&["a", "b", "c"]), &lines(&["a", "B", "c"]));
        assert_eq!(next, "\x1b[3A\x1b[1B\r\x1b[2KB\n\x1b[1B");
        assert!(!next.contains('a') && !next.contains('c'));
        let shorter = redraw(&lines(&["a", "b", "c"]), &lines(&["a"]));
        assert_eq!(shorter, "\x1b[3A\x1b[1B\r\x1b[2K\n\r\x1b[2K\n\x1b[2A");
    }
}
