import VNetModel

/// `t` in an endpoint's details: probe its path in the background, show "probing..." and then the hops.
extension ConsoleController {
    /// The descriptor the run loop polls to learn that a probe ended; nil without a prober.
    public var probeWakeDescriptor: Int32? {
        guard let fd = probeRunner?.wakeDescriptor, fd >= 0 else { return nil }
        return fd
    }

    func beginProbe() {
        guard case .detail(let key)? = state.topOverlay else {
            setStatus("t probes a pod's path from its details: Enter on an endpoint first", .info)
            return
        }
        guard let runner = probeRunner else {
            setStatus("probing is not available here", .error)
            return
        }
        if let probe, probe.isRunning {
            setStatus("a probe of \(Format.shortKey(probe.key)) is still running", .info)
            return
        }
        probe = .running(key, since: now())
        runner.start(key)
    }

    /// Takes the results of probes that ended into the pane: the run loop calls it when the wake descriptor
    /// fires, and every refresh does too (in case the pipe could not be made). Returns whether anything changed.
    @discardableResult
    public func collectProbeResults() -> Bool {
        guard let runner = probeRunner else { return false }
        let ended = runner.collect()
        for (key, result) in ended {
            switch result {
            case .success(let report):
                probe = .finished(report, at: now())
                setStatus("probe \(report.pod): \(report.verdict.text)", report.passed ? .success : .error)
            case .failure(let error):
                probe = .failed(key, message: error.description, at: now())
                setStatus("probe failed: \(error.description)", .error)
            }
        }
        return !ended.isEmpty
    }
}
