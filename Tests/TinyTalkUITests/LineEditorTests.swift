import Testing
@testable import TinyTalkUI

/// A stand-in for `TextWidth.of`: 2 columns for CJK, Hangul, fullwidth forms and emoji, 1 otherwise.
func testWidth(_ character: Character) -> Int {
    guard let scalar = character.unicodeScalars.first else { return 0 }
    switch scalar.value {
    case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
         0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F000...0x1FAFF, 0x20000...0x3FFFD:
        return 2
    default:
        return 1
    }
}

let family = "👩‍👩‍👧‍👦"
let thumbsUpDark = "👍🏿"
let japanFlag = "🇯🇵"
let eAcute = "e\u{301}"

/// An editor holding `text` with the cursor where `|` is (at the end if there is none).
/// The bar must not come right before a combining mark, which would join it.
func makeEditor(_ marked: String) -> LineEditor {
    guard let bar = marked.firstIndex(of: "|") else { return LineEditor(text: marked) }
    let after = marked[bar...].dropFirst()
    var editor = LineEditor(text: String(marked[..<bar]) + after)
    for _ in 0..<after.count { editor.moveLeft() }
    return editor
}

/// Runs a mutating command outside `#expect`, which cannot capture `inout` state.
func apply(_ editor: inout LineEditor, _ command: (inout LineEditor) -> Bool) -> Bool {
    command(&editor)
}

/// The text with `|` where the cursor is.
func marked(_ editor: LineEditor) -> String {
    var text = editor.text
    text.insert("|", at: editor.cursor)
    return text
}

@Suite struct LineEditorEditingTests {
    @Test func startsEmptyWithTheCursorAtZero() {
        let editor = LineEditor()
        #expect(editor.isEmpty)
        #expect(editor.text == "")
        #expect(editor.cursorOffset == 0)
    }

    @Test func typingInsertsAtTheCursor() {
        var editor = LineEditor()
        editor.insert("hllo")
        #expect(editor.cursorOffset == 4)
        editor.moveLeft(); editor.moveLeft(); editor.moveLeft()
        editor.insert("e")
        #expect(marked(editor) == "he|llo")
        #expect(!editor.isEmpty)
    }

    @Test func cjkAndEmojiAreTypedAndCountedByGrapheme() {
        var editor = LineEditor()
        editor.insert("你好")
        editor.insert(family)
        editor.insert(japanFlag)
        editor.insert(thumbsUpDark)
        editor.insert(eAcute)
        #expect(editor.text == "你好\(family)\(japanFlag)\(thumbsUpDark)\(eAcute)")
        #expect(editor.cursorOffset == 6)
    }

    @Test func backspaceRemovesOneWholeGraphemeCluster() {
        var editor = LineEditor(text: "a你\(family)\(thumbsUpDark)\(japanFlag)\(eAcute)")
        #expect(apply(&editor) { $0.deleteBackward() } == true)
        #expect(editor.text == "a你\(family)\(thumbsUpDark)\(japanFlag)")
        #expect(apply(&editor) { $0.deleteBackward() } == true)
        #expect(editor.text == "a你\(family)\(thumbsUpDark)")
        #expect(apply(&editor) { $0.deleteBackward() } == true)
        #expect(editor.text == "a你\(family)")
        #expect(apply(&editor) { $0.deleteBackward() } == true)
        #expect(editor.text == "a你")
        #expect(apply(&editor) { $0.deleteBackward() } == true)
        #expect(editor.text == "a")
        #expect(apply(&editor) { $0.deleteBackward() } == true)
        #expect(editor.isEmpty)
        #expect(apply(&editor) { $0.deleteBackward() } == false)
    }

    @Test func deleteRemovesTheClusterAfterTheCursor() {
        var editor = makeEditor("x|\(family)\(eAcute)y")
        #expect(apply(&editor) { $0.deleteForward() } == true)
        #expect(marked(editor) == "x|\(eAcute)y")
        #expect(apply(&editor) { $0.deleteForward() } == true)
        #expect(marked(editor) == "x|y")
        #expect(apply(&editor) { $0.deleteForward() } == true)
        #expect(apply(&editor) { $0.deleteForward() } == false)
        #expect(marked(editor) == "x|")
    }

