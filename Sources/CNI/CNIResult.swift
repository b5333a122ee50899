#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// A CNI result, written in the configuration's version.
public struct CNIResult: Sendable, Hashable {
    public struct Interface: Sendable, Hashable {
        public var name: String
        public var mac: String?
        public var mtu: Int?
        public var sandbox: String?

        public init(name: String, mac: String? = nil, mtu: Int? = nil, sandbox: String? = nil) {
            self.name = name
            self.mac = mac
            self.mtu = mtu
            self.sandbox = sandbox
        }
    }

    public struct IPConfig: Sendable, Hashable {
        public var address: IPv4Prefix
        public var gateway: IPv4Address?
        public var interface: Int?

        public init(address: IPv4Prefix, gateway: IPv4Address?, interface: Int?) {
            self.address = address
            self.gateway = gateway
            self.interface = interface
        }
    }


    public var interfaces: [Interface]
    public var ips: [IPConfig]
    public var routes: [RouteSpec]
    public var dns: DNSSettings?

    public init(interfaces: [Interface] = [], ips: [IPConfig] = [], routes: [RouteSpec] = [], dns: DNSSettings? = nil) {
        self.interfaces = interfaces
        self.ips = ips
        self.routes = routes
        self.dns = dns
    }

    /// The result as JSON in `version` (0.3.x/0.4.0 add `ips[].version`).
    public func json(version: String) -> JSONValue {
        var object: [String: JSONValue] = ["cniVersion": .string(version)]
        if !interfaces.isEmpty {
            object["interfaces"] = .array(interfaces.map { interface in
                var item: [String: JSONValue] = ["name": .string(interface.name)]
                if let mac = interface.mac { item["mac"] = .string(mac) }
                if let mtu = interface.mtu { item["mtu"] = .number(Double(mtu)) }
                if let sandbox = interface.sandbox { item["sandbox"] = .string(sandbox) }
                return .object(item)
            })
        }
        object["ips"] = .array(ips.map { ip in
            var item: [String: JSONValue] = ["address": .string(ip.address.description)]
            if CNIVersion.resultHasIPVersion(version) { item["version"] = .string("4") }
            if let gateway = ip.gateway { item["gateway"] = .string(gateway.description) }
            if let index = ip.interface { item["interface"] = .number(Double(index)) }
            return .object(item)
        })
        if !routes.isEmpty {
            object["routes"] = .array(routes.map { route in
                var item: [String: JSONValue] = ["dst": .string(route.dst.description)]
                if let gw = route.gw { item["gw"] = .string(gw.description) }
                return .object(item)
            })
        }
        var dnsObject: [String: JSONValue] = [:]
        if let dns {
            if let servers = dns.nameservers, !servers.isEmpty { dnsObject["nameservers"] = .array(servers.map(JSONValue.string)) }
            if let domain = dns.domain { dnsObject["domain"] = .string(domain) }
            if let search = dns.search, !search.isEmpty { dnsObject["search"] = .array(search.map(JSONValue.string)) }
            if let options = dns.options, !options.isEmpty { dnsObject["options"] = .array(options.map(JSONValue.string)) }
        }
        object["dns"] = .object(dnsObject)
        return .object(object)
    }

    /// Reads a result (a prevResult, or a delegated plugin's output) of any supported version.
    public init(decoding value: JSONValue, version: String) throws(CNIError) {
        guard case .object(let object) = value else {
            throw CNIError(.decodeFailure, "result is not a JSON object", details: "found \(value.typeName)")
        }
        let reader = ConfigReader(object, context: "prevResult")
        interfaces = []
        for item in object["interfaces"]?.arrayValue ?? [] {
            guard let name = item["name"]?.stringValue else {
                throw CNIError(.decodeFailure, "a result interface has no name")
            }
            interfaces.append(Interface(name: name, mac: item["mac"]?.stringValue, mtu: item["mtu"]?.intValue,
                                        sandbox: item["sandbox"]?.stringValue))
        }
        ips = []
        for item in object["ips"]?.arrayValue ?? [] {
            if let v = item["version"]?.stringValue, v != "4" { continue }
            guard let text = item["address"]?.stringValue, let address = IPv4Prefix(text) else {
                if let text = item["address"]?.stringValue, text.contains(":") { continue }
                throw CNIError(.decodeFailure, "a result address is missing or not a.b.c.d/len")
            }
            let gateway = item["gateway"]?.stringValue.flatMap { IPv4Address($0) }
            ips.append(IPConfig(address: address, gateway: gateway, interface: item["interface"]?.intValue))
        }
        routes = []
        for item in object["routes"]?.arrayValue ?? [] {
            guard let text = item["dst"]?.stringValue else { throw CNIError(.decodeFailure, "a result route has no dst") }
            guard let dst = IPv4Prefix(text) else { continue }
            routes.append(RouteSpec(dst: dst, gw: item["gw"]?.stringValue.flatMap { IPv4Address($0) }))
        }
        do throws(ConfigError) {
            if let dnsReader = try reader.object("dns") {
                dns = DNSSettings(nameservers: try dnsReader.strings("nameservers"), domain: try dnsReader.string("domain"),
                                  search: try dnsReader.strings("search"), options: try dnsReader.strings("options"))
            } else {
                dns = nil
            }
        } catch {
            throw CNIError(.decodeFailure, "prevResult has an unreadable dns object", details: error.description)
        }
    }
}
