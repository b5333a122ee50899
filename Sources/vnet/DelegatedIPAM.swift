import CNI
import VNetIPAM
import VNetModel
import VNetOperations

/// The IPAM plugin named in the configuration (not vnet-ipam), executed from CNI_PATH with the call's stdin
/// and environment, as the spec prescribes.
struct DelegatedIPAM: IPAMPluginCalls {
    let type: String
    let call: CNICall

    func add() throws -> IPAMAllocation {
        let result = try Delegation.add(type, call: call)
        guard let ip = result.ips.first else {
            try? del()
            throw CNIError(.ioFailure, "IPAM plugin \(type) returned no IPv4 address")
        }
        return IPAMAllocation(address: ip.address, gateway: ip.gateway ?? ip.address.canonical.firstHost,
                              routes: result.routes, dns: result.dns)
    }

    func del() throws { try run(.del) }

    func check() throws { try run(.check) }

    func status() throws {
        if CNIVersion.atLeast(call.config.cniVersion, "1.1.0") { try run(.status) }
    }

    func gc() throws { try run(.gc) }

    private func run(_ command: CNICommand) throws {
        _ = try Delegation.run(type, command: command, stdin: call.config.bytes, environment: call.processEnvironment,
                               path: call.environment.path)
    }
}