    @Test func aCombiningMarkTypedAfterItsBaseJoinsIt() {
        var editor = makeEditor("e|x")
        editor.insert("\u{301}")
        #expect(marked(editor) == "\(eAcute)|x")
        #expect(editor.cursorOffset == 1)
        editor.deleteBackward()
        #expect(marked(editor) == "|x")
    }

    @Test func theCursorNeverLandsInsideAClusterAfterAMerge() {
        // A regional indicator typed before a flag pairs with the flag's first half.
        var editor = makeEditor("|\(japanFlag)")
        editor.insert("🇯")
        #expect(editor.text.unicodeScalars.count == 3)
        #expect(editor.cursorOffset == 1)
        #expect(String(editor.text[..<editor.cursor]).count == editor.cursorOffset)
        #expect(editor.text.indices.contains(editor.cursor) || editor.cursor == editor.text.endIndex)
        // Deleting a newline between a base and a combining mark merges them.
        var other = LineEditor(text: "e\n\u{301}")
        other.moveLeft()
        other.deleteBackward()
        #expect(other.text == eAcute)
        #expect(other.cursor == other.text.endIndex || other.text.indices.contains(other.cursor))
    }

    @Test func pastedTextKeepsItsNewlinesWithCRLFAndCRNormalised() {
        var editor = LineEditor()
        editor.insert("one\r\ntwo\rthree\nfour")
        #expect(editor.text == "one\ntwo\nthree\nfour")
        #expect(editor.cursorOffset == editor.text.count)
        #expect(LineEditor(text: "a\r\nb").text == "a\nb")
        editor.replace(with: "x\r\ny")
        #expect(editor.text == "x\ny")
    }

    @Test func insertNewlineSplitsTheLine() {
        var editor = makeEditor("ab|cd")
        editor.insertNewline()
        #expect(marked(editor) == "ab\n|cd")
    }

    @Test func clearAndReplace() {
        var editor = makeEditor("hello| world")
        editor.replace(with: "你好 \(family)")
        #expect(marked(editor) == "你好 \(family)|")
        editor.clear()
        #expect(editor.isEmpty)
        #expect(editor.cursorOffset == 0)
    }
}

@Suite struct LineEditorMotionTests {
    @Test func leftAndRightStepOverWholeClusters() {
        var editor = LineEditor(text: "a\(family)\(japanFlag)\(eAcute)你")
        #expect(apply(&editor) { $0.moveLeft() } == true)
        #expect(marked(editor) == "a\(family)\(japanFlag)\(eAcute)|你")
        editor.moveLeft(); editor.moveLeft()
        #expect(marked(editor) == "a\(family)|\(japanFlag)\(eAcute)你")
        editor.moveLeft(); editor.moveLeft()
        #expect(editor.cursorOffset == 0)
        #expect(apply(&editor) { $0.moveLeft() } == false)
        #expect(apply(&editor) { $0.moveRight() } == true)
        editor.moveRight()
        #expect(marked(editor) == "a\(family)|\(japanFlag)\(eAcute)你")
        while editor.moveRight() {}
        #expect(editor.cursorOffset == 5)
    }

    @Test func wordMotionUsesRunsOfLettersAndDigits() {
        var editor = makeEditor("foo-bar  baz42, qux|")
        editor.moveWordLeft()
        #expect(marked(editor) == "foo-bar  baz42, |qux")
        editor.moveWordLeft()
        #expect(marked(editor) == "foo-bar  |baz42, qux")
        editor.moveWordLeft()
        #expect(marked(editor) == "foo-|bar  baz42, qux")
        editor.moveWordLeft()
        editor.moveWordLeft()
        #expect(marked(editor) == "|foo-bar  baz42, qux")
        editor.moveWordRight()
        #expect(marked(editor) == "foo|-bar  baz42, qux")
        editor.moveWordRight()
        editor.moveWordRight()
        #expect(marked(editor) == "foo-bar  baz42|, qux")
        editor.moveWordRight()
        editor.moveWordRight()
        #expect(marked(editor) == "foo-bar  baz42, qux|")
    }

