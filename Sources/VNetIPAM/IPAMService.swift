#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetPools
import VNetState
import VNetSystem

/// What an ADD hands to the pod.
public struct IPAMAllocation: Sendable, Hashable {
    public var address: IPv4Prefix
    public var gateway: IPv4Address
    public var routes: [RouteSpec]
    public var dns: DNSSettings?

    public init(address: IPv4Prefix, gateway: IPv4Address, routes: [RouteSpec], dns: DNSSettings?) {
        self.address = address
        self.gateway = gateway
        self.routes = routes
        self.dns = dns
    }

}

/// The IPAM operations on one network: allocate, release, check, status and GC. The pool is loaded before
/// the lock is taken (it may need HTTP); the critical section reads, decides and commits, nothing else.
public struct IPAMService: Sendable {
    public let network: String
    public let config: IPAMConfig
    public let store: StateStore

    public init(network: String, config: IPAMConfig) throws(IPAMError) {
        self.network = network
        self.config = config
        do { store = try StateStore(dataDir: config.dataDir, network: network) } catch { throw .state(error) }
    }

    /// The validated pool and where it came from.
    public func loadPool(now: Date = Date()) throws(IPAMError) -> (pool: Pool, info: PoolSourceInfo) {
        let loaded: LoadedPool
        do { loaded = try PoolLoader(cacheDirectory: store.directory, now: now).load(config.pool) } catch { throw .source(error) }
        do { return (try Pool(loaded.definition), loaded.info) } catch { throw .pool(error) }
    }

    public func allocator(for pool: Pool) -> Allocator {
        Allocator(pool: pool, limits: config.limits, cooldown: config.cooldown)
    }

    /// Allocates (or returns the existing) address of `request.key`. `extra` runs inside the same
    /// critical section, to record more state in the same commit (vnet's endpoint). Only this attachment's
    /// part of the state is read (`StateStore.load(for:)`).
    ///
    /// In a VNet, an ADD that finds the node's reservation used up asks the node agent to grow it and waits
    /// up to `lockTimeoutSeconds` (with the lock released), instead of failing at once.
    public func allocate(_ request: AttachRequest, now: Date = Date(),
                         extra: (inout AttachmentState, IPAMAllocation) throws -> Void = { _, _ in }) throws(IPAMError) -> IPAMAllocation {
        // A `vnet` pool is read under the lock: vnetd takes a block out of it (under the lock) before giving
        // the block back, and no ADD may choose from the copy it read before.
        let blocks = config.pool.isVNetBlocks
        let loaded: Pool? = blocks ? nil : try loadPool(now: now).pool
        let deadline = MonotonicClock.seconds() + config.lockTimeout
        var asked = false
        while true {
            var heldByNode = 0
            do {
                return try store.update(verb: "\(request.owner)-add", lockTimeout: config.lockTimeout, for: request.key) { state in
                    heldByNode = state.leaseCount
                    let pool: Pool
                    if let loaded { pool = loaded } else {
                        guard let claimed = try blockPool(now: now, state: state, held: &heldByNode) else {
                            throw IPAMError.vnetLimit(blockRefusal(state: state, capacity: 0, cooling: 0))
                        }
                        pool = claimed
                    }
                    Self.flagVanished(&state, pool: pool)
                    if !blocks, let refusal = vnetRefusal(state) { throw IPAMError.vnetLimit(refusal) }
                    let snapshot = state
                    let chosen = Result { () throws(AllocationError) -> IPv4Address in
                        try allocator(for: pool).choose(in: snapshot, requested: request.requested, now: now)
                    }
                    if blocks, request.requested == nil, case .failure(.poolExhausted(let capacity, let used, let cooling)) = chosen {
                        heldByNode = used + cooling
                        throw IPAMError.vnetLimit(blockRefusal(state: state, capacity: capacity, cooling: cooling))
                    }
                    let address = try chosen.get()
                    if state.lease == nil {
                        state.lease = Lease(key: request.key, address: address, pod: request.pod, netns: request.netns.isEmpty ? nil : request.netns,
                                            createdAt: now, owner: request.owner)
                        state.released.removeAll { $0.address == address }
                    }
                    let allocation = self.allocation(address, pool: pool)
                    try extra(&state, allocation)
                    return allocation
                }
            } catch IPAMError.vnetLimit(let refusal) {
                let left = deadline - MonotonicClock.seconds()
                guard left > 0.05, let agent = askForRoom(need: heldByNode + 1, wait: left) else {
                    throw IPAMError.vnetLimit(asked ? refusal + "; vnetd could not grow the reservation in time" : refusal)
                }
                if let reason = agent.refusal { throw IPAMError.vnetLimit(refusal + "; vnetd: " + reason) }
                asked = true
            } catch {
                throw IPAMError.wrap(error)
            }
        }
    }

