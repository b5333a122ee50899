/// What a key does in the attach form.
enum FormCommand: Hashable, Sendable {
    case nextField, previousField, submit, cancel, clearField, erase
    case type(Unicode.Scalar)
}

/// The attach form's keys; any other character is typed into the focused field.
extension KeyTables {
    static let form = KeyTable<FormCommand>([
        KeyBinding([.tab, .down], .nextField, "next field", hint: KeyHint(.tab, "Next field")),
        KeyBinding([.backTab, .up], .previousField, "previous field"),
        KeyBinding([.enter], .submit, "plan the attach, then confirm it", hint: KeyHint(.enter, "Plan")),
        KeyBinding([.escape], .cancel, "cancel the attach", hint: KeyHint(.escape, "Cancel")),
        KeyBinding([.control("u")], .clearField, "clear the field", hint: KeyHint(.control("u"), "Clear field")),
        KeyBinding([.backspace, .delete], .erase, "erase the last character"),
    ], typing: FormCommand.type)
}
