import Foundation
import VNetConsole
import VNetModel
import VNetOperations

/// The Security screen's reading: the configured rules and `Node.ruleCounters()`, taken after each snapshot
/// and only when the network has `securityRules`, so an unfiltered node pays for no extra nftables read.
extension InspectorSource {
    func securityReading() -> SecurityReading? {
        let node = inspector.node
        guard let rules = node.config.securityRules else { return nil }
        do {
            let counters = try node.ruleCounters()
            return SecurityReading(takenAt: Date(), rules: rules, counters: Dictionary(uniqueKeysWithValues: counters.map { key, value in
                (SecurityRuleKey(direction: key.direction, priority: key.priority), RuleCount(packets: value.packets, bytes: value.bytes))
            }))
        } catch {
            return SecurityReading(takenAt: Date(), rules: rules, counters: [:], counterError: "\(error)")
        }
    }
}
