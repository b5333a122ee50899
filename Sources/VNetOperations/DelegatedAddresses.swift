import VNetIPAM
import VNetModel
import VNetState

/// The calls to an IPAM plugin other than vnet-ipam (host-local, ...), made by the CNI front end, which
/// executes the plugin from CNI_PATH with the call's stdin and environment as the spec prescribes. Errors
/// thrown carry the plugin's own CNI code.
public protocol IPAMPluginCalls {
    func add() throws -> IPAMAllocation
    func del() throws
    func check() throws
    func status() throws
    func gc() throws
}

/// Addresses from a delegated IPAM plugin; vnet records its endpoints in its own store, never the plugin's
/// directory.
struct DelegatedAddresses: AddressProvider {
    let plugin: any IPAMPluginCalls
    let store: StateStore

    func acquire(_ request: AttachRequest, endpoint: @escaping (IPAMAllocation) -> Endpoint) throws -> IPAMAllocation {
        let allocation = try plugin.add()
        do {
            try store.update(verb: "add", lockTimeout: IPAMConfig.defaultLockTimeout, for: request.key) { state in
                let record = endpoint(allocation)
                if let conflict = Translations.conflict(record, others: state.translated) { throw conflict }
                state.endpoint = record
            }
        } catch {
            try? plugin.del()
            throw error
        }
        return allocation
    }

    func release(_ key: AttachmentKey) throws {
        try store.update(verb: "del", lockTimeout: IPAMConfig.defaultLockTimeout, for: key) { state in state.endpoint = nil }
        try plugin.del()
    }

    func check(_ key: AttachmentKey, expected: IPv4Address?) throws { try plugin.check() }

    func status() throws { try plugin.status() }

    func collectGarbage(valid: Set<AttachmentKey>) throws {
        try store.update(verb: "gc", lockTimeout: IPAMConfig.defaultLockTimeout) { state in
            state.endpoints.removeAll { !valid.contains($0.key) }
        }
        try plugin.gc()
    }
}