    /// The claimed blocks as a pool, read under the lock; nil when the node has none yet (`held` is then
    /// what the node holds of the subnet: its leases and the addresses cooling down).
    private func blockPool(now: Date, state: AttachmentState, held: inout Int) throws(IPAMError) -> Pool? {
        do throws(IPAMError) {
            return try loadPool(now: now).pool
        } catch .pool(.empty) {
            held = state.leaseCount
            return nil
        }
    }

    /// Why a `vnet` pool has no address for a new pod, with the VNet's numbers vnetd last wrote.
    private func blockRefusal(state: AttachmentState, capacity: Int, cooling: Int) -> String {
        var text = "VNet limit: node holds \(state.leaseCount) pods and \(cooling) addresses cooling down in the \(capacity) "
            + "addresses of its claimed blocks"
        if let grant = GrantedReservation.read(directory: store.directory) {
            let running = kill(grant.agentPID, 0) == 0 || errno == EPERM
            text = "VNet limit: node \(grant.node) holds \(state.leaseCount) pods and \(cooling) addresses cooling down in the "
                + "\(capacity) addresses of its claimed blocks in VNet \(grant.vnet) (limit \(grant.vnetLimit), "
                + "\(grant.vnetReserved) claimed across its nodes); vnetd (pid \(grant.agentPID)) is \(running ? "running" : "not running")"
        }
        return text
    }

    /// Asks the node agent over its socket for a reservation of `need` pods; nil when no agent listens.
    private func askForRoom(need: Int, wait: Double) -> GrowthAnswer? {
        let request = GrowthRequest(need: need, waitSeconds: max(0, wait - 0.2))
        guard let bytes = try? UnixSocket.exchange(path: GrowthRequest.socketPath(directory: store.directory), line: request.json, timeout: wait)
        else { return nil }
        return GrowthAnswer(json: bytes)
    }

    /// With a VNet registry, a new pod needs room in the reservation the node agent was granted (read under
    /// the lock, beside the leases it is counted against); nil when it has room or the network has no registry.
    private func vnetRefusal(_ state: AttachmentState) -> String? {
        guard config.registry != nil, state.lease == nil else { return nil }
        guard let grant = GrantedReservation.read(directory: store.directory) else {
            return "VNet limit: no reservation was granted to this node yet (\(GrantedReservation.path(directory: store.directory)) "
                + "is missing or unreadable): is vnetd running?"
        }
        return grant.refusal(used: state.leaseCount, agentRunning: kill(grant.agentPID, 0) == 0 || errno == EPERM)
    }

    /// The address an `allocate(request)` would take now, without taking it: what a plan shows before the
    /// operator confirms. Read without the lock, so it is a forecast; the allocation decides under the lock.
    /// Throws what the allocation would refuse with (pool exhausted, node limit, a requested address taken),
    /// and `.pool(.empty)` for a `vnet` pool with no block claimed yet (vnetd claims one on the first ADD).
    public func nextAddress(for request: AttachRequest, now: Date = Date()) throws(IPAMError) -> IPv4Address {
        let pool = try loadPool(now: now).pool
        let state: AttachmentState
        do { state = try store.load(for: request.key) } catch { throw .state(error) }
        do { return try allocator(for: pool).choose(in: state, requested: request.requested, now: now) } catch { throw .allocation(error) }
    }

    /// Releases the lease of `key` (no lease is success: DEL is idempotent). `extra` runs in the same commit.
    @discardableResult
    public func release(_ key: AttachmentKey, verb: String = "del", now: Date = Date(),
                        extra: (inout AttachmentState) throws -> Void = { _ in }) throws(IPAMError) -> Lease? {
        do {
            return try store.update(verb: verb, lockTimeout: config.lockTimeout, for: key) { state in
                let lease = state.release(at: now)
                try extra(&state)
                return lease
            }
        } catch {
            throw IPAMError.wrap(error)
        }
    }

    /// CHECK: the lease exists and, when the runtime says which address it got, matches it.
    public func check(_ key: AttachmentKey, expected: IPv4Address?) throws(IPAMError) -> Lease {
        let state: AttachmentState
        do { state = try store.load(for: key) } catch { throw .state(error) }
        guard let lease = state.lease else { throw .checkFailed("no lease for \(key) in network \(network)") }
        if let expected, expected != lease.address {
            throw .checkFailed("\(key) holds \(lease.address), but the runtime expects \(expected)")
        }
        return lease
    }

