/// Why a hop did not run. A skipped hop is not a failure: the probe had nothing to aim at, or no time left.
public enum ProbeSkipReason: Hashable, Sendable {
    /// No target configured: neither the network's `probe` key nor a flag names one (`setting` says which).
    case notConfigured(setting: String)
    /// The network configuration lists no DNS servers (`dns.nameservers`).
    case noNameservers
    /// A configured DNS server that is not an IPv4 address (the probe speaks IPv4 only).
    case notIPv4(String)
    /// The node's primary address could not be found (no SNAT address, no route to the gateway).
    case noPrimaryAddress
    /// The whole probe's time bound ran out before this hop.
    case outOfTime

    public var text: String {
        switch self {
        case .notConfigured(let setting): return "no target: set probe.\(setting) or pass --\(Self.flag(setting))"
        case .noNameservers: return "no dns.nameservers in the network configuration"
        case .notIPv4(let text): return "\(text) is not an IPv4 address"
        case .noPrimaryAddress: return "the node's primary address is unknown"
        case .outOfTime: return "the probe's time bound ran out"
        }
    }

    /// "vnetAddress" -> "vnet-address": vnetctl's flag for a `probe` setting.
    static func flag(_ setting: String) -> String {
        var flag = ""
        for character in setting {
            if character.isUppercase { flag += "-" + character.lowercased() } else { flag.append(character) }
        }
        return flag
    }
}
