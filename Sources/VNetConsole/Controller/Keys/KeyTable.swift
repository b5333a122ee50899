/// The keys of one input mode (the screens, the confirmation dialog, the attach form, the filter line),
/// modelled on k9s's KeyActions: the controller looks every key up here, help lists the rows, and the
/// hint bar picks from them, so behaviour, help and hints are one table and cannot drift apart.
struct KeyTable<Command: Hashable & Sendable>: Sendable {
    var bindings: [KeyBinding<Command>]
    /// Text-entry modes: a character no row claims is typed into the field. A text field takes any
    /// character, which no table could list.
    var typing: (@Sendable (Unicode.Scalar) -> Command)?

    init(_ bindings: [KeyBinding<Command>], typing: (@Sendable (Unicode.Scalar) -> Command)? = nil) {
        self.bindings = bindings
        self.typing = typing
    }

    /// The row that binds `key`; nil for typed characters and unbound keys.
    func binding(for key: Key) -> KeyBinding<Command>? {
        bindings.first { $0.command(for: key) != nil }
    }

    /// What `key` does in this mode; nil means nothing.
    func command(for key: Key) -> Command? {
        if let command = binding(for: key)?.command(for: key) { return command }
        if case .character(let c) = key, let typing { return typing(c) }
        return nil
    }

    /// Every key some row binds, in table order.
    var boundKeys: [Key] { bindings.flatMap { $0.keys.map(\.key) } }

    /// The rows' hints in table order: those offered on `screen`, without the mutating ones when read-only,
    /// and without the demo's own rows outside the demo.
    func hints(readOnly: Bool, paused: Bool, on screen: ScreenID? = nil, demo: Bool = false) -> [(key: String, label: String)] {
        bindings.compactMap { binding in
            guard let hint = binding.hint, binding.offered(on: screen), !(readOnly && binding.mutating),
                  demo || !binding.demoOnly else { return nil }
            return hint.item(paused: paused)
        }
    }

    /// A hint layout of its own (an overlay's), dropping hints whose keys run a mutating row when read-only.
    func hints(_ layout: [KeyHint], readOnly: Bool, paused: Bool) -> [(key: String, label: String)] {
        layout.compactMap { hint in
            let mutating = hint.keys.contains { binding(for: $0)?.mutating ?? false }
            return readOnly && mutating ? nil : hint.item(paused: paused)
        }
    }
}
