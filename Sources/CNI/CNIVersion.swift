/// The spec versions vnet speaks. Results are always written in the version the configuration asked for,
/// because runtimes in the field (podman 4, containerd 1.6) reject versions they do not know.
public enum CNIVersion {
    public static let supported = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]
    public static let latest = "1.1.0"

    public static func isSupported(_ version: String) -> Bool { supported.contains(version) }

    /// Whether `version` is at least `minimum` (both dotted triples).
    public static func atLeast(_ version: String, _ minimum: String) -> Bool {
        let parse: (String) -> [Int] = { $0.split(separator: ".").map { Int($0) ?? 0 } }
        return parse(version).lexicographicallyPrecedes(parse(minimum)) == false
    }

    /// 0.3.x and 0.4.0 results carry `ips[].version`; 1.x results do not.
    public static func resultHasIPVersion(_ version: String) -> Bool { !atLeast(version, "1.0.0") }
}
