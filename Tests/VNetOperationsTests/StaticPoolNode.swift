import XCTest
import Glibc
import VNetIPAM
import VNetModel
@testable import VNetOperations

/// A node on fakes (kernel, NAT) with a real vnet-ipam over a static pool in a fresh temporary data
/// directory: what the operations tests build before each test. Remove `dataDir` in tearDown.
struct StaticPoolNode {
    let dataDir: String
    let node: Node

    /// `addresses`: the static pool's range; `gateway` nil leaves the subnet's first host.
    init(addresses: String, gateway: String? = nil, config: NodeConfig = NodeConfig(network: "net"),
         kernel: FakeKernel, nat: FakeNAT = FakeNAT()) throws {
        var template = Array("/tmp/vnet-ops-test-XXXXXX".utf8CString)
        dataDir = String(cString: try XCTUnwrap(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }))
        let gatewayKey = gateway.map { #""gateway": "\#($0)", "# } ?? ""
        let pool = try IPAMConfig.parse(try XCTUnwrap(JSONParser.parse("""
            {"type": "vnet-ipam", "dataDir": "\(dataDir)", "pool": {"source": "static", "subnet": "10.240.0.0/16",
             \(gatewayKey)"addresses": ["\(addresses)"]}}
            """).objectValue))
        let service = try IPAMService(network: "net", config: pool)
        node = Node(config: config, kernel: kernel, nat: nat, addresses: InProcessAddresses(service: service), store: service.store)
    }
}
