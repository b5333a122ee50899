import XCTest
import Glibc
import VNetIPAM
import VNetModel
import VNetPools
import VNetState
@testable import VNetOperations

final class AttachDetachTests: XCTestCase {
    var dataDir = ""
    var kernel = FakeKernel()
    var nat = FakeNAT()
    var node: Node!

    override func setUpWithError() throws {
        kernel = FakeKernel()
        nat = FakeNAT()
        kernel.aliveNamespaces = ["/ns/a", "/ns/b"]
        let made = try StaticPoolNode(addresses: "10.240.1.10-10.240.1.20", kernel: kernel, nat: nat)
        dataDir = made.dataDir
        node = made.node
    }

    override func tearDown() {
        _ = try? FileManagerless.removeTree(dataDir)
    }

    func testAttachRecordsAReadyEndpointAndDetachUndoesEverything() throws {
        let key = AttachmentKey(containerID: "a", ifname: "eth0")
        let attachment = try node.attach(AttachRequest(key: key, netns: "/ns/a"))
        XCTAssertEqual(attachment.allocation.address.description, "10.240.1.10/16")
        let state = try node.store.load()
        XCTAssertEqual(state.endpoint(for: key)?.hostVeth, attachment.veth.host.name)
        XCTAssertNotNil(kernel.linkTable[attachment.veth.host.name], "the kernel records that it is attached")
        XCTAssertTrue(nat.podSet.contains(attachment.allocation.address.address))
        try node.check(key, netns: "/ns/a", expected: attachment.allocation.address.address)

        try node.detach(key)
        try node.detach(key)
        XCTAssertTrue(try node.store.load().leases.isEmpty)
        XCTAssertTrue(try node.store.load().endpoints.isEmpty)
        XCTAssertTrue(nat.podSet.isEmpty)
        XCTAssertTrue(kernel.hostRoutes.isEmpty)
        XCTAssertNil(kernel.linkTable[node.hostVeth(for: key)])
    }

    func testAFailureAtEachStepLeavesNothingAndNamesTheStep() throws {
        for step in ["veth", "pod-address", "host-route", "nat-pod", "nat"] {
            kernel.failOn = step
            nat.failOn = step
            let key = AttachmentKey(containerID: "f-\(step)", ifname: "eth0")
            XCTAssertThrowsError(try node.attach(AttachRequest(key: key, netns: "/ns/a"))) { error in
                guard let failure = error as? OperationError else { return XCTFail("\(error)") }
                XCTAssertEqual(failure.step, step)
                XCTAssertTrue(failure.description.contains("step \(step) failed"))
                XCTAssertTrue(failure.rollbackProblems.isEmpty, failure.description)
            }
            let state = try node.store.load()
            XCTAssertTrue(state.leases.isEmpty, step)
            XCTAssertTrue(state.endpoints.isEmpty, step)
            XCTAssertNil(kernel.linkTable[node.hostVeth(for: key)], step)
            XCTAssertTrue(kernel.hostRoutes.isEmpty, step)
            XCTAssertTrue(nat.podSet.isEmpty, step)
        }
    }

    func testARequestedAddressInUseNamesItsHolder() throws {
        // The ADD reads the state for its attachment (`AttachmentState`), which holds the other leases' keys:
        // the error names the attachment that holds the address.
        let service = try XCTUnwrap((node.addresses as? InProcessAddresses)?.service)
        let first = AttachmentKey(containerID: "holder", ifname: "eth0")
        for id in ["a", "holder", "b"] {
            _ = try service.allocate(AttachRequest(key: AttachmentKey(containerID: id, ifname: "eth0"), netns: "", owner: "vnet-ipam"))
        }
        let held = try XCTUnwrap(service.store.load().lease(for: first)?.address)
        XCTAssertThrowsError(try service.allocate(AttachRequest(key: AttachmentKey(containerID: "c", ifname: "eth0"), netns: "",
                                                                requested: held, owner: "vnet-ipam"))) { error in
            XCTAssertEqual("\(error)", "\(IPAMError.allocation(.requestedInUse(held, by: first)))")
            XCTAssertTrue("\(error)".contains("holder/eth0"), "\(error)")
        }
    }

    func testAttachRefusesAMissingNamespace() {
        XCTAssertThrowsError(try node.attach(AttachRequest(key: AttachmentKey(containerID: "x", ifname: "eth0"), netns: "/ns/gone"))) {
            guard case .notFound = ($0 as? OperationError)?.kind else { return XCTFail("\($0)") }
        }
        XCTAssertTrue(kernel.calls.isEmpty, "nothing is touched for a missing namespace")
    }

