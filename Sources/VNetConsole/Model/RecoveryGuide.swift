import VNetModel

/// The recovery step for a failed event, as docs/troubleshooting.md gives it: the "what to do" column of its
/// table of CNI error codes. A test holds the two texts equal, so the console and the manual cannot drift.
enum RecoveryGuide {
    /// What to do, per CNI error code (docs/troubleshooting.md, "CNI error codes").
    static let byCode: [Int: String] = [
        1: "the conflist's `cniVersion` must be 0.3.0-1.1.0 (STATUS and GC need 1.1.0, CHECK 0.4.0)",
        2: "fix the named key",
        3: "CNI_NETNS is not a network namespace",
        4: "the runtime sent a bad or missing `CNI_*` variable; the message names it",
        5: "the state directory is unsafe (symlink, writable by others) or the disk failed; the old state is intact",
        6: "the configuration on stdin is not JSON",
        7: "the message names the key and the value",
        11: "the state lock is busy (the message names the holder's pid and verb) or the pool source is down with no cache",
        50: "the pool is exhausted, the node limit is reached, or the source is unreachable",
        100: "`vnetctl pool`: are addresses cooling down or leaked? `vnetctl leaks`, `vnetctl reclaim --all-leaked`",
        101: "`maxPodsPerNode` pods already hold addresses",
        102: "`vnetctl state repair` (see [state.md](state.md)); nothing is allocated until then",
        103: "not in the pool, leased, or cooling down",
        104: "a netlink or nftables operation failed; the message names the step and errno; everything done before it was undone",
        105: "the message says what differs from what ADD made",
        107: "another endpoint on the node holds the public IP (`publicIPs`, `VNET_PUBLIC_IP`) or the host port (same protocol and port, on any address or the same `hostIP`) the ADD asks for; the message names the holder (container, interface, pod, address). Nothing was changed. Free it (DEL the holder) or ask for another; `vnetctl state export` shows each endpoint's `publicIP` and `portMappings`",
    ]

    /// Code 106's row is a paragraph; the console shows its first sentence and points to the rest.
    static let vnetLimit = "the node holds every pod of the reservation its agent (vnetd) was granted, or was granted none yet"

    /// The step for `event`, or nil when it did not fail.
    static func step(for event: NodeEvent) -> String? {
        guard event.failed else { return nil }
        if let code = event.code {
            if code == 106 { return vnetLimit + "; `vnetctl vnet status` shows who holds what (docs/troubleshooting.md, code 106)" }
            if let step = byCode[code] { return step }
            return "code \(code) is not one of vnet's: see the runtime's and the chained plugins' documentation"
        }
        // Operations carry no code: their errors name the step, and each step has its undo.
        return "the message names the step that failed; every step before it was undone. `vnetctl status` and "
            + "`vnetctl leaks` show the node as it is now"
    }
}
