/// What a key does while a filter is typed.
enum FilterCommand: Hashable, Sendable {
    case keep, clear, moveUp, moveDown, eraseAll, erase
    case type(Unicode.Scalar)
}

/// The filter line's keys; any other character is typed into the filter (so `q` there is text, not quit).
/// The arrows still move the selection, to pick from the narrowing list without leaving the filter.
extension KeyTables {
    static let filter = KeyTable<FilterCommand>([
        KeyBinding([.enter], .keep, "keep the filter and go back to the list", hint: KeyHint(.enter, "Keep filter")),
        KeyBinding([.escape], .clear, "clear the filter", hint: KeyHint(.escape, "Clear")),
        KeyBinding([BoundKey(.up, .moveUp), BoundKey(.down, .moveDown)], "move the selection",
                   hint: KeyHint([.up, .down], "Move", separator: "/")),
        KeyBinding([.control("u")], .eraseAll, "erase the whole filter", hint: KeyHint(.control("u"), "Erase")),
        KeyBinding([.backspace, .delete], .erase, "erase the last character"),
    ], typing: FilterCommand.type)
}
