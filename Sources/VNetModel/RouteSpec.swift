/// A route handed to a pod: a destination and, unless it is on-link, a gateway. One type for the IPAM's
/// result, the CNI result, the plugin's configuration and what the kernel adapter installs.
public struct RouteSpec: Sendable, Hashable {
    public var dst: IPv4Prefix
    public var gw: IPv4Address?

    public init(dst: IPv4Prefix, gw: IPv4Address?) {
        self.dst = dst
        self.gw = gw
    }
}

extension ConfigReader {
    /// `[{"dst": "a.b.c.d/len", "gw": "a.b.c.d"?}]` under `key`, or nil when absent.
    public func routes(_ key: String) throws(ConfigError) -> [RouteSpec]? {
        guard let list = object[key], list != .null else { return nil }
        guard let items = list.arrayValue else { throw ConfigError("\"\(name(key))\" must be an array of {dst, gw}") }
        var routes: [RouteSpec] = []
        for item in items {
            guard let routeObject = item.objectValue else { throw ConfigError("\"\(name(key))\" entries must be objects") }
            let route = ConfigReader(routeObject, context: name(key) + "[]")
            guard let text = try route.string("dst"), let dst = IPv4Prefix(text) else {
                throw ConfigError("\"\(name(key))[].dst\" must be an IPv4 prefix (a.b.c.d/len)")
            }
            routes.append(RouteSpec(dst: dst.canonical, gw: try route.address("gw")))
        }
        return routes
    }
}
