/// What a key does in the Security screen's verify form.
enum VerifyFormCommand: Hashable, Sendable {
    case nextField, previousField, verify, close, clearField, erase
    case type(Unicode.Scalar)
}

/// The verify form's keys; any other character is typed into the focused field (so `q` there is text). Enter
/// asks at once: verify only reads, so there is no plan to confirm, and the form stays open with the answer.
extension KeyTables {
    static let verifyForm = KeyTable<VerifyFormCommand>([
        KeyBinding([.tab, .down], .nextField, "next field", hint: KeyHint(.tab, "Next field")),
        KeyBinding([.backTab, .up], .previousField, "previous field"),
        KeyBinding([.enter], .verify, "verify: ALLOW or DENY and the deciding rule, highlighted in the list",
                   hint: KeyHint(.enter, "Verify")),
        KeyBinding([.escape], .close, "close the form", hint: KeyHint(.escape, "Close")),
        KeyBinding([.control("u")], .clearField, "clear the field", hint: KeyHint(.control("u"), "Clear field")),
        KeyBinding([.backspace, .delete], .erase, "erase the last character"),
    ], typing: VerifyFormCommand.type)
}