    func testGarbageCollectionKeepsValidAndRemovesStaleVeths() throws {
        let a = AttachmentKey(containerID: "a", ifname: "eth0")
        let b = AttachmentKey(containerID: "b", ifname: "eth0")
        _ = try node.attach(AttachRequest(key: a, netns: "/ns/a"))
        _ = try node.attach(AttachRequest(key: b, netns: "/ns/b"))
        kernel.linkTable["vnstale"] = Link(index: 99, name: "vnstale", kind: "veth", master: "vnet0", operState: .up,
                                           adminUp: true, mtu: 1500, mac: "", counters: LinkCounters())
        let report = try node.collectGarbage(valid: [a])
        XCTAssertEqual(report.detached, [b])
        XCTAssertEqual(report.staleVeths, ["vnstale"])
        XCTAssertEqual(try node.store.load().leases.map(\.key), [a])
    }

    func testReclaimPlansRefusesLivePodsAndSkipsChangedTargets() throws {
        let a = AttachmentKey(containerID: "a", ifname: "eth0")
        let address = try node.attach(AttachRequest(key: a, netns: "/ns/a")).allocation.address.address
        // Past the grace an ADD in flight has: an endpoint still `attaching` without its veth is then a suspect.
        let later = Date().addingTimeInterval(Node.attachGrace + 1)
        var plan = try node.planReclaim(addresses: [address], force: false)
        XCTAssertTrue(plan.targets.isEmpty)
        XCTAssertEqual(plan.refusals.count, 1)

        // Its path gone but its veth still there with a peer: the kernel says the namespace is alive.
        kernel.aliveNamespaces.remove("/ns/a")
        plan = try node.planReclaim(addresses: nil, force: false, now: later)
        XCTAssertTrue(plan.targets.isEmpty)
        // Path and veth gone: the namespace is gone.
        kernel.linkTable.removeValue(forKey: node.hostVeth(for: a))
        plan = try node.planReclaim(addresses: nil, force: false, now: later)
        XCTAssertEqual(plan.targets.map(\.address), [address])
        XCTAssertTrue(plan.changes.contains { $0.area == .lease && $0.detail.hasPrefix("release \(address)") })

        // The attachment is detached and the address leased again before the plan is carried out.
        try node.detach(a)
        let report = node.perform(plan, force: false)
        XCTAssertEqual(report.done, [])
        XCTAssertEqual(report.skipped.count, 1)
    }

    func testLeakDetectorEvidence() {
        let now = Date()
        var state = NetworkState(network: "net")
        let gone = AttachmentKey(containerID: "gone", ifname: "eth0")
        state.leases = [Lease(key: gone, address: IPv4Address("10.240.1.10")!, netns: "/ns/gone", createdAt: now, owner: "vnet")]
        state.endpoints = [Endpoint(key: gone, phase: .ready, address: IPv4Prefix("10.240.1.10/16")!, gateway: IPv4Address("10.240.0.1")!,
                                    hostVeth: "vnaaaa", netns: "/ns/gone", bridge: "vnet0", pod: PodIdentity(), createdAt: now)]
        let stale = Link(index: 3, name: "vnbbbb", kind: "veth", master: "vnet0", operState: .up, adminUp: true, mtu: 1500,
                             mac: "", counters: LinkCounters())
        let suspects = LeakDetector.find(state: state, links: [stale], bridge: "vnet0", now: now, namespacePath: { _ in .missing })
        XCTAssertEqual(suspects.count, 2)
        XCTAssertEqual(suspects[0].evidence, [.netnsGone, .noVeth])
        XCTAssertEqual(suspects[1].evidence, [.vethWithoutEndpoint])
    }

