import Foundation
import XCTest
import CNcursesw
import VNetModel
@testable import VNetConsole

/// The curses backend on a real pty: newterm("xterm-256color") on an openpty pair with the size set by
/// TIOCSWINSZ, frames drawn and read back cell by cell with mvwin_wch, keys sent as terminfo sequences.
/// All curses calls happen on the main thread, where XCTest runs tests.
extension Result {
    var error: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}

final class CursesTerminalTests: XCTestCase {
    override func tearDown() {
        setlocale(LC_ALL, "C")
        super.tearDown()
    }

    /// XCTest on Linux cannot discover @MainActor test methods, but runs tests on the main thread: the
    /// curses work is entered with assumeIsolated (which traps if that ever stops being true).
    private func withCurses(rows: Int = 24, cols: Int = 80, locale: String = "C.UTF-8", theme: Theme = .dark,
                            _ body: @MainActor (CursesTerminal, PseudoTerminal) throws -> Void) throws {
        try MainActor.assumeIsolated {
            setlocale(LC_ALL, locale)
            let pty = try PseudoTerminal(rows: rows, cols: cols)
            defer { pty.close() }
            let terminal = try CursesTerminal(theme: theme, terminalType: "xterm-256color", inputFD: pty.slave,
                                              outputFD: pty.slave, locale: nil)
            defer { terminal.shutdown() }
            try body(terminal, pty)
        }
    }

    func testDrawsAFrameThatReadsBackCellByCell() throws {
        try withCurses { terminal, _ in
            XCTAssertEqual(terminal.size, TerminalSize(width: 80, height: 24))
            XCTAssertTrue(terminal.capabilities.unicode)
            XCTAssertEqual(terminal.capabilities.colors, .ansi256)
            let (controller, _, _) = makeController()
            controller.glyphs = terminal.capabilities.glyphs
            controller.handle(.character("2"))
            let frame = controller.render(size: terminal.size)
            terminal.draw(frame)
            var mismatches: [String] = []
            for y in 0..<frame.height {
                for x in 0..<frame.width where !frame[x, y].isContinuation {
                    let cell = terminal.cellAt(x: x, y: y)
                    if cell.scalar != frame[x, y].scalar { mismatches.append("(\(x),\(y)) \(String(describing: cell.scalar)) != \(frame[x, y].scalar)") }
                    let expectedPair = Int16(frame[x, y].role.rawValue) + 1
                    if cell.pair != expectedPair { mismatches.append("(\(x),\(y)) pair \(cell.pair) != \(expectedPair)") }
                }
            }
            XCTAssertEqual(mismatches.prefix(5), [], "\(mismatches.count) cells differ")
            // The header's pair carries the theme's colours mapped to the 256-colour palette.
            let header = terminal.cellAt(x: 1, y: 0)
            var fg: Int16 = 0, bg: Int16 = 0
            pair_content(header.pair, &fg, &bg)
            let entry = terminal.palette.entry(for: .header)
            XCTAssertEqual(Int(fg), entry.foreground)
            XCTAssertEqual(Int(bg), entry.background)
            XCTAssertEqual(Int(bg), ColorMapper.index(for: Theme.dark.color(.headerBackground), depth: .ansi256))
            XCTAssertNotEqual(header.attributes & vnet_a_bold(), 0, "headers are bold")
            // Box drawing survives the round trip.
            XCTAssertEqual(terminal.cellAt(x: 0, y: 3).scalar, "P")
        }
    }

    func testWideCharactersTakeTwoCells() throws {
        try withCurses { terminal, _ in
            var frame = Frame(width: 80, height: 24)
            frame.put("ns/名前-pod ok", x: 2, y: 5, role: .normal)
            XCTAssertTrue(frame[6, 5].isContinuation)
            XCTAssertEqual(frame.line(5), "  ns/名前-pod ok")
            terminal.draw(frame)
            XCTAssertEqual(terminal.cellAt(x: 5, y: 5).scalar, "名")
            XCTAssertEqual(terminal.cellAt(x: 7, y: 5).scalar, "前")
            XCTAssertEqual(terminal.cellAt(x: 9, y: 5).scalar, "-")
            XCTAssertEqual(terminal.cellAt(x: 14, y: 5).scalar, "o")
        }
    }

