/// What a key does in the confirmation dialog of a change.
enum ConfirmCommand: Hashable, Sendable {
    case switchFocus, choose, cancel, scrollUp, scrollDown
}

/// The confirmation dialog's keys. Enter runs the focused button, which starts on Cancel, so only Tab (or
/// an arrow) and then Enter applies; `n` and `q` cancel like Esc since a reflexive quit must never apply.
extension KeyTables {
    static let confirm = KeyTable<ConfirmCommand>([
        KeyBinding([.tab, .backTab, .left, .right, .character("h"), .character("l")], .switchFocus,
                   "move between Cancel and Apply", hint: KeyHint(.tab, "Switch")),
        KeyBinding([.enter], .choose, "do what the focused button says", hint: KeyHint(.enter, "Choose")),
        KeyBinding([.escape, .character("n"), .character("q")], .cancel, "cancel: nothing is changed",
                   hint: KeyHint(.escape, "Cancel")),
        KeyBinding([BoundKey(.up, .scrollUp), BoundKey(.down, .scrollDown),
                    BoundKey(.character("k"), .scrollUp), BoundKey(.character("j"), .scrollDown)],
                   "scroll a plan longer than the dialog", hint: KeyHint([.up, .down], "Scroll plan", separator: "/")),
    ])
}
