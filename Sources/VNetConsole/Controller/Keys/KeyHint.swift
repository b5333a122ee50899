/// One item of the hint bar: the keys it names (in reverse video) and the word after them.
///
/// It holds keys rather than text so a test can check that every hint names keys its table binds; the
/// text is made from them like help's key column.
struct KeyHint: Hashable, Sendable {
    var keys: [Key]
    var label: String
    /// The word while refreshing is paused: `p` offers Resume then.
    var pausedLabel: String?
    /// Between the keys' names: "" gives "+-", "/" gives "Up/Down".
    var separator: String

    init(_ keys: [Key], _ label: String, pausedLabel: String? = nil, separator: String = "") {
        self.keys = keys
        self.label = label
        self.pausedLabel = pausedLabel
        self.separator = separator
    }

    init(_ key: Key, _ label: String, pausedLabel: String? = nil) {
        self.init([key], label, pausedLabel: pausedLabel)
    }

    var keyText: String { KeyNames.of(keys, separator: separator) }

    func item(paused: Bool) -> (key: String, label: String) {
        (keyText, paused ? pausedLabel ?? label : label)
    }
}
