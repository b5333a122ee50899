#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMnl
import VNetModel

/// An IPv4 route (RTM_NEWROUTE).
public struct Route: Sendable, Hashable, CustomStringConvertible {
    /// 0.0.0.0/0 for the default route.
    public var destination: IPv4Prefix
    public var gateway: IPv4Address?
    /// RTA_OIF: the outgoing link.
    public var outputIndex: Int32?
    /// RTA_PREFSRC: the source address the kernel picks for traffic on this route.
    public var source: IPv4Address?
    /// RTA_PRIORITY, the metric.
    public var metric: UInt32?
    /// RTNH_F_ONLINK: the gateway is reachable on the link without a covering connected route.
    public var onLink: Bool
    /// RT_SCOPE_*: link for a route without gateway, universe otherwise (derived when not given).
    public var scope: UInt8
    public var table: UInt32
    /// RTPROT_*: who made it (boot for ours, kernel for connected routes).
    public var origin: UInt8
    /// RTN_*: unicast, local, broadcast, ...
    public var type: UInt8

    public static let mainTable = UInt32(RT_TABLE_MAIN.rawValue)

    public init(destination: IPv4Prefix, gateway: IPv4Address? = nil, outputIndex: Int32? = nil,
                source: IPv4Address? = nil, metric: UInt32? = nil, onLink: Bool = false, scope: UInt8? = nil,
                table: UInt32 = Route.mainTable, origin: UInt8 = UInt8(RTPROT_BOOT), type: UInt8 = UInt8(RTN_UNICAST)) {
        self.destination = destination.canonical
        self.gateway = gateway
        self.outputIndex = outputIndex
        self.source = source
        self.metric = metric
        self.onLink = onLink
        self.scope = scope ?? UInt8(truncatingIfNeeded: gateway == nil ? RT_SCOPE_LINK.rawValue : RT_SCOPE_UNIVERSE.rawValue)
        self.table = table
        self.origin = origin
        self.type = type
    }

    /// A default route via `gateway`.
    public static func defaultRoute(via gateway: IPv4Address, outputIndex: Int32? = nil) -> Route {
        Route(destination: IPv4Prefix(address: IPv4Address(0), length: 0), gateway: gateway, outputIndex: outputIndex)
    }

    public var isDefault: Bool { destination.length == 0 }

    public var description: String {
        var text = isDefault ? "default" : destination.description
        if let gateway { text += " via \(gateway)" }
        if let outputIndex { text += " dev #\(outputIndex)" }
        return text
    }

    /// Decodes an RTM_NEWROUTE message for IPv4; nil otherwise (and for cached clones).
    init?(_ message: Message) {
        guard Int(message.type) == RTM_NEWROUTE || Int(message.type) == RTM_DELROUTE,
              let header = message.header(rtmsg.self), Int32(header.rtm_family) == AF_INET,
              header.rtm_dst_len <= 32, header.rtm_flags & UInt32(RTM_F_CLONED) == 0 else { return nil }
        let attributes = message.attributes(after: rtmsg.self)
        let destination = attributes.address(RTA_DST.rawValue) ?? IPv4Address(0)
        self.init(destination: IPv4Prefix(address: destination, length: Int(header.rtm_dst_len)),
                  gateway: attributes.address(RTA_GATEWAY.rawValue), outputIndex: attributes.i32(RTA_OIF.rawValue),
                  source: attributes.address(RTA_PREFSRC.rawValue), metric: attributes.u32(RTA_PRIORITY.rawValue),
                  onLink: header.rtm_flags & vnet_rtnh_f_onlink() != 0, scope: header.rtm_scope,
                  table: attributes.u32(RTA_TABLE.rawValue) ?? UInt32(header.rtm_table),
                  origin: header.rtm_protocol, type: header.rtm_type)
    }

    func header(deleting: Bool) -> rtmsg {
        var header = rtmsg()
        header.rtm_family = UInt8(truncatingIfNeeded: AF_INET)
        header.rtm_dst_len = UInt8(truncatingIfNeeded: destination.length)
        header.rtm_table = table < 256 ? UInt8(table) : UInt8(truncatingIfNeeded: RT_TABLE_UNSPEC.rawValue)
        if deleting {
            // Match any scope, origin and type: the kernel compares only what is set.
            header.rtm_scope = UInt8(truncatingIfNeeded: RT_SCOPE_NOWHERE.rawValue)
        } else {
            header.rtm_scope = scope
            header.rtm_protocol = origin
            header.rtm_type = type
            if onLink { header.rtm_flags = vnet_rtnh_f_onlink() }
        }
        return header
    }

