import Foundation
import XCTest
import VNetModel
@testable import VNetPools

final class PoolSourceConfigTests: XCTestCase {
    func parse(_ json: String) throws -> PoolSourceConfig {
        try PoolSourceConfig.parse(json: Array(json.utf8))
    }

    /// The message of the error parsing `json` throws.
    func failure(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let config = try parse(json)
            XCTFail("expected an error, got \(config)", file: file, line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testStaticSourceWithEveryKey() throws {
        let config = try parse("""
        {"source": "static", "subnet": "10.240.0.0/16", "gateway": "10.240.0.1",
         "addresses": ["10.240.0.10-10.240.0.200", "10.240.1.7"], "exclude": ["10.240.0.50"],
         "dns": {"nameservers": ["168.63.129.16"], "search": ["svc.local"]}}
        """)
        XCTAssertEqual(config.kindName, "static")
        guard case .static(let definition) = config.source else { return XCTFail("not static: \(config.source)") }
        XCTAssertEqual(definition.subnet, IPv4Prefix("10.240.0.0/16"))
        XCTAssertEqual(definition.gateway, IPv4Address("10.240.0.1"))
        XCTAssertEqual(definition.addresses, ["10.240.0.10-10.240.0.200", "10.240.1.7"])
        XCTAssertEqual(config.exclude, ["10.240.0.50"])
        XCTAssertEqual(config.dns?.nameservers, ["168.63.129.16"])
        XCTAssertEqual(config.dns?.search, ["svc.local"])
        XCTAssertEqual(config.cacheTTLSeconds, 300)
        XCTAssertEqual(config.timeoutMilliseconds, 2000)

        let loaded = try PoolLoader(cacheDirectory: "/nonexistent").load(config)
        XCTAssertEqual(loaded.definition.exclude, ["10.240.0.50"])
        XCTAssertEqual(loaded.info, PoolSourceInfo(kind: "static", fetchedAt: nil, servedFromCache: false))
        let pool = try Pool(loaded.definition)
        XCTAssertEqual(pool.capacity, 191 + 1 - 1)  // .10-.200 and .7, minus .50
        XCTAssertFalse(pool.contains(IPv4Address("10.240.0.50")!))
    }

    func testStaticGatewayIsOptionalAndHostBitsAreCleared() throws {
        let config = try parse(#"{"source": "static", "subnet": "10.240.3.9/16", "addresses": ["10.240.0.10"]}"#)
        guard case .static(let definition) = config.source else { return XCTFail() }
        XCTAssertNil(definition.gateway)
        XCTAssertEqual(definition.subnet.description, "10.240.0.0/16")
        XCTAssertEqual(try Pool(definition).gateway, IPv4Address("10.240.0.1"))
    }

    func testMetadataSources() throws {
        let wire = try parse("""
        {"source": "wireserver", "url": "http://168.63.129.16/machine/plugins?comp=nmagent&type=getinterfaceinfov1",
         "macAddress": "00:22:48:26:3d:bd", "cacheTTLSeconds": 60, "timeoutMilliseconds": 500, "exclude": ["10.240.0.5"]}
        """)
        guard case .wireserver(let endpoint) = wire.source else { return XCTFail() }
        XCTAssertEqual(endpoint.url.host, IPv4Address("168.63.129.16"))
        XCTAssertEqual(endpoint.url.port, 80)
        XCTAssertEqual(endpoint.url.target, "/machine/plugins?comp=nmagent&type=getinterfaceinfov1")
        XCTAssertEqual(endpoint.macAddress?.hex, "002248263DBD")
        XCTAssertEqual(wire.cacheTTLSeconds, 60)
        XCTAssertEqual(wire.timeoutMilliseconds, 500)
        XCTAssertEqual(wire.exclude, ["10.240.0.5"])

        let imds = try parse(#"{"source": "imds"}"#)
        guard case .imds(let defaulted) = imds.source else { return XCTFail() }
        XCTAssertEqual(defaulted.url.description, PoolSourceConfig.defaultIMDSURL)
        XCTAssertNil(defaulted.macAddress)
        XCTAssertEqual(imds.kindName, "imds")
    }

    func testFileSource() throws {
        let config = try parse(#"{"source": "file", "path": "/etc/vnet/pool.json"}"#)
        XCTAssertEqual(config.source, .file(path: "/etc/vnet/pool.json"))
        XCTAssertTrue(failure(#"{"source": "file", "path": "etc/pool.json"}"#).contains(#"pool.path "etc/pool.json" must be an absolute path"#))
        XCTAssertTrue(failure(#"{"source": "file"}"#).contains("pool.path is missing"))
    }

    func testErrorsNameTheKeyAndTheValue() {
        let cases: [(String, String)] = [
            (#"{"source": "carrier-pigeon"}"#, #"pool.source "carrier-pigeon" is not a known source"#),
            (#"{"subnet": "10.0.0.0/8"}"#, "pool.source is missing"),
            (#"{"source": 7}"#, "pool.source must be a string, found 7"),
            (#"{"source": "static", "subnet": "10.240.0.0/33", "addresses": []}"#, #"pool.subnet "10.240.0.0/33" is not a valid IPv4 prefix"#),
            (#"{"source": "static", "addresses": []}"#, "pool.subnet is missing"),
            (#"{"source": "static", "subnet": "10.240.0.0/16"}"#, "pool.addresses is missing"),
            (#"{"source": "static", "subnet": "10.240.0.0/16", "gateway": "10.240.0", "addresses": []}"#,
             #"pool.gateway "10.240.0" is not a valid IPv4 address"#),
            (#"{"source": "static", "subnet": "10.240.0.0/16", "addresses": ["10.240.0.1", "10.240.0.9-10.240.0.1"]}"#,
             #"pool.addresses[1] "10.240.0.9-10.240.0.1" is not an address, a range"#),
            (#"{"source": "static", "subnet": "10.240.0.0/16", "addresses": "10.240.0.1"}"#,
             #"pool.addresses must be an array of strings, found "10.240.0.1""#),
            (#"{"source": "static", "subnet": "10.240.0.0/16", "addresses": [5]}"#, "pool.addresses[0] must be a string, found 5"),
            (#"{"source": "imds", "exclude": ["banana"]}"#, #"pool.exclude[0] "banana" is not an address"#),
            (#"{"source": "imds", "cacheTTLSeconds": -1}"#, "pool.cacheTTLSeconds -1 is out of range"),
            (#"{"source": "imds", "cacheTTLSeconds": 1.5}"#, "pool.cacheTTLSeconds must be a whole number, found 1.5"),
            (#"{"source": "imds", "timeoutMilliseconds": 0}"#, "pool.timeoutMilliseconds 0 is out of range"),
            (#"{"source": "imds", "url": "https://169.254.169.254/x"}"#, #"pool.url "https://169.254.169.254/x" is not supported: only http://"#),
            (#"{"source": "imds", "url": "http://metadata.azure.internal/x"}"#, "is not an IPv4 address (host names are not resolved)"),
            (#"{"source": "imds", "url": "http://169.254.169.254:99999/x"}"#, #"port "99999""#),
            (#"{"source": "wireserver", "macAddress": "00-22-48-26-3D"}"#, #"pool.macAddress "00-22-48-26-3D" is not a MAC address"#),
            (#"{"source": "wireserver", "dns": ["1.1.1.1"]}"#, "pool.dns must be an object, found an array"),
            (#"{"source": "wireserver", "dns": {"nameservers": "1.1.1.1"}}"#, "pool.dns.nameservers must be an array of strings"),
            (#"["static"]"#, "pool must be an object"),
            (#"{"source": "static",,}"#, "pool is not valid JSON"),
        ]
        for (json, expected) in cases {
            let message = failure(json)
            XCTAssertTrue(message.contains(expected), "\(json): got \(message), expected \(expected)")
        }
    }

    /// The IPAM layer decodes the pool with JSONDecoder: our error must come out unchanged, not wrapped.
    func testJSONDecoderPassesTheConfigErrorThrough() throws {
        let good = try JSONDecoder().decode(PoolSourceConfig.self, from: Data(#"{"source": "imds", "macAddress": "000d3af806ec"}"#.utf8))
        guard case .imds(let endpoint) = good.source else { return XCTFail() }
        XCTAssertEqual(endpoint.macAddress, MACAddress("000D3AF806EC"))
        XCTAssertThrowsError(try JSONDecoder().decode(PoolSourceConfig.self, from: Data(#"{"source": "static", "subnet": "1.2.3.0/40", "addresses": []}"#.utf8))) { error in
            guard let configError = error as? PoolConfigError else { return XCTFail("wrapped: \(error)") }
            XCTAssertEqual(configError.key, "pool.subnet")
            XCTAssertEqual(configError.description, #"pool.subnet "1.2.3.0/40" is not a valid IPv4 prefix (a.b.c.d/len)"#)
        }
    }

    func testMACAddressSpellings() {
        XCTAssertEqual(MACAddress("002248263dbd")?.hex, "002248263DBD")
        XCTAssertEqual(MACAddress("00:22:48:26:3D:BD"), MACAddress("00-22-48-26-3d-bd"))
        XCTAssertEqual(MACAddress("0022.4826.3dbd")?.hex, "002248263DBD")
        XCTAssertNil(MACAddress("00224826"))
        XCTAssertNil(MACAddress("002248263DBD00"))
        XCTAssertNil(MACAddress("00 22 48 26 3D BD"))
        XCTAssertNil(MACAddress("00224826ZZBD"))
        XCTAssertNil(MACAddress(""))
    }

    func testURLParsing() throws {
        let url = try HTTPURL(parsing: "HTTP://127.0.0.1:8080?x=1#frag")
        XCTAssertEqual(url.port, 8080)
        XCTAssertEqual(url.target, "/?x=1")
        XCTAssertEqual(url.hostHeader, "127.0.0.1:8080")
        XCTAssertEqual(try HTTPURL(parsing: "http://10.0.0.1").target, "/")
        XCTAssertEqual(try HTTPURL(parsing: "http://10.0.0.1/a/b").description, "http://10.0.0.1/a/b")
        for bad in ["http://", "http://:80/", "http://user@10.0.0.1/", "http://10.0.0.1:0/", "http://10.0.0.1:/",
                    "http://10.0.0.1/a b", "ftp://10.0.0.1/", "http://[::1]/", "http://10.0.0.1:8a/", "10.0.0.1/x"] {
            XCTAssertThrowsError(try HTTPURL(parsing: bad), bad) { error in
                guard case HTTPError.invalidURL(let text, _) = error else { return XCTFail("\(bad): \(error)") }
                XCTAssertEqual(text, bad)
            }
        }
    }

    func testVNetSourceDefaultsAndKeys() throws {
        let config = try parse("""
        {"source": "vnet", "subnet": "10.240.0.0/16", "exclude": ["10.240.0.0/24"], "blockSize": 32, "warmAddresses": 0}
        """)
        XCTAssertEqual(config.kindName, "vnet")
        XCTAssertTrue(config.isVNetBlocks)
        guard case .vnet(let spec) = config.source else { return XCTFail("not vnet: \(config.source)") }
        XCTAssertEqual(spec.gateway, IPv4Address("10.240.0.1"))
        XCTAssertEqual(spec.blockSize, 32)
        XCTAssertEqual(spec.blockLength, 27)
        XCTAssertEqual(spec.warmAddresses, 0)
        XCTAssertEqual(spec.blockReleaseSeconds, VNetPoolSpec.defaultBlockReleaseSeconds)
        XCTAssertEqual(config.exclude, ["10.240.0.0/24"])
    }

    func testVNetSourceRefusesBadBlocksAndGateways() {
        for size in [0, 3, 12, 512] {
            let message = failure(#"{"source": "vnet", "subnet": "10.240.0.0/16", "blockSize": \#(size)}"#)
            XCTAssertTrue(message.contains("pool.blockSize"), message)
        }
        XCTAssertTrue(failure(#"{"source": "vnet", "subnet": "10.240.0.0/16", "gateway": "10.9.0.1"}"#).contains("pool.gateway"))
        XCTAssertTrue(failure(#"{"source": "vnet", "subnet": "10.240.0.0/30", "blockSize": 8}"#).contains("larger than the subnet"))
        XCTAssertTrue(failure(#"{"source": "vnet"}"#).contains("pool.subnet"))
    }
}
