/// One key of a table row and the command it runs.
///
/// An unlisted key is an alias help does not name (`g` beside Home, `=` beside `+`): it still lives in the
/// table, so the controller handles no key the table does not know, and a test holds every alias to
/// doing what a listed key of its row does.
struct BoundKey<Command: Hashable & Sendable>: Hashable, Sendable {
    var key: Key
    var command: Command
    var listed = true

    init(_ key: Key, _ command: Command, listed: Bool = true) {
        self.key = key
        self.command = command
        self.listed = listed
    }
}
