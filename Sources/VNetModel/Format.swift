#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Short, fixed-width renderings of numbers, sizes, rates and times, for the console's cells and vnetctl's
/// tables alike, so both say the same thing the same way. Times are UTC ("12:00:05Z") so output does not
/// depend on the machine's zone and matches logs and `--json`.
public enum Format {
    /// Bytes in 1024 steps, at most 5 characters: "512B", "1.5K", "12K", "340K", "1.2M", "15G".
    public static func bytes(_ value: UInt64) -> String { scaled(Double(value), unit: "B", base: 1024) }

    public static func bytes(_ value: Double) -> String { scaled(value, unit: "B", base: 1024) }

    /// A byte rate: "1.2M/s"; "-" when unknown.
    public static func rate(_ bytesPerSecond: Double?) -> String {
        guard let bytesPerSecond else { return "-" }
        return scaled(bytesPerSecond, unit: "B", base: 1024) + "/s"
    }

    /// A count in 1000 steps: "987", "1.2k", "45k", "3.4M".
    public static func count(_ value: UInt64) -> String { scaled(Double(value), unit: "", base: 1000, small: "k") }

    /// A count per second: "12/s", "1.2k/s"; "-" when unknown.
    public static func countRate(_ perSecond: Double?) -> String {
        guard let perSecond else { return "-" }
        if perSecond > 0, perSecond < 10 { return fixed1(perSecond) + "/s" }
        return scaled(perSecond, unit: "", base: 1000, small: "k") + "/s"
    }

    /// A duration in at most 6 characters: "12s", "3m04s", "2h05m", "3d04h", "941d"; "-" for negative or nil.
    public static func age(_ seconds: Double?) -> String {
        guard let seconds, seconds >= 0, seconds.isFinite else { return "-" }
        let s = Int(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(pad2(s % 60))s" }
        if s < 86400 { return "\(s / 3600)h\(pad2((s % 3600) / 60))m" }
        if s < 10 * 86400 { return "\(s / 86400)d\(pad2((s % 86400) / 3600))h" }
        return "\(s / 86400)d"
    }

    /// Time of day in UTC: "12:00:05Z".
    public static func clock(_ date: Date) -> String {
        let t = Int(date.timeIntervalSince1970.rounded(.down))
        let day = ((t % 86400) + 86400) % 86400
        return "\(pad2(day / 3600)):\(pad2((day % 3600) / 60)):\(pad2(day % 60))Z"
    }

    /// A whole-number percentage of `part` in `whole`, with one decimal under 10%: "0.3%", "42%".
    public static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "-" }
        let p = Double(part) * 100 / Double(whole)
        if p > 0, p < 0.05 { return "<0.1%" }
        if p > 0, p < 10 { return fixed1(p) + "%" }
        return "\(Int(p.rounded()))%"
    }

    /// `value` with one decimal, without Foundation's formatters.
    public static func fixed1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// An attachment with its container ID cut to 12 characters, as container runtimes show it.
    public static func shortKey(_ key: AttachmentKey) -> String {
        "\(key.containerID.prefix(12))/\(key.ifname)"
    }

    private static func scaled(_ value: Double, unit: String, base: Double, small: String = "K") -> String {
        let units = [unit, small + unit, "M" + unit, "G" + unit, "T" + unit, "P" + unit]
        var v = max(0, value)
        var i = 0
        while v >= base && i < units.count - 1 {
            v /= base
            i += 1
        }
        if i == 0 { return "\(Int(v.rounded()))\(units[0])" }
        if v < 10 { return fixed1(v) + units[i] }
        return "\(Int(v.rounded()))\(units[i])"
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
