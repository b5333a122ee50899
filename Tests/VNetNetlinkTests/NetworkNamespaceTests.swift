import Foundation
import Glibc
import VNetModel
import VNetNetlink
import VNetSystem
import VNetTestSupport
import XCTest

final class NetworkNamespaceTests: XCTestCase {
    private var namespaces: TestNamespaces!

    override func setUpWithError() throws {
        try XCTSkipUnless(getuid() == 0, "needs root to create network namespaces")
        namespaces = TestNamespaces(tag: "vnl")
    }

    override func tearDown() {
        namespaces?.removeAll()
        super.tearDown()
    }

    func testOpensByNameAndByPathWithTheSameIdentity() throws {
        let name = try namespaces.make("a")
        let byName = try NetworkNamespace(named: name)
        let byPath = try NetworkNamespace(path: "/var/run/netns/\(name)")
        XCTAssertEqual(byName.identity, byPath.identity)
        var info = stat()
        XCTAssertEqual(stat("/var/run/netns/\(name)", &info), 0)
        XCTAssertEqual(byName.identity.inode, UInt64(info.st_ino))
        XCTAssertNotEqual(byName.identity, try NetworkNamespace.currentIdentity())
        XCTAssertGreaterThanOrEqual(byName.fileDescriptor, 0)
        XCTAssertTrue(NetworkNamespace.isNetworkNamespace(byName.path))
    }

    func testLivenessFollowsANamespaceDeletedAndAPathReused() throws {
        let liveness = NamespaceLiveness()
        let name = try namespaces.make("live")
        let path = "/var/run/netns/\(name)"
        XCTAssertTrue(liveness.isAlive(path))
        XCTAssertTrue(liveness.isAlive(path), "asked again: still there")
        try Shell.run(["ip", "netns", "delete", name])
        XCTAssertEqual(liveness.status(path), .missing, "deleted")
        // A plain file where the namespace was is not one, whatever was remembered: and it is not "gone" either
        // (a namespace bound in another mount namespace looks exactly like this from here).
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        defer { unlink(path) }
        XCTAssertEqual(liveness.status(path), .notNamespace)
        XCTAssertEqual(liveness.status("/etc/hostname"), .notNamespace)
        XCTAssertEqual(liveness.status("/proc/self/ns/net"), .namespace)
    }

    func testASurveySeesANamespaceDeletedAtTheNextRefresh() throws {
        let liveness = NamespaceLiveness()
        let kept = try namespaces.make("kept"), gone = try namespaces.make("gone")
        let keptPath = "/var/run/netns/\(kept)", gonePath = "/var/run/netns/\(gone)"
        let first = liveness.survey()
        XCTAssertEqual(first(keptPath), .namespace)
        XCTAssertEqual(first(gonePath), .namespace)
        XCTAssertEqual(first("/var/run/netns/\(namespaces.prefix)-never"), .missing)
        // Unchanged directory: the next refresh answers from the first one's confirmation.
        let second = liveness.survey()
        XCTAssertEqual(second(keptPath), .namespace)
        XCTAssertEqual(second(gonePath), .namespace)
        try Shell.run(["ip", "netns", "delete", gone])
        // The delete unlinked a file in the directory: the next refresh looks again.
        let third = liveness.survey()
        XCTAssertEqual(third(gonePath), .missing, "deleted")
        XCTAssertEqual(third(keptPath), .namespace)
        // A namespace unmounted but left in place does not change its directory: a survey may still take it
        // for alive (for at most NamespaceLiveness.recheckSeconds), the full check never does. What is left is
        // the empty file a mount namespace without the bind mount sees: not a namespace, not missing.
        XCTAssertEqual(umount2(keptPath, Int32(MNT_DETACH)), 0)
        XCTAssertEqual(liveness.status(keptPath), .notNamespace)
        XCTAssertEqual(liveness.survey()(keptPath), .notNamespace, "the full check forgot it")
    }

    func testRejectsFilesThatAreNotNetworkNamespaces() throws {
        func reason(_ path: String) -> NamespaceError.Reason? {
            do {
                _ = try NetworkNamespace(path: path)
                return nil
            } catch {
                return error.reason
            }
        }
        XCTAssertEqual(reason("/etc/hostname"), .notNetworkNamespace)
        XCTAssertEqual(reason("/proc/self/ns/mnt"), .notNetworkNamespace, "another kind of namespace")
        XCTAssertEqual(reason("/var/run/netns/\(namespaces.prefix)-missing"), .open)
        XCTAssertNil(reason("/proc/self/ns/net"))
        XCTAssertFalse(NetworkNamespace.isNetworkNamespace("/etc/hostname"))
        do {
            _ = try NetworkNamespace(named: "../etc")
            XCTFail("a name with a slash must be refused")
        } catch {
            XCTAssertEqual(error.reason, .invalidName)
            XCTAssertEqual(error.errno, EINVAL)
        }
        do {
            _ = try NetworkNamespace(named: "\(namespaces.prefix)-gone")
            XCTFail("a missing namespace must not open")
        } catch {
            XCTAssertEqual(error.errno, ENOENT)
        }
    }

    private struct Boom: Error {}

    func testWithEnteredAlwaysReturnsHomeAlsoWhenTheBodyThrows() throws {
        let home = try NetworkNamespace.currentIdentity()
        let first = try NetworkNamespace(named: try namespaces.make("first"))
        let second = try NetworkNamespace(named: try namespaces.make("second"))

        let seen = try first.withEntered { () -> NetworkNamespace.Identity in
            XCTAssertTrue(first.isCurrent)
            // Nested: into the second and back to the first.
            try second.withEntered { XCTAssertTrue(second.isCurrent) }
            XCTAssertTrue(first.isCurrent)
            return try NetworkNamespace.currentIdentity()
        }
        XCTAssertEqual(seen, first.identity)
        XCTAssertEqual(try NetworkNamespace.currentIdentity(), home)

        XCTAssertThrowsError(try first.withEntered { throw Boom() }) { error in
            XCTAssertTrue(error is Boom)
        }
        XCTAssertEqual(try NetworkNamespace.currentIdentity(), home, "a throwing body must not strand the thread")

        // Entering the namespace we are in is a no-op.
        let current = try NetworkNamespace.current()
        XCTAssertEqual(try current.withEntered { try NetworkNamespace.currentIdentity() }, home)
    }

    func testInsideTheNamespaceOnlyItsLinksAreVisible() throws {
        let name = try namespaces.make("view")
        try Shell.run(["ip", "-n", name, "link", "add", "name", "probe0", "type", "veth", "peer", "name", "probe1"])
        let namespace = try NetworkNamespace(named: name)
        let names = try namespace.withEntered { try Netlink().links().map(\.name) }
        XCTAssertEqual(Set(names), ["lo", "probe0", "probe1"])
    }
}
