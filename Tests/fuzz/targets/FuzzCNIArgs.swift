// libFuzzer target: the CNI environment. The input is split at NUL bytes into CNI_ARGS, CNI_CONTAINERID,
// CNI_IFNAME and CNI_COMMAND; CNIArgs parsing, the identifier checks and the whole environment validation
// must accept or refuse every input without trapping.
import CNI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCNIArgs(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = UnsafeBufferPointer(start: data, count: size).split(separator: 0, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    let args = parts.first ?? ""
    if let parsed = try? CNIArgs(parsing: args) {
        for pair in parsed.pairs where parsed[pair.key] == nil {
            fatalError("parsed key \(pair.key) cannot be looked up")
        }
        _ = parsed == parsed
    }
    let container = parts.count > 1 ? parts[1] : "c"
    let ifname = parts.count > 2 ? parts[2] : "eth0"
    _ = try? CNIEnvironment.validateContainerID(container)
    _ = try? CNIEnvironment.validateInterfaceName(ifname)
    let command = parts.count > 3 ? parts[3] : "ADD"
    _ = try? CNIEnvironment(["CNI_COMMAND": command, "CNI_CONTAINERID": container, "CNI_IFNAME": ifname,
                             "CNI_NETNS": "/var/run/netns/x", "CNI_ARGS": args, "CNI_PATH": args])
    return 0
}
