import Glibc
import VNetSystem
import XCTest

/// A data directory under /tmp for one test, removed afterwards with the network directory a store made
/// in it.
struct TemporaryDataDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/vnet-state-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: try XCTUnwrap(made))
    }

    func remove(network: String = "net") {
        for name in Files.list(path + "/" + network) { unlink(path + "/" + network + "/" + name) }
        rmdir(path + "/" + network)
        for name in Files.list(path) { unlink(path + "/" + name) }
        rmdir(path)
    }
}