    /// The reported bug: a pod whose namespace was bound in another mount namespace shows its path here as an
    /// empty file. Its veth (peer in a live namespace) makes it alive; without the veth it is unconfirmed,
    /// never gone; only a missing path with a missing veth is gone.
    func testLeakDetectorTakesTheKernelAsWitness() {
        let now = Date()
        var state = NetworkState(network: "net")
        let key = AttachmentKey(containerID: "p", ifname: "eth0")
        state.leases = [Lease(key: key, address: IPv4Address("10.240.1.10")!, netns: "/ns/p", createdAt: now.addingTimeInterval(-600), owner: "vnet")]
        state.endpoints = [Endpoint(key: key, phase: .ready, address: IPv4Prefix("10.240.1.10/16")!, gateway: IPv4Address("10.240.0.1")!,
                                    hostVeth: "vnpppp", netns: "/ns/p", bridge: "vnet0", pod: PodIdentity(), createdAt: now.addingTimeInterval(-600))]
        let veth = Link(index: 3, name: "vnpppp", kind: "veth", master: "vnet0", operState: .up, adminUp: true, mtu: 1500,
                            mac: "", counters: LinkCounters(), peerNamespaceID: 4)
        func evidence(path: NamespacePath, links: [Link]) -> [[LeakEvidence]] {
            LeakDetector.find(state: state, links: links, bridge: "vnet0", now: now, namespacePath: { _ in path }).map(\.evidence)
        }
        XCTAssertEqual(evidence(path: .notNamespace, links: [veth]), [], "alive: its veth's peer lives")
        XCTAssertEqual(evidence(path: .missing, links: [veth]), [], "alive: a missing path contradicts a live peer")
        XCTAssertEqual(evidence(path: .notNamespace, links: []), [[.netnsUnconfirmed, .noVeth]])
        XCTAssertEqual(evidence(path: .missing, links: []), [[.netnsGone, .noVeth]])
        XCTAssertEqual(evidence(path: .namespace, links: []), [[.noVeth]])

        // An ADD in flight (recorded, no veth yet, young) is no suspect, unless its namespace is gone: no ADD
        // outlives that (and a pod whose namespace went right after its ADD is found at once).
        state.endpoints[0].phase = .attaching
        state.endpoints[0].createdAt = now
        XCTAssertEqual(evidence(path: .notNamespace, links: []), [])
        XCTAssertEqual(evidence(path: .namespace, links: []), [])
        // Every piece of evidence that holds is shown: the veth went with the namespace.
        XCTAssertEqual(evidence(path: .missing, links: []), [[.netnsGone, .noVeth]])
    }

    /// A veth on the bridge with no endpoint: a DEL in flight (its veth goes a moment after its record) has
    /// its peer in a live namespace and is not cut without --force; a veth whose peer is gone is.
    func testReclaimOfAVethWithoutEndpointNeedsItsPeerGone() throws {
        let later = Date().addingTimeInterval(Node.attachGrace + 1)
        kernel.linkTable["vnlive"] = Link(index: 98, name: "vnlive", kind: "veth", master: "vnet0", operState: .up,
                                          peerNamespaceID: 3)
        kernel.linkTable["vnstale"] = Link(index: 99, name: "vnstale", kind: "veth", master: "vnet0", operState: .up)
        let plan = try node.planReclaim(addresses: nil, force: false, now: later)
        XCTAssertEqual(plan.targets.map(\.hostVeth), ["vnstale"])
        XCTAssertTrue(plan.refusals.contains { $0.hasPrefix("vnlive") }, "\(plan.refusals)")
        XCTAssertEqual(node.perform(plan, force: false).done, ["vnstale"])
        XCTAssertNil(kernel.linkTable["vnstale"])
        XCTAssertNotNil(kernel.linkTable["vnlive"])
    }

    func testReclaimRefusesUnconfirmedPodsAndRechecksTheKernel() throws {
        let a = AttachmentKey(containerID: "a", ifname: "eth0")
        let address = try node.attach(AttachRequest(key: a, netns: "/ns/a")).allocation.address.address
        let veth = node.hostVeth(for: a)
        let later = Date().addingTimeInterval(Node.attachGrace + 1)
        // Seen from another mount namespace: the path is an empty file, and the veth went (say, deleted by hand).
        kernel.aliveNamespaces.remove("/ns/a")
        kernel.unreadableNamespaces.insert("/ns/a")
        let kept = kernel.linkTable.removeValue(forKey: veth)
        var plan = try node.planReclaim(addresses: nil, force: false, now: later)
        XCTAssertTrue(plan.targets.isEmpty)
        XCTAssertTrue(plan.refusals.first?.contains("unconfirmed") ?? false, "\(plan.refusals)")
        XCTAssertEqual(try node.planReclaim(addresses: nil, force: true, now: later).targets.map(\.address), [address], "--force may")

        // Planned while gone; the veth is back (with its peer) before the plan is carried out: nothing is touched.
        kernel.unreadableNamespaces.remove("/ns/a")
        plan = try node.planReclaim(addresses: nil, force: false, now: later)
        XCTAssertEqual(plan.targets.map(\.address), [address])
        kernel.linkTable[veth] = kept
        let report = node.perform(plan, force: false)
        XCTAssertEqual(report.done, [])
        XCTAssertEqual(report.skipped.count, 1)
        XCTAssertNotNil(try node.store.load().lease(for: a))
        XCTAssertNotNil(kernel.linkTable[veth])
    }
}

/// Removes a test's temporary directory tree without Foundation's FileManager.
enum FileManagerless {
    static func removeTree(_ path: String) throws {
        guard let dir = opendir(path) else { unlink(path); return }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            var info = stat()
            if lstat(child, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR { try removeTree(child) } else { unlink(child) }
        }
        closedir(dir)
        rmdir(path)
    }
}
