#if canImport(Glibc)
import Glibc
#endif
import CMnl
import VNetModel
import VNetSystem

/// nf_tables spoken directly over netlink (libmnl), for the work every CNI call does: a pod's element in
/// the pod sets (add, delete, look up) and a quick look at the table's rules.
///
/// Why not libnftables for these: loading it and its dependencies costs ~1.2 ms and several MB at every
/// process start, and each command goes through nft's parser and a cache fill. These three requests are
/// one datagram each and need no parsing of nft's grammar. libnftables remains for what needs nft's
/// understanding of rules: building, repairing and fully comparing the table (`NATTable`).
///
/// Acts in the network namespace of the thread that creates it (the socket keeps it). Not `Sendable`.
final class NftNetlink {
    private let socket: OpaquePointer
    private let portID: UInt32
    private var sequence: UInt32
    private let buffer: UnsafeMutableRawBufferPointer
    /// Whether a detached process already holds the socket until this process exits (see `changeElements`).
    private var heldUntilExit = false

    init() throws(NATError) {
        guard let socket = mnl_socket_open2(vnet_netlink_netfilter(), Int32(SOCK_CLOEXEC.rawValue)) else {
            throw .netlinkFailed(operation: "open nf_tables netlink socket", errno: errno)
        }
        guard mnl_socket_bind(socket, 0, pid_t(vnet_mnl_socket_autopid())) == 0 else {
            let code = errno
            mnl_socket_close(socket)
            throw .netlinkFailed(operation: "bind nf_tables netlink socket", errno: code)
        }
        self.socket = socket
        portID = mnl_socket_get_portid(socket)
        sequence = UInt32(truncatingIfNeeded: time(nil))
        // 32 KiB, as for rtnetlink: the kernel sizes a dump's datagrams to the reader's buffer, and a datagram
        // longer than the buffer would be cut (MSG_TRUNC) and its elements lost.
        buffer = .allocate(byteCount: 32_768, alignment: 8)
    }

    deinit {
        mnl_socket_close(socket)
        buffer.deallocate()
    }

    // MARK: - Requests

    /// Adds `add` and then deletes `delete` in each of `sets`, all in one transaction. Adding an element
    /// that is there is not an error (nft's `add element`). Throws `tableMissing` when a set is not there.
    func changeElements(table: String, sets: [String], add: [IPv4Address], delete: [IPv4Address]) throws(NATError) {
        let added = add.map { NftRawElement(key: Self.bytes($0)) }
        let deleted = delete.map { NftRawElement(key: Self.bytes($0)) }
        try changeElements(table: table, sets.map { ElementChange(set: $0, add: added, delete: deleted) })
    }

    /// What one batch does to one set or map: adds `add`, then deletes `delete`.
    struct ElementChange {
        var set: String
        var add: [NftRawElement]
        var delete: [NftRawElement]
    }

