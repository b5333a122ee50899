import XCTest
@testable import CNI
import VNetModel

/// A plugin that records what it was asked, to test the skeleton's validation and dispatch.
final class RecordingPlugin: CNIPlugin, @unchecked Sendable {
    let about = "test"
    var calls: [String] = []
    var failWith: CNIError?

    func add(_ call: CNICall) throws(CNIError) -> CNIResult {
        calls.append("ADD \(call.key)")
        if let failWith { throw failWith }
        return CNIResult(interfaces: [.init(name: "eth0", mac: "aa:bb:cc:dd:ee:ff", sandbox: call.environment.netns)],
                         ips: [.init(address: IPv4Prefix("10.240.0.9/16")!, gateway: IPv4Address("10.240.0.1"), interface: 0)],
                         routes: [.init(dst: IPv4Prefix("0.0.0.0/0")!, gw: IPv4Address("10.240.0.1"))])
    }
    func del(_ call: CNICall) throws(CNIError) { calls.append("DEL \(call.key)") }
    func check(_ call: CNICall) throws(CNIError) { calls.append("CHECK") }
    func status(_ call: CNICall) throws(CNIError) { calls.append("STATUS") }
    func gc(_ call: CNICall) throws(CNIError) { calls.append("GC \(try call.config.validAttachments().count)") }
}

final class CNIProtocolTests: XCTestCase {
    let env = ["CNI_COMMAND": "ADD", "CNI_CONTAINERID": "abc", "CNI_NETNS": "/var/run/netns/x", "CNI_IFNAME": "eth0",
               "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=pod"]

    func config(_ version: String, extra: String = "") -> [UInt8] {
        Array("{\"cniVersion\":\"\(version)\",\"name\":\"net\",\"type\":\"vnet\"\(extra)}".utf8)
    }

    func json(_ bytes: [UInt8]) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) }

    func testAddAnswersInEachVersion() throws {
        for version in CNIVersion.supported {
            let outcome = CNIMain.handle(RecordingPlugin(), environment: env, stdin: config(version))
            XCTAssertEqual(outcome.exitCode, 0)
            let result = try json(outcome.stdout)
            XCTAssertEqual(result["cniVersion"], .string(version))
            let ip = result["ips"]?.arrayValue?.first
            XCTAssertEqual(ip?["version"] != nil, version.hasPrefix("0."), version)
            XCTAssertEqual(ip?["interface"], .number(0))
        }
    }

    func testErrorsCarryCodeAndVersion() throws {
        let plugin = RecordingPlugin()
        plugin.failWith = CNIError(.tryAgainLater, "busy")
        let outcome = CNIMain.handle(plugin, environment: env, stdin: config("1.0.0"))
        XCTAssertEqual(outcome.exitCode, 1)
        let error = try json(outcome.stdout)
        XCTAssertEqual(error["code"], .number(11))
        XCTAssertEqual(error["cniVersion"], .string("1.0.0"))
        XCTAssertEqual(error["msg"], .string("busy"))
    }

    func testVersionProbeValidatesNothingElse() throws {
        let outcome = CNIMain.handle(RecordingPlugin(), environment: ["CNI_COMMAND": "VERSION", "CNI_NETNS": "dummy",
                                                                      "CNI_IFNAME": "dummy", "CNI_PATH": "dummy"],
                                     stdin: Array("{\"cniVersion\":\"1.0.0\"}".utf8))
        XCTAssertEqual(outcome.exitCode, 0)
        XCTAssertEqual(try json(outcome.stdout)["supportedVersions"]?.arrayValue?.count, CNIVersion.supported.count)
    }

    func testEnvironmentValidation() {
        var bad = env
        bad["CNI_CONTAINERID"] = "-starts-with-dash"
        XCTAssertThrowsError(try CNIEnvironment(bad)) { XCTAssertEqual(($0 as? CNIError)?.code, 4) }
        bad = env
        bad["CNI_IFNAME"] = "has space"
        XCTAssertThrowsError(try CNIEnvironment(bad))
        bad = env
        bad["CNI_COMMAND"] = "DEL"
        bad["CNI_NETNS"] = ""
        XCTAssertNoThrow(try CNIEnvironment(bad), "DEL may come without a netns")
        XCTAssertNoThrow(try CNIEnvironment(["CNI_COMMAND": "GC"]))
        XCTAssertThrowsError(try CNIEnvironment([:])) { XCTAssertEqual(($0 as? CNIError)?.code, 4) }
    }

    func testArgsParsing() throws {
        let args = try CNIArgs(parsing: "IgnoreUnknown=1;K8S_POD_NAME=a=b;;IP=10.0.0.1")
        XCTAssertEqual(args["K8S_POD_NAME"], "a=b")
        XCTAssertEqual(args["IP"], "10.0.0.1")
        XCTAssertThrowsError(try CNIArgs(parsing: "novalue"))
        XCTAssertThrowsError(try CNIArgs(parsing: "=x"))
    }

    func testGCReadsBothAttachmentKeys() {
        for key in ["cni.dev/valid-attachments", "cni.dev/attachments"] {
            let plugin = RecordingPlugin()
            let outcome = CNIMain.handle(plugin, environment: ["CNI_COMMAND": "GC"],
                                         stdin: config("1.1.0", extra: ",\"\(key)\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"}]"))
            XCTAssertEqual(outcome.exitCode, 0, String(decoding: outcome.stdout, as: UTF8.self))
            XCTAssertEqual(plugin.calls, ["GC 1"])
        }
    }

    func testPrevResultRoundTrips() throws {
        let result = CNIResult(interfaces: [.init(name: "vnet0"), .init(name: "eth0", sandbox: "/ns")],
                               ips: [.init(address: IPv4Prefix("10.240.0.9/16")!, gateway: nil, interface: 1)],
                               routes: [], dns: DNSSettings(nameservers: ["1.1.1.1"]))
        for version in CNIVersion.supported {
            XCTAssertEqual(try CNIResult(decoding: result.json(version: version), version: version), result)
        }
    }

    func testDelegationReportsMissingPlugin() {
        XCTAssertThrowsError(try Delegation.locate("no-such-plugin", in: ["/nonexistent"])) {
            XCTAssertEqual(($0 as? CNIError)?.code, 7)
        }
        XCTAssertThrowsError(try Delegation.locate("../bin/sh", in: ["/usr/lib/cni"]))
    }
}
