import XCTest
import VNetModel
@testable import VNetConsole

/// The key tables are the only way keys reach the controller: every key a table binds does something, no
/// key outside the tables does anything, and help and the hint bar name only what the tables bind. So
/// behaviour, help and hints cannot drift apart.
final class KeyTableTests: XCTestCase {
    /// What a key can change: the state and the redraw request.
    private struct Observed: Equatable {
        var state: ConsoleState
        var redraw: Bool
    }

    private func observe(_ c: ConsoleController) -> Observed {
        Observed(state: c.state, redraw: c.needsFullRedraw)
    }

    /// Every key the terminal layer decodes: printable ASCII and a non-ASCII letter, Ctrl plus a letter, the
    /// named keys and F1-F12.
    private static let everyKey: [Key] = {
        var keys: [Key] = (0x20...0x7E).compactMap { Unicode.Scalar(UInt32($0)).map { Key.character($0) } }
        keys.append(.character("é"))
        keys += (0x61...0x7A).compactMap { Unicode.Scalar(UInt32($0)).map { Key.control($0) } }
        keys += [.up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .enter, .escape, .tab, .backTab,
                 .backspace, .delete]
        keys += (1...12).map { Key.function($0) }
        return keys
    }()

    /// A controller on `screen` with the selection in the middle of its list, so every move shows. It runs
    /// as the demo does (`demo`), so the demo's own rows are live too; `DemoKeyTests` covers the console without.
    private func onScreen(_ screen: ScreenID, readOnly: Bool = false) -> ConsoleController {
        let (c, _, _) = makeController(readOnly: readOnly, demo: SpyDemo())
        c.state.screen = screen
        let ids = c.visibleIDs(screen)
        if !ids.isEmpty { c.state.list.selectedID = ids[ids.count / 2] }
        return c
    }

    /// The screens' mode: each screen bare, under help and (on Endpoints) under an endpoint's details.
    private var screenSetups: [() -> ConsoleController] {
        ScreenID.allCases.flatMap { screen -> [() -> ConsoleController] in
            [{ self.onScreen(screen) },
             {
                 let c = self.onScreen(screen)
                 c.state.overlays = [.help]
                 return c
             }]
        } + [{
            let c = self.onScreen(.endpoints)
            c.handle(.enter)
            return c
        }]
    }

    /// The confirmation dialog of a detach, scrolled one line so scrolling up shows too.
    private func confirmSetup() -> ConsoleController {
        let c = onScreen(.endpoints)
        c.handle(.character("d"))
        guard case .confirm(var confirm)? = c.state.topOverlay else {
            XCTFail("d on Endpoints opens the confirmation dialog")
            return c
        }
        confirm.scroll = 1
        c.state.overlays[c.state.overlays.count - 1] = .confirm(confirm)
        return c
    }

    /// The attach form with a character in its first field, so erasing shows.
    private func formSetup() -> ConsoleController {
        let c = onScreen(.overview)
        c.handle(.character("a"))
        c.handle(.character("x"))
        return c
    }

    /// The Security screen's verify form with a character in its focused field (remote), so erasing shows.
    private func verifyFormSetup() -> ConsoleController {
        let c = FakeSecurity.controller()
        c.handle(.character("8"))
        c.handle(.character("v"))
        c.handle(.character("1"))
        return c
    }

    /// A filter being typed on Endpoints that still matches every row.
    private func filterSetup() -> ConsoleController {
        let c = onScreen(.endpoints)
        c.handle(.character("/"))
        c.handle(.character("0"))
        let ids = c.visibleIDs(.endpoints)
        XCTAssertGreaterThanOrEqual(ids.count, 3)
        c.state.list.selectedID = ids[ids.count / 2]
        return c
    }

    /// Presses every key in every setup: a key the table binds (or Ctrl-L, which redraws in every mode) must
    /// change something in at least one setup; any other key must change nothing in all of them.
    private func assertTableIsTheWholeStory<Command>(_ table: KeyTable<Command>, _ setups: [() -> ConsoleController],
                                                     file: StaticString = #filePath, line: UInt = #line) {
        for key in Self.everyKey {
            let handled = table.command(for: key) != nil || KeyTables.screens.command(for: key) == .redraw
            let changed = setups.contains { setup in
                let c = setup()
                let before = observe(c)
                c.handle(key)
                return observe(c) != before
            }
            if handled {
                XCTAssertTrue(changed, "\(key.label) is in the table but does nothing", file: file, line: line)
            } else {
                XCTAssertFalse(changed, "\(key.label) is not in the table but does something", file: file, line: line)
            }
        }
    }

    func testScreenKeysAreExactlyTheTable() {
        assertTableIsTheWholeStory(KeyTables.screens, screenSetups)
    }

    func testConfirmKeysAreExactlyTheTable() {
        assertTableIsTheWholeStory(KeyTables.confirm, [confirmSetup])
    }

