/// What a key does in the attach form.
enum FormCommand: Hashable, Sendable {
    case nextField, previousField, submit, cancel, clearField, erase
    /// Tab: in the netns field complete a name first (`AttachFormState.completeNetns`), else the next field.
    case complete
    case type(Unicode.Scalar)
}

/// The attach form's keys; any other character is typed into the focused field. Tab completes in the netns
/// field as a shell does, and moves on when there is nothing (more) to complete; Down always moves on.
extension KeyTables {
    static let form = KeyTable<FormCommand>([
        KeyBinding([BoundKey(.tab, .complete), BoundKey(.down, .nextField)],
                   "next field; in netns Tab first completes a name from /var/run/netns (again: the next match)",
                   hint: KeyHint(.tab, "Complete/Next")),
        KeyBinding([.backTab, .up], .previousField, "previous field"),
        KeyBinding([.enter], .submit, "plan the attach, then confirm it", hint: KeyHint(.enter, "Plan")),
        KeyBinding([.escape], .cancel, "cancel the attach", hint: KeyHint(.escape, "Cancel")),
        KeyBinding([.control("u")], .clearField, "clear the field", hint: KeyHint(.control("u"), "Clear field")),
        KeyBinding([.backspace, .delete], .erase, "erase the last character"),
    ], typing: FormCommand.type)
}
