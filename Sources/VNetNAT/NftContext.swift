import CNftables

/// An owning handle on one libnftables context (`struct nft_ctx *`).
///
/// Why a class: the context owns a netlink socket and two memory streams (output and error buffers) that must
/// be freed exactly once; a final class frees them in `deinit`. libnftables is not thread-safe per context, so
/// the type is deliberately not `Sendable`: create and use it on one thread.
///
/// The context speaks JSON both ways: with `NFT_CTX_OUTPUT_JSON` set, libnftables 1.0.6 parses a buffer that
/// is a JSON document as JSON commands (and falls back to the text grammar otherwise) and prints listings as
/// JSON. Commands act on the network namespace of the calling thread at the time the context opens its
/// netlink socket; callers enter the node's namespace before creating a `NATTable`.
final class NftContext {
    private let handle: OpaquePointer
    private let api: vnet_nft_api

    init() throws(NATError) {
        var why: UnsafePointer<CChar>?
        guard let api = vnet_nft_load(&why)?.pointee else {
            throw .contextUnavailable("cannot load libnftables: \(why.map { String(cString: $0) } ?? "unknown reason")")
        }
        guard let handle = api.ctx_new(vnet_nft_ctx_default()) else { throw .contextUnavailable("nft_ctx_new failed") }
        api.ctx_output_set_flags(handle, vnet_nft_output_json())
        guard api.ctx_buffer_output(handle) == 0, api.ctx_buffer_error(handle) == 0 else {
            api.ctx_free(handle)
            throw .contextUnavailable("cannot buffer libnftables output")
        }
        self.handle = handle
        self.api = api
    }

    deinit { api.ctx_free(handle) }

    /// Runs one buffer of commands as one transaction and returns what nft printed (JSON for listings,
    /// empty for changes). On failure the error carries the command and nft's own error text.
    /// `terse` leaves set elements out of listings: checking the rules then costs the same with 250 pods as
    /// with none.
    @discardableResult
    func run(_ command: String, terse: Bool = false) throws(NATError) -> String {
        if terse { api.ctx_output_set_flags(handle, vnet_nft_output_json() | vnet_nft_output_terse()) }
        defer { if terse { api.ctx_output_set_flags(handle, vnet_nft_output_json()) } }
        let status = api.run_cmd_from_buffer(handle, command)
        // Reading a buffer also rewinds it, so both are read every time: nothing leaks into the next call.
        let output = api.ctx_get_output_buffer(handle).map { String(cString: $0) } ?? ""
        let errors = api.ctx_get_error_buffer(handle).map { String(cString: $0) } ?? ""
        if status != 0 {
            throw .commandFailed(command: command, status: status, message: Self.tidy(errors))
        }
        return output
    }

    /// nft's error text, without the "internal:0:0-0: " position that JSON input produces and blank lines.
    private static func tidy(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true)
            .map { (line: Substring) -> Substring in
                guard line.hasPrefix("internal:") else { return line }
                var index = line.startIndex
                while let colon = line[index...].firstIndex(of: ":") {
                    let next = line.index(after: colon)
                    if next < line.endIndex, line[next] == " " { return line[line.index(after: next)...] }
                    index = next
                }
                return line
            }
            .joined(separator: "\n")
    }
}
