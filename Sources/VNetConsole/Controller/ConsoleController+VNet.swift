#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The VNet: read from the registry with each refresh, kept when the registry stops answering.
extension ConsoleController {
    /// Reads the VNet with the node's refresh. A refresh brought early by link events does not ask the
    /// registry again within the refresh interval: a burst of veths on this node says nothing about the
    /// other nodes, and each read is a network round trip. A failure keeps the last good view (STALE).
    func refreshVNet(eventDriven: Bool) {
        guard let vnetSource, var view = vnet else { return }
        let time = now()
        if eventDriven, let last = lastVNetReadAt, time.timeIntervalSince(last) < state.interval { return }
        lastVNetReadAt = time
        let wasFailing = view.failure != nil
        do {
            view.record(try vnetSource.vnetStatus())
            if wasFailing, lastError == nil { setStatus("VNet: the registry answers again", .info) }
        } catch {
            view.record(error: "\(error)", at: time)
            if !wasFailing { setStatus("VNet: registry read failed: \(error)", .error) }
        }
        vnet = view
    }
}