    func testOnlyChangedCellsAreSent() throws {
        try withCurses { terminal, pty in
            let (controller, _, _) = makeController()
            let frame = controller.render(size: terminal.size)
            let start = pty.bytesReceived()
            terminal.draw(frame)
            let full = pty.bytesReceived() - start
            var changed = frame
            changed.put("X", x: 40, y: 10, role: .bad)
            let before = pty.bytesReceived()
            terminal.draw(changed)
            let delta = pty.bytesReceived() - before
            XCTAssertGreaterThan(full, 1000)
            XCTAssertLessThan(delta, 60, "one changed cell costs a cursor move and a character, not a repaint")
            let same = pty.bytesReceived()
            terminal.draw(changed)
            XCTAssertLessThan(pty.bytesReceived() - same, 8, "an identical frame sends (almost) nothing")
            terminal.invalidate()
            let again = pty.bytesReceived()
            terminal.draw(changed)
            XCTAssertGreaterThan(pty.bytesReceived() - again, full / 2, "after invalidate (Ctrl-L) everything is repainted")
        }
    }

    func testKeysArriveAsTerminfoSequences() throws {
        try withCurses { terminal, pty in
            let cases: [(String, Key)] = [
                ("\u{1b}OA", .up), ("\u{1b}OB", .down), ("\u{1b}OP", .function(1)), ("\u{1b}[21~", .function(10)),
                ("\u{1b}[5~", .pageUp), ("\u{1b}[Z", .backTab), ("j", .character("j")), ("\r", .enter), ("\t", .tab),
                ("\u{0c}", .control("l")), ("\u{7f}", .backspace), ("é", .character("é")), ("\u{1b}", .escape),
            ]
            for (bytes, key) in cases {
                pty.type(bytes)
                XCTAssertEqual(terminal.readEvent(timeoutMilliseconds: 1000), .key(key), "bytes \(Array(bytes.utf8))")
            }
            pty.type("/web")
            var typed: [Key] = []
            while let key = terminal.readKey(timeoutMilliseconds: 200) { typed.append(key) }
            XCTAssertEqual(typed, [.character("/"), .character("w"), .character("e"), .character("b")], "pasted keys all arrive")
        }
    }

    func testResizeFromSIGWINCHThenBack() throws {
        try withCurses { terminal, pty in
            let (controller, _, _) = makeController()
            controller.glyphs = terminal.capabilities.glyphs
            terminal.draw(controller.render(size: terminal.size))
            for (cols, rows) in [(200, 60), (80, 24), (50, 10)] {
                pty.resize(rows: rows, cols: cols)
                raise(SIGWINCH)
                let expected = TerminalSize(width: cols, height: rows)
                XCTAssertEqual(terminal.readEvent(timeoutMilliseconds: 1000), .resize(expected))
                XCTAssertEqual(terminal.size, expected)
                let frame = controller.render(size: terminal.size)
                terminal.draw(frame)
                for y in [0, rows / 2, rows - 1] {
                    for x in [0, cols / 2, cols - 1] where !frame[x, y].isContinuation {
                        XCTAssertEqual(terminal.cellAt(x: x, y: y).scalar, frame[x, y].scalar, "\(cols)x\(rows) at (\(x),\(y))")
                    }
                }
                if cols < 80 { XCTAssertTrue(frame.text.contains("terminal too small")) }
            }
        }
    }

