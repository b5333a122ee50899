#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMnl
import VNetModel

/// What a pod's interface should end up with.
public struct InterfaceSetup: Sendable, Hashable {
    /// The interface's name in its namespace (CNI_IFNAME).
    public var name: String
    /// Its address and prefix length, e.g. 10.240.0.7/16.
    public var address: IPv4Prefix
    /// The default gateway; nil for none. On-link in the subnet as on Azure.
    public var gateway: IPv4Address?
    /// More routes, out of the same interface.
    public var routes: [Route]
    /// Bring lo up too (a fresh namespace has it down).
    public var loopbackUp: Bool
    /// Let the kernel give the interface an IPv6 link-local address when it comes up (its default). When
    /// false the interface gets none (address generation mode "none"), and so never sends the multicast
    /// that comes with one: duplicate address detection, router solicitations, MLD reports.
    public var ipv6LinkLocal: Bool

    public init(name: String, address: IPv4Prefix, gateway: IPv4Address? = nil, routes: [Route] = [], loopbackUp: Bool = true,
                ipv6LinkLocal: Bool = true) {
        self.name = name
        self.address = address
        self.gateway = gateway
        self.routes = routes
        self.loopbackUp = loopbackUp
        self.ipv6LinkLocal = ipv6LinkLocal
    }
}

/// An interface as CHECK reads it back: the link, its addresses and the routes leaving by it.
public struct InterfaceView: Sendable, Hashable {
    public var link: Link
    public var addresses: [Address]
    public var routes: [Route]
}

extension Netlink {
    /// Configures an interface (meant for a handle opened in the pod's namespace): address, link up, lo
    /// up, default route, extra routes. Two round trips: a GET for the ifindex, then every change in one
    /// batch, in the order the kernel needs (the address first, so the gateway is on-link for the routes).
    /// Address and routes are written with NLM_F_REPLACE, so repeating it converges instead of failing.
    @discardableResult
    public func configureInterface(_ setup: InterfaceSetup) throws(NetlinkError) -> Link {
        let label = RequestLabel(operation: "configure interface", object: setup.name)
        guard let link = try link(named: setup.name) else { throw label.failure(ENODEV, "no such interface") }
        var batch = RequestBatch()
        try addAddress(setup.address, linkIndex: link.index, replace: true, into: &batch,
                       label: RequestLabel(operation: "add address", object: "\(setup.address) on \(setup.name)"))
        if !setup.ipv6LinkLocal {
            // Before the interface comes up: the kernel makes the link-local address then. A kernel without
            // IPv6 refuses the family (EAFNOSUPPORT), and then there is nothing to turn off.
            try batch.add(RTM_SETLINK, header: Self.linkHeader(index: link.index), label: RequestLabel(
                operation: "set IPv6 address generation to none", object: setup.name), tolerating: EAFNOSUPPORT) {
                writer throws(NetlinkError) in
                try writer.nest(IFLA_AF_SPEC) { spec throws(NetlinkError) in
                    try spec.nest(AF_INET6) { inet6 throws(NetlinkError) in
                        try inet6.put(IFLA_INET6_ADDR_GEN_MODE, u8: UInt8(IN6_ADDR_GEN_MODE_NONE.rawValue))
                    }
                }
            }
        }
        let up = LinkChanges(up: true).flagBits
        try batch.add(RTM_SETLINK, header: Self.linkHeader(index: link.index, flags: up.flags, change: up.change),
                      label: RequestLabel(operation: "set link up", object: setup.name))
        if setup.loopbackUp {
            try batch.add(RTM_SETLINK, header: Self.linkHeader(flags: up.flags, change: up.change),
                          label: RequestLabel(operation: "set link up", object: "lo")) { writer throws(NetlinkError) in
                try writer.put(IFLA_IFNAME, string: "lo")
            }
        }
        if let gateway = setup.gateway {
            try addRoute(.defaultRoute(via: gateway, outputIndex: link.index), replace: true, into: &batch)
        }
        for var route in setup.routes {
            if route.outputIndex == nil { route.outputIndex = link.index }
            try addRoute(route, replace: true, into: &batch)
        }
        _ = try socket.execute(batch)
        return link
    }

    /// The interface named `name` with its IPv4 addresses and the main-table routes that leave by it;
    /// nil when there is no such interface.
    public func inspectInterface(named name: String) throws(NetlinkError) -> InterfaceView? {
        guard let link = try link(named: name) else { return nil }
        let addresses = try addresses(linkIndex: link.index)
        let routes = try routes().filter { $0.outputIndex == link.index }
        return InterfaceView(link: link, addresses: addresses, routes: routes)
    }
}