    @Test func wordMotionTreatsCJKAndAccentsAsLettersAndEmojiAsPunctuation() {
        var editor = makeEditor("caf\(eAcute) \(family) 你好|")
        editor.moveWordLeft()
        #expect(marked(editor) == "caf\(eAcute) \(family) |你好")
        editor.moveWordLeft()
        #expect(marked(editor) == "|caf\(eAcute) \(family) 你好")
        editor.moveWordRight()
        #expect(marked(editor) == "caf\(eAcute)| \(family) 你好")
    }

    @Test func homeAndEndStayOnTheCurrentLine() {
        var editor = makeEditor("first\nsec|ond\nthird")
        editor.moveToLineStart()
        #expect(marked(editor) == "first\n|second\nthird")
        editor.moveToLineEnd()
        #expect(marked(editor) == "first\nsecond|\nthird")
        editor.moveToLineEnd()
        #expect(marked(editor) == "first\nsecond|\nthird")
        var single = makeEditor("ab|c")
        single.moveToLineStart()
        #expect(single.cursorOffset == 0)
        single.moveToLineEnd()
        #expect(single.cursorOffset == 3)
    }

    @Test func upAndDownKeepTheColumnThroughAShortLine() {
        var editor = makeEditor("abcdefgh\nab\nabcdef|gh")
        #expect(apply(&editor) { $0.moveUp() } == true)
        #expect(marked(editor) == "abcdefgh\nab|\nabcdefgh")
        #expect(apply(&editor) { $0.moveUp() } == true)
        #expect(marked(editor) == "abcdef|gh\nab\nabcdefgh")
        #expect(apply(&editor) { $0.moveUp() } == false)
        #expect(editor.isOnFirstLine)
        #expect(apply(&editor) { $0.moveDown() } == true)
        #expect(apply(&editor) { $0.moveDown() } == true)
        #expect(marked(editor) == "abcdefgh\nab\nabcdef|gh")
        #expect(apply(&editor) { $0.moveDown() } == false)
        #expect(editor.isOnLastLine)
    }

    @Test func anotherCommandForgetsTheRememberedColumn() {
        var editor = makeEditor("abcdefgh\nab\nabcdef|gh")
        editor.moveUp()
        editor.moveLeft()
        editor.moveUp()
        #expect(marked(editor) == "a|bcdefgh\nab\nabcdefgh")
    }

    @Test func upAndDownKeepTheDisplayColumnAcrossWideCharacters() {
        // Column 4 on "ab你|x" is after 你; on the CJK line that is after 你好.
        var editor = makeEditor("你好世界\nab你|x")
        #expect(apply(&editor) { $0.moveUp(widthOf: testWidth) } == true)
        #expect(marked(editor) == "你好|世界\nab你x")
        // Column 3 falls inside 好: stay before it rather than enter it.
        var straddle = makeEditor("abc|\n你好世界")
        #expect(apply(&straddle) { $0.moveDown(widthOf: testWidth) } == true)
        #expect(marked(straddle) == "abc\n你|好世界")
        // Emoji clusters are two columns wide as a whole.
        var emoji = makeEditor("\(family)\(japanFlag)x\nabcd|e")
        #expect(apply(&emoji) { $0.moveUp(widthOf: testWidth) } == true)
        #expect(marked(emoji) == "\(family)\(japanFlag)|x\nabcde")
    }

    @Test func upOnASingleLineIsRefusedSoHistoryCanTakeOver() {
        var editor = makeEditor("hel|lo")
        #expect(apply(&editor) { $0.moveUp() } == false)
        #expect(apply(&editor) { $0.moveDown() } == false)
        #expect(marked(editor) == "hel|lo")
    }
}

@Suite struct LineEditorKillTests {
    @Test func ctrlKKillsToTheEndOfTheLineAndThenJoinsTheNextOne() {
        var editor = makeEditor("one |two\nthree")
        #expect(apply(&editor) { $0.killToLineEnd() } == true)
        #expect(marked(editor) == "one |\nthree")
        #expect(editor.killBuffer == "two")
        #expect(apply(&editor) { $0.killToLineEnd() } == true)
        #expect(marked(editor) == "one |three")
        #expect(editor.killBuffer == "two\n")
        editor.killToLineEnd()
        #expect(apply(&editor) { $0.killToLineEnd() } == false)
        editor.yank()
        #expect(marked(editor) == "one two\nthree|")
    }

