/// The demo's own key (`B`): breaks a healthy pod of the sandbox through `DemoActions`, shows the result on the
/// status line and refreshes, so the new suspect appears on the Leaks screen as soon as the kernel has let the
/// pod's namespace go.
extension ConsoleController {
    func breakDemoPod() {
        // Outside the demo the key does not exist: no status, no change, as for any unbound key.
        guard let demo else { return }
        guard !refuseReadOnly("breaking a demo pod") else { return }
        do {
            setStatus(try demo.breakPod(), .success)
        } catch {
            setStatus("break failed: \(error)", .error)
        }
        let status = state.status
        refresh()
        if lastError == nil { state.status = status }
    }
}
