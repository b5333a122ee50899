#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import VNetModel
import VNetPools
import VNetRegistry
import VNetState
import VNetSystem

/// What vnetd knows of a `vnet` pool's blocks between passes.
struct BlockLedger: Sendable {
    let spec: VNetPoolSpec
    /// The blocks the registry says this node owns, as last read or changed.
    var owned: [BlockRegistry.Held] = []
    /// When `owned` was read from the registry (nil: read it on the next pass).
    var readAt: Double?
    /// Since when each owned block has held no pod.
    var emptySince: [IPv4Prefix: Double] = [:]
    /// Every node's primary address in the subnet, never handed to a pod.
    var primaries: [IPv4Address] = []
    /// Set when the subnet overlaps another network's in the VNet: nothing is claimed.
    var refusal: String?
    var registered = false
    /// The pool document last written.
    var written: VNetPoolDocument?
    /// Why the last claim found nothing while the VNet's limit had room: every block of the subnet is
    /// claimed or cooling down.
    var subnetFull: String?

    init(spec: VNetPoolSpec) { self.spec = spec }

    var capacity: Int { owned.reduce(0) { $0 + $1.block.usable } }
}

/// vnetd's work for a `vnet` pool (docs/vnet.md): claim blocks while fewer than `warmAddresses` are free or an
/// ADD waits, give back a block that stayed empty for `blockReleaseSeconds`, and keep the pool document
/// vnet-ipam reads equal to what the registry says the node owns.
///
/// The orders that keep "no pod holds an address outside its node's blocks" across crashes: a claim commits
/// before the document lists the block; a give-back takes the block out of the document, under the state
/// lock and only when no pod holds an address of it, before it commits. A restart writes the document from
/// the registry again.
extension ReservationKeeper {
    /// Blocks claimed in one transaction at most, and claim transactions in one pass at most: a node that
    /// needs many (a large warm target) gets them in a few transactions, not one per block.
    static let blocksPerClaim = 16
    static let claimRoundsPerPass = 4
    /// How often the owned blocks are read again while nothing changes them (forget-node from elsewhere).
    static let blocksRereadSeconds = 10.0

    func adjustBlocks(need: Int, underPressure: Bool, now: Double) async throws(RegistryError) {
        guard var ledger else { return }
        defer { self.ledger = ledger }
        let registry = BlockRegistry(client: client, vnet: keys.vnet)
        if !ledger.registered {
            ledger.refusal = try await registry.register(network: served.network, subnet: ledger.spec.subnet)
            ledger.registered = true
            if let primary = served.node.config.snatAddress {
                try await client.put(keys.primary(served.nodeName), Array(primary.description.utf8))
            }
        }
        if let refusal = ledger.refusal {
            write(VNetPoolDocument(subnet: ledger.spec.subnet, gateway: ledger.spec.gateway, refused: refusal), &ledger)
            return
        }
        if ledger.readAt.map({ now - $0 >= Self.blocksRereadSeconds }) ?? true {
            ledger.owned = try await registry.owned(by: served.nodeName, in: ledger.spec.subnet)
            ledger.primaries = try await readPrimaries(in: ledger.spec.subnet)
            ledger.readAt = now
        }
        writeDocument(&ledger)

        let state = try? served.ipam.store.load()
        let leased = state?.leases.map(\.address) ?? []
        // Addresses cooling down on this node, in blocks it still owns (a block given back took its own along).
        let cooling = (state?.released ?? []).filter { released in
            Date().timeIntervalSince(released.releasedAt) < served.ipam.config.cooldown
                && ledger.owned.contains { $0.block.prefix.contains(released.address) }
        }.map(\.address)
        let held = leased.count + cooling.count
        let warm = ledger.spec.warmAddresses

        // Claim while an ADD waits for more than the blocks hold, or fewer than the warm target are free: as
        // many blocks as that takes, in one transaction each round (at most `blocksPerClaim`).
        var rounds = 0
        while rounds < Self.claimRoundsPerPass, vnetLimit == 0 || vnetReserved < vnetLimit {
            let short = max(need - ledger.capacity, underPressure ? 0 : warm - (ledger.capacity - held))
            guard short > 0 else { break }
            rounds += 1
            // A long claim under contention must not let the heartbeat lapse: the node would look lost.
            try await beat(now: MonotonicClock.seconds())
            let carver = BlockCarver(subnet: ledger.spec.subnet, gateway: ledger.spec.gateway, blockLength: ledger.spec.blockLength,
                                     exclude: (served.ipam.config.pool.exclude ?? []).compactMap(AddressRange.init), primaries: ledger.primaries)
            let count = min(Self.blocksPerClaim, (short + ledger.spec.blockSize - 1) / ledger.spec.blockSize)
            let started = MonotonicClock.seconds()
            let claimed = try await registry.claim(node: served.nodeName, carver: carver, count: count,
                                                   start: Self.startIndex(served.nodeName, carver))
            guard !claimed.isEmpty else {
                ledger.subnetFull = vnetLimit == 0 || vnetReserved < vnetLimit
                    ? "subnet \(ledger.spec.subnet) has no free block: every block is claimed or cooling down (VNet \(keys.vnet): limit \(vnetLimit), \(vnetReserved) claimed)"
                    : nil
                break
            }
            ledger.subnetFull = nil
            let added = claimed.reduce(0) { $0 + $1.block.usable }
            ledger.owned += claimed
            reserved = (reserved ?? 0) + added
            vnetReserved += added
            metrics.update(served.network) {
                $0.blockClaims += claimed.count
                $0.claimLatency.observe(MonotonicClock.seconds() - started)
            }
            writeDocument(&ledger)
        }

        // Give back blocks that hold no pod: after the delay when the warm target allows, at once under
        // another node's pressure.
        for held in ledger.owned {
            let prefix = held.block.prefix
            if leased.contains(where: { prefix.contains($0) }) {
                ledger.emptySince[prefix] = nil
                continue
            }
            let since = ledger.emptySince[prefix] ?? now
            ledger.emptySince[prefix] = since
            // The addresses cooling down in this block leave with it (the block cools down as a whole).
            let freeAfter = ledger.capacity - held.block.usable - leased.count - cooling.filter { !prefix.contains($0) }.count
            let due = now - since >= Double(ledger.spec.blockReleaseSeconds) && freeAfter >= warm
            guard due || (underPressure && need == 0) else { continue }
            guard takeOut(held, &ledger) else { continue }
            try? FaultPoint.hit("release:after-file")
            // Out of the ledger before the transaction: if its answer is lost (it may have committed), the
            // block must not return to the document until the registry is read again and says it is ours.
            ledger.owned.removeAll { $0.block.prefix == prefix }
            ledger.emptySince[prefix] = nil
            let released: Bool
            do {
                released = try await registry.release(held, cooldown: served.ipam.config.cooldown)
            } catch {
                ledger.readAt = nil
                throw error
            }
            try? FaultPoint.hit("release:after-txn")
            if released {
                reserved = max(0, (reserved ?? 0) - held.block.usable)
                vnetReserved = max(0, vnetReserved - held.block.usable)
                metrics.update(served.network) { $0.blockReleases += 1 }
            } else {
                ledger.readAt = nil  // changed by someone else (forget-node): read what the registry says
            }
        }
        writeDocument(&ledger)
        let owned = ledger.owned.count
        metrics.update(served.network) { $0.blocksOwned = owned }
    }

