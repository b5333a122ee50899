import VNetIPAM
import VNetModel
import VNetState

/// Where pod addresses come from: vnet-ipam in-process (one commit records lease and endpoint), or a
/// delegated IPAM plugin executed the CNI way (implemented by the `vnet` front end).
public protocol AddressProvider {
    /// Allocates for `request`; `endpoint` builds the record to keep with the lease.
    func acquire(_ request: AttachRequest, endpoint: @escaping (IPAMAllocation) -> Endpoint) throws -> IPAMAllocation
    /// Releases the lease and forgets the endpoint; nothing to release is success.
    func release(_ key: AttachmentKey) throws
    func check(_ key: AttachmentKey, expected: IPv4Address?) throws
    func status() throws
    func collectGarbage(valid: Set<AttachmentKey>) throws
    /// The address `acquire(request)` would take now, for a plan; nil when this provider cannot tell before
    /// the call (a delegated IPAM plugin only answers an ADD). Throws what the allocation would refuse with.
    func nextAddress(for request: AttachRequest) throws -> IPv4Address?
}

extension AddressProvider {
    public func nextAddress(for request: AttachRequest) throws -> IPv4Address? { nil }
}

/// vnet-ipam in the same process, sharing the network's state store.
public struct InProcessAddresses: AddressProvider {
    public let service: IPAMService

    public init(service: IPAMService) { self.service = service }

    public func acquire(_ request: AttachRequest, endpoint: @escaping (IPAMAllocation) -> Endpoint) throws -> IPAMAllocation {
        // The allocation wraps what its closure throws; the refusal is kept to be thrown as itself.
        var taken: OperationError?
        do {
            return try service.allocate(request) { state, allocation in
                let record = endpoint(allocation)
                if let conflict = Translations.conflict(record, others: state.translated) {
                    taken = conflict
                    throw conflict
                }
                state.endpoint = record
            }
        } catch {
            if let taken { throw taken }
            throw error
        }
    }

    public func release(_ key: AttachmentKey) throws {
        try service.release(key) { state in state.endpoint = nil }
    }

    public func check(_ key: AttachmentKey, expected: IPv4Address?) throws {
        _ = try service.check(key, expected: expected)
    }

    public func status() throws { _ = try service.status() }

    public func nextAddress(for request: AttachRequest) throws -> IPv4Address? { try service.nextAddress(for: request) }

    public func collectGarbage(valid: Set<AttachmentKey>) throws {
        _ = try service.collectGarbage(valid: valid) { state in
            state.endpoints.removeAll { !valid.contains($0.key) }
        }
    }
}
