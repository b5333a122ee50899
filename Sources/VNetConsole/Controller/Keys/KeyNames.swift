/// How help and the hint bar name a group of keys: each by its `Key.label`, except that a run of
/// consecutive digits becomes a range, so the five screen keys read "1-5" rather than "1 2 3 4 5".
enum KeyNames {
    static func of(_ keys: [Key], separator: String) -> String {
        var names: [String] = []
        var i = keys.startIndex
        while i < keys.endIndex {
            var j = i
            while j + 1 < keys.endIndex, let a = digit(keys[j]), let b = digit(keys[j + 1]), b == a + 1 { j += 1 }
            if j > i, let first = digit(keys[i]), let last = digit(keys[j]) {
                names.append("\(first)-\(last)")
            } else {
                names.append(keys[i].label)
            }
            i = j + 1
        }
        return names.joined(separator: separator)
    }

    private static func digit(_ key: Key) -> Int? {
        guard case .character(let c) = key, ("0"..."9").contains(c) else { return nil }
        return Int(c.value) - 0x30
    }
}
