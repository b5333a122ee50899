// libFuzzer target: the wireserver's interface list (XML). XMLReader must parse or refuse any bytes within its
// depth and size limits; WireserverDocument must turn a parsed tree into interfaces or a PoolDocumentError.
import VNetPools

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireserver(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let root = try? XMLReader.parse(bytes) {
        _ = root.elements(named: "Interface").map { $0.attribute("MacAddress") }
    }
    _ = try? WireserverDocument.parse(bytes)
    return 0
}
