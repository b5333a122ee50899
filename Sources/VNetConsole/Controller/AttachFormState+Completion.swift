/// Tab in the attach form's netns field, as a shell completes a file name: the first Tab extends the typed
/// text to the longest prefix the matching names share; when that adds nothing and several names match, each
/// Tab shows the next of them. The names are handed in (the console asks its actions, which list
/// /var/run/netns), so the completion is a pure function of the field and a listing.
public struct NetnsCompletion: Hashable, Sendable {
    /// The names that matched when cycling started, sorted.
    public var matches: [String]
    /// The match the field shows; nil before the first cycling Tab.
    public var index: Int?

    public init(matches: [String], index: Int? = nil) {
        self.matches = matches
        self.index = index
    }
}

/// What a Tab in the netns field did, so the controller knows whether Tab moves on to the next field.
public enum NetnsCompletionResult: Hashable, Sendable {
    /// The field was extended to the matches' common prefix (to the whole name when one matched).
    case extended
    /// The field shows the next of several matches.
    case cycled
    /// Nothing to complete: the field is a path or already names the only match.
    case complete
    /// No name starts with the field's text.
    case noMatch
}

extension AttachFormState {
    /// Completes the netns field from `names` (the names under /var/run/netns). A path (anything with a "/")
    /// is left alone: completion is for names.
    public mutating func completeNetns(among names: [String]) -> NetnsCompletionResult {
        let typed = self[.netns]
        if var cycle = completion, cycle.matches.count > 1, typed == cycle.shown {
            let next = ((cycle.index ?? -1) + 1) % cycle.matches.count
            cycle.index = next
            self[.netns] = cycle.matches[next]
            completion = cycle
            return .cycled
        }
        completion = nil
        guard !typed.contains("/") else { return .complete }
        let matches = Array(Set(names.filter { $0.hasPrefix(typed) })).sorted()
        guard !matches.isEmpty else { return .noMatch }
        if matches == [typed] { return .complete }
        let common = Self.longestCommonPrefix(matches)
        if common.unicodeScalars.count > typed.unicodeScalars.count {
            self[.netns] = common
            if matches.count > 1 { completion = NetnsCompletion(matches: matches) }
            return .extended
        }
        completion = NetnsCompletion(matches: matches, index: 0)
        self[.netns] = matches[0]
        return .cycled
    }

    /// The longest prefix every name shares, compared by Unicode scalar so a name is never cut inside one.
    static func longestCommonPrefix(_ names: [String]) -> String {
        guard var common = names.first.map({ Array($0.unicodeScalars) }) else { return "" }
        for name in names.dropFirst() {
            let scalars = Array(name.unicodeScalars)
            var length = 0
            while length < min(common.count, scalars.count) && common[length] == scalars[length] { length += 1 }
            common.removeLast(common.count - length)
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: common)
        return text
    }
}

extension NetnsCompletion {
    /// What the field shows while this completion is live: the current match, or before cycling the common
    /// prefix of the matches (which the first Tab wrote).
    var shown: String {
        if let index, matches.indices.contains(index) { return matches[index] }
        return AttachFormState.longestCommonPrefix(matches)
    }
}
