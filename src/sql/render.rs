//! Diagnostics drawn the way rustc draws them: headline, `--> file:line:col`, the source lines
//! with a caret under the span, then help and note. The source is masked (`redact`) and its
//! control characters escaped before anything is drawn.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::diagnostic::{Diagnostic, Severity, Source};
use super::span::LineIndex;

/// The longest source line shown whole under a report; a longer one is cut around the spans.
const MAX_EXCERPT_LINE: usize = 400;

/// At most this many diagnostics are drawn for one statement; the rest are counted.
pub const MAX_SHOWN: usize = 20;

/// The width a diagnostic is drawn to when the error stream is not a terminal (what rustc's
/// renderer assumes).
pub const DEFAULT_WIDTH: usize = annotate_snippets::renderer::DEFAULT_TERM_WIDTH;

/// How diagnostics are drawn: in colour or not, and the columns a source line is cut to (with
/// `...`) so that it never wraps under its caret.
#[derive(Clone, Copy, Debug)]
pub struct Drawing {
    pub color: bool,
    pub width: usize,
}

impl Drawing {
    pub const PLAIN: Drawing = Drawing {
        color: false,
        width: DEFAULT_WIDTH,
    };
}

/// Renders one diagnostic (see [`render_all`]).
pub fn render(diag: &Diagnostic, source: &Source<'_>, drawing: Drawing) -> String {
    render_all(std::slice::from_ref(diag), source, drawing)
}

/// Renders the diagnostics of one source the way rustc does: headline, `--> file:line:col`,
/// the source lines with a caret under the span, then help and note; after [`MAX_SHOWN`] of
/// them, one line counts the rest. The source is masked and indexed once for all of them:
/// secret values show as `'********'`, control characters as escapes, and carets land where
/// they should in the shown text.
pub fn render_all(diags: &[Diagnostic], source: &Source<'_>, drawing: Drawing) -> String {
    let ranges = super::redact::secret_ranges(source.text);
    let shown = super::redact::shown(source.text, &ranges);
    let index = LineIndex::new(&shown.text);
    let original_index = LineIndex::new(source.text);
    let mut out = String::new();
    for (i, diag) in diags.iter().enumerate() {
        if i == MAX_SHOWN {
            let rest = diags.len() - MAX_SHOWN;
            out.push_str(&format!(
                "… and {rest} more {} in this statement\n",
                if rest == 1 { "problem" } else { "problems" }
            ));
            break;
        }
        let clean = super::redact::scrub(diag, source.text, &ranges);
        out.push_str(&render_one(
            &clean,
            source,
            &shown,
            &index,
            &original_index,
            drawing,
        ));
        out.push('\n');
    }
    out.pop();
    out
}