    func testFormKeysAreExactlyTheTable() {
        assertTableIsTheWholeStory(KeyTables.form, [formSetup])
    }

    func testVerifyFormKeysAreExactlyTheTable() {
        assertTableIsTheWholeStory(KeyTables.verifyForm, [verifyFormSetup])
    }

    func testFilterKeysAreExactlyTheTable() {
        assertTableIsTheWholeStory(KeyTables.filter, [filterSetup])
    }

    func testNoKeyIsBoundTwice() {
        func check<Command>(_ table: KeyTable<Command>, _ name: String) {
            var seen = Set<Key>()
            for key in table.boundKeys {
                XCTAssertTrue(seen.insert(key).inserted, "\(key.label) is bound twice in the \(name) table")
            }
        }
        check(KeyTables.screens, "screens")
        check(KeyTables.confirm, "confirm")
        check(KeyTables.form, "form")
        check(KeyTables.verifyForm, "verify form")
        check(KeyTables.filter, "filter")
    }

    /// Help shows every row, and a key it does not name is an alias: it runs what a named key of its row runs.
    func testHelpNamesEveryRowAndUnlistedKeysAreAliases() {
        let (c, _, _) = makeController(demo: SpyDemo())
        c.handle(.character("?"))
        let help = c.render(size: TerminalSize(width: 120, height: 40)).text
        for binding in KeyTables.screens.bindings {
            XCTAssertTrue(help.contains(binding.keyLabel + " "), "help lists \(binding.keyLabel)")
            XCTAssertTrue(help.contains(binding.description), "help describes \(binding.keyLabel)")
            let listed = Set(binding.keys.filter(\.listed).map(\.command))
            for alias in binding.keys where !alias.listed {
                XCTAssertTrue(listed.contains(alias.command), "\(alias.key.label) does what a key help names does")
            }
        }
        XCTAssertEqual(KeyTables.screens.bindings[1].keyLabel, "1-8 Tab S-Tab")
    }

    /// A row's hint names keys of that row; an overlay's hint names keys the screens' table binds.
    func testHintsNameBoundKeys() {
        func check<Command>(_ table: KeyTable<Command>) {
            for binding in table.bindings {
                guard let hint = binding.hint else { continue }
                let keys = Set(binding.keys.map(\.key))
                XCTAssertTrue(hint.keys.allSatisfy(keys.contains), "hint \(hint.keyText) names keys of \(binding.keyLabel)")
            }
        }
        check(KeyTables.screens)
        check(KeyTables.confirm)
        check(KeyTables.form)
        check(KeyTables.verifyForm)
        check(KeyTables.filter)
        for hint in KeyTables.helpHints + KeyTables.detailHints {
            for key in hint.keys {
                XCTAssertNotNil(KeyTables.screens.binding(for: key), "hint \(hint.keyText) names a bound key")
            }
        }
    }

    /// Read-only refuses exactly the rows the table marks mutating, and the hint bar leaves exactly those out.
    func testReadOnlyRefusesExactlyTheMutatingRows() {
        for binding in KeyTables.screens.bindings {
            for bound in binding.keys {
                for screen in binding.screens ?? Set(ScreenID.allCases) {
                    let c = onScreen(screen, readOnly: true)
                    c.handle(bound.key)
                    let refused = c.state.status?.text.hasPrefix("read-only:") ?? false
                    XCTAssertEqual(refused, binding.mutating, "\(bound.key.label) on \(screen.title)")
                    if binding.mutating { XCTAssertNil(c.state.topOverlay, "\(bound.key.label) opens nothing read-only") }
                }
            }
            guard let hint = binding.hint else { continue }
            for screen in binding.screens ?? [] {
                let hints = { (readOnly: Bool) in self.onScreen(screen, readOnly: readOnly).hints().map(\.key) }
                XCTAssertTrue(hints(false).contains(hint.keyText), "\(hint.keyText) offered on \(screen.title)")
                XCTAssertEqual(hints(true).contains(hint.keyText), !binding.mutating, "\(hint.keyText) read-only on \(screen.title)")
            }
        }
    }

    func testPausedHintSaysResume() {
        let c = onScreen(.overview)
        c.handle(.character("p"))
        XCTAssertTrue(c.hints().contains { $0.key == "p" && $0.label == "Resume" })
        c.handle(.character("2"))
        c.handle(.enter)
        XCTAssertTrue(c.hints().contains { $0.key == "p" && $0.label == "Resume" }, "over details too")
    }

    func testKeyNamesMakeRangesOfDigits() {
        XCTAssertEqual(KeyNames.of([.character("1"), .character("2"), .character("3"), .tab], separator: " "), "1-3 Tab")
        XCTAssertEqual(KeyNames.of([.character("1"), .character("3")], separator: " "), "1 3")
        XCTAssertEqual(KeyNames.of([.character("+"), .character("-")], separator: ""), "+-")
        XCTAssertEqual(KeyNames.of([.up, .down], separator: "/"), "Up/Down")
    }
}
