#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import VNetModel
import VNetRegistry
import VNetState
import VNetSystem

/// vnetd's work for one network: keeps the node registered and beating, keeps its reservation at what it
/// uses plus headroom (`ReservationPolicy`), writes what it was granted for vnet-ipam, answers ADDs that wait
/// for room, answers other nodes' pressure, and publishes the node's record.
///
/// Two orders keep the invariant across crashes (docs/vnet.md): a grow commits in the registry before the
/// granted file is raised, and a give-back lowers the file (under the state lock, never below the pods held)
/// before it commits. So the file never allows more than the registry granted, whatever instant vnetd dies at.
public actor ReservationKeeper {
    public let served: ServedNetwork
    let client: EtcdClient
    let quota: QuotaRegistry
    let keys: RegistryKeys
    let policy: ReservationPolicy
    let metrics: AgentMetrics
    let reclaimer: AutoReclaimer
    let heartbeatSeconds: Int
    let publishEvery: Double

    /// The reservation the registry holds for this node, as last read or committed (nil: not known yet).
    var reserved: Int?
    var vnetLimit = 0
    var vnetReserved = 0
    var lease: Int64?
    var lastKeepAlive = 0.0
    private var aboveSince: Double?
    private var pressureMine = false
    private var lastRecord: NodeRecord?
    private var lastPublish = 0.0
    private var pool: (ranges: [String], capacity: Int)?
    private var waiting: [Waiter] = []
    private var nextWaiter = 0
    private var wake = false
    private var alarm: CheckedContinuation<Void, Never>?
    /// Set by `stop`: the run loop ends at once instead of finishing its nap.
    private var stopping = false
    private var napsTaken = 0
    /// Why the last pass could not reach the registry; nil when it could.
    private var registryFailure: String?
    /// When a pass last reached the registry.
    private var lastAnswer = MonotonicClock.seconds()
    /// The blocks of a `vnet` pool (nil for other pools, whose reservation follows `policy`).
    var ledger: BlockLedger?

    struct Waiter {
        var id: Int
        var need: Int
        var deadline: Double
        var answer: CheckedContinuation<GrowthAnswer, Never>
    }

    public init(served: ServedNetwork, client: EtcdClient, giveBackAfter: Double, metrics: AgentMetrics,
                heartbeatSeconds: Int = 10, publishEvery: Double = 10) {
        self.served = served
        self.client = client
        quota = QuotaRegistry(client: client, vnet: served.settings.vnet)
        keys = RegistryKeys(vnet: served.settings.vnet)
        policy = ReservationPolicy(step: served.settings.reservationStep, giveBackAfter: giveBackAfter)
        self.metrics = metrics
        reclaimer = AutoReclaimer(node: served.node, after: Double(served.settings.autoReclaimAfterSeconds))
        self.heartbeatSeconds = heartbeatSeconds
        self.publishEvery = publishEvery
        metrics.update(served.network) {
            $0.vnet = served.settings.vnet
            $0.node = served.nodeName
        }
        if case .vnet(let spec) = served.ipam.config.pool.source { ledger = BlockLedger(spec: spec) }
    }

    /// Runs until cancelled: a full pass every `interval` seconds, at once when an ADD waits (it rings the
    /// alarm), and every 50 ms while one does. Idle, it sleeps between passes: no polling tick.
    public func run(interval: Double) async {
        served.node.recordConfiguration(served.pluginConfig)
        let booted = reclaimer.reclaimEarlierBoot()
        if booted > 0 { metrics.update(served.network) { $0.reclaimed += booted } }
        while !Task.isCancelled && !stopping {
            wake = false
            await pass()
            if wake { continue }
            await nap(waiting.isEmpty ? interval : 0.05)
        }
    }

    /// Sleeps `seconds`, or less when an ADD rings.
    private func nap(_ seconds: Double) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            alarm = continuation
            napsTaken += 1
            let nap = napsTaken
            Task { [weak self] in
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                await self?.ring(nap)
            }
        }
    }

    /// Ends nap `number` (nil: whichever is running); a nap already over is left alone.
    private func ring(_ number: Int? = nil) {
        guard let alarm, number == nil || number == napsTaken else { return }
        self.alarm = nil
        alarm.resume()
    }

    /// Ends cleanly (SIGTERM): the heartbeat goes at once and a pressure mark of ours with it; the
    /// reservation stays, since the pods stay.
    public func stop() async {
        stopping = true
        ring()
        for waiter in waiting { waiter.answer.resume(returning: GrowthAnswer(reserved: reserved ?? 0, refusal: "vnetd is stopping")) }
        waiting.removeAll()
        if let lease { try? await client.revoke(lease) }
        lease = nil
    }

    // MARK: ADDs waiting for room

    /// An ADD asks for a reservation of `need` pods and waits at most `waitSeconds` for the answer.
    public func requestRoom(_ request: GrowthRequest) async -> GrowthAnswer {
        metrics.update(served.network) { $0.growthRequests += 1 }
        if let reserved, reserved >= request.need, granted() >= request.need {
            return GrowthAnswer(reserved: reserved, refusal: nil)
        }
        let deadline = MonotonicClock.seconds() + request.waitSeconds
        nextWaiter += 1
        let id = nextWaiter
        // Answered by its deadline even while a pass waits on a registry that does not answer.
        Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(request.waitSeconds * 1e9))
            await self?.expire(id)
        }
        let answer = await withCheckedContinuation { continuation in
            waiting.append(Waiter(id: id, need: request.need, deadline: deadline, answer: continuation))
            wake = true
            ring()
        }
        if answer.refusal != nil { metrics.update(served.network) { $0.growthRefusals += 1 } }
        return answer
    }

    /// What the granted file says now (what vnet-ipam enforces).
    func granted() -> Int { GrantedReservation.read(directory: served.directory)?.reserved ?? 0 }

    private func expire(_ id: Int) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiting.remove(at: index)
        waiter.answer.resume(returning: GrowthAnswer(reserved: reserved ?? 0, refusal: refusal(failure: registryFailure)))
    }

    private func refusal(failure: String?) -> String {
        let silent = MonotonicClock.seconds() - lastAnswer
        if failure == nil, silent > 2 {
            return "the registry has not answered a pass for \(Int(silent))s (unreachable or slow); the node keeps its reservation of \(reserved ?? granted())"
        }
        if let failure { return "the registry cannot be reached (\(failure)); the node keeps its reservation of \(reserved ?? granted())" }
        if let full = ledger?.subnetFull { return full }
        return "VNet \(keys.vnet) has no room: limit \(vnetLimit), \(vnetReserved) reserved across its nodes, and none gave back in time"
    }

    private func answerWaiters(now: Double, failure: String?) {
        var still: [Waiter] = []
        for waiter in waiting {
            if let reserved, reserved >= waiter.need {
                waiter.answer.resume(returning: GrowthAnswer(reserved: reserved, refusal: nil))
            } else if now >= waiter.deadline {
                waiter.answer.resume(returning: GrowthAnswer(reserved: reserved ?? 0, refusal: refusal(failure: failure)))
            } else {
                still.append(waiter)
            }
        }
        waiting = still
    }

    // MARK: One pass

    private func pass() async {
        guard !stopping else { return }
        let now = MonotonicClock.seconds()
        let local = readLocal()
        do throws(RegistryError) {
            try await beat(now: now)
            let view = try await readQuota()
            let pressure = view.pressure.flatMap { $0 == served.nodeName ? nil : $0 }
            let need = waiting.map(\.need).max() ?? 0
            if ledger != nil {
                try await adjustBlocks(need: need, underPressure: pressure != nil && !pressureMine, now: now)
            } else {
                try await adjust(used: local.used, need: need, underPressure: pressure != nil || pressureMine, now: now)
            }
            if let reserved, need > reserved, !pressureMine {
                // The VNet had no room: ask every node to give back its headroom.
                try await client.put(keys.pressure, JSONWriter.bytes(.object(["node": .string(served.nodeName), "need": .number(Double(need))])),
                                     lease: lease)
                pressureMine = true
            } else if pressureMine, need == 0 || (reserved ?? 0) >= need {
                _ = try await client.txn([.leaseOf(keys.pressure, equals: lease ?? 0)], success: [.delete(keys.pressure)])
                pressureMine = false
            }
            try await publish(local, now: now)
            registryFailure = nil
            lastAnswer = MonotonicClock.seconds()
            metrics.update(served.network) {
                $0.registryUp = true
                $0.lastError = nil
            }
            answerWaiters(now: MonotonicClock.seconds(), failure: nil)
        } catch {
            metrics.update(served.network) {
                $0.registryUp = false
                $0.lastError = error.description
                $0.registryErrors += 1
            }
            registryFailure = error.description
            answerWaiters(now: MonotonicClock.seconds(), failure: error.description)
        }
        metrics.update(served.network) {
            $0.used = local.used
            $0.leaks = local.leaks
            $0.reserved = reserved ?? granted()
            $0.vnetLimit = vnetLimit
            $0.vnetReserved = vnetReserved
        }
        let reclaimed = reclaimer.pass(now: Date())
        if reclaimed > 0 {
            metrics.update(served.network) { $0.reclaimed += reclaimed }
            wake = true
        }
    }

    /// Registers the node (the VNet's limit if it has none, the heartbeat key on a lease) and keeps the
    /// lease alive; a lease that expired meanwhile (a long partition) is replaced.
    func beat(now: Double) async throws(RegistryError) {
        if lease == nil {
            try await quota.ensureLimit(served.vnetLimit)
            let granted = try await client.grantLease(seconds: heartbeatSeconds)
            // Stopped meanwhile: no heartbeat outlives the agent.
            guard !stopping else {
                try? await client.revoke(granted)
                return
            }
            try await client.put(keys.alive(served.nodeName), JSONWriter.bytes(.object(["pid": .number(Double(getpid()))])), lease: granted)
            lease = granted
            ledger?.readAt = nil  // a new heartbeat (a start, a long partition): read the blocks again
            lastKeepAlive = now
            return
        }
        guard let lease, now - lastKeepAlive >= Double(heartbeatSeconds) / 3 else { return }
        if try await client.keepAlive(lease) <= 0 {
            // Expired in a long partition, or revoked by `stop` while this call was out.
            guard !stopping else { return }
            self.lease = nil
            pressureMine = false
            try await beat(now: now)
            return
        }
        lastKeepAlive = now
    }

    /// The limit, the sum, this node's reservation and the pressure mark, at one revision.
    private func readQuota() async throws(RegistryError) -> (reserved: Int, pressure: String?) {
        let result = try await client.txn([], success: [.range(keys.limit), .range(keys.quota), .range(keys.reservation(served.nodeName)),
                                                         .range(keys.pressure)])
        func value(_ i: Int, _ field: String) -> JSONValue? {
            guard i < result.ranges.count, let kv = result.ranges[i].kvs.first else { return nil }
            return (try? JSONParser.parse(kv.value))?[field]
        }
        vnetLimit = value(0, "maxPods")?.intValue ?? vnetLimit
        vnetReserved = value(1, "reserved")?.intValue ?? 0
        let mine = value(2, "reserved")?.intValue ?? 0
        reserved = mine
        return (mine, value(3, "node")?.stringValue)
    }

    /// Grows or gives back as the policy says, and keeps the granted file in step.
    private func adjust(used: Int, need: Int, underPressure: Bool, now: Double) async throws(RegistryError) {
        let current = reserved ?? 0
        switch policy.decide(reserved: current, used: used, need: need, underPressure: underPressure, aboveSince: aboveSince, now: now) {
        case .keep:
            aboveSince = nil
        case .wait:
            aboveSince = aboveSince ?? now
        case .grow(let target):
            aboveSince = nil
            // Headroom the VNet does not have is not asked for on every pass (each ask reads the quota): only
            // an ADD that waits asks then, and raises the pressure mark if it must.
            guard need > current || vnetReserved < vnetLimit else { break }
            let started = MonotonicClock.seconds()
            try? FaultPoint.hit("grow:before-txn")
            let granted = try await quota.reserve(node: served.nodeName, wanted: target)
            try? FaultPoint.hit("grow:after-txn")
            if granted != current {
                reserved = granted
                vnetReserved += granted - current
                metrics.update(served.network) {
                    $0.grows += 1
                    $0.growLatency.observe(MonotonicClock.seconds() - started)
                }
            }
        case .giveBack(let target):
            aboveSince = nil
            // Lowered under the state lock, never below the pods held: no ADD can slip past the new mark.
            guard let lowered = lowerGrantedFile(to: target), lowered < current else { break }
            try? FaultPoint.hit("shrink:after-file")
            let kept = try await quota.reserve(node: served.nodeName, wanted: lowered)
            try? FaultPoint.hit("shrink:after-txn")
            reserved = kept
            vnetReserved -= current - kept
            metrics.update(served.network) { $0.giveBacks += 1 }
        }
        writeGrantedFile()
    }

    /// Rewrites the granted file from the registry's reservation when it differs (a grow, a restart).
    func writeGrantedFile() {
        guard let reserved else { return }
        let file = GrantedReservation.read(directory: served.directory)
        guard file?.reserved != reserved || file?.vnetReserved != vnetReserved || file?.vnetLimit != vnetLimit
                || file?.agentPID != getpid() else { return }
        let grant = GrantedReservation(vnet: keys.vnet, node: served.nodeName, reserved: reserved, vnetLimit: vnetLimit,
                                       vnetReserved: vnetReserved, agentPID: getpid(), updatedAt: Date())
        try? grant.write(directory: served.directory)
    }

    /// Lowers the granted file to `target`, or to the pods held if more; returns the new mark.
    private func lowerGrantedFile(to target: Int) -> Int? {
        let store = served.ipam.store
        return try? store.update(verb: "vnetd-give-back", lockTimeout: served.ipam.config.lockTimeout) { state in
            let mark = max(target, state.leases.count)
            let grant = GrantedReservation(vnet: keys.vnet, node: served.nodeName, reserved: mark, vnetLimit: vnetLimit,
                                           vnetReserved: vnetReserved, agentPID: getpid(), updatedAt: Date())
            try grant.write(directory: served.directory)
            return mark
        }
    }

    // MARK: The node's record

    struct LocalView {
        var used = 0
        var leased: [IPv4Address] = []
        var leaks = 0
    }

    private func readLocal() -> LocalView {
        guard let state = try? served.ipam.store.load() else { return LocalView(used: granted()) }
        return LocalView(used: state.leases.count, leased: state.leases.map(\.address).sorted(), leaks: reclaimer.suspectCount)
    }

    /// Publishes the node's record when it changed, and at least every `publishEvery` seconds (its age is
    /// the heartbeat others read).
    private func publish(_ local: LocalView, now: Double) async throws(RegistryError) {
        if pool == nil || ledger != nil, let loaded = try? served.ipam.loadPool() {
            pool = (AddressRange.coalescing(loaded.pool.addresses).map(\.description),
                    min(loaded.pool.addresses.count, served.ipam.config.limits.maxPodsPerNode))
        }
        var record = NodeRecord(name: served.nodeName, primaryAddress: served.node.config.snatAddress, poolRanges: pool?.ranges ?? [],
                                capacity: pool?.capacity ?? 0, used: local.used, leaks: local.leaks, leased: local.leased,
                                agentVersion: AgentVersion.current, updatedAt: lastRecord?.updatedAt ?? Date())
        let changed = lastRecord.map { old in
            var old = old
            old.updatedAt = record.updatedAt
            return old != record
        } ?? true
        guard changed || now - lastPublish >= publishEvery else { return }
        record.updatedAt = Date()
        try await client.put(keys.node(served.nodeName), JSONWriter.bytes(record.json))
        lastRecord = record
        lastPublish = now
    }
}

/// The agent's version, published in its node record.
public enum AgentVersion {
    public static let current = "vnetd 0.3.0"
}