    @Test func ctrlUKillsToTheStartOfTheLine() {
        var editor = makeEditor("first\nsecond li|ne")
        #expect(apply(&editor) { $0.killToLineStart() } == true)
        #expect(marked(editor) == "first\n|ne")
        #expect(editor.killBuffer == "second li")
        #expect(apply(&editor) { $0.killToLineStart() } == true)
        #expect(marked(editor) == "first|ne")
        #expect(editor.killBuffer == "\nsecond li")
    }

    @Test func ctrlWKillsSpacesThenAWord() {
        var editor = makeEditor("see https://x.y/z  |")
        #expect(apply(&editor) { $0.killWordBackward() } == true)
        #expect(marked(editor) == "see |")
        #expect(editor.killBuffer == "https://x.y/z  ")
    }

    @Test func ctrlWTwiceThenCtrlYRestoresBothWords() {
        var editor = makeEditor("hello big world|")
        editor.killWordBackward()
        editor.killWordBackward()
        #expect(marked(editor) == "hello |")
        #expect(editor.killBuffer == "big world")
        editor.yank()
        #expect(marked(editor) == "hello big world|")
        // Yank again inserts the same text: the buffer is kept.
        editor.yank()
        #expect(editor.text == "hello big worldbig world")
    }

    @Test func aKillAfterAnotherCommandStartsAFreshBuffer() {
        var editor = makeEditor("alpha beta gamma|")
        editor.killWordBackward()
        editor.moveLeft()
        editor.killWordBackward()
        #expect(editor.killBuffer == "beta")
        #expect(marked(editor) == "alpha | ")
    }

    @Test func forwardKillsAppendAndBackwardKillsPrepend() {
        var editor = makeEditor("one two |three\nfour")
        editor.killToLineEnd()       // "three"
        editor.killToLineEnd()       // "\n"
        editor.killWordBackward()    // "two "
        #expect(editor.killBuffer == "two three\n")
        #expect(marked(editor) == "one |four")
        editor.moveToLineEnd()
        editor.yank()
        #expect(editor.text == "one fourtwo three\n")
    }

    @Test func killsWorkOnGraphemeClusters() {
        var editor = makeEditor("\(family) 你好\(eAcute)|")
        editor.killWordBackward()
        #expect(marked(editor) == "\(family) |")
        #expect(editor.killBuffer == "你好\(eAcute)")
        editor.killWordBackward()
        #expect(editor.isEmpty)
        editor.yank()
        #expect(editor.text == "\(family) 你好\(eAcute)")
    }

    @Test func killingNothingKeepsTheBuffer() {
        var editor = makeEditor("word|")
        editor.killWordBackward()
        editor.insert("x")
        #expect(apply(&editor) { $0.killToLineEnd() } == false)
        editor.yank()
        #expect(editor.text == "xword")
    }

    @Test func yankWithAnEmptyBufferDoesNothing() {
        var editor = makeEditor("ab|")
        editor.yank()
        #expect(marked(editor) == "ab|")
    }
}

@Suite struct LineEditorHistoryTests {
    let history = ["first", "second\nmessage", "third"]

    @Test func upWalksBackAndDownReturnsToTheKeptDraft() {
        var editor = makeEditor("my dr|aft")
        #expect(apply(&editor) { $0.historyPrevious(history) } == true)
        #expect(marked(editor) == "third|")
        #expect(editor.isBrowsingHistory)
        #expect(apply(&editor) { $0.historyPrevious(history) } == true)
        #expect(marked(editor) == "second\nmessage|")
        #expect(apply(&editor) { $0.historyPrevious(history) } == true)
        #expect(editor.text == "first")
        #expect(apply(&editor) { $0.historyPrevious(history) } == false)
        #expect(editor.text == "first")
        #expect(apply(&editor) { $0.historyNext(history) } == true)
        #expect(editor.text == "second\nmessage")
        #expect(apply(&editor) { $0.historyNext(history) } == true)
        #expect(editor.text == "third")
        #expect(apply(&editor) { $0.historyNext(history) } == true)
        #expect(marked(editor) == "my dr|aft")
        #expect(!editor.isBrowsingHistory)
        #expect(apply(&editor) { $0.historyNext(history) } == false)
    }