    func testASCIIFallbackWhenTheLocaleIsNotUTF8() throws {
        try withCurses(locale: "C") { terminal, _ in
            XCTAssertFalse(terminal.capabilities.unicode)
            XCTAssertEqual(terminal.capabilities.glyphs, .ascii)
            let (controller, _, _) = makeController()
            controller.glyphs = terminal.capabilities.glyphs
            let frame = controller.render(size: terminal.size)
            terminal.draw(frame)
            XCTAssertEqual(terminal.cellAt(x: 11, y: 4).scalar, "[")
            XCTAssertEqual(terminal.cellAt(x: 12, y: 4).scalar, "#")
        }
    }

    func testMonochromeUsesAttributesOnly() throws {
        try withCurses(theme: .monochrome) { terminal, _ in
            XCTAssertEqual(terminal.capabilities.colors, .none)
            var frame = Frame(width: 80, height: 24)
            frame.put("HEADER", x: 0, y: 0, role: .header)
            frame.put("dim", x: 0, y: 1, role: .dim)
            terminal.draw(frame)
            let header = terminal.cellAt(x: 0, y: 0)
            XCTAssertEqual(header.pair, 0)
            XCTAssertNotEqual(header.attributes & vnet_a_reverse(), 0)
            XCTAssertNotEqual(terminal.cellAt(x: 0, y: 1).attributes & vnet_a_dim(), 0)
        }
    }

    func testWatchedDescriptorWakesAndIdleWaitCostsNoCPU() throws {
        try withCurses { terminal, _ in
            var fds: [Int32] = [0, 0]
            XCTAssertEqual(pipe(&fds), 0)
            defer { close(fds[0]); close(fds[1]) }
            terminal.watch(fd: fds[0])
            var one: UInt8 = 1
            _ = write(fds[1], &one, 1)
            XCTAssertEqual(terminal.readEvent(timeoutMilliseconds: 1000), .wake(fds[0]))
            _ = read(fds[0], &one, 1)
            terminal.unwatch(fd: fds[0])

            var before = rusage(), after = rusage()
            getrusage(RUSAGE_SELF.rawValue, &before)
            let start = Date()
            XCTAssertEqual(terminal.readEvent(timeoutMilliseconds: 300), .timeout)
            let waited = Date().timeIntervalSince(start)
            getrusage(RUSAGE_SELF.rawValue, &after)
            func micros(_ t: timeval) -> Int { t.tv_sec * 1_000_000 + Int(t.tv_usec) }
            let cpu = micros(after.ru_utime) - micros(before.ru_utime) + micros(after.ru_stime) - micros(before.ru_stime)
            XCTAssertGreaterThanOrEqual(waited, 0.29)
            XCTAssertLessThan(cpu, 30_000, "a 300 ms idle wait must sleep, not spin (used \(cpu) us)")
        }
    }

    func testQuitSignalEndsTheLoopAndHandlersAreRestored() throws {
        var before = sigaction()
        sigaction(SIGTERM, nil, &before)
        try withCurses { terminal, _ in
            raise(SIGTERM)
            XCTAssertEqual(terminal.readEvent(timeoutMilliseconds: 1000), .hangup, "SIGTERM ends the loop instead of the process")
            XCTAssertEqual(terminal.quitSignal, SIGTERM)
            XCTAssertEqual(terminal.readEvent(timeoutMilliseconds: 10), .timeout, "the signal is consumed once")
        }
        var after = sigaction()
        sigaction(SIGTERM, nil, &after)
        XCTAssertEqual(unsafeBitCast(after.__sigaction_handler.sa_handler, to: Int.self),
                       unsafeBitCast(before.__sigaction_handler.sa_handler, to: Int.self), "shutdown restores the old handler")
    }

    func testRefusesInputThatIsNotATerminal() {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        let input = fds[0], output = fds[1]
        let result: Result<Void, TerminalError> = MainActor.assumeIsolated {
            do throws(TerminalError) {
                let terminal = try CursesTerminal(theme: .dark, terminalType: "xterm-256color", inputFD: input, outputFD: output,
                                                  locale: nil)
                terminal.shutdown()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        XCTAssertEqual(result.error, .notATerminal(fd: input))
    }
}