fn render_one(
    diag: &Diagnostic,
    source: &Source<'_>,
    shown: &super::redact::Shown<'_>,
    index: &LineIndex,
    original_index: &LineIndex,
    drawing: Drawing,
) -> String {
    let renderer = if drawing.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    // Narrower than a gutter and a few characters of source helps no one.
    .term_width(drawing.width.max(40));
    let level = match diag.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let text: &str = &shown.text;
    let clamp = |offset: usize| -> usize {
        super::span::floor_char_boundary(
            text,
            shown.map(offset.min(source.text.len())).min(text.len()),
        )
    };
    let start = clamp(diag.span.start);
    let end = clamp(diag.span.end).max(start);
    let mut lo = start;
    let mut hi = end;
    for (span, _) in &diag.secondary {
        lo = lo.min(clamp(span.start));
        hi = hi.max(clamp(span.end));
    }
    // Only the lines the spans cover are handed to the renderer, so a diagnostic in a long
    // statement costs its own lines; line numbers and the location come from our index.
    let first = index.line_of(lo);
    let last = index.line_of(hi.saturating_sub(1).max(lo));
    let mut from = index.line_start(first);
    // A statement that starts mid-line shows from its first word, not the blanks before it.
    if first == 0 && source.first_column > 1 {
        from += text[..lo].len() - text[..lo].trim_start_matches([' ', '\t']).len();
    }
    let mut to = index.line_end(text, last).max(hi);
    // A line of megabytes (a generated query on one line) is shown around what the report is
    // about, cut with `…`: the renderer reads every character of what it is given.
    let windowed;
    let (excerpt, shift) = if first == last && to - from > MAX_EXCERPT_LINE {
        let around = MAX_EXCERPT_LINE / 2;
        let a = super::span::floor_char_boundary(text, lo.saturating_sub(around).max(from));
        to = super::span::floor_char_boundary(text, (hi.min(lo + around) + around).min(to));
        let (head, tail) = (
            if a > from { "…" } else { "" },
            if to < index.line_end(text, last) {
                "…"
            } else {
                ""
            },
        );
        windowed = format!("{head}{}{tail}", &text[a..to]);
        (windowed.as_str(), a as isize - head.len() as isize)
    } else {
        (&text[from..to], from as isize)
    };
    let local =
        |offset: usize| -> usize { ((offset as isize - shift).max(0) as usize).min(excerpt.len()) };
    let mut annotation = AnnotationKind::Primary.span(local(start)..local(end));
    if let Some(label) = &diag.label {
        annotation = annotation.label(&**label);
    }
    let mut annotations = vec![annotation];
    for (span, label) in &diag.secondary {
        let (a, b) = (clamp(span.start), clamp(span.end));
        annotations.push(
            AnnotationKind::Context
                .span(local(a)..local(b.max(a)))
                .label(label.as_str()),
        );
    }
    let (line, col) = source.locate(
        original_index,
        super::span::floor_char_boundary(source.text, diag.span.start.min(source.text.len())),
    );
    // Many lines under one span (a whole query) show its first and last, folded between.
    let snippet = Snippet::source(excerpt)
        .line_start(first + source.first_line)
        .path(source.name)
        .fold(true)
        .annotations(annotations);
    let mut title = level
        .primary_title(diag.message.as_str())
        .id(diag.kind.code())
        .element(snippet);
    if let Some(help) = &diag.help {
        title = title.element(Level::HELP.message(&**help));
    }
    let mut report: Vec<Group<'_>> = vec![title];
    if let Some(note) = &diag.note {
        report.push(Group::with_title(Level::NOTE.secondary_title(&**note)));
    }
    // The renderer counts columns from the excerpt, which starts where the statement does
    // (possibly mid-line); the location comes from our own index instead.
    with_location(
        renderer.render(&report),
        &format!("{}:{line}:{col}", source.name),
    )
}

/// `rendered` with the text after its first `--> ` replaced by `location`.
fn with_location(rendered: String, location: &str) -> String {
    let Some(arrow) = rendered.find("--> ") else {
        return rendered;
    };
    let start = arrow + 4;
    let end = rendered[start..]
        .find('\n')
        .map_or(rendered.len(), |i| start + i);
    // Keep style codes that close the line (a coloured rendering ends it with a reset).
    let tail = &rendered[start..end];
    // Only a closing style code: a code *before* the path would otherwise keep the path too.
    let reset = tail
        .rfind('\x1b')
        .map(|i| &tail[i..])
        .filter(|code| {
            code.ends_with('m')
                && code[1..]
                    .chars()
                    .all(|c| c == '[' || c == ';' || c == 'm' || c.is_ascii_digit())
        })
        .unwrap_or("");
    format!(
        "{}{location}{reset}{}",
        &rendered[..start],
        &rendered[end..]
    )
}

/// A diagnostic with no source to point into, on one line: `error[kind]: message: label; help`
/// (a note left out), whitespace folded and control characters escaped. For a command whose
/// stderr a tool reads one line of (`connsql credentials` under an SDK).
pub fn one_line(diag: &Diagnostic) -> String {
    let level = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{level}[{}]: {}", diag.kind, one_line_body(diag))
}

/// [`one_line`] without its `error[kind]: ` head.
pub fn one_line_body(diag: &Diagnostic) -> String {
    let mut line = diag.message.clone();
    if let Some(label) = &diag.label {
        line.push_str(&format!(" ({label})"));
    }
    if let Some(help) = &diag.help {
        line.push_str(&format!(": {help}"));
    }
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    super::redact::escape_controls(&line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::with_location;

    #[test]
    fn the_location_replaces_the_path_whatever_styles_surround_it() {
        let plain = with_location(" --> old:1:1\n  |\n".into(), "<repl>:2:8");
        assert_eq!(plain, " --> <repl>:2:8\n  |\n");
        let styled = with_location(" \x1b[1m--> \x1b[0mold:1:1\n".into(), "<repl>:2:8");
        assert_eq!(styled, " \x1b[1m--> <repl>:2:8\n");
        let closed = with_location(" --> old:1:1\x1b[0m\n".into(), "<repl>:2:8");
        assert_eq!(closed, " --> <repl>:2:8\x1b[0m\n");
    }
}
