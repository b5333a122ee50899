import CNcursesw

/// Turns what `wget_wch` returns into `Key`s, comparing curses key codes through the shim (their values
/// differ between ncurses builds, so none is written here).
enum CursesKeys {
    /// `status` is wget_wch's result, `code` the character or key code.
    static func decode(status: Int32, code: UInt32) -> Key? {
        if status == vnet_key_code_yes() { return special(Int32(bitPattern: code)) }
        if status == vnet_ok() { return Key.fromCode(code) }
        return nil
    }

    private static func special(_ code: Int32) -> Key? {
        switch code {
        case vnet_key_up(): return .up
        case vnet_key_down(): return .down
        case vnet_key_left(): return .left
        case vnet_key_right(): return .right
        case vnet_key_npage(): return .pageDown
        case vnet_key_ppage(): return .pageUp
        case vnet_key_home(): return .home
        case vnet_key_end(): return .end
        case vnet_key_enter(): return .enter
        case vnet_key_backspace(): return .backspace
        case vnet_key_dc(): return .delete
        case vnet_key_btab(): return .backTab
        default:
            for n in 1...12 where code == vnet_key_f(Int32(n)) { return .function(n) }
            return nil
        }
    }
}
