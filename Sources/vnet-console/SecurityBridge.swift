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
            return SecurityReading(takenAt: Date(), rules: rules, counters: counters)
        } catch {
            return SecurityReading(takenAt: Date(), rules: rules, counters: [:], counterError: "\(error)")
        }
    }
}

/// The verify form's answers: `Node.verify`, what `vnetctl rules verify` runs, on the console's node (main
/// thread; it reads the state and computes, it does not wait on the network).
struct OperationsVerifier: RuleVerifier {
    let node: Node

    func verify(_ question: RuleQuestion) throws -> RuleAnswer {
        let verdict = try node.verify(reference: EndpointReference(question.pod), direction: question.direction,
                                      transport: question.transport, remote: question.remote, port: question.port, sourcePort: nil)
        return RuleAnswer(pod: verdict.pod, flow: verdict.flow, rule: verdict.rule)
    }
}