    @Test func editingARecalledEntryLeavesHistoryAlone() {
        let sent = history
        var editor = LineEditor()
        editor.historyPrevious(sent)
        editor.insert(" edited")
        #expect(editor.text == "third edited")
        #expect(sent == ["first", "second\nmessage", "third"])
        editor.historyPrevious(sent)
        editor.historyNext(sent)
        #expect(editor.text == "third")
        editor.historyNext(sent)
        #expect(editor.isEmpty)
    }

    @Test func emptyHistoryRefusesBothWays() {
        var editor = makeEditor("draft|")
        #expect(apply(&editor) { $0.historyPrevious([]) } == false)
        #expect(apply(&editor) { $0.historyNext([]) } == false)
        #expect(editor.text == "draft")
    }

    @Test func upAndDownFallThroughToHistoryOnlyAtTheEdges() {
        // How the app wires Up/Down: move within the text first, history when refused.
        func up(_ editor: inout LineEditor) { if !editor.moveUp() { _ = editor.historyPrevious(history) } }
        func down(_ editor: inout LineEditor) { if !editor.moveDown() { _ = editor.historyNext(history) } }
        var editor = makeEditor("line one\nline |two")
        up(&editor)
        #expect(marked(editor) == "line |one\nline two")
        up(&editor)
        #expect(editor.text == "third")
        up(&editor)
        #expect(marked(editor) == "second\nmessage|")
        up(&editor)
        #expect(marked(editor) == "second|\nmessage")
        up(&editor)
        #expect(editor.text == "first")
        down(&editor)
        down(&editor)
        down(&editor)
        // Back to the draft with the cursor where it was when history took over.
        #expect(marked(editor) == "line |one\nline two")
        down(&editor)
        #expect(marked(editor) == "line one\nline |two")
    }

    @Test func clearAfterSendingEndsBrowsing() {
        var editor = makeEditor("draft|")
        editor.historyPrevious(history)
        editor.clear()
        #expect(!editor.isBrowsingHistory)
        #expect(apply(&editor) { $0.historyNext(history) } == false)
        #expect(editor.isEmpty)
    }

    @Test func aShrunkHistoryIsNeverIndexedPastItsEnd() {
        var editor = LineEditor()
        editor.historyPrevious(history)
        #expect(apply(&editor) { $0.historyPrevious(["only"]) } == true)
        #expect(editor.text == "only")
        #expect(apply(&editor) { $0.historyPrevious(["only"]) } == false)
    }
}

@Suite struct LineEditorLayoutTests {
    @Test func emptyTextIsOneEmptyLineWithTheCursorAtZero() {
        let layout = LineEditor().layout(width: 10, widthOf: testWidth)
        #expect(layout.lines == [""])
        #expect(layout.cursorLine == 0 && layout.cursorColumn == 0)
    }

    @Test func hardNewlinesStartLinesAndLongLinesWrap() {
        let layout = makeEditor("abcdefg\nhi|").layout(width: 4, widthOf: testWidth)
        #expect(layout.lines == ["abcd", "efg", "hi"])
        #expect(layout.cursorLine == 2 && layout.cursorColumn == 2)
    }

    @Test func aWideCharacterThatDoesNotFitGoesToTheNextLine() {
        let layout = makeEditor("abc你|好").layout(width: 4, widthOf: testWidth)
        #expect(layout.lines == ["abc", "你好"])
        #expect(layout.cursorLine == 1 && layout.cursorColumn == 2)
        let emoji = makeEditor("a\(family)\(japanFlag)|b").layout(width: 4, widthOf: testWidth)
        #expect(emoji.lines == ["a\(family)", "\(japanFlag)b"])
        #expect(emoji.cursorLine == 1 && emoji.cursorColumn == 2)
    }

    @Test func combiningMarksTakeNoExtraColumn() {
        let layout = makeEditor("caf\(eAcute)|s").layout(width: 4, widthOf: testWidth)
        #expect(layout.lines == ["caf\(eAcute)", "s"])
        #expect(layout.cursorLine == 1 && layout.cursorColumn == 0)
    }

