import TerminalKit
import TinyTalkCore

/// A transcript's lines: each message laid out once per width (its header, its text, as
/// Markdown for a reply, and its notes), a streaming reply's last line as it grows.
extension Transcript {
    /// A class, so that reading a line or a count of it hands over a reference, not a copy
    /// of its arrays and Markdown state (several times a row, every frame).
    final class Layout {
        var header: [WrappedLine]
        let body: Body
        var footer: [WrappedLine]
        /// A finished message with no text but notes (a failed request) shows its notes right
        /// under the header; otherwise an empty text still takes a row (a reply's first token
        /// goes there).
        var notesOnly: Bool

        init(header: [WrappedLine], body: Body, footer: [WrappedLine], notesOnly: Bool) {
            (self.header, self.body, self.footer, self.notesOnly) = (header, body, footer, notesOnly)
        }

        var bodyRows: Int { notesOnly && body.count == 0 ? 0 : max(1, body.count) }

        static func showsNotesOnly(_ entry: Entry, footer: [WrappedLine]) -> Bool {
            entry.state != .streaming && entry.text.isEmpty && !footer.isEmpty
        }
    }

    /// A message's text as lines: replies styled as Markdown (``MarkdownBody``), everything
    /// else as plain text (``PlainBody``). A class, so counting or reading its lines (several
    /// times a row, every frame) reads the layout where it is instead of copying its state.
    class Body {
        var count: Int { 0 }
        func line(_ index: Int) -> WrappedLine { WrappedLine(runs: [], width: 0, isContinuation: false) }
        /// Lays out what arrived since the last frame (a streaming reply's last line).
        func settle() {}
        /// The reply is complete.
        func finish() {}
        func append(_ text: String, style: Style) {}
    }

    final class PlainBody: Body {
        private var wrapper: LineWrapper

        init(_ wrapper: LineWrapper) {
            self.wrapper = wrapper
        }

        override var count: Int { wrapper.lines.count }
        override func line(_ index: Int) -> WrappedLine { wrapper.lines[index] }
        override func append(_ text: String, style: Style) { wrapper.append(text, style: style) }
    }

    final class MarkdownBody: Body {
        private var layout: MarkdownLayout

        init(_ layout: MarkdownLayout) {
            self.layout = layout
        }

        override var count: Int { layout.count }
        override func line(_ index: Int) -> WrappedLine {
            // A settled line is read where it is; only the arriving ones go through the whole layout.
            index < layout.finishedCount ? layout.finishedLine(index) : layout.line(index)
        }
        override func settle() { layout.settle() }
        override func finish() { layout.finish() }
        override func append(_ text: String, style: Style) { layout.append(text) }
    }

    /// How many lines entry `index` takes at `width` (its header, text, notes and the blank
    /// line after it).
    public func lineCount(of index: Int, width: Int) -> Int {
        // The common case, a settled message at the current width, without copying its layout.
        if width == layoutWidth, index != unsettled, let layout = layouts[index] {
            return layout.header.count + layout.bodyRows + layout.footer.count + 1
        }
        let layout = self.layout(of: index, width: width)
        return layout.header.count + layout.bodyRows + layout.footer.count + 1
    }

    /// Line `line` of entry `index` at `width`.
    public func line(_ line: Int, of index: Int, width: Int) -> WrappedLine {
        let layout = self.layout(of: index, width: width)
        var position = line
        if position < layout.header.count { return layout.header[position] }
        position -= layout.header.count
        let bodyCount = layout.bodyRows
        if position < bodyCount {
            var body = layout.body.count == 0 ? WrappedLine(runs: [], width: 0, isContinuation: false) : layout.body.line(position)
            if position == bodyCount - 1 && entries[index].state == .streaming && body.width < width {
                body.runs.append(StyledRun("▌", style: theme.dim))
                body.width += 1
            }
            return body
        }
        position -= bodyCount
        if position < layout.footer.count { return layout.footer[position] }
        return WrappedLine(runs: [], width: 0, isContinuation: false)
    }

    /// Cited sources, and what became of an interrupted or failed reply, under its text.
    func footerLines(of entry: Entry, width: Int) -> [WrappedLine] {
        var footer: [StyledRun] = []
        for (number, citation) in entry.citations.enumerated() {
            footer.append(StyledRun("\n[\(number + 1)] \(citation.title ?? citation.url ?? "source")", style: theme.dim))
            if let url = citation.url, citation.title != nil {
                footer.append(StyledRun(" ", style: theme.dim))
                footer.append(StyledRun(url, style: MarkdownInline.linked(url, theme)))
            }
        }
        if let usage = entry.usage, entry.state != .streaming, usage.total != nil {
            footer.append(StyledRun("\n\(usage.summary)", style: theme.dim))
        }
        switch entry.state {
        case .interrupted:
            footer.append(StyledRun("\n[interrupted: \(entry.note ?? "cancelled")]", style: theme.dim))
        case .failed:
            footer.append(StyledRun("\n\(entry.note ?? "The request failed.") — \(entry.remedy)", style: theme.errorText))
        case .streaming:
            if let note = entry.note { footer.append(StyledRun("\n\(note) Trying again after the wait.", style: theme.dim)) }
        case .complete:
            break
        }
        return footer.isEmpty ? [] : Array(LineWrapper.wrap(footer, width: width).dropFirst())
    }

    private func layout(of index: Int, width: Int) -> Layout {
        if width != layoutWidth {
            layouts.removeAll()
            layoutWidth = width
        }
        if index == unsettled, let layout = layouts[index] {
            layout.body.settle()
            unsettled = nil
        }
        if let cached = layouts[index] { return cached }
        let entry = entries[index]
        let headerStyle: Style
        let name: String
        switch entry.author {
        case .user: (headerStyle, name) = (theme.userHeader, "you")
        case .bot: (headerStyle, name) = (theme.botHeader, botName)
        case .system: (headerStyle, name) = (theme.systemHeader, "tinytalk")
        case .error: (headerStyle, name) = (theme.errorHeader, "error")
        }
        var headerRuns = [StyledRun(name, style: headerStyle), StyledRun(" " + LocalTime.clock(entry.time), style: theme.dim)]
        if let variant = entry.variant { headerRuns.append(StyledRun(" · \(variant.number)/\(variant.count)", style: theme.dim)) }
        let header = LineWrapper.wrap(headerRuns, width: width)
        let body: Body
        if entry.author == .bot && !showsSource {
            var markdown = MarkdownLayout(width: width, theme: theme)
            markdown.append(entry.text)
            if entry.state == .streaming { markdown.settle() } else { markdown.finish() }
            body = MarkdownBody(markdown)
        } else {
            var wrapper = LineWrapper(width: width)
            wrapper.append(entry.text, style: entry.author == .error ? theme.errorText : theme.text)
            body = PlainBody(wrapper)
        }
        let footerLines = footerLines(of: entry, width: width)
        let layout = Layout(
            header: header, body: body, footer: footerLines, notesOnly: Layout.showsNotesOnly(entry, footer: footerLines))
        layouts[index] = layout
        return layout
    }
}