    /// Where this node starts looking for a free block: spread over the subnet by its name, so nodes that
    /// claim at once mostly do not race for the same block.
    static func startIndex(_ node: String, _ carver: BlockCarver) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in node.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(carver.blockCount))
    }

    /// Takes `held` out of the pool document under the state lock, if no pod holds an address of it (the
    /// granted file follows after the commit). false when a pod took one meanwhile.
    private func takeOut(_ held: BlockRegistry.Held, _ ledger: inout BlockLedger) -> Bool {
        var without = ledger
        without.owned.removeAll { $0.block.prefix == held.block.prefix }
        let document = document(for: without)
        let store = served.ipam.store
        let done = try? store.update(verb: "vnetd-give-back", lockTimeout: served.ipam.config.lockTimeout) { state in
            guard !state.leases.contains(where: { held.block.prefix.contains($0.address) }) else { return false }
            try document.write(directory: served.directory)
            return true
        }
        guard done == true else { return false }
        ledger.written = document
        return true
    }

    private func readPrimaries(in subnet: IPv4Prefix) async throws(RegistryError) -> [IPv4Address] {
        try await client.range(keys.primaries, prefix: true).kvs
            .compactMap { IPv4Address(String(decoding: $0.value, as: UTF8.self)) }.filter { subnet.contains($0) }.sorted()
    }

    private func document(for ledger: BlockLedger) -> VNetPoolDocument {
        let blocks = ledger.owned.map(\.block).sorted { $0.prefix.network < $1.prefix.network }
        let inBlocks = ledger.primaries.filter { primary in blocks.contains { $0.prefix.contains(primary) } }
        return VNetPoolDocument(subnet: ledger.spec.subnet, gateway: ledger.spec.gateway, addresses: blocks.flatMap(\.addresses),
                                blocks: blocks.map(\.prefix), primaryAddresses: inBlocks)
    }

    /// Rewrites the pool document and the granted file when the owned blocks changed.
    private func writeDocument(_ ledger: inout BlockLedger) {
        write(document(for: ledger), &ledger)
        reserved = ledger.capacity
        writeGrantedFile()
    }

    private func write(_ document: VNetPoolDocument, _ ledger: inout BlockLedger) {
        guard ledger.written != document else { return }
        do {
            try document.write(directory: served.directory)
            ledger.written = document
        } catch {
            Log.say("network \(served.network): cannot write \(VNetPoolDocument.path(directory: served.directory)): \(error)")
        }
    }
}