    @Test func theCursorAfterAFullLineIsShownOnTheNextLine() {
        let atEnd = makeEditor("你好|").layout(width: 4, widthOf: testWidth)
        #expect(atEnd.lines == ["你好", ""])
        #expect(atEnd.cursorLine == 1 && atEnd.cursorColumn == 0)
        let beforeNewline = makeEditor("abcd|\nx").layout(width: 4, widthOf: testWidth)
        #expect(beforeNewline.cursorLine == 1 && beforeNewline.cursorColumn == 0)
        #expect(beforeNewline.lines.last == "x")
        let notFull = makeEditor("abc|").layout(width: 4, widthOf: testWidth)
        #expect(notFull.lines == ["abc"])
        #expect(notFull.cursorColumn == 3)
    }

    @Test func aCharacterWiderThanTheBoxGetsItsOwnLine() {
        let layout = makeEditor("a你b|").layout(width: 1, widthOf: testWidth)
        #expect(layout.lines == ["a", "你", "b", ""])
        #expect(layout.cursorLine == 3)
    }

    @Test func noLineIsWiderThanTheBox() {
        let text = "Mixed 你好 \(family) text \(japanFlag)\(thumbsUpDark) caf\(eAcute) 한국어 and more words"
        for width in 2...20 {
            let layout = LineEditor(text: text).layout(width: width, widthOf: testWidth)
            for line in layout.lines {
                #expect(line.reduce(0) { $0 + testWidth($1) } <= width)
            }
            #expect(layout.lines.joined() == text)
            #expect(layout.cursorColumn <= width)
        }
    }
}

@Suite struct LineEditorVisibleLinesTests {
    /// Ten lines "l0" … "l9".
    let tenLines = (0..<10).map { "l\($0)" }.joined(separator: "\n")

    @Test func aShortTextShowsWhole() {
        let view = makeEditor("one\ntw|o").visibleLines(width: 10, maxLines: 8, widthOf: testWidth)
        #expect(view.lines == ["one", "two"])
        #expect(view.cursorLine == 1 && view.cursorColumn == 2)
    }

    @Test func typingAtTheEndShowsTheLastLines() {
        let view = LineEditor(text: tenLines).visibleLines(width: 10, maxLines: 8, widthOf: testWidth)
        #expect(view.lines == (2..<10).map { "l\($0)" })
        #expect(view.cursorLine == 7 && view.cursorColumn == 2)
    }

    @Test func movingUpScrollsSoTheCursorStaysInView() {
        var editor = LineEditor(text: tenLines)
        for expectedLine in stride(from: 8, through: 0, by: -1) {
            #expect(apply(&editor) { $0.moveUp() } == true)
            let view = editor.visibleLines(width: 10, maxLines: 3, widthOf: testWidth)
            #expect(view.lines.count == 3)
            #expect(view.cursorLine >= 0 && view.cursorLine < 3)
            #expect(view.lines[view.cursorLine] == "l\(expectedLine)")
        }
        let top = editor.visibleLines(width: 10, maxLines: 3, widthOf: testWidth)
        #expect(top.lines == ["l0", "l1", "l2"])
        #expect(top.cursorLine == 0)
    }

    @Test func softWrappedLinesScrollToo() {
        let editor = makeEditor("你好世界你好世界你好|世界")
        let view = editor.visibleLines(width: 4, maxLines: 2, widthOf: testWidth)
        #expect(view.lines.count == 2)
        #expect(view.lines[view.cursorLine] == "世界")
        #expect(view.cursorColumn == 0)
        let start = LineEditor(text: "你好世界你好世界你好世界")
        var home = start
        home.moveToLineStart()
        let homeView = home.visibleLines(width: 4, maxLines: 2, widthOf: testWidth)
        #expect(homeView.lines == ["你好", "世界"])
        #expect(homeView.cursorLine == 0 && homeView.cursorColumn == 0)
    }

    @Test func aZeroSizedBoxStillShowsTheCursorLine() {
        let view = LineEditor(text: tenLines).visibleLines(width: 0, maxLines: 0, widthOf: testWidth)
        #expect(view.lines.count == 1)
        #expect(view.cursorLine == 0)
    }
}
