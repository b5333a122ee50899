#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The verbs of CNI 1.1.
public enum CNICommand: String, Sendable, CaseIterable {
    case add = "ADD", del = "DEL", check = "CHECK", status = "STATUS", gc = "GC", version = "VERSION"
}

/// The CNI_* environment of one call, validated for its verb.
public struct CNIEnvironment: Sendable {
    public var command: CNICommand
    public var containerID: String
    public var netns: String
    public var ifname: String
    public var args: CNIArgs
    public var path: [String]

    /// Reads and validates the environment. Which variables are required depends on the verb: libcni probes
    /// VERSION with dummy values, DEL may come without a netns, STATUS and GC name no container.
    public init(_ environment: [String: String]) throws(CNIError) {
        guard let raw = environment["CNI_COMMAND"], !raw.isEmpty else {
            throw CNIError(.invalidEnvironment, "CNI_COMMAND is not set")
        }
        guard let command = CNICommand(rawValue: raw) else {
            throw CNIError(.invalidEnvironment, "unknown CNI_COMMAND \"\(raw)\"",
                           details: "supported: " + CNICommand.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self.command = command
        containerID = environment["CNI_CONTAINERID"] ?? ""
        netns = environment["CNI_NETNS"] ?? ""
        ifname = environment["CNI_IFNAME"] ?? ""
        path = (environment["CNI_PATH"] ?? "").split(separator: ":").map(String.init)
        args = CNIArgs()

        switch command {
        case .add, .check, .del:
            var missing: [String] = []
            if containerID.isEmpty { missing.append("CNI_CONTAINERID") }
            if ifname.isEmpty { missing.append("CNI_IFNAME") }
            if command != .del && netns.isEmpty { missing.append("CNI_NETNS") }
            if !missing.isEmpty {
                throw CNIError(.invalidEnvironment, "required environment variables missing: " + missing.joined(separator: ", "))
            }
            try Self.validateContainerID(containerID)
            try Self.validateInterfaceName(ifname)
            args = try CNIArgs(parsing: environment["CNI_ARGS"] ?? "")
        case .status, .gc, .version:
            break
        }
    }

    /// The process environment as a dictionary.
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// `^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$`, as the spec requires.
    public static func validateContainerID(_ id: String) throws(CNIError) {
        let alnum: (UInt8) -> Bool = { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
        guard let first = id.utf8.first, alnum(first), id.utf8.count <= 1024,
              id.utf8.allSatisfy({ alnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
        else {
            throw CNIError(.invalidEnvironment, "invalid CNI_CONTAINERID \"\(id.prefix(80))\"",
                           details: "must match ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$")
        }
    }

    /// 1 to 15 bytes, not "." or "..", no "/", ":" or whitespace: what the kernel accepts as a link name.
    public static func validateInterfaceName(_ name: String) throws(CNIError) {
        let bytes = Array(name.utf8)
        let bad = bytes.isEmpty || bytes.count > 15 || name == "." || name == ".."
            || bytes.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 32 || $0 == 127 }
        if bad {
            throw CNIError(.invalidEnvironment, "invalid CNI_IFNAME \"\(name.prefix(40))\"",
                           details: "1 to 15 characters, not \".\" or \"..\", without '/', ':' or whitespace")
        }
    }
}
