#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The node's links kept between link events, for a caller that refreshes often (the console).
///
/// A full link dump is most of a refresh on a full node (the kernel fills dozens of attributes per link);
/// between link events only the counters move, and those come from a dump that carries nothing else. The
/// owner reports link events: `linkChanged(index:)` has that one link read again (a burst of them, such as
/// IPv6 settling on 250 new veths, costs one small request each, not a dump each), and `invalidate()` (an
/// overflow of events, an unreadable monitor) brings the full dump back. So does a set of links that
/// differs from the cached one, and age (`maximumAge` seconds).
final class LinkTable {
    private var cached: [Link]?
    private var takenAt = Date.distantPast
    private var changed = Set<Int32>()
    let maximumAge: Double
    /// More changed links than this and a full dump is cheaper than reading each.
    static let maximumSingleReads = 32

    init(maximumAge: Double = 30) { self.maximumAge = maximumAge }

    /// Forget the cached links: the next read dumps them in full.
    func invalidate() {
        cached = nil
        changed.removeAll()
    }

    /// A link event named this ifindex (added, changed or removed).
    func linkChanged(index: Int32) {
        changed.insert(index)
        if changed.count > Self.maximumSingleReads { invalidate() }
    }

    func links(from kernel: any NodeKernel, now: Date) throws -> [Link] {
        if var links = cached, now.timeIntervalSince(takenAt) < maximumAge {
            let counters = try kernel.linkCounters()
            if counters.count == links.count, links.allSatisfy({ counters[$0.index] != nil }) {
                for index in changed {
                    guard let at = links.firstIndex(where: { $0.index == index }) else { continue }
                    guard let fresh = try kernel.link(index: index) else { return try dump(kernel, now: now) }
                    if fresh.name != links[at].name {
                        // A renamed link may be a master: its ports name it.
                        for port in links.indices where links[port].master == links[at].name { links[port].master = fresh.name }
                    }
                    links[at] = fresh
                }
                changed.removeAll()
                for position in links.indices { links[position].counters = counters[links[position].index] ?? links[position].counters }
                cached = links
                return links
            }
        }
        return try dump(kernel, now: now)
    }

    private func dump(_ kernel: any NodeKernel, now: Date) throws -> [Link] {
        let links = try kernel.links()
        cached = links
        changed.removeAll()
        takenAt = now
        return links
    }
}
