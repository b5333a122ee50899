#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// `vnet-console --once`: one overview to stdout as plain text (no escape codes, fit to a width) or the
/// snapshot as JSON, for scripts, cron and bug reports (htop's long-missing batch mode).
public enum OnceOutput {
    /// The header and overview as plain text lines at `width` columns. `previous` gives rates; `vnet` the
    /// registry's view for the VNet gauge (nil: this node's share only); ASCII glyphs unless `unicode`
    /// (pipes and logs often are not UTF-8 aware).
    public static func overviewText(_ snapshot: NodeSnapshot, previous: NodeSnapshot? = nil, vnet: VNetView? = nil,
                                    width: Int = 100, now: Date, readOnly: Bool = true, unicode: Bool = false) -> String {
        let width = max(40, width)
        let data = ConsoleData(current: snapshot, previous: previous)
        var frame = Frame(width: width, height: 200, glyphs: unicode ? .unicode : .ascii)
        Header(data: data, now: now, interval: nil, paused: false, readOnly: readOnly, lastError: nil)
            .render(into: &frame, y: 0)
        let used = OverviewScreen.render(data, vnet: vnet, now: now, into: &frame, rect: Rect(x: 0, y: 3, width: width, height: 197))
        let lines = frame.text.split(separator: "\n", omittingEmptySubsequences: false).prefix(3 + used)
        var text = lines.map(String.init).joined(separator: "\n")
        while text.hasSuffix("\n") { text.removeLast() }
        return text + "\n"
    }

    /// The snapshot as JSON: sorted keys, ISO-8601 dates, pretty-printed, ending in a newline.
    public static func json(_ snapshot: NodeSnapshot) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(snapshot), as: UTF8.self) + "\n"
    }
}
