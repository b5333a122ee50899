// libFuzzer target: the network configuration a runtime writes to a plugin's stdin, through every parser that
// reads it: JSONParser, CNI's NetworkConfig (version, name/type, prevResult, valid attachments, the recordable
// copy), vnet's own keys (NodeConfig), the IPAM keys (IPAMConfig, with the pool source). Any input must be
// either accepted or refused with an error; a trap, crash or hang is a finding.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CNI
import VNetModel
import VNetPools

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let value = try? JSONParser.parse(bytes) {
        // Whatever parses must print and parse back to the same value.
        let printed = JSONOutput.bytes(value)
        guard let again = try? JSONParser.parse(printed), again == value else {
            fatalError("JSON round trip changed the value: \(String(decoding: printed, as: UTF8.self))")
        }
    }
    guard let config = try? NetworkConfig(bytes: bytes) else { return 0 }
    _ = try? config.requireSupportedVersion()
    _ = try? config.requireNameAndType()
    _ = try? config.previousResult()
    _ = try? config.validAttachments()
    _ = config.recordable
    _ = try? NodeConfig.parse(network: config.name, config.raw)
    if let ipam = config["ipam"]?.objectValue {
        _ = try? IPAMConfig.parse(ipam)
    }
    if let pool = config["pool"] {
        _ = try? PoolSourceConfig.parse(pool)
    }
    return 0
}
