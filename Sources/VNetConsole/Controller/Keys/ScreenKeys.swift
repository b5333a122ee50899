/// The console's key tables. Each mode's table lives in its own file as an extension.
enum KeyTables {}

/// The keys of the screens: one row per line of help, in help's order. Help lists these rows, the hint bar
/// picks their hints, and `ConsoleController.handle` runs their commands; read-only mode marks the
/// mutating rows disabled in help and leaves them out of the hints.
extension KeyTables {
    static let screens = KeyTable<ConsoleCommand>([
        KeyBinding([.character("?"), .function(1)], .toggleHelp, "help (this screen)", hint: KeyHint(.character("?"), "Help")),
        KeyBinding(ScreenID.allCases.map { BoundKey(digit($0), .showScreen($0)) }
                       + [BoundKey(.tab, .nextScreen), BoundKey(.backTab, .previousScreen)],
                   "switch screen", hint: KeyHint(.tab, "Screen")),
        KeyBinding([BoundKey(.up, .move(.up)), BoundKey(.down, .move(.down)),
                    BoundKey(.character("j"), .move(.down)), BoundKey(.character("k"), .move(.up))],
                   "move the selection"),
        // g and G are vi's top and bottom; help's key column has no room for them beside Home and End.
        KeyBinding([BoundKey(.pageUp, .move(.pageUp)), BoundKey(.pageDown, .move(.pageDown)),
                    BoundKey(.home, .move(.top)), BoundKey(.end, .move(.bottom)),
                    BoundKey(.character("g"), .move(.top), listed: false),
                    BoundKey(.character("G"), .move(.bottom), listed: false)],
                   "move by page, to the top or bottom"),
        KeyBinding([.character("/")], .startFilter, "filter the list as you type; Enter keeps it, Esc clears it",
                   hint: KeyHint(.character("/"), "Filter"), screens: listScreens),
        // t shares the row of the details it works in: help keeps one line per thing to do, and 80x24 has no
        // line to spare.
        KeyBinding([BoundKey(.enter, .openDetail), BoundKey(.character("t"), .probe)],
                   "details: endpoint path or event error; t probes a path",
                   hint: KeyHint(.enter, "Detail"), screens: [.endpoints, .links, .events]),
        KeyBinding([BoundKey(.character("s"), .cycleSort), BoundKey(.character("S"), .reverseSort)],
                   "sort by the next column / reverse the order", hint: KeyHint(.character("s"), "Sort"),
                   screens: listScreens),
        KeyBinding([.character(" ")], .toggleMark, "mark or unmark a leak suspect",
                   hint: KeyHint(.character(" "), "Mark"), screens: [.leaks]),
        KeyBinding([.character("a")], .attach, "attach a pod: form, plan, confirm", hint: KeyHint(.character("a"), "Attach"),
                   mutating: true, screens: [.overview, .endpoints]),
        KeyBinding([.character("d")], .detach, "detach the selected endpoint", hint: KeyHint(.character("d"), "Detach"),
                   mutating: true, screens: [.endpoints]),
        KeyBinding([.character("r")], .reclaim, "reclaim marked (or selected) leaks", hint: KeyHint(.character("r"), "Reclaim"),
                   mutating: true, screens: [.leaks]),
        KeyBinding([.character("f")], .forgetNode, "forget the selected LOST node of the VNet",
                   hint: KeyHint(.character("f"), "Forget"), mutating: true, screens: [.vnet]),
        // Verify reads only, so it is not mutating: read-only consoles keep it.
        KeyBinding([.character("v")], .verifyFlow, "verify a flow against a pod's security rules (screen 8)",
                   hint: KeyHint(.character("v"), "Verify"), screens: [.security]),
        KeyBinding([.character("B")], .breakPod, "demo: break a healthy pod (its netns goes without DEL) to practise a reclaim",
                   hint: KeyHint(.character("B"), "Break"), mutating: true, screens: [.overview, .leaks], demoOnly: true),
        KeyBinding([.character("p")], .togglePause, "pause or resume refreshing",
                   hint: KeyHint(.character("p"), "Pause", pausedLabel: "Resume")),
        // On US layouts = is + without Shift and _ is - with it: a missed or stray Shift still works.
        KeyBinding([BoundKey(.character("+"), .refreshLessOften), BoundKey(.character("-"), .refreshMoreOften),
                    BoundKey(.character("="), .refreshLessOften, listed: false),
                    BoundKey(.character("_"), .refreshMoreOften, listed: false)],
                   "refresh less or more often", hint: KeyHint([.character("+"), .character("-")], "Interval")),
        KeyBinding([.control("l")], .redraw, "redraw the screen"),
        KeyBinding([.escape], .back, "back: close help, details or a dialog; clear the filter"),
        KeyBinding([.character("q"), .function(10)], .quit, "quit", hint: KeyHint(.character("q"), "Quit")),
    ])

    /// The hint bar over help: the way back first, then where to go.
    static let helpHints = [
        KeyHint(.escape, "Back"),
        KeyHint(ScreenID.allCases.map(digit), "Screen"),
        KeyHint(.character("q"), "Quit"),
    ]

    /// The hint bar over an endpoint's details: the way back first, then what works on the endpoint.
    static let detailHints = [
        KeyHint(.escape, "Back"),
        KeyHint(.character("d"), "Detach"),
        KeyHint(.character("t"), "Probe"),
        KeyHint(.character("p"), "Pause", pausedLabel: "Resume"),
        KeyHint(.character("?"), "Help"),
        KeyHint(.character("q"), "Quit"),
    ]

    /// The hint bar over an event's details: nothing acts on an event, so the way back and where to go.
    static let eventHints = [
        KeyHint(.escape, "Back"),
        KeyHint(.character("p"), "Pause", pausedLabel: "Resume"),
        KeyHint(.character("?"), "Help"),
        KeyHint(.character("q"), "Quit"),
    ]

    static let listScreens: Set<ScreenID> = [.endpoints, .links, .nat, .leaks, .vnet, .events, .security]

    /// The digit key that opens `screen`.
    static func digit(_ screen: ScreenID) -> Key {
        .character(Unicode.Scalar(UInt8(0x30 + screen.rawValue)))
    }
}