    func write(_ writer: MessageWriter) throws(NetlinkError) {
        try writer.put(RTA_TABLE.rawValue, u32: table)
        if destination.length > 0 { try writer.put(RTA_DST.rawValue, address: destination.address) }
        if let gateway { try writer.put(RTA_GATEWAY.rawValue, address: gateway) }
        if let outputIndex { try writer.put(RTA_OIF.rawValue, i32: outputIndex) }
        if let source { try writer.put(RTA_PREFSRC.rawValue, address: source) }
        if let metric { try writer.put(RTA_PRIORITY.rawValue, u32: metric) }
    }
}

/// The kernel's answer to "how would you send to X": what `ip route get X` prints.
public struct RouteLookup: Sendable, Hashable {
    public var destination: IPv4Address
    /// The preferred source address: for a node, its primary address on the way out.
    public var source: IPv4Address?
    public var gateway: IPv4Address?
    public var outputIndex: Int32?
}

extension Netlink {
    /// Writes an RTM_NEWROUTE for `route` into `batch`; `replace` makes it idempotent.
    func addRoute(_ route: Route, replace: Bool, into batch: inout RequestBatch) throws(NetlinkError) {
        let flags = vnet_nlm_f_create() | (replace ? vnet_nlm_f_replace() : vnet_nlm_f_excl())
        try batch.add(RTM_NEWROUTE, flags: flags, header: route.header(deleting: false),
                      label: RequestLabel(operation: "add route", object: route.description), route.write)
    }

    /// Adds `route`; EEXIST when the table has a route to that destination (with that metric) already.
    public func addRoute(_ route: Route) throws(NetlinkError) {
        var batch = RequestBatch()
        try addRoute(route, replace: false, into: &batch)
        _ = try socket.execute(batch)
    }

    /// Adds `route`, replacing a route to the same destination and metric.
    public func replaceRoute(_ route: Route) throws(NetlinkError) {
        var batch = RequestBatch()
        try addRoute(route, replace: true, into: &batch)
        _ = try socket.execute(batch)
    }

    /// Deletes the route matching `route`'s destination, table and (when set) gateway and output link.
    /// Returns false when there was none.
    @discardableResult
    public func deleteRoute(_ route: Route) throws(NetlinkError) -> Bool {
        do {
            _ = try perform(RTM_DELROUTE, header: route.header(deleting: true),
                            label: RequestLabel(operation: "delete route", object: route.description), route.write)
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    /// The IPv4 routes of `table` (main by default).
    public func routes(table: UInt32 = Route.mainTable) throws(NetlinkError) -> [Route] {
        var header = rtmsg()
        header.rtm_family = UInt8(truncatingIfNeeded: AF_INET)
        return try dump(RTM_GETROUTE, header: header, label: RequestLabel(operation: "dump routes", object: "table \(table)"))
            .compactMap(Route.init).filter { $0.table == table }
    }

    /// Asks the kernel which way it would send to `destination` (RTM_GETROUTE with RTA_DST): the
    /// outgoing link, the gateway, and the preferred source address. ENETUNREACH when there is no route.
    public func lookupRoute(to destination: IPv4Address) throws(NetlinkError) -> RouteLookup {
        var header = rtmsg()
        header.rtm_family = UInt8(truncatingIfNeeded: AF_INET)
        header.rtm_dst_len = 32
        let label = RequestLabel(operation: "look up route", object: "to \(destination)")
        let replies = try perform(RTM_GETROUTE, header: header, label: label) { writer throws(NetlinkError) in
            try writer.put(RTA_DST.rawValue, address: destination)
        }
        guard let reply = replies.first(where: { Int($0.type) == RTM_NEWROUTE }) else {
            throw label.failure(EBADMSG, "the kernel answered without a route")
        }
        let attributes = reply.attributes(after: rtmsg.self)
        return RouteLookup(destination: destination, source: attributes.address(RTA_PREFSRC.rawValue),
                           gateway: attributes.address(RTA_GATEWAY.rawValue), outputIndex: attributes.i32(RTA_OIF.rawValue))
    }

    /// The node's primary address towards `destination` (the source the kernel would pick) and the link
    /// it leaves by; nil when the kernel has no route there or picks no source.
    public func primaryAddress(towards destination: IPv4Address) throws(NetlinkError) -> (address: IPv4Address, link: Link?)? {
        let lookup: RouteLookup
        do {
            lookup = try lookupRoute(to: destination)
        } catch where error.errno == ENETUNREACH || error.errno == EHOSTUNREACH {
            return nil
        }
        guard let source = lookup.source else { return nil }
        return (source, try lookup.outputIndex.flatMap { index throws(NetlinkError) in try link(index: index) })
    }
}
