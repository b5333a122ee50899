/// The comments the kernel's rules carry for a security rule: "vnet rule: <direction> <priority> <name>".
public enum SecurityRuleComment {
    public static let prefix = "vnet rule: "

    public static func make(_ rule: SecurityRule) -> String {
        "\(prefix)\(rule.direction.rawValue) \(rule.priority) \(rule.name)"
    }

    /// The direction and priority a comment names; nil for any other comment.
    public static func parse(_ comment: String) -> (direction: SecurityRule.Direction, priority: Int)? {
        guard comment.hasPrefix(prefix) else { return nil }
        let words = comment.dropFirst(prefix.count).split(separator: " ", maxSplits: 2)
        guard words.count >= 2, let direction = SecurityRule.Direction(rawValue: String(words[0])), let priority = Int(words[1]) else {
            return nil
        }
        return (direction, priority)
    }
}
