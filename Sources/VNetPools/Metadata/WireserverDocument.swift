import VNetModel

/// The host agent's interface list (`comp=nmagent&type=getinterfaceinfov1`):
///
///     <Interfaces>
///       <Interface MacAddress="002248263DBD" IsPrimary="true">
///         <IPSubnet Prefix="10.240.0.0/16">
///           <IPAddress Address="10.240.0.4" IsPrimary="true"/>
///           <IPAddress Address="10.240.0.5" IsPrimary="false"/>
///
/// Read strictly: a missing attribute, an unparseable address or an address outside its subnet fails the
/// whole document (the cache then serves), rather than yielding a pool that is quietly wrong. Unknown
/// elements are skipped so additions to the format do not break nodes.
public enum WireserverDocument {
    static let source = "wireserver"

    public static func parse(_ text: String) throws(PoolDocumentError) -> [MetadataInterface] {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(PoolDocumentError) -> [MetadataInterface] {
        let root: XMLElement
        do { root = try XMLReader.parse(bytes) } catch { throw PoolDocumentError(source: source, reason: error.description) }
        guard root.name == "Interfaces" else {
            throw PoolDocumentError(source: source, reason: "the root element is <\(root.name)>, expected <Interfaces>")
        }
        var interfaces: [MetadataInterface] = []
        for element in root.elements(named: "Interface") {
            let mac = try attribute("MacAddress", of: element)
            var subnets: [MetadataInterface.Subnet] = []
            for subnetElement in element.elements(named: "IPSubnet") {
                let prefixText = try attribute("Prefix", of: subnetElement)
                guard let prefix = IPv4Prefix(prefixText) else {
                    throw PoolDocumentError(source: source, reason: "IPSubnet Prefix \"\(prefixText)\" is not an IPv4 prefix")
                }
                var addresses: [MetadataInterface.Address] = []
                for addressElement in subnetElement.elements(named: "IPAddress") {
                    let text = try attribute("Address", of: addressElement)
                    guard let address = IPv4Address(text) else {
                        throw PoolDocumentError(source: source, reason: "IPAddress Address \"\(text)\" is not an IPv4 address")
                    }
                    guard prefix.contains(address) else {
                        throw PoolDocumentError(source: source, reason: "IPAddress \(address) is outside its IPSubnet \(prefix)")
                    }
                    addresses.append(.init(address, isPrimary: try flag("IsPrimary", of: addressElement)))
                }
                subnets.append(.init(prefix: prefix, addresses: addresses))
            }
            interfaces.append(MetadataInterface(macAddress: mac, isPrimary: try flag("IsPrimary", of: element), subnets: subnets))
        }
        return interfaces
    }

    private static func attribute(_ name: String, of element: XMLElement) throws(PoolDocumentError) -> String {
        guard let value = element.attribute(name) else {
            throw PoolDocumentError(source: source, reason: "<\(element.name)> has no \(name) attribute")
        }
        return value.trimmingASCIISpacesAndTabs()
    }

    /// "true"/"false" in any case; absent means false.
    private static func flag(_ name: String, of element: XMLElement) throws(PoolDocumentError) -> Bool {
        guard let value = element.attribute(name) else { return false }
        switch value.trimmingASCIISpacesAndTabs().lowercased() {
        case "true": return true
        case "false": return false
        default: throw PoolDocumentError(source: source, reason: "<\(element.name)> \(name)=\"\(value)\" is not true or false")
        }
    }
}