    /// STATUS: the usage when an address can be served now, else an error saying why not.
    public func status(now: Date = Date()) throws(IPAMError) -> PoolUsage {
        let state: NetworkState
        do { state = try store.load() } catch { throw .state(error) }
        let usage: PoolUsage
        do throws(IPAMError) {
            usage = allocator(for: try loadPool(now: now).pool).usage(of: state, now: now)
        } catch .pool(.empty) where config.pool.isVNetBlocks {
            usage = PoolUsage(capacity: 0, used: state.leases.count, coolingDown: 0, free: 0, flagged: 0, limits: config.limits)
        }
        if state.leases.count >= config.limits.maxPodsPerNode {
            throw .allocation(.nodeLimitReached(limit: config.limits.maxPodsPerNode))
        }
        // A `vnet` pool with no free address is ready while vnetd runs and the VNet has room: the next ADD
        // claims a block.
        if usage.free == 0, config.pool.isVNetBlocks, let grant = GrantedReservation.read(directory: store.directory),
           grant.vnetReserved < grant.vnetLimit, kill(grant.agentPID, 0) == 0 || errno == EPERM {
            return usage
        }
        if usage.free == 0 {
            throw .allocation(.poolExhausted(capacity: usage.capacity, used: usage.used, coolingDown: usage.coolingDown))
        }
        return usage
    }

    /// GC: releases every lease whose attachment is not in `valid`. Returns the released leases.
    public func collectGarbage(valid: Set<AttachmentKey>, now: Date = Date(),
                               extra: (inout NetworkState) throws -> Void = { _ in }) throws(IPAMError) -> [Lease] {
        do {
            return try store.update(verb: "gc", lockTimeout: config.lockTimeout) { state in
                var released: [Lease] = []
                for lease in state.leases where !valid.contains(lease.key) {
                    if let removed = state.release(lease.key, at: now) { released.append(removed) }
                }
                try extra(&state)
                return released
            }
        } catch {
            throw IPAMError.wrap(error)
        }
    }

    func allocation(_ address: IPv4Address, pool: Pool) -> IPAMAllocation {
        let routes = config.routes ?? [RouteSpec(dst: IPv4Prefix(address: IPv4Address(0), length: 0), gw: pool.gateway)]
        return IPAMAllocation(address: IPv4Prefix(address: address, length: pool.subnet.length), gateway: pool.gateway,
                              routes: routes, dns: config.dns ?? pool.dns)
    }

    /// Marks leased addresses the source no longer lists: they stay leased (a pod uses them) but operators
    /// are told.
    static func flagVanished(_ state: inout AttachmentState, pool: Pool) {
        let vanished = state.leasedAddresses.filter { !pool.contains($0) }.sorted()
        if vanished != state.flagged { state.flagged = vanished }
    }
}

extension IPAMService {
    /// `vnetctl state repair`: restores the last good copy and quarantines the addresses the lost commit may
    /// have handed out: the allocator's next choice from the recovered document (what an ADD would have
    /// taken) and any pool address still legible in the corrupt bytes.
    public func repair(now: Date = Date()) throws(IPAMError) -> RepairReport {
        let pool = try? loadPool(now: now).pool
        do {
            return try store.repair(lockTimeout: config.lockTimeout, now: now) { recovered, corrupt in
                guard let pool else { return [] }
                var suspects = Self.addresses(in: corrupt).filter { pool.contains($0) }
                let key = AttachmentKey(containerID: "repair-probe", ifname: "-")
                if let next = try? allocator(for: pool).choose(for: key, in: recovered, now: now) { suspects.append(next) }
                return suspects
            }
        } catch {
            throw .state(error)
        }
    }

    /// Every dotted quad in `bytes`, however damaged the document around it.
    static func addresses(in bytes: [UInt8]) -> [IPv4Address] {
        var found: [IPv4Address] = []
        var token: [UInt8] = []
        for byte in bytes + [0] {
            if (48...57).contains(byte) || byte == UInt8(ascii: ".") {
                if token.count < 16 { token.append(byte) }
            } else {
                if token.count >= 7, let address = IPv4Address(String(decoding: token, as: UTF8.self)) { found.append(address) }
                token.removeAll(keepingCapacity: true)
            }
        }
        return found
    }
}

extension IPAMService {
    /// The IPAM of a network as its plugins last ran it (`config.json`), with `dataDir` replaced by `stateDir`.
    /// nil when nothing is recorded or the network does not use vnet-ipam.
    public static func recorded(stateDir: String, network: String) throws -> IPAMService? {
        let store = try StateStore(dataDir: stateDir, network: network, create: false)
        guard let bytes = store.recordedConfig(),
              let object = (try? JSONParser.parse(bytes))?.objectValue,
              let ipam = object["ipam"]?.objectValue, ipam["type"]?.stringValue == "vnet-ipam" else { return nil }
        var config = try IPAMConfig.parse(ipam)
        config.dataDir = stateDir
        return try IPAMService(network: network, config: config)
    }
}