    static func bytes(_ address: IPv4Address) -> [UInt8] {
        let value = address.value
        return [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    /// Every change of `changes` (set and map elements alike) in one transaction: a pod's whole share of the
    /// table, one datagram. Adding an element that is there with the same data is not an error.
    func changeElements(table: String, _ changes: [ElementChange]) throws(NATError) {
        let operation = "change elements of table ip \(table)"
        let answers = try request(operation) { messages, next in
            messages.batchDelimiter(vnet_nfnl_msg_batch_begin(), sequence: next())
            for change in changes {
                if !change.add.isEmpty {
                    messages.elements(NFT_MSG_NEWSETELEM.rawValue, table: table, set: change.set, raw: change.add, sequence: next(), create: true)
                }
                if !change.delete.isEmpty {
                    messages.elements(NFT_MSG_DELSETELEM.rawValue, table: table, set: change.set, raw: change.delete, sequence: next())
                }
            }
            messages.batchDelimiter(vnet_nfnl_msg_batch_end(), sequence: next())
        }
        let delete = changes.flatMap(\.delete)
        // After deleting elements the socket's last close waits for the kernel to free them (a grace period,
        // ~10 ms, in nf_tables' NETLINK_URELEASE handling); that close would otherwise be this process's exit,
        // which the runtime waits for. A detached process keeps the socket until then. Best effort: without
        // it the close only waits.
        if !delete.isEmpty && !heldUntilExit {
            heldUntilExit = (try? DetachedProcess.holdUntilExit(mnl_socket_get_fd(socket))) != nil
        }
        if answers.errors.first == ENOENT { throw .tableMissing("ip \(table)") }
        if let failure = answers.failure(operation) { throw failure }
        // Every element message asked for an ack: success is every one of them answered.
        let expected = changes.reduce(0) { $0 + ($1.add.isEmpty ? 0 : 1) + ($1.delete.isEmpty ? 0 : 1) }
        if answers.statuses < expected {
            throw .netlinkFailed(operation: operation + " (\(answers.statuses) of \(expected) answered)", errno: EPROTO)
        }
    }

    /// Whether `address` is an element of `set`; false when the set or table is not there.
    func hasElement(table: String, set: String, _ address: IPv4Address) throws(NATError) -> Bool {
        let operation = "get element of set \(set)"
        let answers = try request(operation) { messages, next in
            messages.elements(NFT_MSG_GETSETELEM.rawValue, table: table, set: set, raw: [NftRawElement(key: Self.bytes(address))],
                              sequence: next())
        }
        if answers.missing { return false }
        if let failure = answers.failure(operation) { throw failure }
        if answers.statuses == 0 { throw .netlinkFailed(operation: operation + " (no answer)", errno: EPROTO) }
        return answers.replies > 0
    }

    /// The data of the element with `key` in map `set`: nil when the element, the map or the table is not there.
    func elementData(table: String, set: String, key: [UInt8]) throws(NATError) -> [UInt8]? {
        let operation = "get element of map \(set)"
        var data: [UInt8]?
        let answers = try request(operation) { messages, next in
            messages.elements(NFT_MSG_GETSETELEM.rawValue, table: table, set: set, raw: [NftRawElement(key: key)], sequence: next())
        } onReply: { message in
            NftAttributes.payload(of: message).forEach { type, value in
                guard type == NFTA_SET_ELEM_LIST_ELEMENTS.rawValue else { return }
                value.forEach { type, element in
                    guard type == NFTA_LIST_ELEM.rawValue else { return }
                    element.forEach { type, field in
                        guard type == NFTA_SET_ELEM_DATA.rawValue else { return }
                        field.forEach { type, raw in if type == NFTA_DATA_VALUE.rawValue { data = Array(raw.bytes) } }
                    }
                }
            }
        }
        if answers.missing { return nil }
        if let failure = answers.failure(operation) { throw failure }
        return data
    }

    /// Whether every one of `sets` exists in table `ip table` (one datagram of GETSET requests).
    func setsExist(table: String, sets: [String]) throws(NATError) -> Bool {
        let operation = "get sets of table ip \(table)"
        let answers = try request(operation) { messages, next in
            for set in sets { messages.getSet(table: table, set: set, sequence: next()) }
        }
        if answers.missing { return false }
        if let failure = answers.failure(operation) { throw failure }
        return answers.replies == sets.count
    }

    /// The names of the table's named sets of single addresses (not maps, not anonymous sets): the sets a
    /// pod's address can be in. Nil when the table is not there.
    func addressSets(table: String) throws(NATError) -> [String]? {
        try namedSets(table: table)?.addressSets
    }

    /// The table's named sets of single addresses (as `addressSets`) and its named maps (not verdict or
    /// object maps). Nil when the table is not there.
    func namedSets(table: String) throws(NATError) -> (addressSets: [String], maps: [String])? {
        let operation = "list sets of table ip \(table)"
        var names: [String] = []
        var maps: [String] = []
        let answers = try request(operation, dump: true) { messages, next in
            messages.setDump(table: table, sequence: next())
        } onReply: { message in
            var name: String?
            var flags: UInt32 = 0
            var keyLength: UInt32 = 0
            NftAttributes.payload(of: message).forEach { type, value in
                switch type {
                case NFTA_SET_NAME.rawValue: name = value.string
                case NFTA_SET_FLAGS.rawValue: flags = value.uint32 ?? 0
                case NFTA_SET_KEY_LEN.rawValue: keyLength = value.uint32 ?? 0
                default: break
                }
            }
            let excluded = UInt32(NFT_SET_ANONYMOUS.rawValue | NFT_SET_MAP.rawValue | NFT_SET_OBJECT.rawValue | NFT_SET_INTERVAL.rawValue)
            if let name, flags & excluded == 0, keyLength == 4 { names.append(name) }
            let map = UInt32(NFT_SET_MAP.rawValue), other = UInt32(NFT_SET_ANONYMOUS.rawValue | NFT_SET_OBJECT.rawValue)
            if let name, flags & map != 0, flags & other == 0 { maps.append(name) }
        }
        if answers.missing { return nil }
        if let failure = answers.failure(operation) { throw failure }
        return (names, maps)
    }

    /// The table's rules in order, as the kernel holds them. Nil when the table is not there.
    func rules(table: String) throws(NATError) -> [NftRule]? {
        let operation = "list rules of table ip \(table)"
        var rules: [NftRule] = []
        let answers = try request(operation, dump: true) { messages, next in
            messages.ruleDump(table: table, sequence: next())
        } onReply: { message in
            if let rule = NftRule(message) { rules.append(rule) }
        }
        if answers.missing { return nil }
        if let failure = answers.failure(operation) { throw failure }
        return rules
    }

    /// Every element of `set` with its counter (zero when the element has none). Nil when the set is not there.
    func elementCounters(table: String, set: String) throws(NATError) -> [PodNATCounter]? {
        let operation = "list elements of set \(set)"
        var counters: [PodNATCounter] = []
        let answers = try request(operation, dump: true) { messages, next in
            messages.elementDump(table: table, set: set, sequence: next())
        } onReply: { message in
            NftAttributes.payload(of: message).forEach { type, value in
                guard type == NFTA_SET_ELEM_LIST_ELEMENTS.rawValue else { return }
                value.forEach { type, element in
                    guard type == NFTA_LIST_ELEM.rawValue, let counter = Self.elementCounter(element) else { return }
                    counters.append(counter)
                }
            }
        }
        if answers.missing { return nil }
        if let failure = answers.failure(operation) { throw failure }
        return counters
    }

    private static func elementCounter(_ element: NftAttributes) -> PodNATCounter? {
        var address: IPv4Address?
        var counter: (packets: UInt64, bytes: UInt64)?
        element.forEach { type, value in
            switch type {
            case NFTA_SET_ELEM_KEY.rawValue:
                value.forEach { type, data in
                    if type == NFTA_DATA_VALUE.rawValue, let raw = data.uint32 { address = IPv4Address(raw) }
                }
            case NFTA_SET_ELEM_EXPR.rawValue:
                counter = counter ?? value.counter
            case NFTA_SET_ELEM_EXPRESSIONS.rawValue:
                value.forEach { type, expression in if type == NFTA_LIST_ELEM.rawValue { counter = counter ?? expression.counter } }
            default: break
            }
        }
        return address.map { PodNATCounter(address: $0, packets: counter?.packets ?? 0, bytes: counter?.bytes ?? 0) }
    }

    // MARK: - Exchange

    private func nextSequence() -> UInt32 {
        sequence &+= 1
        return sequence
    }

    private struct Answers {
        var errors: [Int32] = []
        var replies = 0
        /// Status messages (NLMSG_ERROR, an ack when its code is 0) received.
        var statuses = 0

        /// The kernel said ENOENT: the table or set named is not there.
        var missing: Bool { errors.contains(ENOENT) }

        /// The first error, as the failure of `operation`.
        func failure(_ operation: String) -> NATError? {
            errors.first.map { .netlinkFailed(operation: operation, errno: $0) }
        }
    }

    /// Builds one datagram (`build` numbers each message with `next()`) and exchanges it.
    private func request(_ operation: String, dump: Bool = false,
                         _ build: (inout MessageWriter, () -> UInt32) -> Void,
                         onReply: (UnsafePointer<nlmsghdr>) -> Void = { _ in }) throws(NATError) -> Answers {
        let first = sequence &+ 1
        var messages = MessageWriter(buffer)
        build(&messages, nextSequence)
        return try exchange(messages.bytes, operation: operation, dump: dump, since: first, onReply)
    }

    /// Sends one datagram and reads its answers. nfnetlink handles a request (a batch included) within
    /// the send, so every answer is queued when `sendto` returns and the reading stops when the socket is
    /// empty. A dump is read until its end, since the kernel fills it as it is read.
    private func exchange(_ bytes: UnsafeRawBufferPointer, operation: String, dump: Bool, since first: UInt32,
                          _ onReply: (UnsafePointer<nlmsghdr>) -> Void = { _ in }) throws(NATError) -> Answers {
        guard retryingOnEINTR({ mnl_socket_sendto(socket, bytes.baseAddress, bytes.count) }) >= 0 else {
            throw .netlinkFailed(operation: operation, errno: errno)
        }
        var answers = Answers()
        let fd = mnl_socket_get_fd(socket)
        while true {
            let received = retryingOnEINTR { recv(fd, buffer.baseAddress, buffer.count, dump ? 0 : Int32(MSG_DONTWAIT)) }
            if received < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { return answers }
                throw .netlinkFailed(operation: operation, errno: errno)
            }
            guard received > 0, let start = buffer.baseAddress else { return answers }
            var remaining = Int32(received)
            var nlh = UnsafePointer(start.assumingMemoryBound(to: nlmsghdr.self))
            while mnl_nlmsg_ok(nlh, remaining) {
                defer { nlh = UnsafePointer(mnl_nlmsg_next(nlh, &remaining)) }
                // Only answers to this exchange's messages (a leftover of an earlier one is dropped).
                guard mnl_nlmsg_portid_ok(nlh, portID), nlh.pointee.nlmsg_seq &- first <= sequence &- first else { continue }
                let type = Int32(nlh.pointee.nlmsg_type)
                if type == vnet_nlmsg_error() {
                    if mnl_nlmsg_get_payload_len(nlh) >= MemoryLayout<Int32>.size, let payload = mnl_nlmsg_get_payload(nlh) {
                        let code = payload.loadUnaligned(as: Int32.self)
                        if code < 0 { answers.errors.append(-code) }
                    }
                    answers.statuses += 1
                    if dump { return answers }
                } else if type == vnet_nlmsg_done() {
                    return answers
                } else if type != vnet_nlmsg_noop() {
                    answers.replies += 1
                    onReply(nlh)
                }
            }
        }
    }
}
