/// One row of a key table: its keys and what each runs, and what help and the hint bar say about them.
///
/// A row is one line of help, so keys that belong together (`j` and `k`, `s` and `S`) share a row while
/// each keeps its own command. Help's key column is made from the keys themselves, so it cannot name a
/// key that does something else, or miss one.
struct KeyBinding<Command: Hashable & Sendable>: Sendable {
    var keys: [BoundKey<Command>]
    /// Help's words for the row.
    var description: String
    /// What the hint bar shows for the row; nil keeps it out of the bar.
    var hint: KeyHint?
    /// Changes the node: read-only mode shows it disabled in help and leaves it out of the hint bar (its
    /// command refuses it too, with a status message).
    var mutating = false
    /// The screens whose hint bar offers it (nil: all). The key still reaches its command elsewhere, which
    /// says where it works instead of doing nothing silently.
    var screens: Set<ScreenID>?
    /// Exists only in the demo (`vnet-console --demo`): help and the hint bar show it only there, and its
    /// command does nothing elsewhere.
    var demoOnly = false

    init(_ keys: [BoundKey<Command>], _ description: String, hint: KeyHint? = nil, mutating: Bool = false,
         screens: Set<ScreenID>? = nil, demoOnly: Bool = false) {
        self.keys = keys
        self.description = description
        self.hint = hint
        self.mutating = mutating
        self.screens = screens
        self.demoOnly = demoOnly
    }

    /// A row whose keys all run one command.
    init(_ keys: [Key], _ command: Command, _ description: String, hint: KeyHint? = nil, mutating: Bool = false,
         screens: Set<ScreenID>? = nil, demoOnly: Bool = false) {
        self.init(keys.map { BoundKey($0, command) }, description, hint: hint, mutating: mutating, screens: screens,
                  demoOnly: demoOnly)
    }

    /// Help's key column: the listed keys in order, a run of digits as a range ("1-5 Tab S-Tab").
    var keyLabel: String { KeyNames.of(keys.filter(\.listed).map(\.key), separator: " ") }

    func command(for key: Key) -> Command? {
        keys.first { $0.key == key }?.command
    }

    /// Whether the hint bar of `screen` offers the row (nil: a dialog, which has no screen filter).
    func offered(on screen: ScreenID?) -> Bool {
        guard let screen, let screens else { return true }
        return screens.contains(screen)
    }
}
