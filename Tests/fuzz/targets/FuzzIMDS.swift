// libFuzzer target: the instance metadata service's network document (JSON). IMDSDocument must return
// interfaces or a PoolDocumentError for any bytes.
import VNetPools

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIMDS(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? IMDSDocument.parse(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
