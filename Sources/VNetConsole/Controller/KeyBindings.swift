/// The console's keys in one table: the help screen lists it, the hint bar picks from it, and read-only
/// mode marks the mutating ones disabled in both.
struct KeyBinding: Sendable {
    var keys: String
    var action: String
    /// Key and word for the hint bar; nil keeps the binding out of it.
    var hint: (key: String, label: String)?
    /// Changes the node: refused in read-only mode.
    var mutating = false
    /// Screens where the hint bar shows it (nil: everywhere).
    var screens: [ScreenID]? = nil
}

enum KeyBindings {
    static let all: [KeyBinding] = [
        KeyBinding(keys: "? F1", action: "help (this screen)", hint: ("?", "Help")),
        KeyBinding(keys: "1-5 Tab S-Tab", action: "switch screen", hint: ("Tab", "Screen")),
        KeyBinding(keys: "Up Down j k", action: "move the selection", hint: nil),
        KeyBinding(keys: "PgUp PgDn Home End", action: "move by page, to the top or bottom", hint: nil),
        KeyBinding(keys: "/", action: "filter the list as you type; Enter keeps it, Esc clears it", hint: ("/", "Filter"),
                   screens: [.endpoints, .links, .nat, .leaks]),
        KeyBinding(keys: "Enter", action: "details: pod interface, veth, bridge port, NAT", hint: ("Enter", "Detail"),
                   screens: [.endpoints, .links]),
        KeyBinding(keys: "s S", action: "sort by the next column / reverse the order", hint: ("s", "Sort"),
                   screens: [.endpoints, .links, .nat, .leaks]),
        KeyBinding(keys: "Space", action: "mark or unmark a leak suspect", hint: ("Space", "Mark"), screens: [.leaks]),
        KeyBinding(keys: "a", action: "attach a pod: form, plan, confirm", hint: ("a", "Attach"), mutating: true,
                   screens: [.overview, .endpoints]),
        KeyBinding(keys: "d", action: "detach the selected endpoint", hint: ("d", "Detach"), mutating: true,
                   screens: [.endpoints]),
        KeyBinding(keys: "r", action: "reclaim marked (or selected) leaks", hint: ("r", "Reclaim"),
                   mutating: true, screens: [.leaks]),
        KeyBinding(keys: "p", action: "pause or resume refreshing", hint: ("p", "Pause")),
        KeyBinding(keys: "+ -", action: "refresh less or more often", hint: ("+-", "Interval")),
        KeyBinding(keys: "^L", action: "redraw the screen", hint: nil),
        KeyBinding(keys: "Esc", action: "back: close help, details or a dialog; clear the filter", hint: nil),
        KeyBinding(keys: "q F10", action: "quit", hint: ("q", "Quit")),
    ]
}
